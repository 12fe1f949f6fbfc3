package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// Slices, arrays, structs and pointers. The adjoint of an aggregate has the
// aggregate's shape, so the adjoint of any element is found by the same
// path: dw[i] for w[i], dm.W[j] for m.W[j]. A slice's adjoint is a slice
// too, and slicing it gives views that alias the buffer exactly as the
// source's views alias the source: row := W[a:b] goes with drow := dW[a:b],
// and adding into drow adds into dW.

// adjPath is the adjoint of the element, field or view that e denotes:
// e with its root variable replaced by that variable's adjoint.
func (l *Lowerer) adjPath(e ast.Expr) adjoint.Expr {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return l.adjPath(e.X)
	case *ast.Ident:
		v := l.VariableOf(l.Info.ObjectOf(e))
		if v.alias != nil {
			return v.alias
		}
		return l.AdjOf(v)
	case *ast.IndexExpr:
		return adjoint.Index{X: l.adjPath(e.X), Index: l.Conv(e.Index)}
	case *ast.SelectorExpr:
		return adjoint.Selector{X: l.adjPath(e.X), Sel: e.Sel.Name}
	case *ast.StarExpr:
		return adjoint.Unary{Op: "*", X: l.adjPath(e.X)}
	case *ast.SliceExpr:
		s := adjoint.SliceExpr{X: l.adjPath(e.X)}
		if e.Low != nil {
			s.Lo = l.Conv(e.Low)
		}
		if e.High != nil {
			s.Hi = l.Conv(e.High)
		}
		if e.Max != nil {
			s.Max = l.Conv(e.Max)
		}
		return s
	}
	l.Errorf(e.Pos(), "gradgen cannot follow the adjoint of %s: keep active slices, arrays and structs in variables and index them", l.Source(e))
	return adjoint.Id("_")
}

// storeElem lowers an assignment to an element or field of an active
// variable: h[j] = e, h[j] += e, m.W[i] -= e.
func (l *Lowerer) storeElem(_ *lowered, lhs ast.Expr, tok token.Token, rhs ast.Expr) {
	// An int or bool field of an active struct (a.Count += 1) carries no
	// derivative: it is passive code.
	if !l.useful[lhs] || !gotypes.IsDifferentiable(l.Info.TypeOf(lhs)) {
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: []adjoint.Expr{l.Conv(lhs)}, Op: tok.String(), Rhs: []adjoint.Expr{l.Conv(rhs)}})
		return
	}
	t := l.Info.TypeOf(lhs)
	if l.freshRow(lhs, rhs) {
		// m[i] = make([]float64, k) in the loop over m's rows: the
		// adjoint's row is made beside it, and neither is overwritten.
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: []adjoint.Expr{l.adjPath(lhs)}, Op: "=", Rhs: []adjoint.Expr{l.Conv(rhs)}})
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: []adjoint.Expr{l.Conv(lhs)}, Op: "=", Rhs: []adjoint.Expr{l.Conv(rhs)}})
		return
	}
	if !gotypes.IsFloat(t) {
		way := "assign its float elements one by one"
		if gotypes.RefVar(t) {
			// A row of a [][]float64 cannot be built element by element.
			way = "gradgen follows a local [][]float64 built row by row only as m[i] = make(...) in the one loop over its rows (not inside another loop), the only statement that sets a row of m, made once with make; otherwise keep the values in one flat slice indexed by i*n+j"
			if _, field := ast.Unparen(lhs).(*ast.SelectorExpr); field {
				way = "make a local slice (v := make(...)) and use it instead of the field"
			}
		}
		l.Errorf(lhs.Pos(), "cannot assign a whole %s inside an active value: %s", types.TypeString(t, types.RelativeTo(l.Pkg)), way)
		return
	}
	l.storeOperand(lhs, tok, l.lowerExpr(rhs, nil))
}

// freshRow reports whether lhs = rhs builds one row of a local
// [][]float64 row by row: m[i] = make(...), with m a local made with make
// once and never a view, i the index of the one loop around the
// statement, and no other statement setting m's rows. Each row is then set
// once, so backward code finds every row where forward code put it.
func (l *Lowerer) freshRow(lhs, rhs ast.Expr) bool {
	ix, ok := ast.Unparen(lhs).(*ast.IndexExpr)
	if !ok || len(l.loops) != 1 || l.loops[0].index == "" || !freshMemory(l.Info, rhs) {
		return false
	}
	if call, isCall := ast.Unparen(rhs).(*ast.CallExpr); !isCall || gotypes.IsBuiltinCall(l.Info, call, "new") {
		return false
	}
	m, okM := ast.Unparen(ix.X).(*ast.Ident)
	i, okI := ast.Unparen(ix.Index).(*ast.Ident)
	if !okM || !okI {
		return false
	}
	mObj := l.Info.ObjectOf(m)
	mv := l.VariableOf(mObj)
	if mv.param || mv.viewOf != nil || l.VariableOf(l.Info.ObjectOf(i)).Name != l.loops[0].index {
		return false
	}
	rows, wholes := 0, 0
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				switch x := ast.Unparen(x).(type) {
				case *ast.IndexExpr:
					if id, isID := ast.Unparen(x.X).(*ast.Ident); isID && l.Info.ObjectOf(id) == mObj {
						rows++
					}
				case *ast.Ident:
					if l.Info.ObjectOf(x) == mObj {
						wholes++
					}
				}
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, isID := x.(*ast.Ident); isID && l.Info.ObjectOf(id) == mObj {
					wholes += 2
				}
			}
		case *ast.UnaryExpr:
			if id, isID := ast.Unparen(n.X).(*ast.Ident); isID && n.Op == token.AND && l.Info.ObjectOf(id) == mObj {
				rows += 2 // its address taken: anything may set its rows
			}
		}
		return true
	})
	return rows == 1 && wholes == 1
}

// storeOperand writes an operand into an element or field.
func (l *Lowerer) storeOperand(lhs ast.Expr, tok token.Token, o Operand) {
	lv := l.Conv(lhs)
	root := l.VariableOf(l.RootVar(lhs))
	if root.param && gotypes.ByReference(root.Typ) || root.viewOf != nil && root.viewOf.param && gotypes.ByReference(root.viewOf.Typ) {
		// The buffer of a parameter already holds the caller's gradient:
		// the adjoint of the value overwritten here cannot be told apart
		// from it.
		p := root
		if root.viewOf != nil {
			p = root.viewOf
		}
		if p.Adj == "" {
			l.Errorf(lhs.Pos(), "cannot differentiate a write into %s, which is memory the caller passed: a value that depends on the parameters written there would need a derivative the caller never sees; keep it in a local variable or a slice made with make", l.Source(lhs))
			return
		}
		way := "make a local slice, copy the elements into it in a loop, and write into that"
		if _, field := ast.Unparen(lhs).(*ast.SelectorExpr); field {
			way = "copy the fields you change into local float variables and work on those"
		}
		switch p.Typ.Underlying().(type) {
		case *types.Pointer, *types.Slice:
		default:
			// A struct by value: its own memory is a copy, but a struct
			// holding slices gets its gradient in a buffer the caller
			// passes, added into.
			l.Errorf(lhs.Pos(), "cannot differentiate a write into %s: %s is a copy, but %s holds slices, so its gradient goes into a buffer the caller passes (added into), where the adjoint of the value overwritten cannot be told apart from the caller's; copy the elements or fields you change into local variables and work on those", l.Source(lhs), p.Name, types.TypeString(p.Typ, types.RelativeTo(l.Pkg)))
			return
		}
		l.Errorf(lhs.Pos(), "cannot differentiate a write into %s, which is memory the caller passed (its gradient is added into the caller's buffer): %s", l.Source(lhs), way)
		return
	}
	t := l.Info.TypeOf(lhs)
	path := l.adjPath(lhs)
	opAssign := ""
	switch tok {
	case token.ASSIGN, token.DEFINE:
	case token.ADD_ASSIGN, token.SUB_ASSIGN:
		opAssign = tok.String()[:1]
	case token.MUL_ASSIGN, token.QUO_ASSIGN:
		// h[j] *= y is h[j] = h[j] * y, through a temporary.
		cur := Operand{Val: lv, Bval: lv, v: root, path: path, Typ: t}
		opName := tok.String()[:1]
		o = l.emitOp(rules.Operators[opName], opName, []Operand{cur, o}, adjoint.Bin(opName, lv, o.Val), t, "t", nil)
		tok = token.ASSIGN
	default:
		l.Errorf(lhs.Pos(), "cannot differentiate the assignment %s", tok)
		return
	}
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: []adjoint.Expr{lv}, Op: tok.String(), Rhs: []adjoint.Expr{o.Val}})
	st := &op{rule: rules.Operators["copy"], name: "store", args: []Operand{o}, resType: t,
		store: &storeTarget{root: root, lv: lv, adj: path, opAssign: opAssign}}
	l.ops = append(l.ops, st)
}

// A storeTarget is the element an op writes.
type storeTarget struct {
	root     *Variable
	lv, adj  adjoint.Expr
	opAssign string // "" for =, "+" for +=, "-" for -=
}

// reverseStore reverses a write to an element: the stored value's adjoint
// takes the element's, which then starts again from zero (for =), or is
// kept (for += and -=).
func (l *Lowerer) reverseStore(rec *lowered, o *op) []adjoint.Stmt {
	st := o.store
	var out []adjoint.Stmt
	src := o.args[0]
	d := st.adj
	if src.v != nil && src.path != nil && st.opAssign == "" {
		// h[i] = h[j]: the two may be one element; take the adjoint
		// before it is reset.
		tmp := l.Names.Fresh("dElem")
		out = append(out, adjoint.Set(adjoint.Id(tmp), ":=", d))
		d = adjoint.Id(tmp)
	}
	if src.v != nil {
		if st.opAssign == "-" {
			d = adjoint.Neg(d)
		}
		if src.path != nil && st.opAssign == "" {
			// The source's adjoint may be the element's own: add after
			// the reset, from the copy.
			out = append(out, adjoint.Set(st.adj, "=", adjoint.Literal("0")), l.accumulateTo(src.v, src.path, d))
			return append(out, l.restore(rec, st.lv)...)
		}
		out = append(out, l.accumulateTo(src.v, src.path, d))
	}
	if st.opAssign == "" {
		out = append(out, adjoint.Set(st.adj, "=", adjoint.Literal("0")))
	}
	return append(out, l.restore(rec, st.lv)...)
}

// assignRef lowers an assignment to an active slice or pointer variable:
// the variable's adjoint view is set alongside it.
func (l *Lowerer) assignRef(rec *lowered, v *Variable, rhs ast.Expr) {
	defining := l.defining[v]
	if gotypes.HoldsFloatsByValue(v.Typ) && defining && l.elementAlias(v, rhs) {
		// A copy of an element that nothing changes while it lives: the
		// element's adjoint is the copy's.
		v.alias = l.adjPath(rhs)
		l.writeForward(v, l.Conv(rhs))
		return
	}
	if gotypes.HoldsFloatsByValue(v.Typ) {
		// The adjoint of a copy is a view for the slices it holds, but its
		// own floats' adjoints would stay in the copy: refused, not lost.
		field := "Field"
		if st, ok := v.Typ.Underlying().(*types.Struct); ok {
			for f := range st.Fields() {
				if gotypes.IsFloat(f.Type()) {
					field = f.Name()
					break
				}
			}
		}
		l.Errorf(rhs.Pos(), "gradgen cannot follow the adjoint of the copy %s: %s holds floats by value beside slices or pointers, and the copy's floats would lose their derivatives; read the fields you need into variables (%s := %s.%s), or range over the slice the value comes from", l.Source(rhs), types.TypeString(v.Typ, types.RelativeTo(l.Pkg)), LowerFirst(field), l.Source(rhs), field)
		l.writeForward(v, l.Conv(rhs))
		return
	}
	primal := l.Conv(rhs)
	// The shadow first: a view of v itself (W = W[:n]) is a view of the
	// shadow, whatever name the shadow takes.
	sh := l.ensureShadow(v)
	var view adjoint.Expr
	switch r := ast.Unparen(rhs).(type) {
	case *ast.CallExpr:
		if id := gotypes.IdentOf(r.Fun); id != nil {
			if b, ok := l.Info.Uses[id].(*types.Builtin); ok && b.Name() == "make" {
				view = l.Conv(r)
			}
		}
	case *ast.CompositeLit:
		// A literal of constants (the others are rewritten into make
		// and element writes before lowering): fresh memory, whose
		// adjoint starts zero, as make's does.
		if n, ok := rewrite.SliceLitLen(l.Info, r); ok && !l.ExprVaried(r) {
			if t, ok := gotypes.IrType(l.Info.TypeOf(r)); ok {
				view = adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: t}, adjoint.Literal(fmt.Sprint(n))}}
			}
		}
	case *ast.Ident, *ast.SliceExpr, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		if sl, isSlice := r.(*ast.SliceExpr); isSlice && l.localArrayView(sl) {
			// Its adjoint array is declared after the forward code that
			// would take the view (a new user's trial: undefined: da).
			l.Errorf(rhs.Pos(), "gradgen cannot follow the adjoint of %s: it is a view of a local array, whose adjoint gradgen declares only for the backward sweep; make the array a slice (a := make([]float64, n)) and take the view of that", l.Source(rhs))
			l.writeForward(v, primal)
			return
		}
		if l.ExprVaried(r) {
			view = l.adjPath(r)
		} else if _, ok := r.(*ast.SliceExpr); ok {
			// A view of a passive slice that the code then writes into.
			view = l.zeroView(r)
		}
	}
	if view == nil {
		what := "an active slice must come from make, a parameter, or slicing one"
		if _, ptr := v.Typ.Underlying().(*types.Pointer); ptr {
			what = "an active pointer must be a pointer parameter, or a pointer held in one"
		}
		l.Errorf(rhs.Pos(), "gradgen cannot follow the adjoint of %s: %s", l.Source(rhs), what)
		l.writeForward(v, primal)
		return
	}
	if root := l.RootVar(rhs); root != nil && view != nil {
		if rv := l.VariableOf(root); rv != v {
			v.viewOf = rv
			if rv.viewOf != nil {
				v.viewOf = rv.viewOf
			}
		}
	}
	if l.poolableLocal(v, rhs) {
		l.poolLocal(v, sh)
		defining = false
	}
	if once := l.MadeOnce(rhs, v.Name); once != nil {
		// make's length calls a function: evaluated once, for the value,
		// and the adjoint made as long (a second call could return
		// another length, or do its effects twice).
		l.writeForward(v, primal)
		if defining {
			l.defining[sh] = true
		}
		l.writeForward(sh, once)
		delete(l.defining, sh)
		return
	}
	// The view is taken first: its bounds may read the variable's old
	// value (h = h[:len(h)-1]).
	if defining {
		l.defining[sh] = true
	}
	l.writeForward(sh, view)
	delete(l.defining, sh)
	l.writeForward(v, primal)
}

// MadeOnce returns, for rhs = make([]T, n[, c]) whose n or c is not an
// expression the generated code can evaluate again (a call), the make of
// the adjoint or tangent of the slice named v as long as it:
// make([]T, len(v)[, cap(v)]); else nil.
func (l *Lowerer) MadeOnce(rhs ast.Expr, v string) adjoint.Expr {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok || !gotypes.IsBuiltinCall(l.Info, call, "make") || len(call.Args) < 2 {
		return nil
	}
	again := true
	for _, a := range call.Args[1:] {
		again = again && (l.Info.Types[a].Value != nil || l.recomputable(l.Conv(a)))
	}
	if again {
		return nil
	}
	args := []adjoint.Expr{l.Conv(call.Args[0]), adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{adjoint.Id(v)}}}
	if len(call.Args) == 3 {
		args = append(args, adjoint.Call{Fun: adjoint.Id("cap"), Args: []adjoint.Expr{adjoint.Id(v)}})
	}
	return adjoint.Call{Fun: adjoint.Id("make"), Args: args}
}

// localArrayView reports whether sl slices an array held in a local
// variable (a[1:], s.A[:]), not reached through a parameter.
func (l *Lowerer) localArrayView(sl *ast.SliceExpr) bool {
	if _, isArray := l.Info.TypeOf(sl.X).Underlying().(*types.Array); !isArray {
		return false
	}
	root := l.RootVar(sl.X)
	if root == nil {
		return false
	}
	v := l.VariableOf(root)
	return !v.param && v.viewOf == nil && !gotypes.IsRef(root.Type())
}

// ensureShadow returns the variable that holds v's adjoint view.
func (l *Lowerer) ensureShadow(v *Variable) *Variable {
	if v.shadow == nil {
		name := l.Names.Fresh(AdjointName(v.Name))
		if v.param && v.Adj != "" {
			// A parameter's buffer is its view already: w = w[1:] goes
			// with dw = dw[1:], and code before it names dw too.
			name = v.Adj
		}
		v.shadow = l.local(&Variable{Name: name, Typ: v.Typ, IR: v.IR, param: v.param})
		v.Adj = v.shadow.Name
		l.byName[v.shadow.Name] = v.shadow
	}
	return v.shadow
}

// zeroView is an error: a view of passive data cannot carry an adjoint.
func (l *Lowerer) zeroView(e ast.Expr) adjoint.Expr {
	l.Errorf(e.Pos(), "gradgen cannot give %s an adjoint: it is a view of data that does not depend on the parameters; copy it into a slice made with make first", l.Source(e))
	return nil
}

// checkAliasing reports constructs that would let an active value change
// behind gradgen's back: its address taken, append onto it, writes to
// package-level variables.
func (l *Lowerer) checkAliasing(body *ast.BlockStmt) {
	// &v passed to a writing helper gradgen did not expand: the call's
	// error says why, once.
	refusedArg := map[ast.Expr]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && l.whyNotExpanded(call.Pos()) != "" {
			for _, a := range call.Args {
				refusedArg[a] = true
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.AND && !refusedArg[n] {
				if v := l.RootVar(n.X); v != nil && l.Varied[v] {
					l.Errorf(n.Pos(), "cannot differentiate through &%s: a pointer to an active value could change it unseen; pass the value, or index it", l.Source(n.X))
				}
			}
		case *ast.CallExpr:
			if id := gotypes.IdentOf(n.Fun); id != nil {
				if b, ok := l.Info.Uses[id].(*types.Builtin); ok && (b.Name() == "append" || b.Name() == "copy" || b.Name() == "clear") && len(n.Args) > 0 {
					if v := l.RootVar(n.Args[0]); v != nil && l.Varied[v] {
						way := "make the slice with its final length and assign its elements"
						if b.Name() == "clear" {
							way = "set its elements to zero in a loop (for i := range s { s[i] = 0 })"
						}
						if b.Name() == "copy" {
							way = "gradgen writes copy(dst, src) as a loop only as a statement of its own (or n := copy(dst, src)) and only when the two cannot overlap: (slices of) two different variables, each a parameter never reassigned or a local made once with make and never reassigned, not both parameters; otherwise copy the elements in a loop of your own (for i := range dst { dst[i] = src[i] })"
						}
						l.Errorf(n.Pos(), "cannot differentiate %s on an active slice: %s", b.Name(), way)
					}
				}
			}
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				l.checkPackageWrite(x)
			}
		case *ast.IncDecStmt:
			l.checkPackageWrite(n.X)
		}
		return true
	})
}

func (l *Lowerer) checkPackageWrite(x ast.Expr) {
	if at, ok := l.packageVarWritten(x); ok {
		l.Errorf(at.Pos(), "cannot write to the package-level variable %s in code gradgen differentiates: package variables are passive data; use a local variable", l.Source(at))
	}
}

// packageVarWritten reports whether writing x writes a package-level
// variable, or memory reached from one (counts[i], state.n, other.V), and
// returns the expression that names the variable.
func (l *Lowerer) packageVarWritten(x ast.Expr) (ast.Expr, bool) {
	for {
		switch e := x.(type) {
		case *ast.ParenExpr:
			x = e.X
		case *ast.IndexExpr:
			x = e.X
		case *ast.StarExpr:
			x = e.X
		case *ast.SliceExpr:
			x = e.X
		case *ast.SelectorExpr:
			if _, pkg := l.Info.Uses[gotypes.IdentOf(e.X)].(*types.PkgName); pkg {
				return e, true
			}
			x = e.X
		case *ast.Ident:
			v, ok := l.Info.Uses[e].(*types.Var)
			return e, ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
		default:
			return nil, false
		}
	}
}

// LengthChecks makes the gradient panic at entry when a buffer is shorter
// than its parameter, naming both lengths; nested slices are checked
// element by element.
func (l *Lowerer) LengthChecks(prim, buf adjoint.Expr, t types.Type, depth int) []adjoint.Stmt {
	if named, ok := t.(*types.Named); ok {
		// A linked type (Kids []*Tree) is checked one level deep: the
		// checks cannot follow links without end.
		if l.checking[named] {
			return nil
		}
		if l.checking == nil {
			l.checking = map[*types.Named]bool{}
		}
		l.checking[named] = true
		defer delete(l.checking, named)
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		switch u.Elem().Underlying().(type) {
		case *types.Struct, *types.Array:
			// Selectors, indexes and range reach through the pointer.
			return l.LengthChecks(prim, buf, u.Elem(), depth)
		}
		deref := func(e adjoint.Expr) adjoint.Expr { return adjoint.Paren{X: adjoint.Unary{Op: "*", X: e}} }
		return l.LengthChecks(deref(prim), deref(buf), u.Elem(), depth)
	case *types.Slice:
		lenOf := func(e adjoint.Expr) adjoint.Expr {
			return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{e}}
		}
		// A row of a [][]float64 names its index: len(dA[1]), not len(dA[i]).
		bufText, bufIdx := indexedText(buf)
		primText, primIdx := indexedText(prim)
		args := append(append(append(bufIdx, lenOf(buf)), primIdx...), lenOf(prim))
		out := []adjoint.Stmt{PanicIf(adjoint.Bin("<", lenOf(buf), lenOf(prim)),
			`"`+l.fnName+`: len(`+bufText+`) = %d is shorter than len(`+primText+`) = %d"`, args...)}
		if gotypes.HasSlices(u.Elem()) {
			i := l.Names.Fresh([]string{"i", "j", "k"}[min(depth, 2)])
			inner := l.LengthChecks(adjoint.Index{X: prim, Index: adjoint.Id(i)}, adjoint.Index{X: buf, Index: adjoint.Id(i)}, u.Elem(), depth+1)
			if len(inner) > 0 {
				out = append(out, adjoint.Range{Key: adjoint.Id(i), Define: true, X: prim, Body: inner})
			}
		}
		return out
	case *types.Array:
		if gotypes.HasSlices(u.Elem()) {
			i := l.Names.Fresh([]string{"i", "j", "k"}[min(depth, 2)])
			inner := l.LengthChecks(adjoint.Index{X: prim, Index: adjoint.Id(i)}, adjoint.Index{X: buf, Index: adjoint.Id(i)}, u.Elem(), depth+1)
			if len(inner) > 0 {
				return []adjoint.Stmt{adjoint.Range{Key: adjoint.Id(i), Define: true, X: prim, Body: inner}}
			}
		}
	case *types.Struct:
		var out []adjoint.Stmt
		for i := range u.NumFields() {
			f := u.Field(i)
			if gotypes.HasSlices(f.Type()) && gotypes.IsDifferentiable(f.Type()) {
				out = append(out, l.LengthChecks(adjoint.Selector{X: prim, Sel: f.Name()}, adjoint.Selector{X: buf, Sel: f.Name()}, f.Type(), depth)...)
			}
		}
		return out
	}
	return nil
}

// indexedText prints e for a length check's message with %d for each
// index variable, and returns those variables in order.
func indexedText(e adjoint.Expr) (string, []adjoint.Expr) {
	switch x := e.(type) {
	case adjoint.Index:
		text, idx := indexedText(x.X)
		if id, ok := x.Index.(adjoint.Ident); ok {
			return text + "[%d]", append(idx, id)
		}
		return text + "[" + adjoint.ExprString(x.Index) + "]", idx
	case adjoint.Selector:
		text, idx := indexedText(x.X)
		return text + "." + x.Sel, idx
	}
	return adjoint.ExprString(e), nil
}

// PanicIf is the check if cond { panic(fmt.Sprintf(format, args...)) }
// that generated functions start with; format is a Go string literal.
func PanicIf(cond adjoint.Expr, format string, args ...adjoint.Expr) adjoint.Stmt {
	msg := adjoint.Call{Fun: adjoint.Qual{Path: "fmt", Name: "Sprintf"}, Args: append([]adjoint.Expr{adjoint.Literal(format)}, args...)}
	return adjoint.If{Cond: cond, Then: []adjoint.Stmt{adjoint.ExprStmt{X: adjoint.Call{Fun: adjoint.Id("panic"), Args: []adjoint.Expr{msg}}}}}
}
