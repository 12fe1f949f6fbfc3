package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Local slices taken from the pool. A slice the function makes for itself
// (h := make([]float64, n), n known only at run time) costs the gradient
// two allocations per call, the slice and its adjoint, where a gradient
// called in a training loop should cost none. When the slice cannot
// outlive the call — the function only indexes it, takes its length,
// ranges over it, copies into or out of it, clears it, and takes views of
// it that it uses the same way — the gradient takes both from its pool
// (opt.PoolStorage), cleared, with capacity n as make gives, and puts them
// back when it returns. Anything else the function does with the slice
// (passes it to a call, stores it, returns it, captures it in a function
// literal, assigns the variable again) keeps make.

// poolableLocal reports whether the slice variable v, made by rhs in the
// statement defining it outside loops, can come from the pool.
func (l *Lowerer) poolableLocal(v *Variable, rhs ast.Expr) bool {
	if l.saveAll || l.loopDepth > 0 || !l.defining[v] || v.obj == nil || v.IR == nil {
		return false
	}
	return l.poolableMake(v.obj, rhs)
}

// poolableMake reports whether rhs is make([]T, n), n an int poolableLength
// takes, whose memory stays in the function once obj holds it.
func (l *Lowerer) poolableMake(obj types.Object, rhs ast.Expr) bool {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok || len(call.Args) != 2 || !gotypes.IsBuiltinCall(l.Info, call, "make") || !l.poolableLength(call.Args[1]) {
		return false
	}
	if _, isSlice := obj.Type().Underlying().(*types.Slice); !isSlice {
		return false
	}
	return l.staysLocal(obj, call)
}

// poolableLength reports whether make's length n can size a buffer from
// the pool, which evaluates it again (cap(*buf) < n, then [:n:n]): an int
// (the buffer's capacity is one) known only at run time (the compiler
// keeps a small constant one on the stack), computed from constants,
// locals and lengths alone (a call could have effects, or cost), or read
// from memory: the length of a row or field (len(m[i]), len(p.W)), a
// field (g.N) or an element (sizes[i]). The pool evaluates it where make
// did, with nothing run in between that could change it.
func (l *Lowerer) poolableLength(n ast.Expr) bool {
	tv := l.Info.Types[n]
	if tv.Value != nil || tv.Type == nil || !types.Identical(tv.Type, types.Typ[types.Int]) {
		return false
	}
	c := l.Conv(n)
	read := c // what is read from memory: the length's slice, or the int
	if call, ok := c.(adjoint.Call); ok && adjoint.ExprString(call.Fun) == "len" && len(call.Args) == 1 {
		read = call.Args[0]
	}
	switch a := read.(type) {
	case adjoint.Index:
		return l.recomputable(a.X) && l.recomputable(a.Index)
	case adjoint.Selector:
		return l.recomputable(a.X)
	}
	return l.recomputable(c)
}

// staysLocal reports whether the memory obj holds after made stays in
// the function: every use of obj, and of the local views taken of it, is
// one of those poolableLocal lists.
func (l *Lowerer) staysLocal(obj types.Object, made *ast.CallExpr) bool {
	_, ok := l.localViews(obj, made)
	return ok
}

// localViews returns obj and the local views taken of it, and whether
// its memory stays in the function (staysLocal).
func (l *Lowerer) localViews(obj types.Object, made *ast.CallExpr) (map[types.Object]bool, bool) {
	return l.viewsStay(l.Fn.Body, l.structure().parent, obj, made, map[types.Object]bool{})
}

// viewsStay is localViews over body (the function's, or a helper's that
// the slice is passed to, with obj its parameter and made nil), whose
// nodes' parents are parent; visiting are the helpers' parameters being
// checked.
func (l *Lowerer) viewsStay(body *ast.BlockStmt, parent map[ast.Node]ast.Node, obj types.Object, made *ast.CallExpr, visiting map[types.Object]bool) (map[types.Object]bool, bool) {
	tracked := map[types.Object]bool{obj: true}
	// A use may come before, in the source, the view it uses is taken (a
	// loop uses w, then sets w = h[a:b] for the next trip): walk again
	// until the views tracked settle, so that every use of every one is
	// checked.
	for {
		known, ok := len(tracked), true
		ast.Inspect(body, func(n ast.Node) bool {
			if !ok {
				return false
			}
			if lit, isLit := n.(*ast.FuncLit); isLit {
				ast.Inspect(lit.Body, func(m ast.Node) bool {
					if id, isID := m.(*ast.Ident); isID && tracked[l.Info.Uses[id]] {
						ok = false
					}
					return ok
				})
				return false
			}
			if id, isID := n.(*ast.Ident); isID && tracked[l.Info.ObjectOf(id)] && !l.localUse(id, parent, tracked, made, visiting) {
				ok = false
			}
			return true
		})
		if !ok || len(tracked) == known {
			return tracked, ok
		}
	}
}

// localUse reports whether the use id of a tracked slice keeps its memory
// in the function, tracking the local views it defines.
func (l *Lowerer) localUse(id *ast.Ident, parent map[ast.Node]ast.Node, tracked map[types.Object]bool, made *ast.CallExpr, visiting map[types.Object]bool) bool {
	var child ast.Node = id
	p := parent[child]
	// A view of it (h[a:b], h[a:]) is used like it.
	for {
		if par, isParen := p.(*ast.ParenExpr); isParen {
			child, p = par, parent[par]
			continue
		}
		sl, isSlice := p.(*ast.SliceExpr)
		if !isSlice || sl.X != child {
			break
		}
		child, p = sl, parent[sl]
	}
	switch p := p.(type) {
	case *ast.IndexExpr:
		// An element, h[i], read or written; not its address, (&(h[i])).
		// Only a number or a row (an unnamed slice, whose elements live
		// elsewhere): an element that is an array or a struct can be
		// reached into (&h[i].Y, h[i][:], a pointer method on h[i]).
		elem := l.Info.TypeOf(p)
		if _, row := types.Unalias(elem).(*types.Slice); p.X != child || elem == nil || !gotypes.IsFloat(elem) && !passiveKind(elem) && !row {
			return false
		}
		up := parent[p]
		for {
			par, isParen := up.(*ast.ParenExpr)
			if !isParen {
				break
			}
			up = parent[par]
		}
		u, addr := up.(*ast.UnaryExpr)
		return !(addr && u.Op == token.AND)
	case *ast.RangeStmt:
		return p.X == child
	case *ast.CallExpr:
		if _, async := parent[p].(*ast.GoStmt); p.Fun == child || async {
			return false // a goroutine may use it after the function returns
		}
		return gotypes.IsBuiltinCall(l.Info, p, "len", "cap", "copy", "clear") || l.helperKeeps(p, child, visiting)
	case *ast.AssignStmt:
		return l.viewDefinition(p, child, tracked, made)
	case *ast.ValueSpec:
		if len(p.Values) == 0 && child == ast.Node(id) {
			return true // var w []float64: declared nil, holding no memory yet
		}
		for i, name := range p.Names {
			if name == id && i < len(p.Values) && made != nil && ast.Unparen(p.Values[i]) == ast.Expr(made) {
				return true // var h = make([]float64, n): its own definition
			}
		}
		for i, v := range p.Values {
			if v == child && i < len(p.Names) && child != ast.Node(id) {
				return l.trackView(p.Names[i], tracked)
			}
		}
	}
	return false
}

// helperKeeps reports whether the function of this package that call
// calls, passed arg (a tracked slice or a view of one) as an ordinary
// parameter, keeps that memory to itself: its parameter is used as
// poolableLocal lists (helpers it passes it to, checked the same way).
// dot(h, w) is the common case: the helper's generated pullback or
// pushforward reads the slice and writes its adjoint or tangent, and
// stores neither.
func (l *Lowerer) helperKeeps(call *ast.CallExpr, arg ast.Node, visiting map[types.Object]bool) bool {
	fn := gotypes.CalleeFunc(l.Info, call)
	if fn == nil || fn.Pkg() != l.Pkg {
		return false
	}
	site, ok := l.Decls[fn.Origin()]
	if !ok || site.Decl.Body == nil {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return false
	}
	at := -1
	for i, a := range call.Args {
		if ast.Node(a) == arg {
			at = i
		}
	}
	if at < 0 || at >= sig.Params().Len() || sig.Variadic() && at >= sig.Params().Len()-1 {
		return false
	}
	param := fn.Origin().Type().(*types.Signature).Params().At(at)
	if visiting[param] {
		return true // a recursive call: its other uses are being checked
	}
	visiting[param] = true
	defer delete(visiting, param)
	_, ok = l.viewsStay(site.Decl.Body, parentsIn(site.Decl.Body), param, nil, visiting)
	return ok
}

// parentsIn maps each node of body to the node holding it.
func parentsIn(body *ast.BlockStmt) map[ast.Node]ast.Node {
	parent := map[ast.Node]ast.Node{body: nil}
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			parent[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	return parent
}

// viewDefinition reports whether the assignment a, in which e is a
// tracked slice or a view of one, keeps the memory local: the slice's
// own definition by make, or a local variable set to a view of it (then
// tracked too).
func (l *Lowerer) viewDefinition(a *ast.AssignStmt, e ast.Node, tracked map[types.Object]bool, made *ast.CallExpr) bool {
	if len(a.Lhs) != len(a.Rhs) {
		return false
	}
	for i, lhs := range a.Lhs {
		if lhs == e {
			// The variable written: by its own make, or a view set to
			// another view of a tracked slice.
			return ast.Unparen(a.Rhs[i]) == ast.Expr(made) || l.viewOfTracked(a.Rhs[i], tracked)
		}
		if a.Rhs[i] != e {
			continue
		}
		if _, isView := e.(*ast.SliceExpr); !isView {
			return false // h2 := h: another name for the whole slice
		}
		id, isID := lhs.(*ast.Ident)
		return isID && l.trackView(id, tracked)
	}
	return false
}

// viewOfTracked reports whether e is a view (h[a:b], h[a:][:c]) of a
// tracked slice.
func (l *Lowerer) viewOfTracked(e ast.Expr, tracked map[types.Object]bool) bool {
	sl, ok := ast.Unparen(e).(*ast.SliceExpr)
	if !ok {
		return false
	}
	for {
		switch x := ast.Unparen(sl.X).(type) {
		case *ast.SliceExpr:
			sl = x
			continue
		case *ast.Ident:
			return tracked[l.Info.ObjectOf(x)]
		}
		return false
	}
}

// trackView tracks the local variable id is, set to a view of a tracked
// slice.
func (l *Lowerer) trackView(id *ast.Ident, tracked map[types.Object]bool) bool {
	o := l.Info.ObjectOf(id)
	v, isVar := o.(*types.Var)
	if !isVar || v.Parent() == l.Pkg.Scope() || v.IsField() {
		return false
	}
	tracked[o] = true
	return true
}

// PoolableFwd reports whether forward mode can take the slice lhs := rhs,
// and its tangent, from the pool: poolableMake's conditions (inside a
// loop, for the trip alone), and no goto (a jump over the pooled
// buffer's declaration would not compile). Not in the JVP that second
// derivatives differentiate again, which must stay plain Go of the kinds
// reverse mode takes.
func (l *Lowerer) PoolableFwd(lhs, rhs ast.Expr) bool {
	id, ok := lhs.(*ast.Ident)
	if !ok || l.saveAll || l.SecondOrder || l.structure().gotos || l.Info.Defs[id] == nil {
		return false
	}
	obj := l.Info.Defs[id]
	loop := l.enclosingLoop(rhs)
	if loop == nil {
		return l.poolableMake(obj, rhs)
	}
	// Made on every trip: one buffer serves them all when nothing the
	// trip makes of it outlives the trip, that is, when the slice and
	// every view taken of it are declared inside the loop's body (the
	// next trip's make clears the buffer). Forward mode has no backward
	// sweep that would read an earlier trip's slice.
	if !l.poolableMake(obj, rhs) {
		return false
	}
	tracked, _ := l.localViews(obj, ast.Unparen(rhs).(*ast.CallExpr))
	for o := range tracked {
		if o.Pos() < loopBody(loop).Pos() || o.Pos() >= loopBody(loop).End() {
			return false
		}
	}
	return true
}

// enclosingLoop is the innermost loop of the function's body around n,
// or nil.
func (l *Lowerer) enclosingLoop(n ast.Node) ast.Stmt {
	parent := l.structure().parent
	for p := parent[n]; p != nil; p = parent[p] {
		switch p := p.(type) {
		case *ast.ForStmt:
			return p
		case *ast.RangeStmt:
			return p
		case *ast.FuncLit:
			return nil
		}
	}
	return nil
}

// loopBody is the body of the for or range statement s.
func loopBody(s ast.Stmt) *ast.BlockStmt {
	if f, ok := s.(*ast.ForStmt); ok {
		return f.Body
	}
	return s.(*ast.RangeStmt).Body
}

// InLoop reports whether n lies in a loop of the function's body.
func (l *Lowerer) InLoop(n ast.Node) bool {
	return l.enclosingLoop(n) != nil
}

// poolLocal takes the slice v, made by make and its adjoint view made
// alongside, from the pool: both are declared with the function's
// variables, so that their make is an assignment that opt.PoolStorage
// rewrites.
func (l *Lowerer) poolLocal(v, sh *Variable) {
	l.hoist(v)
	l.hoist(sh)
	delete(l.defining, v)
	l.pooledExact(v.Name)
	l.pooledExact(sh.Name)
}

// poolPassive writes h := make([]T, n) of a slice that does not depend on
// the parameters (scratch weights) as storage from the pool, under
// poolableLocal's conditions, and reports whether it did.
func (l *Lowerer) poolPassive(lhs, rhs ast.Expr) bool {
	id, ok := lhs.(*ast.Ident)
	if !ok || l.Info.Defs[id] == nil {
		return false
	}
	v := l.VariableOf(l.Info.Defs[id])
	if !l.poolableLocal(v, rhs) {
		return false
	}
	l.hoist(v)
	l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(v.Name), "=", l.Conv(rhs)))
	l.pooledExact(v.Name)
	return true
}

// pooledExact marks the slice name, made by make, to come from the pool,
// cleared, with capacity its length, as make gives it.
func (l *Lowerer) pooledExact(name string) {
	l.PooledExactIn(name, l.fusing)
}

// PooledExactIn is pooledExact for a slice made on each trip of a loop
// when perTrip.
func (l *Lowerer) PooledExactIn(name string, perTrip bool) {
	if perTrip {
		// Made on each trip of a sum loop, whose backward code runs in
		// the same trip: dead when the trip ends, so one buffer, taken
		// at the top of the function and grown when a trip needs more,
		// serves every trip.
		mark(&l.grownTapes, name)
		mark(&l.zeroedScratch, name)
	} else {
		l.PooledScratch(name)
	}
	mark(&l.exactScratch, name)
}
