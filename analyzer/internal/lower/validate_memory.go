package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Memory that code gradgen differentiates shares with other names or
// other times: slices and pointers that change what they refer to, and
// calls that change what differentiated code has read.

// validateRefs refuses slice and pointer variables that refer to different
// memory at different times (a, b = b, a; tmp := cur; cur = nxt): gradgen
// follows each such variable, and its adjoint view, to one piece of memory,
// and the values a later write overwrites in the other one are not saved.
// A variable may take views of itself (w = w[1:]), fresh memory (h =
// make(...)) and views of one other variable; a parameter only views of
// itself.
func (l *Lowerer) validateRefs() {
	roots := map[*types.Var]*types.Var{}  // a variable's memory, by the variable it first viewed
	pkgViews := map[*types.Var]ast.Expr{} // variables viewing package-level memory, and the package variable
	assignedPairs(l.Fn.Body, func(lhs, rhs ast.Expr, _ token.Token) {
		l.validateRefAssign(lhs, rhs, roots, pkgViews)
	})
}

// assignedPairs calls visit, in source order, for each lhs = rhs of
// body's assignments (tok: the assignment's token), declarations with
// values (token.DEFINE) and range values (token.RANGE, rhs what is ranged
// over), outside function literals.
func assignedPairs(body ast.Node, visit func(lhs, rhs ast.Expr, tok token.Token)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					visit(n.Lhs[i], n.Rhs[i], n.Tok)
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i := range n.Names {
					visit(n.Names[i], n.Values[i], token.DEFINE)
				}
			}
		case *ast.RangeStmt:
			if n.Value != nil {
				visit(n.Value, n.X, token.RANGE)
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
}

// validateRefAssign checks one assignment lhs = rhs, in source order, and
// records in roots and pkgViews the memory lhs now refers to, so that a
// later assignment can be told apart from this one. It reports at most
// one error per assignment.
func (l *Lowerer) validateRefAssign(lhs, rhs ast.Expr, roots map[*types.Var]*types.Var, pkgViews map[*types.Var]ast.Expr) {
	v := l.trackedRefVar(lhs)
	if v == nil {
		return
	}
	root, fresh := l.refSource(v, rhs, roots)
	if l.refusePackageView(v, lhs, rhs, pkgViews) {
		return
	}
	if fresh && roots[v] != nil && roots[v] != v && l.Varied[v] {
		// Fresh memory for a variable that viewed another's: the
		// earlier reads of it and the later writes share a name only.
		l.Errorf(lhs.Pos(), "cannot differentiate %s = %s: %s already refers to the memory of %s, and gradgen follows each slice or pointer variable to one piece of memory; use a new variable for the new memory", l.Source(lhs), l.Source(rhs), v.Name(), roots[v].Name())
		return
	}
	if root == nil || root == v || !(l.Varied[v] || l.Varied[root]) {
		if root == v && roots[v] == nil && !isParamVar(l, v) {
			roots[v] = v
		}
		return
	}
	if isParamVar(l, v) {
		l.Errorf(lhs.Pos(), "cannot differentiate %s = %s: %s is a parameter, whose gradient goes into its own buffer, and gradgen does not follow it to other memory; assign to a new variable instead (%s2 := %s)", l.Source(lhs), l.Source(rhs), v.Name(), v.Name(), l.Source(rhs))
		return
	}
	if prev := roots[v]; prev != nil && prev != root {
		had := "the memory of " + prev.Name()
		if prev == v {
			had = "memory made for it"
		}
		l.Errorf(lhs.Pos(), "cannot differentiate %s = %s: %s already refers to %s, and gradgen follows each slice or pointer variable to one piece of memory (a swap or double buffering would need the overwritten values of both saved); use separate variables, or copy the elements in a loop", l.Source(lhs), l.Source(rhs), v.Name(), had)
		return
	}
	roots[v] = root
}

// trackedRefVar returns the slice or pointer variable lhs names, or nil:
// only such variables can come to refer to other memory by assignment,
// so only they are followed.
func (l *Lowerer) trackedRefVar(lhs ast.Expr) *types.Var {
	id := gotypes.IdentOf(lhs)
	if id == nil || id.Name == "_" {
		return nil
	}
	v, ok := l.Info.ObjectOf(id).(*types.Var)
	if !ok || !gotypes.ByReference(v.Type()) {
		return nil
	}
	if _, slice := v.Type().Underlying().(*types.Slice); !slice {
		if _, ptr := v.Type().Underlying().(*types.Pointer); !ptr {
			return nil
		}
	}
	return v
}

// refSource returns the memory v refers to after v = rhs, named by the
// variable that first viewed it (following roots), and whether rhs is
// fresh memory (then root is v itself). root is nil when rhs is neither
// fresh memory nor a view of a variable, and then nothing is tracked.
func (l *Lowerer) refSource(v *types.Var, rhs ast.Expr, roots map[*types.Var]*types.Var) (root *types.Var, fresh bool) {
	switch r := ast.Unparen(rhs).(type) {
	case *ast.CallExpr:
		if id := gotypes.IdentOf(r.Fun); id != nil {
			if b, ok := l.Info.Uses[id].(*types.Builtin); ok && (b.Name() == "make" || b.Name() == "new") {
				root, fresh = v, true // fresh memory: its own
			}
		}
	case *ast.CompositeLit:
		if _, slice := v.Type().Underlying().(*types.Slice); slice {
			root, fresh = v, true // a literal's memory is its own too
		}
	case *ast.Ident, *ast.SliceExpr, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		root = l.RootVar(r)
		for root != nil && roots[root] != nil && roots[root] != root {
			root = roots[root]
		}
	}
	return root, fresh
}

// refusePackageView records in pkgViews that v = rhs makes v a view of
// package-level memory, directly or through another such view, and
// refuses it (reporting true) when v holds varied values: writes through
// v would be writes to package memory, which has no adjoint
// (checkPackageWrite refuses them made directly).
func (l *Lowerer) refusePackageView(v *types.Var, lhs, rhs ast.Expr, pkgViews map[*types.Var]ast.Expr) bool {
	at, ok := l.packageVarWritten(rhs)
	if !ok && pkgViews[l.RootVar(rhs)] == nil {
		return false
	}
	if !ok {
		at = pkgViews[l.RootVar(rhs)]
	}
	pkgViews[v] = at
	if l.Varied[v] {
		l.Errorf(lhs.Pos(), "cannot differentiate %s = %s: %s would refer to the memory of the package-level variable %s, and writing active values into package variables is not differentiated; make a local slice (%s := make(...)) instead", l.Source(lhs), l.Source(rhs), v.Name(), l.Source(at), v.Name())
		return true
	}
	return false
}

// validateStaleReads refuses calls that change memory differentiated code
// has read: backward code reads passive values again (y := x*gain reads
// gain going back), so a later call that writes a package-level
// variable, or into a slice or pointer it is passed, would hand the
// backward sweep the new values.
func (l *Lowerer) validateStaleReads() {
	reads := l.variedReads()
	// A call after such a read, or in a loop, must not write what was read.
	var loops []ast.Node
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loops = append(loops, n)
			ast.Inspect(n, func(m ast.Node) bool {
				if m == n {
					return true
				}
				return walk(m)
			})
			loops = loops[:len(loops)-1]
			return false
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			l.checkStaleCall(n, reads, len(loops) > 0)
		}
		return true
	}
	ast.Inspect(l.Fn.Body, walk)
}

// variedReads returns where each variable is first read by an expression
// that depends on the parameters, with the package variables that
// helpers called with such values read (their code runs again going
// back) counted as read at the start of the body. These are the values
// the backward sweep reads again, which no later call may change.
func (l *Lowerer) variedReads() map[*types.Var]token.Pos {
	reads := map[*types.Var]token.Pos{}
	seen := map[*types.Func]bool{}
	visit := func(e ast.Expr) {
		l.noteVariedReads(e, reads, seen)
	}
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, e := range n.Rhs {
				visit(e)
			}
			for _, e := range n.Lhs {
				if ix, ok := ast.Unparen(e).(*ast.IndexExpr); ok {
					visit(ix)
				}
			}
		case *ast.ValueSpec:
			for _, e := range n.Values {
				visit(e)
			}
		case *ast.ReturnStmt:
			for _, e := range n.Results {
				visit(e)
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
	return reads
}

// noteRead records that v is read at at, keeping the earliest read: a
// call is refused for writing v if it comes after any read of it.
func noteRead(reads map[*types.Var]token.Pos, v *types.Var, at token.Pos) {
	if old, ok := reads[v]; !ok || at < old {
		reads[v] = at
	}
}

// noteVariedReads records in reads the variables e reads, when e depends
// on the parameters (otherwise backward code need not read it again),
// and the package variables read by the helpers e calls with such
// values.
func (l *Lowerer) noteVariedReads(e ast.Expr, reads map[*types.Var]token.Pos, seen map[*types.Func]bool) {
	if e == nil || !l.readsVariedValues(e) {
		return
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if v, ok := l.Info.Uses[n].(*types.Var); ok {
				noteRead(reads, v, n.Pos())
			}
		case *ast.CallExpr:
			if f := gotypes.CalleeFunc(l.Info, n); f != nil && l.mentionsVaried(n) {
				l.noteHelperReads(f, reads, seen)
			}
		}
		return true
	})
}

// noteHelperReads records the package-level variables fn reads, itself
// or through the functions of this package it calls, as read at the
// start of the body: a helper's code runs again going back, so whatever
// package state it reads must not change anywhere after. seen keeps each
// function to one visit.
func (l *Lowerer) noteHelperReads(fn *types.Func, reads map[*types.Var]token.Pos, seen map[*types.Func]bool) {
	site, ok := l.Decls[fn]
	if !ok || seen[fn] || site.Decl.Body == nil {
		return
	}
	seen[fn] = true
	ast.Inspect(site.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if v, ok := l.Info.Uses[n].(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				noteRead(reads, v, l.Fn.Body.Pos())
			}
		case *ast.CallExpr:
			if f := gotypes.CalleeFunc(l.Info, n); f != nil {
				l.noteHelperReads(f, reads, seen)
			}
		}
		return true
	})
}

// checkStaleCall refuses one call that writes memory read before it (or,
// inside a loop, anywhere) by differentiated code.
func (l *Lowerer) checkStaleCall(call *ast.CallExpr, reads map[*types.Var]token.Pos, inLoop bool) {
	stale := func(v *types.Var) bool {
		at, ok := reads[v]
		return ok && (inLoop || at < call.Pos())
	}
	fn := gotypes.CalleeFunc(l.Info, call)
	if fn == nil {
		return
	}
	if fn.Pkg() == l.Pkg {
		for _, v := range l.pkgWrites(fn, map[*types.Func]bool{}) {
			if stale(v) {
				l.Errorf(call.Pos(), "cannot differentiate around the call %s: it changes the package-level variable %s, which differentiated code reads, and gradgen's backward sweep reads %s again; copy it into a local variable before the call (%s0 := %s) and use that", l.Source(call), v.Name(), v.Name(), v.Name(), v.Name())
				return
			}
		}
	}
	if fn.Pkg() != nil && fn.Pkg().Path() == "math" {
		return
	}
	if fn.Pkg() == l.Pkg && !l.mayWrite(fn) {
		return
	}
	operands := append([]ast.Expr(nil), call.Args...)
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && l.Info.Selections[sel] != nil {
		operands = append(operands, sel.X)
	}
	for _, a := range operands {
		t := l.Info.TypeOf(a)
		if t == nil || !gotypes.RefVar(t) {
			continue
		}
		if v := l.RootVar(a); v != nil && !l.Varied[v] && stale(v) {
			l.Errorf(call.Pos(), "cannot differentiate around the call %s: it may write into %s, which differentiated code reads, and gradgen's backward sweep reads %s again after later writes; read the values differentiated code needs into local variables (%s0 := %s[0]) and use those", l.Source(call), v.Name(), v.Name(), v.Name(), v.Name())
			return
		}
	}
}

// pkgWrites lists the package-level variables fn writes, itself or
// through the functions of this package it calls.
func (l *Lowerer) pkgWrites(fn *types.Func, visiting map[*types.Func]bool) []*types.Var {
	site, ok := l.Decls[fn]
	if !ok || visiting[fn] || site.Decl.Body == nil {
		return nil
	}
	visiting[fn] = true
	var out []*types.Var
	root := func(x ast.Expr) {
		if at, ok := l.packageVarWritten(x); ok {
			if id, ok := at.(*ast.Ident); ok {
				out = append(out, l.Info.Uses[id].(*types.Var))
			}
		}
	}
	ast.Inspect(site.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				root(x)
			}
		case *ast.IncDecStmt:
			root(n.X)
		case *ast.CallExpr:
			if f := gotypes.CalleeFunc(l.Info, n); f != nil && f.Pkg() == l.Pkg {
				out = append(out, l.pkgWrites(f, visiting)...)
			}
		}
		return true
	})
	return out
}

// isParamVar reports whether v is a parameter or the receiver of the
// annotated function.
func isParamVar(l *Lowerer, v *types.Var) bool {
	if l.Fn.Recv != nil && v.Pos() >= l.Fn.Recv.Pos() && v.Pos() < l.Fn.Recv.End() {
		return true
	}
	return v.Pos() >= l.Fn.Type.Pos() && v.Pos() < l.Fn.Type.End()
}

// readsVariedValues is mentionsVaried for what e reads of values: len(w)
// and cap(w) read a length, which no write into w changes (r.IntN(len(w))
// is no differentiated read of r).
func (l *Lowerer) readsVariedValues(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && gotypes.IsBuiltinCall(l.Info, call, "len", "cap") {
			return false
		}
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := l.Info.Uses[id].(*types.Var); ok && l.Varied[v] {
				found = true
			}
		}
		return !found
	})
	return found
}
