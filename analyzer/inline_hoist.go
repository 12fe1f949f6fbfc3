package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/astutil"
)

// Calls of expandable functions inside expressions, computed first into
// a temporary (see inline_effects.go).

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
	ok := true
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			ok = false
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.X, visit)
				ast.Inspect(n.Y, func(m ast.Node) bool {
					if c, isCall := m.(*ast.CallExpr); isCall && in.expandable(c) {
						ok = false
					}
					return ok
				})
				return false
			}
		case *ast.CallExpr:
			switch {
			case in.expandable(n):
				if target != nil {
					ok = false
				}
				target = n
			case !in.pureCall(n):
				ok = false // its arguments are visited in turn
			}
		}
		return ok
	}
	ast.Inspect(s, visit)
	if !ok || target == nil {
		return nil, nil, false
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
	if in.readsWritten(s, target) {
		return nil, nil, false
	}
	name := "r"
	for k := 1; in.taken[name]; k++ {
		name = fmt.Sprintf("r%d", k)
	}
	in.taken[name] = true
	tmp := &ast.Ident{NamePos: target.Pos(), Name: name}
	rest := astutil.Apply(copyStmt(s), func(c *astutil.Cursor) bool {
		if call, isCall := c.Node().(*ast.CallExpr); isCall && call.Lparen == target.Lparen {
			c.Replace(&ast.Ident{NamePos: target.Pos(), Name: name})
			return false
		}
		return true
	}, nil).(ast.Stmt)
	return &ast.AssignStmt{Lhs: []ast.Expr{tmp}, TokPos: target.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{target}}, rest, true
}

// readsWritten reports whether s, outside the call target, reads a
// variable target may write (or what it writes cannot be told).
func (in *inliner) readsWritten(s ast.Stmt, target *ast.CallExpr) bool {
	written := in.writtenBy(target)
	if written == nil {
		return true
	}
	// A slice it writes may be seen through another slice (a view, v :=
	// buf[1:]): then no other slice may be read either.
	writesSlice := false
	for obj := range written {
		if obj != nil && refVar(obj.Type()) {
			writesSlice = true
		}
	}
	reads := false
	ast.Inspect(s, func(n ast.Node) bool {
		if n == target {
			// Its arguments may name what it writes (fill(t, buf)).
			return false
		}
		if id, isID := n.(*ast.Ident); isID {
			obj := in.p.info.ObjectOf(id)
			if written[obj] {
				reads = true
			}
			if v, isVar := obj.(*types.Var); isVar && writesSlice && !v.IsField() && refVar(v.Type()) {
				reads = true
			}
		}
		return !reads
	})
	return reads
}

// expandable reports whether call calls a literal of the caller's or a
// writing helper of the package (whether or not it can be expanded).
func (in *inliner) expandable(call *ast.CallExpr) bool {
	if in.literalCalled(call) != nil {
		return true
	}
	fn, _ := in.callee(call)
	return fn != nil && in.decls[fn] != nil && in.p.rules[fn] == nil && in.p.mayWrite(fn, map[*types.Func]bool{})
}

// pureCall reports whether call, its arguments aside, computes a value
// only: a conversion, a call of package math or of a pure builtin.
func (in *inliner) pureCall(call *ast.CallExpr) bool {
	if in.p.info.Types[call.Fun].IsType() {
		return true
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			if pn, ok := in.p.info.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "math" {
				return true
			}
		}
	}
	return isBuiltinCall(in.p.info, call, "min", "max", "len", "cap")
}

// writtenBy is what call may write: the variables its pointer and slice
// arguments reach, and, for a literal, the variables of the caller it
// assigns; nil when that cannot be told.
func (in *inliner) writtenBy(call *ast.CallExpr) map[types.Object]bool {
	out := map[types.Object]bool{}
	if lit := in.literalCalled(call); lit != nil {
		forEachWrite(lit.Body, func(x ast.Expr) {
			if obj := in.p.rootVar(ast.Unparen(x)); obj != nil && (obj.Pos() < lit.Pos() || obj.Pos() >= lit.End()) {
				out[obj] = true
			}
		})
	}
	args := call.Args
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		args = append([]ast.Expr{sel.X}, args...)
	}
	for _, a := range args {
		if t := in.p.info.TypeOf(a); t != nil && !refVar(t) && !isRef(t) {
			if _, isAddr := ast.Unparen(a).(*ast.UnaryExpr); !isAddr {
				if _, recv := ast.Unparen(call.Fun).(*ast.SelectorExpr); !recv || a != args[0] {
					continue // passed by value
				}
			}
		}
		if u, isAddr := ast.Unparen(a).(*ast.UnaryExpr); isAddr && u.Op == token.AND {
			a = u.X
		}
		root := in.p.rootVar(ast.Unparen(a))
		if root == nil {
			return nil
		}
		out[root] = true
	}
	return out
}

// copyStmt copies s's top node, for a rewrite that replaces parts of it.
func copyStmt(s ast.Stmt) ast.Stmt {
	return copyTree(s, true).(ast.Stmt)
}
