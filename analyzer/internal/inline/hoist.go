package inline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
	"golang.org/x/tools/go/ast/astutil"
)

// Calls of expandable functions inside expressions, computed first into
// a temporary (see effects.go).

// hoist splits a statement that calls an expandable function inside an
// expression into tmp := f(args) and the statement reading tmp, when that
// computes what the statement does: the statement is an assignment, a
// declaration with a value, a return or a call statement; the call is its
// only one but for pure builtins, conversions and package math, and not
// on the right of && or ||; and the statement reads none of the
// variables the call may write (which Go may evaluate before or after
// it).
func (in *inliner) hoist(s ast.Stmt) (ast.Stmt, ast.Stmt, bool) {
	switch s.(type) {
	case *ast.AssignStmt, *ast.ReturnStmt, *ast.ExprStmt, *ast.DeclStmt:
	default:
		return nil, nil, false
	}
	var target *ast.CallExpr
	ok := walkOnce(s, func(n ast.Node, _ func(ast.Node) bool) bool {
		if call, isCall := n.(*ast.CallExpr); isCall && in.hoistable(call) && target == nil {
			// An expandable call, or one with effects (r.Float64(),
			// next()), which backward code must not run again: Go calls
			// in lexical order, the others go next.
			target = call
		}
		return true
	}, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		return isCall && in.hoistable(call) // it may not run: computing it first is wrong
	})
	if !ok || target == nil {
		return nil, nil, false
	}
	if in.callBefore(s, target) {
		// A call Go makes before target (f(buf) + w(buf), w writing buf;
		// g() + next(), next changing what g reads) would then see what
		// target did.
		return nil, nil, false
	}
	if !in.expandable(target) && in.readsPackageVar(s, target) {
		return nil, nil, false // a call with effects may change it: Go leaves the order open
	}
	// Not the statement's own call (f(x), v := f(x)): stmt takes those.
	switch st := s.(type) {
	case *ast.ExprStmt:
		if ast.Unparen(st.X) == target {
			return nil, nil, false
		}
	case *ast.AssignStmt:
		if len(st.Rhs) == 1 && ast.Unparen(st.Rhs[0]) == target {
			return nil, nil, false
		}
	}
	if read := in.readsWritten(s, target); read != "" {
		if _, isStmt := s.(*ast.ExprStmt); !isStmt || ast.Unparen(s.(*ast.ExprStmt).X) != target {
			in.refuse(target, fmt.Sprintf("the statement it is in reads %s, which the call may write (Go may read it before or after the call); call it as a statement of its own first (r := %s) and use r", read, types.ExprString(target)))
		}
		return nil, nil, false
	}
	name := "r"
	for k := 1; in.taken[name]; k++ {
		name = fmt.Sprintf("r%d", k)
	}
	in.taken[name] = true
	tmp := &ast.Ident{NamePos: target.Pos(), Name: name}
	rest := astutil.Apply(in.p.CloneNode(s), func(c *astutil.Cursor) bool {
		if call, isCall := c.Node().(*ast.CallExpr); isCall && call.Lparen == target.Lparen {
			c.Replace(&ast.Ident{NamePos: target.Pos(), Name: name})
			return false
		}
		return true
	}, nil).(ast.Stmt)
	return &ast.AssignStmt{Lhs: []ast.Expr{tmp}, TokPos: target.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{target}}, rest, true
}

// readsWritten is the variable s, outside the call target, reads that
// target may write ("" for none; what it writes cannot be told: the
// call's arguments).
func (in *inliner) readsWritten(s ast.Stmt, target *ast.CallExpr) string {
	written := in.writtenBy(target)
	if written == nil {
		return "what its arguments reach"
	}
	// A slice it writes may be seen through another slice (a view, v :=
	// buf[1:]): then no other slice may be read either. (Memory that
	// holds no floats, *rand.Rand's, is no float slice's.)
	writesSlice := false
	for obj := range written {
		if obj != nil && gotypes.RefVar(obj.Type()) && gotypes.IsDifferentiable(obj.Type()) {
			writesSlice = true
		}
	}
	read := ""
	// A slice or pointer passed as it is to another call is read by that
	// call, which Go makes after target (r.Float64() * float64(r.IntN(3))).
	// (Unless target takes an address: it may then change the slice or
	// pointer itself, which Go may read before or after it.)
	passed := map[*ast.Ident]bool{}
	takesAddress := false
	for _, a := range target.Args {
		if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
			takesAddress = true
		}
	}
	ast.Inspect(s, func(n ast.Node) bool {
		if call, isCall := n.(*ast.CallExpr); isCall && !takesAddress && call != target && call.Pos() > target.Pos() {
			operands := call.Args
			if sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr); isSel {
				operands = append([]ast.Expr{sel.X}, operands...)
			}
			for _, a := range operands {
				if id, isID := ast.Unparen(a).(*ast.Ident); isID && in.p.Info.TypeOf(id) != nil && gotypes.RefVar(in.p.Info.TypeOf(id)) {
					passed[id] = true
				}
			}
		}
		return true
	})
	ast.Inspect(s, func(n ast.Node) bool {
		if n == target {
			// Its arguments may name what it writes (fill(t, buf)).
			return false
		}
		if id, isID := n.(*ast.Ident); isID && !passed[id] {
			obj := in.p.Info.ObjectOf(id)
			if written[obj] {
				read = id.Name
			}
			if v, isVar := obj.(*types.Var); isVar && writesSlice && !v.IsField() && gotypes.RefVar(v.Type()) {
				read = id.Name + " (a slice, which may share memory with one the call writes)"
				if written[obj] {
					read = id.Name
				}
			}
		}
		return read == ""
	})
	return read
}

// expandable reports whether call calls a literal of the caller's or a
// writing helper of the package (whether or not it can be expanded).
func (in *inliner) expandable(call *ast.CallExpr) bool {
	if in.literalCalled(call) != nil {
		return true
	}
	fn, _ := in.callee(call)
	if fn == nil || in.decls[fn] == nil || in.p.Rules[fn] != nil {
		return false
	}
	return in.p.MayWrite(fn, map[*types.Func]bool{}) || aggregateSignature(fn.Type().(*types.Signature))
}

// pureCall reports whether call, its arguments aside, computes a value
// only: a conversion, a call of package math or of a pure builtin.
func (in *inliner) pureCall(call *ast.CallExpr) bool {
	if in.p.Info.Types[call.Fun].IsType() {
		return true
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			if pn, ok := in.p.Info.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "math" {
				return true
			}
		}
	}
	return gotypes.IsBuiltinCall(in.p.Info, call, "min", "max", "len", "cap")
}

// writtenBy is what call may write: the variables its pointer and slice
// arguments reach, and, for a literal, the variables of the caller it
// assigns; nil when that cannot be told.
func (in *inliner) writtenBy(call *ast.CallExpr) map[types.Object]bool {
	out := map[types.Object]bool{}
	if lit := in.literalCalled(call); lit != nil {
		rewrite.ForEachWrite(lit.Body, func(x ast.Expr) {
			if obj := in.p.RootVar(ast.Unparen(x)); obj != nil && (obj.Pos() < lit.Pos() || obj.Pos() >= lit.End()) {
				out[obj] = true
			}
		})
	}
	args := call.Args
	ptrRecv := false // a method that may write its receiver
	if fn, recv := in.callee(call); recv != nil {
		args = append([]ast.Expr{recv}, args...)
		_, ptrRecv = fn.Type().(*types.Signature).Recv().Type().(*types.Pointer)
	}
	for i, a := range args {
		if t := in.p.Info.TypeOf(a); t != nil && !gotypes.RefVar(t) && !gotypes.IsRef(t) {
			if _, isAddr := ast.Unparen(a).(*ast.UnaryExpr); !isAddr && (i > 0 || !ptrRecv || len(args) == len(call.Args)) {
				continue // passed by value
			}
		}
		if u, isAddr := ast.Unparen(a).(*ast.UnaryExpr); isAddr && u.Op == token.AND {
			a = u.X
		}
		root := in.p.RootVar(ast.Unparen(a))
		if root == nil {
			return nil
		}
		out[root] = true
	}
	return out
}

// hoistLiterals splits a statement that uses composite literals inside
// expressions (p = Pt{X: a, Y: b}, d := dot([]float64{a, b}, w), return
// [2]float64{x, y}[k]) into lit := T{...} declarations, which the
// composite rewrite turns into writes the lowering knows, and the
// statement reading lit. It does so when that computes what the statement
// does: the statement runs once (an assignment, a declaration, a return
// or a call statement), every call in it is one that writes nothing, and
// no literal is on the right of && or || or inside a function literal.
// Literals of constants stay: they are passive data.
func (in *inliner) hoistLiterals(s ast.Stmt) ([]ast.Stmt, bool) {
	var direct ast.Expr // the value a declaration gives its variable: the composite rewrite's
	switch st := s.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE && len(st.Rhs) == 1 {
			direct = ast.Unparen(st.Rhs[0])
		}
	case *ast.DeclStmt:
		if g, ok := st.Decl.(*ast.GenDecl); ok && len(g.Specs) == 1 {
			if vs, ok := g.Specs[0].(*ast.ValueSpec); ok && len(vs.Values) == 1 && vs.Type == nil {
				direct = ast.Unparen(vs.Values[0])
			}
		}
	case *ast.ReturnStmt, *ast.ExprStmt:
	default:
		return nil, false
	}
	var lits []*ast.CompositeLit
	callsWrite := false
	ok := walkOnce(s, func(n ast.Node, walk func(ast.Node) bool) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			callsWrite = callsWrite || !in.pureCall(n) && !in.readsOnly(n)
		case *ast.CompositeLit:
			if n != direct && n.Type != nil && !rewrite.ConstantOnly(in.p.Info, n) {
				lits = append(lits, n)
			}
			// Inner literals go with their outer one.
			for _, e := range n.Elts {
				ast.Inspect(e, walk)
			}
			return false
		}
		return !callsWrite
	}, func(n ast.Node) bool {
		_, isLit := n.(*ast.CompositeLit)
		return isLit
	})
	if !ok || callsWrite || len(lits) == 0 {
		return nil, false
	}
	var out []ast.Stmt
	names := map[token.Pos]string{} // by the literal's {: the statement is copied
	for _, lit := range lits {
		name := "lit"
		for k := 1; in.taken[name]; k++ {
			name = fmt.Sprintf("lit%d", k)
		}
		in.taken[name] = true
		names[lit.Lbrace] = name
		out = append(out, &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: lit.Pos(), Name: name}}, TokPos: lit.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{lit}})
	}
	rest := astutil.Apply(in.p.CloneNode(s), func(c *astutil.Cursor) bool {
		if lit, isLit := c.Node().(*ast.CompositeLit); isLit && names[lit.Lbrace] != "" {
			c.Replace(&ast.Ident{NamePos: lit.Pos(), Name: names[lit.Lbrace]})
			return false
		}
		return true
	}, nil).(ast.Stmt)
	return append(out, rest), true
}

// readsOnly reports whether call calls a function or method of the
// package, or one with a rule (another package's included), that writes
// into nothing it is passed.
func (in *inliner) readsOnly(call *ast.CallExpr) bool {
	if in.literalCalled(call) != nil {
		return false
	}
	fn, _ := in.callee(call)
	if fn == nil {
		fn = gotypes.CalleeFunc(in.p.Info, call) // pkg.F
	}
	return fn != nil && (in.decls[fn] != nil || in.p.Rules[fn] != nil) && !in.p.MayWrite(fn, map[*types.Func]bool{})
}

// hoistable reports whether call is one computed first: one expanded,
// or one with effects.
func (in *inliner) hoistable(call *ast.CallExpr) bool {
	if in.expandable(call) {
		return true
	}
	if id, isID := ast.Unparen(call.Fun).(*ast.Ident); isID {
		if _, isVar := in.p.Info.Uses[id].(*types.Var); isVar {
			return false // a function value: a literal's is expanded in place (internal/lower/funclits.go)
		}
	}
	return !in.pureCall(call) && !in.readsOnly(call)
}

// readsPackageVar reports whether s reads a package-level variable
// outside the call target.
func (in *inliner) readsPackageVar(s ast.Stmt, target *ast.CallExpr) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		if n == target {
			return false
		}
		if id, isID := n.(*ast.Ident); isID {
			if v, isVar := in.p.Info.Uses[id].(*types.Var); isVar && !v.IsField() && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				found = true
			}
		}
		if sel, isSel := n.(*ast.SelectorExpr); isSel {
			if v, isVar := in.p.Info.Uses[sel.Sel].(*types.Var); isVar && !v.IsField() {
				found = true // another package's variable
			}
		}
		return !found
	})
	return found
}

// callBefore reports whether s makes a call other than a pure one (package
// math, conversions, len) before target: one that ends before target
// starts (a call around target runs after it).
func (in *inliner) callBefore(s ast.Stmt, target *ast.CallExpr) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		if call, isCall := n.(*ast.CallExpr); isCall && call.End() <= target.Pos() && !in.pureCall(call) {
			found = true
		}
		return !found
	})
	return found
}

// walkOnce visits the nodes of s that run each time s does, as
// ast.Inspect would (visit says whether to go inside a node, and is given
// the walk to go on with inside a node it handles itself). The right of
// && or ||, which may not run, it asks maybe about instead; it reports
// false, and stops, when maybe holds for a node there or s holds a
// function literal.
func walkOnce(s ast.Stmt, visit func(n ast.Node, walk func(ast.Node) bool) bool, maybe func(ast.Node) bool) bool {
	ok := true
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		if !ok || n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			ok = false
			return false
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.X, walk)
				ast.Inspect(n.Y, func(m ast.Node) bool {
					if ok && m != nil && maybe(m) {
						ok = false
					}
					return ok
				})
				return false
			}
		}
		return visit(n, walk) && ok
	}
	ast.Inspect(s, walk)
	return ok
}
