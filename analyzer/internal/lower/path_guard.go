package lower

import (
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Guards of backward code on untaken paths: a statement whose partials
// may be infinite or NaN runs backward only when its adjoint is nonzero.

// readsPrimal reports whether backward code reads a value of the forward
// sweep, which may be Inf or NaN; code made of adjoints and constants
// (the reversal of x - y) cannot turn a zero adjoint into a NaN.
func (l *Lowerer) readsPrimal(code []adjoint.Stmt) bool {
	found := false
	for _, s := range code {
		opt.WalkReads(s, func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok && l.byName[id.Name] != nil {
					found = true
				}
			})
		})
	}
	return found
}

// mayBeNonFinite reports whether code computes something that may be
// infinite or NaN without reading a primal value: a division by anything
// but a nonzero literal (x / 0.0 has the partial 1 / 0), or a call (the
// partial of x * math.Log(0) is math.Log(0)). Multiplied by an adjoint of
// zero, such a value is NaN: its statement needs its path's guard too.
func mayBeNonFinite(code []adjoint.Stmt) bool {
	found := false
	for _, s := range code {
		adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				switch x := x.(type) {
				case adjoint.Binary:
					if x.Op == "/" && !nonzeroLiteral(x.Y) {
						found = true
					}
				case adjoint.Call:
					if !opt.IsPureBuiltin(x) { // conversions, len, min...: finite of finite
						found = true
					}
				}
			})
		})
	}
	return found
}

// nonzeroLiteral reports whether e is a numeric literal other than zero,
// negated or parenthesized or not.
func nonzeroLiteral(e adjoint.Expr) bool {
	switch e := e.(type) {
	case adjoint.Lit:
		f, err := strconv.ParseFloat(strings.ReplaceAll(e.Text, "_", ""), 64)
		return err == nil && f != 0
	case adjoint.Unary:
		return e.Op == "-" && nonzeroLiteral(e.X)
	case adjoint.Paren:
		return nonzeroLiteral(e.X)
	}
	return false
}

// pathGuard returns "dv != 0" when rec writes a variable v whose adjoint
// backward code has added into only inside branches or loops nested deeper
// than rec; nil when its backward code may run unguarded.
func (l *Lowerer) pathGuard(rec *lowered) adjoint.Expr {
	if l.fusing || rec.seed != nil {
		return nil
	}
	// Every adjoint the statement's backward code starts from must be one
	// of those: one added into at this depth keeps it running.
	var guard adjoint.Expr
	for _, o := range rec.ops {
		if o.store != nil {
			// An element's adjoint: followed by its array's. When every
			// addition into the array is on a path that may not have
			// been taken, the element's adjoint guards the statement
			// (a[0] = math.Sqrt(x), read only after if x > 0).
			st := o.store
			if st.root == nil || st.root.Adj == "" || st.root.shadow != nil || len(l.aliases(st.root)) > 0 {
				return nil
			}
			if depth, seen := l.elemAddDepth[adjoint.ExprString(st.adj)]; seen && depth <= l.revDepth+l.exitDepth {
				return nil
			}
			nonzero := adjoint.Bin("!=", st.adj, adjoint.Literal("0"))
			if guard == nil {
				guard = nonzero
			} else {
				guard = adjoint.Bin("||", guard, nonzero)
			}
			continue
		}
		for _, r := range o.results {
			if r.temp || r.Adj == "" {
				continue
			}
			depth, seen := l.adjDepth[r.Adj]
			if !seen {
				continue // never added into: zero, whatever the path
			}
			if depth <= l.revDepth+l.exitDepth {
				return nil
			}
			nonzero := adjoint.Bin("!=", adjoint.Id(r.Adj), adjoint.Literal("0"))
			if guard == nil {
				guard = nonzero
			} else {
				guard = adjoint.Bin("||", guard, nonzero)
			}
		}
	}
	return guard
}
