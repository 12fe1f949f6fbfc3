package lower

import (
	"go/ast"

	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Views taken again: a loop body that starts with a view of a row
// (w := W[j*n : j*n+n]) would keep, per trip, the view it overwrites, for
// the backward trip before. The view is a function of the loop's index and
// of values the loop does not change, so each backward trip takes it
// again at its start instead, as a careful person writes it.

// recomputedViews returns the statements at the top level of the body of
// loop s that define such a view: v := X[lo:hi(:max)], where X and the
// variables of the bounds are the loop's index or not assigned in s, the
// bounds are integer arithmetic, and nothing else in the loop assigns v.
func (l *Lowerer) recomputedViews(s ast.Stmt, body *ast.BlockStmt, index types.Object) map[ast.Stmt]bool {
	if l.saveAll {
		return nil
	}
	assigned := l.AssignedIn(s)
	out := map[ast.Stmt]bool{}
	for _, st := range body.List {
		a, ok := st.(*ast.AssignStmt)
		if !ok || a.Tok != token.DEFINE || len(a.Lhs) != 1 || len(a.Rhs) != 1 {
			continue
		}
		id, ok := a.Lhs[0].(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		sl, ok := ast.Unparen(a.Rhs[0]).(*ast.SliceExpr)
		if !ok || sl.Slice3 && sl.Max == nil {
			continue
		}
		x, ok := sl.X.(*ast.Ident)
		if !ok || assigned[l.Info.Uses[x]] {
			continue
		}
		if _, ok := l.Info.TypeOf(x).Underlying().(*types.Slice); !ok {
			continue
		}
		obj := l.Info.Defs[id]
		if obj == nil || assignedOtherThan(body, obj, a, l.Info) {
			continue
		}
		if l.invariantBound(sl.Low, assigned, index) && l.invariantBound(sl.High, assigned, index) && l.invariantBound(sl.Max, assigned, index) {
			out[st] = true
		}
	}
	return out
}

// invariantBound reports whether e (nil for an absent bound) is integer
// arithmetic over literals, the loop's index and variables the loop does
// not assign.
func (l *Lowerer) invariantBound(e ast.Expr, assigned map[types.Object]bool, index types.Object) bool {
	ok := true
	if e == nil {
		return true
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case nil, *ast.BasicLit, *ast.ParenExpr:
		case *ast.Ident:
			obj, isVar := l.Info.Uses[n].(*types.Var)
			_, isConst := l.Info.Uses[n].(*types.Const)
			if !isConst && (!isVar || obj != index && assigned[obj] || obj.Parent() == types.Universe) {
				ok = false
			}
		case *ast.BinaryExpr:
			switch n.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM:
			default:
				ok = false
			}
		case *ast.UnaryExpr:
			ok = ok && n.Op == token.SUB
		default:
			ok = false
		}
		return ok
	})
	if b, isBasic := l.Info.TypeOf(e).Underlying().(*types.Basic); !isBasic || b.Info()&types.IsInteger == 0 {
		return false
	}
	return ok
}

// assignedOtherThan reports whether a statement of body other than def
// assigns obj or takes its address.
func assignedOtherThan(body *ast.BlockStmt, obj types.Object, def ast.Stmt, info *types.Info) bool {
	found := false
	is := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && (info.Uses[id] == obj || info.Defs[id] == obj)
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n == def {
				return false
			}
			for _, x := range n.Lhs {
				found = found || is(x)
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && is(n.X)
		case *ast.RangeStmt:
			found = found || n.Key != nil && is(n.Key) || n.Value != nil && is(n.Value)
		}
		return !found
	})
	return found
}

// takeViewsAgain collects the forward code of the view statements of the
// loop's body, which its backward trips run first; each must assign
// variables from pure expressions, which the statements' shape ensures.
func (l *Lowerer) takeViewsAgain(lp *loopRec, views map[ast.Stmt]bool) {
	for _, r := range lp.body {
		if !views[r.src] {
			continue
		}
		var again []adjoint.Stmt
		for _, st := range r.fwd {
			if !replayable(st, map[string]bool{}, nil) {
				l.Errorf(r.src.Pos(), "internal error: the view %s cannot be taken again going back; please report it", l.Source(r.src))
				return
			}
			// Only the views backward code reads (often the adjoint's
			// alone): taking the others would be dead code.
			for _, name := range namesWritten(st) {
				if l.needed[name] {
					again = append(again, st)
					break
				}
			}
		}
		l.noteReaders(r, again, false)
		lp.views = append(lp.views, again...)
	}
}

// unsaveDefs marks statements whose overwrites are not saved: views the
// backward trips take again, and the start of a counter set from its trip
// count.
func (l *Lowerer) unsaveDefs(views map[ast.Stmt]bool) {
	if l.unsavedDefs == nil {
		l.unsavedDefs = map[ast.Stmt]bool{}
	}
	for s := range views {
		l.unsavedDefs[s] = true
	}
}
