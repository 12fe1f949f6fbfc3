package lower

import (
	"go/ast"
	"go/token"
	"go/types"
)

// What a loop nest writes, for the trip counts evaluated before it.

// lengthFixed reports whether id is a local slice variable whose length
// nothing in the loop nest changes: no statement in it assigns the
// variable itself (writes to its elements leave the length alone), and
// nothing anywhere takes its address.
func (l *Lowerer) lengthFixed(id *ast.Ident, nest ast.Stmt) bool {
	v, ok := l.Info.Uses[id].(*types.Var)
	if !ok || v.Parent() == l.Pkg.Scope() || l.structure().addressed[v] {
		return false
	}
	if _, isSlice := v.Type().Underlying().(*types.Slice); !isSlice {
		return false
	}
	fixed := true
	writesIn(nest, func(x ast.Expr) {
		if x, ok := ast.Unparen(x).(*ast.Ident); ok && l.Info.ObjectOf(x) == types.Object(v) {
			fixed = false
		}
	})
	return fixed
}

// AssignedIn returns the variables that statements inside s assign,
// declare or take the address of.
func (l *Lowerer) AssignedIn(s ast.Stmt) map[types.Object]bool {
	out := map[types.Object]bool{}
	writesIn(s, func(x ast.Expr) {
		if v := l.RootVar(x); v != nil {
			out[v] = true
		}
	})
	return out
}

// writesIn calls mark with every expression a statement inside s writes:
// the left side of an assignment, an increment's operand, a range's key
// and value, a name a var declaration declares (a variable declared in a
// loop takes a new value on each trip), and the operand of &.
func writesIn(s ast.Stmt, mark func(ast.Expr)) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				mark(x)
			}
		case *ast.IncDecStmt:
			mark(n.X)
		case *ast.RangeStmt:
			if n.Key != nil {
				mark(n.Key)
			}
			if n.Value != nil {
				mark(n.Value)
			}
		case *ast.ValueSpec:
			for _, name := range n.Names {
				mark(name)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		}
		return true
	})
}
