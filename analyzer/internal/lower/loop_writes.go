package lower

import (
	"go/ast"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
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
// rewrite.ForEachWrite's (the left side of an assignment, an increment's
// operand, a range's key and value, the operand of &), and a name a var
// declaration declares (a variable declared in a loop takes a new value on
// each trip).
func writesIn(s ast.Stmt, mark func(ast.Expr)) {
	rewrite.ForEachWrite(s, mark)
	ast.Inspect(s, func(n ast.Node) bool {
		if spec, ok := n.(*ast.ValueSpec); ok {
			for _, name := range spec.Names {
				mark(name)
			}
		}
		return true
	})
}
