package adjoint

import (
	"strings"
)

// Builders of expressions and statements. The arithmetic ones simplify as
// they build (no "* 1", no "- -x"), so that derivative rules can be
// written plainly and the output still reads like a careful person's code.

// One and Half are the literals 1 and 0.5.
var (
	One  = Literal("1")
	Half = Literal("0.5")
)

// IsLit reports whether e is the literal text.
func IsLit(e Expr, text string) bool {
	l, ok := e.(Lit)
	return ok && l.Text == text
}

// Mul is x * y, simplified: nil (no term) when either is nil, no factor 1
// or -1, and (1/a) * d written d / a.
func Mul(x, y Expr) Expr {
	// Ldexp(1, k) * d is Ldexp(d, k): the same value, exactly, without the
	// power of two overflowing first (Frexp's partial at a subnormal is
	// 2^1073, whose product with a zero adjoint must be 0, not NaN).
	if c, ok := x.(Call); ok && y != nil && len(c.Args) == 2 && IsLit(c.Args[0], "1") {
		if q, ok := c.Fun.(Qual); ok && q.Path == "math" && q.Name == "Ldexp" {
			return Call{Fun: c.Fun, Args: []Expr{y, c.Args[1]}}
		}
	}
	// (1/a) * d is d/a: one division instead of a division and a product.
	if b, ok := x.(Binary); ok && b.Op == "/" && (IsLit(b.X, "1") || IsLit(b.X, "1.0")) && y != nil && !IsLit(y, "1") {
		return Div(y, b.Y)
	}
	switch {
	case x == nil || y == nil:
		return nil
	case IsLit(x, "1"):
		return y
	case IsLit(y, "1"):
		return x
	case IsLit(x, "-1"):
		return Neg(y)
	case IsLit(y, "-1"):
		return Neg(x)
	}
	return Bin("*", x, y)
}

// Div is x / y, simplified: no division by 1, and a float dividend when
// both are untyped constants (so that Go does not divide integers).
func Div(x, y Expr) Expr {
	if IsLit(y, "1") {
		return x
	}
	if UntypedConst(x) && UntypedConst(y) {
		// Both constant, as when a rule divides the seed 1 by 2: make the
		// dividend a float so that Go does not divide integers.
		x = FloatConst(x)
	}
	return Bin("/", x, y)
}

// Neg is -x, simplified: no double negation, and -(a*b) written -a * b.
func Neg(x Expr) Expr {
	if u, ok := x.(Unary); ok && u.Op == "-" {
		return u.X
	}
	// -(a / b) reads better as -a / b, and has the same value: IEEE
	// rounding is symmetric in sign.
	if b, ok := x.(Binary); ok && (b.Op == "*" || b.Op == "/") {
		return Bin(b.Op, Neg(b.X), b.Y)
	}
	if IsLit(x, "1") {
		return Literal("-1")
	}
	if IsLit(x, "-1") {
		return One
	}
	return Unary{Op: "-", X: x}
}

// Add is x + y, where either may be nil (no term).
func Add(x, y Expr) Expr {
	switch {
	case x == nil:
		return y
	case y == nil:
		return x
	}
	if m, ok := Negated(y); ok {
		return Bin("-", x, m)
	}
	return Bin("+", x, y)
}

// FloatConst writes an integer literal (or its negation) as a float one.
func FloatConst(e Expr) Expr {
	switch e := e.(type) {
	case Lit:
		if !strings.ContainsAny(e.Text, ".eEpPxX") {
			return Lit{Text: e.Text + ".0"}
		}
	case Unary:
		return Unary{Op: e.Op, X: FloatConst(e.X)}
	case Binary:
		// The leftmost operand decides: 2.0 * 3 / 4 is a float division.
		return Binary{Op: e.Op, X: FloatConst(e.X), Y: e.Y}
	case Paren:
		return Paren{X: FloatConst(e.X)}
	}
	return e
}

// Negated reports whether e is -m (or -a * b, -a / b), and returns m.
func Negated(e Expr) (Expr, bool) {
	switch e := e.(type) {
	case Lit:
		if strings.HasPrefix(e.Text, "-") {
			return Lit{Text: e.Text[1:]}, true
		}
	case Unary:
		if e.Op == "-" {
			return e.X, true
		}
	case Binary:
		if e.Op == "*" || e.Op == "/" {
			if m, ok := Negated(e.X); ok {
				return Bin(e.Op, m, e.Y), true
			}
		}
	}
	return nil, false
}

// Stmts drops the nil statements that a rule's Ctx.Add returns for operands
// without adjoints.
func Stmts(ss ...Stmt) []Stmt {
	var out []Stmt
	for _, s := range ss {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// IfElse builds "if cond { then } else { els }", dropping whatever is empty;
// it returns no statement at all when both branches are empty.
func IfElse(cond Expr, then, els []Stmt) []Stmt {
	switch {
	case len(then) == 0 && len(els) == 0:
		return nil
	case len(then) == 0:
		return []Stmt{If{Cond: Unary{Op: "!", X: Paren{X: cond}}, Then: els}}
	}
	return []Stmt{If{Cond: cond, Then: then, Else: els}}
}

// Set is the assignment lhs op rhs.
func Set(lhs Expr, op string, rhs Expr) Stmt {
	return Assign{Lhs: []Expr{lhs}, Op: op, Rhs: []Expr{rhs}}
}

// IsConstant reports whether e is a literal, or a negated one.
func IsConstant(e Expr) bool {
	if u, ok := e.(Unary); ok && u.Op == "-" {
		e = u.X
	}
	_, ok := e.(Lit)
	return ok
}

// MathCall is a call of the function name of package math.
func MathCall(name string, args ...Expr) Expr {
	return Call{Fun: Qual{Path: "math", Name: name}, Args: args}
}

// MathConst is the constant name of package math (math.Pi).
func MathConst(name string) Expr { return Qual{Path: "math", Name: name} }

// Literal is the literal s.
func Literal(s string) Expr { return Lit{Text: s} }

// Sq is x*x.
func Sq(x Expr) Expr { return Bin("*", x, x) }

// UntypedConst reports whether e is made of literals and constants only:
// "dx := 1" would declare an int, so such a first value keeps "=".
func UntypedConst(e Expr) bool {
	typed := false
	WalkExpr(e, func(x Expr) {
		switch x.(type) {
		case Ident, Call:
			typed = true
		}
	})
	return !typed
}
