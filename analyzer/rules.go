package analyzer

import (
	"go/constant"
	"go/token"
	"math"
	"strconv"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// This file is gradgen's knowledge of calculus: one table, one entry per
// primitive (operator, math function, builtin). Nothing else in the analyzer
// contains a derivative formula; the lowering code looks rules up and applies
// the chain rule generically.
//
// The contract of a rule: it sees the operands' values (A), the results'
// values (R, which may be reused: exp's derivative is its own result), and
// the results' adjoints (D, nil for a result that does not reach the
// function's value). It returns, for each operand, the vector-Jacobian
// product: the operand's share of the adjoint. Operands that are not varied
// are never asked for. Rules whose derivative is piecewise (abs, max, ...)
// return statements instead, through ctx.add.

// ruleCtx is what a rule may see.
type ruleCtx struct {
	A []adjoint.Expr // operand values
	R []adjoint.Expr // result values
	D []adjoint.Expr // result adjoints; nil for a result that needs none
	T adjoint.Type   // type of the first result

	// add returns the statement that adds e into operand i's adjoint, or
	// nil when operand i has none.
	add func(i int, e adjoint.Expr) adjoint.Stmt
	// fresh returns a new local name for a rule's own temporaries.
	fresh func(base string) string
}

// A partial is ∂r/∂a of one result r by one operand a, as an expression
// of the operands' and the results' values.
type partial func(a, r []adjoint.Expr) adjoint.Expr

// A rule differentiates one primitive.
type rule struct {
	// jac holds the primitive's partials as data, jac[k][i] = ∂rₖ/∂aᵢ (nil
	// for an operand that carries no derivative, an int argument): what
	// every mode builds on. Reverse mode multiplies them by the results'
	// adjoints (vjp), forward mode by the operands' tangents. Piecewise
	// rules have none yet: their partials are guarded statements.
	jac [][]partial
	// vjp holds, per operand, its share of the adjoint; a nil entry is an
	// operand that carries no derivative (an int argument). Rules built
	// from jac derive it; a few write it out for a cheaper form (x/y's
	// shares divide the adjoint by y once).
	vjp []func(c *ruleCtx) adjoint.Expr
	// piecewise, when set, replaces vjp: the rule writes statements.
	piecewise func(c *ruleCtx) []adjoint.Stmt
	// zero marks a function whose derivative is 0 wherever it exists
	// (Floor): its result is passive and takes no part in the backward sweep.
	zero bool
	// none explains why the function has no rule; using it is an error.
	none string
	// variadic marks builtins (min, max) whose operands all share the rule.
	variadic bool
}

// usesResult reports whether the rule's adjoint code reads a result value.
func (r *rule) usesResult(nargs int) bool {
	probe := adjoint.Ident{Name: "\x00result"}
	c := &ruleCtx{
		A: make([]adjoint.Expr, nargs),
		R: []adjoint.Expr{probe, probe},
		D: []adjoint.Expr{adjoint.Id("d0"), adjoint.Id("d1")},
		T: adjoint.Named{Name: "float64"},
	}
	for i := range c.A {
		c.A[i] = adjoint.Id("a")
	}
	c.fresh = func(base string) string { return base }
	c.add = func(i int, e adjoint.Expr) adjoint.Stmt {
		return adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id("d")}, Op: "+=", Rhs: []adjoint.Expr{e}}
	}
	found := false
	visit := func(e adjoint.Expr) {
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if x == probe {
				found = true
			}
		})
	}
	if r.piecewise != nil {
		for _, s := range r.piecewise(c) {
			walkStmt(s, visit)
		}
		return found
	}
	for _, f := range r.vjp {
		if f != nil {
			visit(f(c))
		}
	}
	return found
}

// Builders for rule bodies.

// isConstant reports whether e is a literal, or a negated one.
func isConstant(e adjoint.Expr) bool {
	if u, ok := e.(adjoint.Unary); ok && u.Op == "-" {
		e = u.X
	}
	_, ok := e.(adjoint.Lit)
	return ok
}

func math_(name string, args ...adjoint.Expr) adjoint.Expr {
	return adjoint.Call{Fun: adjoint.Qual{Path: "math", Name: name}, Args: args}
}
func mathConst(name string) adjoint.Expr { return adjoint.Qual{Path: "math", Name: name} }
func lit(s string) adjoint.Expr          { return adjoint.Lit{Text: s} }

// unary is a rule for a one-operand, one-result function whose derivative
// is d(x, r).
func unary(d func(x, r adjoint.Expr) adjoint.Expr) *rule {
	return fromJac([][]partial{{func(a, r []adjoint.Expr) adjoint.Expr { return d(a[0], r[0]) }}})
}

// partials is a rule for a one-result function with one derivative per
// operand (nil for an operand without one).
func partials(ds ...func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr) *rule {
	row := make([]partial, len(ds))
	for i, d := range ds {
		if d != nil {
			row[i] = func(a, r []adjoint.Expr) adjoint.Expr { return d(a, r[0]) }
		}
	}
	return fromJac([][]partial{row})
}

// fromJac is the rule whose partials are jac: operand i's share of the
// adjoint is Σₖ ∂rₖ/∂aᵢ · Dₖ, over the results that have an adjoint.
func fromJac(jac [][]partial) *rule {
	r := &rule{jac: jac}
	n := 0
	for _, row := range jac {
		n = max(n, len(row))
	}
	for i := range n {
		var ks []int
		for k, row := range jac {
			if i < len(row) && row[i] != nil {
				ks = append(ks, k)
			}
		}
		if len(ks) == 0 {
			r.vjp = append(r.vjp, nil)
			continue
		}
		r.vjp = append(r.vjp, func(c *ruleCtx) adjoint.Expr {
			var sum adjoint.Expr
			for _, k := range ks {
				if k < len(c.D) && c.D[k] != nil {
					sum = add(sum, mul(jac[k][i](c.A, c.R), c.D[k]))
				}
			}
			return sum
		})
	}
	return r
}

func zeroRule() *rule { return &rule{zero: true} }

// divAdj is d / y, written 1 / y when d is the seed 1 (a constant over a
// constant would otherwise be an integer division).
func divAdj(d, y adjoint.Expr) adjoint.Expr {
	if d == nil {
		return nil
	}
	if r, ok := reciprocal(y); ok {
		return mul(d, r)
	}
	return div(d, y)
}

// reciprocal returns 1/y as a literal when y is a float literal whose
// reciprocal is not exact (x / math.Sqrt2): the backward sweep then
// multiplies, a fraction of a division's latency, at the cost of the last
// bit of rounding — which the gradient may spend; the forward sweep keeps
// the division and its exact value. Where 1/y is exact (a power of two) the
// compiler already multiplies, and y reads better.
func reciprocal(y adjoint.Expr) (adjoint.Expr, bool) {
	l, ok := y.(adjoint.Lit)
	if !ok {
		return nil, false
	}
	v := constant.MakeFromLiteral(l.Text, token.FLOAT, 0)
	if v.Kind() != constant.Float && v.Kind() != constant.Int {
		return nil, false
	}
	f, _ := constant.Float64Val(v)
	if f == 0 || math.IsInf(f, 0) {
		return nil, false
	}
	if frac, _ := math.Frexp(f); frac == 0.5 {
		return nil, false // a power of two
	}
	r, _ := constant.Float64Val(constant.BinaryOp(constant.MakeInt64(1), token.QUO, v))
	if r == 0 || math.IsInf(r, 0) {
		return nil, false
	}
	return lit(strconv.FormatFloat(r, 'g', -1, 64)), true
}

// sq is x*x.
func sq(x adjoint.Expr) adjoint.Expr { return bin("*", x, x) }

var (
	one  = lit("1")
	half = lit("0.5")
)

// operators are the rules of Go's float arithmetic, keyed by operator.
var operators = map[string]*rule{
	"+": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one }),
	"-": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return lit("-1") }),
	"*": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[1] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[0] }),
	// d(x/y)/dy = -x/y² = -r/y: reusing the quotient saves a division,
	// and both shares divide the adjoint by y, which the compiler then
	// computes once.
	"/": {
		jac: [][]partial{{
			func(a, r []adjoint.Expr) adjoint.Expr { return div(one, a[1]) },
			func(a, r []adjoint.Expr) adjoint.Expr { return neg(div(r[0], a[1])) },
		}},
		vjp: []func(*ruleCtx) adjoint.Expr{
			func(c *ruleCtx) adjoint.Expr { return divAdj(c.D[0], c.A[1]) },
			func(c *ruleCtx) adjoint.Expr { return neg(mul(c.R[0], divAdj(c.D[0], c.A[1]))) },
		}},
	"neg": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return lit("-1") }),
	// copy is plain assignment, a = b.
	"copy": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one }),
}

// conversion is the rule of a conversion between float types: the adjoint
// flows back converted to the operand's type, which the lowering supplies
// as T of a ruleCtx built for the operand.
var conversion = &rule{vjp: []func(*ruleCtx) adjoint.Expr{
	func(c *ruleCtx) adjoint.Expr {
		return adjoint.Call{Fun: adjoint.TypeExpr{Type: c.T}, Args: []adjoint.Expr{c.D[0]}}
	},
}}

// tiesRule is the rule of max and min (math.Max, math.Min and the builtins):
// the adjoint goes to the chosen operand, split equally among tied ones.
func tiesRule(variadic bool) *rule {
	return &rule{variadic: variadic, piecewise: func(c *ruleCtx) []adjoint.Stmt {
		if len(c.A) == 1 {
			return stmts(c.add(0, c.D[0]))
		}
		if len(c.A) == 2 {
			x, y, d := c.A[0], c.A[1], c.D[0]
			// Comparing the operands with the result picks the chosen one
			// for max and min alike.
			return ifElse(bin("==", x, y),
				stmts(c.add(0, div(d, lit("2"))), c.add(1, div(d, lit("2")))),
				ifElse(bin("==", x, c.R[0]),
					stmts(c.add(0, d)),
					stmts(c.add(1, d))))
		}
		// Three or more operands: count the ties, then share.
		ties, share := c.fresh("ties"), c.fresh("share")
		out := []adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(ties)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}}}
		for _, a := range c.A {
			out = append(out, ifElse(bin("==", a, c.R[0]), stmts(adjoint.IncDec{X: adjoint.Id(ties), Inc: true}), nil)...)
		}
		out = append(out, adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(share)}, Op: ":=",
			Rhs: []adjoint.Expr{div(c.D[0], adjoint.Call{Fun: adjoint.TypeExpr{Type: c.T}, Args: []adjoint.Expr{adjoint.Id(ties)}})}})
		for i, a := range c.A {
			out = append(out, ifElse(bin("==", a, c.R[0]), stmts(c.add(i, adjoint.Id(share))), nil)...)
		}
		return out
	}}
}

// mathRules are the rules of package math, keyed by function name. Every
// function with float operands and a float result is here; functions whose
// result is not a float (Signbit, Ilogb, Float64bits) never carry a
// derivative and need no entry.
var mathRules = map[string]*rule{
	// Abs'(0) = 0.
	"Abs": {piecewise: func(c *ruleCtx) []adjoint.Stmt {
		x, d := c.A[0], c.D[0]
		return ifElse(bin(">", x, lit("0")), stmts(c.add(0, d)),
			ifElse(bin("<", x, lit("0")), stmts(c.add(0, neg(d))), nil))
	}},
	"Acos":  unary(func(x, r adjoint.Expr) adjoint.Expr { return neg(div(one, math_("Sqrt", bin("-", one, sq(x))))) }),
	"Acosh": unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, math_("Sqrt", bin("-", sq(x), one))) }),
	"Asin":  unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, math_("Sqrt", bin("-", one, sq(x)))) }),
	"Asinh": unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, math_("Sqrt", bin("+", sq(x), one))) }),
	"Atan":  unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("+", one, sq(x))) }),
	// Atan2(y, x): ∂y = x/(x²+y²), ∂x = −y/(x²+y²), written through
	// h = Hypot(y, x) so that tiny or huge operands neither underflow nor
	// overflow; 0 at (0, 0), like Hypot.
	"Atan2": {piecewise: func(c *ruleCtx) []adjoint.Stmt {
		y, x, d := c.A[0], c.A[1], c.D[0]
		h := adjoint.Id(c.fresh("h"))
		return append(stmts(assign(h, ":=", math_("Hypot", y, x))),
			ifElse(bin("!=", h, lit("0")),
				stmts(c.add(0, mul(div(div(x, h), h), d)), c.add(1, mul(neg(div(div(y, h), h)), d))), nil)...)
	}},
	"Atanh": unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("-", one, sq(x))) }),
	// Cbrt'(x) = 1/(3 r²): +Inf at 0, like Sqrt.
	"Cbrt": unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("*", lit("3"), sq(r))) }),
	"Ceil": zeroRule(),
	// Copysign(x, y) = ±|x|: the sign flips x's derivative when the signs differ.
	"Copysign": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
			return bin("*", math_("Copysign", one, a[0]), math_("Copysign", one, a[1]))
		},
		nil),
	"Cos":  unary(func(x, r adjoint.Expr) adjoint.Expr { return neg(math_("Sin", x)) }),
	"Cosh": unary(func(x, r adjoint.Expr) adjoint.Expr { return math_("Sinh", x) }),
	// Dim(x, y) = max(x-y, 0): at x == y the tie is split like max's.
	"Dim": {piecewise: func(c *ruleCtx) []adjoint.Stmt {
		x, y, d := c.A[0], c.A[1], c.D[0]
		return ifElse(bin(">", x, y), stmts(c.add(0, d), c.add(1, neg(d))),
			ifElse(bin("==", x, y), stmts(c.add(0, div(d, lit("2"))), c.add(1, neg(div(d, lit("2"))))), nil))
	}},
	"Erf": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("*", bin("/", lit("2"), mathConst("SqrtPi")), math_("Exp", neg(sq(x))))
	}),
	"Erfc": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("*", bin("/", lit("-2"), mathConst("SqrtPi")), math_("Exp", neg(sq(x))))
	}),
	"Erfinv": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("*", bin("/", mathConst("SqrtPi"), lit("2")), math_("Exp", sq(r)))
	}),
	"Erfcinv": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("*", bin("/", mathConst("SqrtPi"), lit("-2")), math_("Exp", sq(r)))
	}),
	"Exp":   unary(func(x, r adjoint.Expr) adjoint.Expr { return r }),
	"Exp2":  unary(func(x, r adjoint.Expr) adjoint.Expr { return bin("*", r, mathConst("Ln2")) }),
	"Expm1": unary(func(x, r adjoint.Expr) adjoint.Expr { return bin("+", r, one) }),
	"FMA": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[1] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[0] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one }),
	"Floor": zeroRule(),
	// Frexp(x) = (x·2^-e, e): the fraction scales x by 2^-e.
	"Frexp": fromJac([][]partial{
		{func(a, r []adjoint.Expr) adjoint.Expr { return math_("Ldexp", one, neg(r[1])) }},
		{nil}, // the exponent, an int
	}),
	"Gamma": {none: "math.Gamma has no elementary derivative (it needs the digamma function)"},
	// Hypot at (0, 0): 0.
	"Hypot": {piecewise: func(c *ruleCtx) []adjoint.Stmt {
		p, q, r, d := c.A[0], c.A[1], c.R[0], c.D[0]
		return ifElse(bin("!=", r, lit("0")),
			stmts(c.add(0, mul(div(p, r), d)), c.add(1, mul(div(q, r), d))), nil)
	}},
	"J0": unary(func(x, r adjoint.Expr) adjoint.Expr { return neg(math_("J1", x)) }),
	// J1' = (J0 - J2)/2, which is finite at 0, unlike J0 - J1/x.
	"J1": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("/", bin("-", math_("J0", x), math_("Jn", lit("2"), x)), lit("2"))
	}),
	"Jn": partials(nil, func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
		return bin("/", bin("-", math_("Jn", bin("-", a[0], one), a[1]), math_("Jn", bin("+", a[0], one), a[1])), lit("2"))
	}),
	"Ldexp":  partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return math_("Ldexp", one, a[1]) }, nil),
	"Lgamma": {none: "math.Lgamma has no elementary derivative (it needs the digamma function)"},
	"Log":    unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, x) }),
	"Log10":  unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("*", x, mathConst("Ln10"))) }),
	"Log1p":  unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("+", one, x)) }),
	"Log2":   unary(func(x, r adjoint.Expr) adjoint.Expr { return div(one, bin("*", x, mathConst("Ln2"))) }),
	"Logb":   zeroRule(),
	"Max":    tiesRule(false),
	"Min":    tiesRule(false),
	// Mod(x, y) = x - y·Trunc(x/y).
	"Mod": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return neg(math_("Trunc", bin("/", a[0], a[1]))) }),
	// Modf(f) = (int, frac): only the fraction varies with f.
	"Modf": fromJac([][]partial{
		{nil},
		{func(a, r []adjoint.Expr) adjoint.Expr { return one }},
	}),
	"Nextafter":   partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one }, nil),
	"Nextafter32": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one }, nil),
	// Pow(x, y): ∂x = y·x^(y−1); ∂y = x^y·ln x, and 0 when x == 0.
	"Pow": {piecewise: func(c *ruleCtx) []adjoint.Stmt {
		x, y, r, d := c.A[0], c.A[1], c.R[0], c.D[0]
		// Pow(x, 0) is 1 for every x: ∂x is 0, not 0·x^−1 (NaN at 0).
		var out []adjoint.Stmt
		switch dx := c.add(0, mul(bin("*", y, math_("Pow", x, bin("-", y, one))), d)); {
		case dx == nil || isLit(y, "0"):
		case isConstant(y):
			out = stmts(dx)
		default:
			out = ifElse(bin("!=", y, lit("0")), stmts(dx), nil)
		}
		if dy := c.add(1, mul(bin("*", r, math_("Log", x)), d)); dy != nil {
			out = append(out, ifElse(bin("!=", x, lit("0")), stmts(dy), nil)...)
		}
		return out
	}},
	// Remainder(x, y) = x - n·y with n = (x - r)/y, a whole number.
	"Remainder": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return one },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
			return neg(math_("RoundToEven", bin("/", bin("-", a[0], r), a[1])))
		}),
	"Round":       zeroRule(),
	"RoundToEven": zeroRule(),
	"Sin":         unary(func(x, r adjoint.Expr) adjoint.Expr { return math_("Cos", x) }),
	// Sincos(x) = (sin x, cos x).
	"Sincos": fromJac([][]partial{
		{func(a, r []adjoint.Expr) adjoint.Expr { return r[1] }},
		{func(a, r []adjoint.Expr) adjoint.Expr { return neg(r[0]) }},
	}),
	"Sinh": unary(func(x, r adjoint.Expr) adjoint.Expr { return math_("Cosh", x) }),
	// Sqrt'(0) = +Inf, the mathematical value.
	"Sqrt":  unary(func(x, r adjoint.Expr) adjoint.Expr { return div(half, r) }),
	"Tan":   unary(func(x, r adjoint.Expr) adjoint.Expr { return bin("+", one, sq(r)) }),
	"Tanh":  unary(func(x, r adjoint.Expr) adjoint.Expr { return bin("-", one, sq(r)) }),
	"Trunc": zeroRule(),
	"Y0":    unary(func(x, r adjoint.Expr) adjoint.Expr { return neg(math_("Y1", x)) }),
	"Y1": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return bin("/", bin("-", math_("Y0", x), math_("Yn", lit("2"), x)), lit("2"))
	}),
	"Yn": partials(nil, func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
		return bin("/", bin("-", math_("Yn", bin("-", a[0], one), a[1]), math_("Yn", bin("+", a[0], one), a[1])), lit("2"))
	}),
}

// builtinRules are the rules of Go's builtin functions with float results.
var builtinRules = map[string]*rule{
	"max": tiesRule(true),
	"min": tiesRule(true),
}
