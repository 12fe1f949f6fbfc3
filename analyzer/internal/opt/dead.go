package opt

import "github.com/gradgen/gradgen/analyzer/adjoint"

// Mentions reports whether s names the variable name anywhere.
func Mentions(s adjoint.Stmt, name string) bool {
	found := false
	adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
		if id, ok := e.(adjoint.Ident); ok && id.Name == name {
			found = true
		}
	})
	return found
}

// MentionsExpr reports whether e names the variable name anywhere.
func MentionsExpr(e adjoint.Expr, name string) bool {
	found := false
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		if id, ok := x.(adjoint.Ident); ok && id.Name == name {
			found = true
		}
	})
	return found
}

// PruneDead removes the backward code that computes values nothing reads:
// adjoints of values whose own reversal needs no adjoint (the whole part
// of Modf), and the temporaries of rules whose results went unused. Go
// rejects variables that are only ever assigned, so this is required, not
// cosmetic. It repeats until nothing changes, since each removal can leave
// another value unread.
func PruneDead(bwd []adjoint.Stmt, final adjoint.Return, adjoints map[string]bool) []adjoint.Stmt {
	prunable := map[string]bool{}
	for name := range adjoints {
		prunable[name] = true
	}
	for _, s := range bwd {
		adjoint.WalkStmt(s, func(s adjoint.Stmt) {
			if a, ok := s.(adjoint.Assign); ok && a.Op == ":=" {
				for _, x := range a.Lhs {
					if id, ok := x.(adjoint.Ident); ok {
						prunable[id.Name] = true
					}
				}
			}
		})
	}
	for {
		reads := map[string]int{}
		count := func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok {
					reads[id.Name]++
				}
			})
		}
		WalkReads(adjoint.Stmt(final), count)
		for _, s := range bwd {
			WalkReads(s, count)
		}
		dead := func(s adjoint.Stmt) bool {
			var target adjoint.Expr
			switch s := s.(type) {
			case adjoint.Assign:
				if len(s.Lhs) != 1 {
					return false
				}
				target = s.Lhs[0]
			case adjoint.IncDec:
				target = s.X
			default:
				return false
			}
			id, ok := target.(adjoint.Ident)
			return ok && prunable[id.Name] && reads[id.Name] == 0
		}
		next, changed := RemoveStmts(bwd, dead)
		bwd = next
		if !changed {
			return bwd
		}
	}
}

// WalkReads calls f on every expression s reads: everything but the
// targets of assignments (an op-assignment's target does not count as a
// use in Go either).
func WalkReads(s adjoint.Stmt, f func(adjoint.Expr)) {
	adjoint.WalkStmt(s, func(s adjoint.Stmt) {
		switch s := s.(type) {
		case adjoint.Assign:
			for _, x := range s.Lhs {
				if _, ok := x.(adjoint.Ident); !ok {
					f(x)
				}
			}
			for _, x := range s.Rhs {
				f(x)
			}
		case adjoint.IncDec:
		case adjoint.VarDecl:
			for _, x := range s.Values {
				f(x)
			}
		case adjoint.ExprStmt:
			f(s.X)
		case adjoint.If:
			f(s.Cond)
		case adjoint.For:
			f(s.Cond)
		case adjoint.Range:
			f(s.X)
		case adjoint.Switch:
			f(s.Tag)
			for _, c := range s.Cases {
				for _, x := range c.List {
					f(x)
				}
			}
		case adjoint.Return:
			for _, x := range s.Results {
				f(x)
			}
		}
	})
}

// RemoveStmts deletes the statements dead reports, at any depth, and the
// if statements and comments left with nothing to do.
func RemoveStmts(list []adjoint.Stmt, dead func(adjoint.Stmt) bool) ([]adjoint.Stmt, bool) {
	var out []adjoint.Stmt
	changed := false
	for _, s := range list {
		if dead(s) {
			changed = true
			continue
		}
		switch x := s.(type) {
		case adjoint.If:
			var c1, c2 bool
			x.Then, c1 = RemoveStmts(x.Then, dead)
			x.Else, c2 = RemoveStmts(x.Else, dead)
			changed = changed || c1 || c2
			if len(x.Then) == 0 && len(x.Else) == 0 {
				changed = true
				continue
			}
			if len(x.Then) == 0 {
				x.Cond = adjoint.Unary{Op: "!", X: adjoint.Paren{X: x.Cond}}
				x.Then, x.Else = x.Else, nil
			}
			s = x
		case adjoint.Block:
			var c bool
			x.Body, c = RemoveStmts(x.Body, dead)
			changed = changed || c
			s = x
		}
		out = append(out, s)
	}
	// A comment followed by nothing but another comment reverses nothing.
	var kept []adjoint.Stmt
	for i, s := range out {
		if _, ok := s.(adjoint.Comment); ok {
			if i+1 == len(out) {
				continue
			}
			if _, next := out[i+1].(adjoint.Comment); next {
				continue
			}
		}
		kept = append(kept, s)
	}
	return kept, changed
}
