package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Counters set from trip counts: the backward sweep of a counting loop
// (for i := a; i < b; i++) starts from i's value at the loop's exit, which
// is a plus the trip count. Setting it so before the backward loop saves
// storing i's old value at the loop's start — on every trip of an outer
// loop, where a matrix-vector product's inner counter is otherwise taped.

// counterReset is how a counting loop's counter gets its exit value.
type counterReset struct {
	v    *Variable
	init adjoint.Expr // a, the counter's value before the first trip
	down bool         // i--: the exit value is a minus the trip count
}

// resettableCounter returns the counter of the for loop s when the
// backward sweep can set it to its exit value instead of restoring it:
// the loop counts trip times (trip not nil) and is never left early, a is
// an expression it can evaluate again, and no backward code outside the
// loop reads the counter (which would need the value saved).
func (l *Lowerer) resettableCounter(s *ast.ForStmt, trip adjoint.Expr) *counterReset {
	// Outside loops the forward sweep leaves the counter at its exit value
	// already, and its start saves nothing.
	if trip == nil || l.loopDepth == 0 || l.saveAll || l.readers == nil || l.breaksOut(s) {
		return nil
	}
	init := s.Init.(*ast.AssignStmt)
	obj, ok := l.Info.ObjectOf(init.Lhs[0].(*ast.Ident)).(*types.Var)
	if !ok {
		return nil
	}
	a := l.Conv(init.Rhs[0])
	if !l.recomputable(a) {
		return nil
	}
	v := l.VariableOf(obj)
	if !l.needed[v.Name] {
		return nil // no backward code reads it: nothing to save or set
	}
	for _, r := range l.readers[v.Name] {
		if !slices.Contains(r.loops, ast.Stmt(s)) {
			return nil
		}
	}
	return &counterReset{v: v, init: a, down: s.Post.(*ast.IncDecStmt).Tok == token.DEC}
}

// breaksOut reports whether a break or goto inside the loop s can leave
// it before its condition does.
func (l *Lowerer) breaksOut(s *ast.ForStmt) bool {
	found := false
	ast.Inspect(s.Body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && (b.Tok == token.GOTO || b.Tok == token.BREAK && l.targets[b] == ast.Stmt(s)) {
			found = true
		}
		return !found
	})
	return found || l.leavesStmt(s)
}

// resetCounter sets the counter of a loop whose backward sweep runs trips
// times to its value at the loop's exit.
func resetCounter(r *counterReset, trips adjoint.Expr) adjoint.Stmt {
	op := "+"
	if r.down {
		op = "-"
	}
	var exit adjoint.Expr = trips
	if !adjoint.IsLit(r.init, "0") || r.down {
		exit = adjoint.Bin(op, adjoint.Operand(r.init, op, false), adjoint.Operand(trips, op, true))
	}
	return adjoint.Set(adjoint.Id(r.v.Name), "=", exit)
}
