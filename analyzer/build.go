package analyzer

import (
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Builders for adjoint expressions and statements. The arithmetic ones
// simplify as they build (no "* 1", no "- -x"), so that rules can be written
// plainly and the output still reads like a careful person's gradient.

func bin(op string, x, y adjoint.Expr) adjoint.Expr { return adjoint.Binary{Op: op, X: x, Y: y} }

func isLit(e adjoint.Expr, text string) bool {
	l, ok := e.(adjoint.Lit)
	return ok && l.Text == text
}

func mul(x, y adjoint.Expr) adjoint.Expr {
	switch {
	case x == nil || y == nil:
		return nil
	case isLit(x, "1"):
		return y
	case isLit(y, "1"):
		return x
	case isLit(x, "-1"):
		return neg(y)
	case isLit(y, "-1"):
		return neg(x)
	}
	return bin("*", x, y)
}

func div(x, y adjoint.Expr) adjoint.Expr {
	if isLit(y, "1") {
		return x
	}
	if untypedConst(x) && untypedConst(y) {
		// Both constant, as when a rule divides the seed 1 by 2: make the
		// dividend a float so that Go does not divide integers.
		x = floatConst(x)
	}
	return bin("/", x, y)
}

func neg(x adjoint.Expr) adjoint.Expr {
	if u, ok := x.(adjoint.Unary); ok && u.Op == "-" {
		return u.X
	}
	// -(a / b) reads better as -a / b, and has the same value: IEEE
	// rounding is symmetric in sign.
	if b, ok := x.(adjoint.Binary); ok && (b.Op == "*" || b.Op == "/") {
		return bin(b.Op, neg(b.X), b.Y)
	}
	if isLit(x, "1") {
		return lit("-1")
	}
	if isLit(x, "-1") {
		return one
	}
	return adjoint.Unary{Op: "-", X: x}
}

// add is x + y, where either may be nil (no term).
func add(x, y adjoint.Expr) adjoint.Expr {
	switch {
	case x == nil:
		return y
	case y == nil:
		return x
	}
	if m, ok := negated(y); ok {
		return bin("-", x, m)
	}
	return bin("+", x, y)
}

// floatConst writes an integer literal (or its negation) as a float one.
func floatConst(e adjoint.Expr) adjoint.Expr {
	switch e := e.(type) {
	case adjoint.Lit:
		if !strings.ContainsAny(e.Text, ".eEpPxX") {
			return adjoint.Lit{Text: e.Text + ".0"}
		}
	case adjoint.Unary:
		return adjoint.Unary{Op: e.Op, X: floatConst(e.X)}
	case adjoint.Binary:
		// The leftmost operand decides: 2.0 * 3 / 4 is a float division.
		return adjoint.Binary{Op: e.Op, X: floatConst(e.X), Y: e.Y}
	case adjoint.Paren:
		return adjoint.Paren{X: floatConst(e.X)}
	}
	return e
}

// negated reports whether e is -m (or -a * b, -a / b), and returns m.
func negated(e adjoint.Expr) (adjoint.Expr, bool) {
	switch e := e.(type) {
	case adjoint.Lit:
		if strings.HasPrefix(e.Text, "-") {
			return adjoint.Lit{Text: e.Text[1:]}, true
		}
	case adjoint.Unary:
		if e.Op == "-" {
			return e.X, true
		}
	case adjoint.Binary:
		if e.Op == "*" || e.Op == "/" {
			if m, ok := negated(e.X); ok {
				return bin(e.Op, m, e.Y), true
			}
		}
	}
	return nil, false
}

// stmts drops the nil statements that ruleCtx.add returns for operands
// without adjoints.
func stmts(ss ...adjoint.Stmt) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range ss {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// ifElse builds "if cond { then } else { els }", dropping whatever is empty;
// it returns no statement at all when both branches are empty.
func ifElse(cond adjoint.Expr, then, els []adjoint.Stmt) []adjoint.Stmt {
	switch {
	case len(then) == 0 && len(els) == 0:
		return nil
	case len(then) == 0:
		return []adjoint.Stmt{adjoint.If{Cond: adjoint.Unary{Op: "!", X: adjoint.Paren{X: cond}}, Then: els}}
	}
	return []adjoint.Stmt{adjoint.If{Cond: cond, Then: then, Else: els}}
}

func assign(lhs adjoint.Expr, op string, rhs adjoint.Expr) adjoint.Stmt {
	return adjoint.Assign{Lhs: []adjoint.Expr{lhs}, Op: op, Rhs: []adjoint.Expr{rhs}}
}

// walkExpr calls f on e and each expression inside it.
func walkExpr(e adjoint.Expr, f func(adjoint.Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case adjoint.Binary:
		walkExpr(e.X, f)
		walkExpr(e.Y, f)
	case adjoint.Unary:
		walkExpr(e.X, f)
	case adjoint.Paren:
		walkExpr(e.X, f)
	case adjoint.Call:
		walkExpr(e.Fun, f)
		for _, a := range e.Args {
			walkExpr(a, f)
		}
	case adjoint.Index:
		walkExpr(e.X, f)
		walkExpr(e.Index, f)
	case adjoint.SliceExpr:
		walkExpr(e.X, f)
		walkExpr(e.Lo, f)
		walkExpr(e.Hi, f)
		walkExpr(e.Max, f)
	case adjoint.Selector:
		walkExpr(e.X, f)
	case adjoint.Composite:
		for _, x := range e.Elts {
			walkExpr(x, f)
		}
	case adjoint.KeyValue:
		walkExpr(e.Key, f)
		walkExpr(e.Value, f)
	}
}

// walkStmt calls f on every expression in s, nested statements included.
func walkStmt(s adjoint.Stmt, f func(adjoint.Expr)) {
	exprs := func(es []adjoint.Expr) {
		for _, e := range es {
			walkExpr(e, f)
		}
	}
	body := func(ss []adjoint.Stmt) {
		for _, s := range ss {
			walkStmt(s, f)
		}
	}
	switch s := s.(type) {
	case nil:
	case adjoint.Assign:
		exprs(s.Lhs)
		exprs(s.Rhs)
	case adjoint.VarDecl:
		exprs(s.Values)
	case adjoint.IncDec:
		walkExpr(s.X, f)
	case adjoint.ExprStmt:
		walkExpr(s.X, f)
	case adjoint.If:
		walkStmt(s.Init, f)
		walkExpr(s.Cond, f)
		body(s.Then)
		body(s.Else)
	case adjoint.For:
		walkStmt(s.Init, f)
		walkExpr(s.Cond, f)
		walkStmt(s.Post, f)
		body(s.Body)
	case adjoint.Range:
		walkExpr(s.Key, f)
		walkExpr(s.Value, f)
		walkExpr(s.X, f)
		body(s.Body)
	case adjoint.Switch:
		walkStmt(s.Init, f)
		walkExpr(s.Tag, f)
		for _, c := range s.Cases {
			exprs(c.List)
			body(c.Body)
		}
	case adjoint.Return:
		exprs(s.Results)
	case adjoint.Block:
		body(s.Body)
	}
}

// peephole tidies backward code without changing what it computes:
//
//	x = 0; x = e      →  x = e        (e does not read x)
//	t = x; x = t      →  t = x        (the copy back is a no-op)
//
// The first pair comes from resetting an adjoint that the next statement
// sets anyway; the second from reversing x = x + t, whose adjoint passes
// through unchanged.
func peephole(list []adjoint.Stmt) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range list {
		switch x := s.(type) {
		case adjoint.If:
			x.Then, x.Else = peephole(x.Then), peephole(x.Else)
			s = x
		case adjoint.For:
			x.Body = peephole(x.Body)
			s = x
		case adjoint.Range:
			x.Body = peephole(x.Body)
			s = x
		case adjoint.Switch:
			for i := range x.Cases {
				x.Cases[i].Body = peephole(x.Cases[i].Body)
			}
			s = x
		case adjoint.Block:
			x.Body = peephole(x.Body)
			s = x
		}
		out = merge(out, s)
	}
	return out
}

// merge appends s to out, applying the peephole rules to it and the
// statement before it, again after each change.
func merge(out []adjoint.Stmt, s adjoint.Stmt) []adjoint.Stmt {
	n := len(out)
	if n == 0 {
		return append(out, s)
	}
	prev, ok1 := out[n-1].(adjoint.Assign)
	cur, ok2 := s.(adjoint.Assign)
	if ok1 && ok2 && len(prev.Lhs) == 1 && len(cur.Lhs) == 1 && cur.Op == "=" {
		px, cx := prev.Lhs[0], cur.Lhs[0]
		switch {
		case prev.Op == "=" && isLit(prev.Rhs[0], "0") && sameExpr(px, cx) && !readsExpr(cur.Rhs[0], cx):
			return merge(out[:n-1], s)
		case (prev.Op == "=" || prev.Op == ":=") && sameExpr(prev.Rhs[0], cx) && sameExpr(cur.Rhs[0], px):
			return out
		}
	}
	return append(out, s)
}

func sameExpr(a, b adjoint.Expr) bool { return adjoint.ExprString(a) == adjoint.ExprString(b) }

// readsExpr reports whether e mentions the variable target names.
func readsExpr(e, target adjoint.Expr) bool {
	id, ok := target.(adjoint.Ident)
	if !ok {
		return true
	}
	found := false
	walkExpr(e, func(x adjoint.Expr) {
		if y, ok := x.(adjoint.Ident); ok && y.Name == id.Name {
			found = true
		}
	})
	return found
}
