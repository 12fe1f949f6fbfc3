package opt

import (
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// DropDeadZeros removes "d = 0" for a trip's own adjoint d that nothing
// after it in the body reads: the next trip declares d afresh.
func DropDeadZeros(body []adjoint.Stmt, local map[string]bool) []adjoint.Stmt {
	var out []adjoint.Stmt
	for i, s := range body {
		if a, ok := s.(adjoint.Assign); ok && a.Op == "=" && len(a.Lhs) == 1 && adjoint.IsLit(a.Rhs[0], "0") {
			if id, ok := a.Lhs[0].(adjoint.Ident); ok && local[id.Name] && !slices.ContainsFunc(body[i+1:], func(s adjoint.Stmt) bool { return Mentions(s, id.Name) }) {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// FoldElementUpdates folds two accumulations into the same element,
//
//	dx[i] -= a; ...; dx[i] += b   →   ...; dx[i] += b - a
//
// when the statements between are plain assignments that change neither
// the element's index nor a, and read nothing of dx. A hand-written
// gradient adds each element's shares in one update; so does this. The
// sum is the same up to the rounding of the reordered additions.
func FoldElementUpdates(body []adjoint.Stmt) []adjoint.Stmt {
	out := append([]adjoint.Stmt(nil), body...)
	for i := 0; i < len(out); i++ {
		first, ok := elementUpdate(out[i])
		if !ok {
			continue
		}
		base := baseName(first.Lhs[0])
		reads := identsOf(first.Lhs[0].(adjoint.Index).Index, first.Rhs[0])
		if reads[base] {
			continue
		}
	scan:
		for j := i + 1; j < len(out); j++ {
			if next, ok := elementUpdate(out[j]); ok && SameExpr(next.Lhs[0], first.Lhs[0]) && !identsOf(next.Rhs[0])[base] {
				next.Rhs = []adjoint.Expr{adjoint.Add(signed(next), signed(first))}
				next.Op = "+="
				if m, ok := adjoint.Negated(next.Rhs[0]); ok {
					next.Op, next.Rhs[0] = "-=", m
				}
				out[j] = next
				out = append(out[:i], out[i+1:]...)
				i--
				break
			}
			if _, ok := out[j].(adjoint.Comment); ok {
				continue
			}
			a, ok := out[j].(adjoint.Assign)
			if !ok {
				break
			}
			for _, r := range a.Rhs {
				if hasImpureCall(r) || identsOf(r)[base] {
					break scan
				}
			}
			for _, lhs := range a.Lhs {
				switch x := lhs.(type) {
				case adjoint.Ident:
					if reads[x.Name] || x.Name == base {
						break scan
					}
				case adjoint.Index:
					// Another accumulation into the same slice commutes
					// with this one; a store does not, and a write into a
					// slice the share reads changes the share.
					b := baseName(x)
					if _, acc := elementUpdate(a); b == "" || reads[b] || !acc && b == base || identsOf(x.Index)[base] {
						break scan
					}
				default:
					break scan
				}
			}
		}
	}
	return out
}

// elementUpdate reports whether s is "x[k] += e" or "x[k] -= e" for a
// variable x.
func elementUpdate(s adjoint.Stmt) (adjoint.Assign, bool) {
	a, ok := s.(adjoint.Assign)
	if !ok || len(a.Lhs) != 1 || len(a.Rhs) != 1 || a.Op != "+=" && a.Op != "-=" {
		return a, false
	}
	ix, ok := a.Lhs[0].(adjoint.Index)
	if !ok || baseName(ix) == "" || hasCall(ix.Index) || hasImpureCall(a.Rhs[0]) {
		return a, false
	}
	return a, true
}

// baseName is the variable an index expression indexes, or "".
func baseName(e adjoint.Expr) string {
	if ix, ok := e.(adjoint.Index); ok {
		if id, ok := ix.X.(adjoint.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// signed is the amount an accumulation adds.
func signed(a adjoint.Assign) adjoint.Expr {
	if a.Op == "-=" {
		return adjoint.Neg(a.Rhs[0])
	}
	return a.Rhs[0]
}

// identsOf names the variables the expressions mention.
func identsOf(es ...adjoint.Expr) map[string]bool {
	names := map[string]bool{}
	for _, e := range es {
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				names[id.Name] = true
			}
		})
	}
	return names
}

// DropBareComments removes the source comments that folding left with no
// code of their own: a comment followed by another or by the end.
func DropBareComments(body []adjoint.Stmt) []adjoint.Stmt {
	var out []adjoint.Stmt
	for i, s := range body {
		if _, ok := s.(adjoint.Comment); ok {
			if i+1 == len(body) {
				continue
			}
			if _, next := body[i+1].(adjoint.Comment); next {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}
