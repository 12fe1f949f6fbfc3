// Package rules is gradgen's knowledge of calculus: one table, one entry
// per primitive (operator, math function, builtin). Nothing else contains a
// derivative formula; the lowering looks rules up and applies the chain rule
// generically, in either mode.
//
// The contract of a rule: it sees the operands' values (A), the results'
// values (R, which may be reused: exp's derivative is its own result), and
// the results' adjoints (D, nil for a result that does not reach the
// function's value). Its partials (Jac) are data that reverse mode
// multiplies by the results' adjoints (VJP, derived from them) and forward
// mode by the operands' tangents. Rules whose derivative is piecewise (abs,
// max, ...) give guarded partials (Guarded): partials that hold under
// conditions, from which reverse mode writes its code through Ctx.Add
// (Write) and forward mode its tangent (WriteTangent), under the same
// conditions.
package rules

import (
	"go/constant"
	"go/token"
	"math"
	"strconv"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Ctx is what a rule may see.
type Ctx struct {
	A []adjoint.Expr // operand values
	R []adjoint.Expr // result values
	D []adjoint.Expr // result adjoints; nil for a result that needs none
	T adjoint.Type   // type of the first result

	// Add returns the statement that adds e into operand i's adjoint, or
	// nil when operand i has none.
	Add func(i int, e adjoint.Expr) adjoint.Stmt
	// Fresh returns a new local name for a rule's own temporaries.
	Fresh func(base string) string
}

// A Partial is ∂r/∂a of one result r by one operand a, as an expression
// of the operands' and the results' values.
type Partial func(a, r []adjoint.Expr) adjoint.Expr

// A Rule differentiates one primitive.
type Rule struct {
	// Jac holds the primitive's partials as data, Jac[k][i] = ∂rₖ/∂aᵢ (nil
	// for an operand that carries no derivative, an int argument): what
	// every mode builds on. Reverse mode multiplies them by the results'
	// adjoints (vjp), forward mode by the operands' tangents.
	Jac [][]Partial
	// VJP holds, per operand, its share of the adjoint; a nil entry is an
	// operand that carries no derivative (an int argument). Rules built
	// from jac derive it; a few write it out for a cheaper form (x/y's
	// shares divide the adjoint by y once).
	VJP []func(c *Ctx) adjoint.Expr
	// Guarded, when set, gives the partials of a piecewise primitive of n
	// operands in place of Jac and VJP: partials that hold under guards.
	Guarded func(n int) *Guarded
	// Pullback, when set, writes the statements that add into the
	// operands' adjoints, in place of VJP and of Guarded's reverse code:
	// a helper call's pullback, or a cheaper form of guarded partials
	// (max of three operands divides the adjoint by the ties once).
	Pullback func(c *Ctx) []adjoint.Stmt
	// Zero marks a function whose derivative is 0 wherever it exists
	// (Floor): its result is passive and takes no part in the backward sweep.
	Zero bool
	// None explains why the function has no rule; using it is an error.
	None string
	// Variadic marks builtins (min, max) whose operands all share the rule.
	Variadic bool
}

// Piecewise reports whether the rule's reverse code is statements
// (Statements) rather than one expression per operand (VJP).
func (r *Rule) Piecewise() bool { return r.Guarded != nil || r.Pullback != nil }

// Statements writes the reverse code of a piecewise rule: Pullback's
// statements, or those derived from the guarded partials.
func (r *Rule) Statements(c *Ctx) []adjoint.Stmt {
	if r.Pullback != nil {
		return r.Pullback(c)
	}
	return r.Guarded(len(c.A)).Write(c)
}

// UsesResult reports whether the rule's adjoint code reads a result value.
func (r *Rule) UsesResult(nargs int) bool {
	probe := adjoint.Ident{Name: "\x00result"}
	c := &Ctx{
		A: make([]adjoint.Expr, nargs),
		R: []adjoint.Expr{probe, probe},
		D: []adjoint.Expr{adjoint.Id("d0"), adjoint.Id("d1")},
		T: adjoint.Named{Name: "float64"},
	}
	for i := range c.A {
		c.A[i] = adjoint.Id("a")
	}
	c.Fresh = func(base string) string { return base }
	c.Add = func(i int, e adjoint.Expr) adjoint.Stmt {
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
	if r.Piecewise() {
		for _, s := range r.Statements(c) {
			adjoint.WalkStmtExprs(s, visit)
		}
		return found
	}
	for _, f := range r.VJP {
		if f != nil {
			visit(f(c))
		}
	}
	return found
}

// Builders for rule bodies.

// unary is a rule for a one-operand, one-result function whose derivative
// is d(x, r).
func unary(d func(x, r adjoint.Expr) adjoint.Expr) *Rule {
	return FromJac([][]Partial{{func(a, r []adjoint.Expr) adjoint.Expr { return d(a[0], r[0]) }}})
}

// partials is a rule for a one-result function with one derivative per
// operand (nil for an operand without one).
func partials(ds ...func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr) *Rule {
	row := make([]Partial, len(ds))
	for i, d := range ds {
		if d != nil {
			row[i] = func(a, r []adjoint.Expr) adjoint.Expr { return d(a, r[0]) }
		}
	}
	return FromJac([][]Partial{row})
}

// FromJac is the rule whose partials are jac: operand i's share of the
// adjoint is Σₖ ∂rₖ/∂aᵢ · Dₖ, over the results that have an adjoint.
func FromJac(jac [][]Partial) *Rule {
	r := &Rule{Jac: jac}
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
			r.VJP = append(r.VJP, nil)
			continue
		}
		r.VJP = append(r.VJP, func(c *Ctx) adjoint.Expr {
			var sum adjoint.Expr
			for _, k := range ks {
				if k < len(c.D) && c.D[k] != nil {
					sum = adjoint.Add(sum, adjoint.Mul(jac[k][i](c.A, c.R), c.D[k]))
				}
			}
			return sum
		})
	}
	return r
}

func zeroRule() *Rule { return &Rule{Zero: true} }

// divAdj is d / y, written 1 / y when d is the seed 1 (a constant over a
// constant would otherwise be an integer division).
func divAdj(d, y adjoint.Expr) adjoint.Expr {
	if d == nil {
		return nil
	}
	if r, ok := reciprocal(y); ok {
		return adjoint.Mul(d, r)
	}
	return adjoint.Div(d, y)
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
	return adjoint.Literal(strconv.FormatFloat(r, 'g', -1, 64)), true
}

// Operators are the rules of Go's float arithmetic, keyed by operator.
var Operators = map[string]*Rule{
	"+": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One }),
	"-": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.Literal("-1") }),
	"*": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[1] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[0] }),
	// d(x/y)/dy = -x/y² = -r/y: reusing the quotient saves a division,
	// and both shares divide the adjoint by y, which the compiler then
	// computes once.
	"/": {
		Jac: [][]Partial{{
			func(a, r []adjoint.Expr) adjoint.Expr { return adjoint.Div(adjoint.One, a[1]) },
			func(a, r []adjoint.Expr) adjoint.Expr { return adjoint.Neg(adjoint.Div(r[0], a[1])) },
		}},
		VJP: []func(*Ctx) adjoint.Expr{
			func(c *Ctx) adjoint.Expr { return divAdj(c.D[0], c.A[1]) },
			func(c *Ctx) adjoint.Expr { return adjoint.Neg(adjoint.Mul(c.R[0], divAdj(c.D[0], c.A[1]))) },
		}},
	"neg": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.Literal("-1") }),
	// copy is plain assignment, a = b.
	"copy": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One }),
}

// Conversion is the rule of a conversion between float types: the adjoint
// flows back converted to the operand's type, which the lowering supplies
// as T of a Ctx built for the operand.
var Conversion = &Rule{VJP: []func(*Ctx) adjoint.Expr{
	func(c *Ctx) adjoint.Expr {
		return adjoint.Call{Fun: adjoint.TypeExpr{Type: c.T}, Args: []adjoint.Expr{c.D[0]}}
	},
}}

// tiesRule is the rule of max and min (math.Max, math.Min and the builtins):
// the adjoint goes to the chosen operand, split equally among tied ones.
func tiesRule(variadic bool) *Rule {
	return &Rule{Variadic: variadic, Guarded: ties, Pullback: func(c *Ctx) []adjoint.Stmt {
		if len(c.A) < 3 {
			return ties(len(c.A)).Write(c)
		}
		// Three or more operands: the adjoint is divided by the ties once.
		g := ties(len(c.A))
		t := adjoint.Id(c.Fresh(g.Lets[0].Base))
		out := g.Lets[0].Init(Vals{A: c.A, R: c.R, T: c.T}, t)
		share := adjoint.Id(c.Fresh("share"))
		out = append(out, adjoint.Set(share, ":=", adjoint.Div(c.D[0], adjoint.Call{Fun: adjoint.TypeExpr{Type: c.T}, Args: []adjoint.Expr{t}})))
		for i, a := range c.A {
			out = append(out, adjoint.IfElse(adjoint.Bin("==", a, c.R[0]), adjoint.Stmts(c.Add(i, share)), nil)...)
		}
		return out
	}}
}

// ties are the guarded partials of max and min of n operands: the
// operand equal to the result has partial 1, and tied operands share it.
// Comparing the operands with the result picks the chosen one for max and
// min alike.
func ties(n int) *Guarded {
	switch n {
	case 1:
		return &Guarded{Chains: [][]Piece{{{Jac: [][]func(Vals) adjoint.Expr{{always(adjoint.One)}}}}}}
	case 2:
		return &Guarded{Chains: [][]Piece{{
			{When: func(v Vals) adjoint.Expr { return adjoint.Bin("==", v.A[0], v.A[1]) },
				Jac: [][]func(Vals) adjoint.Expr{{always(half), always(half)}}},
			{When: func(v Vals) adjoint.Expr { return adjoint.Bin("==", v.A[0], v.R[0]) },
				Jac: [][]func(Vals) adjoint.Expr{{always(adjoint.One), nil}}},
			{Jac: [][]func(Vals) adjoint.Expr{{nil, always(adjoint.One)}}},
		}}}
	}
	g := &Guarded{Lets: []Let{{Base: "ties", Init: func(v Vals, t adjoint.Expr) []adjoint.Stmt {
		out := []adjoint.Stmt{adjoint.Set(t, ":=", adjoint.Literal("0"))}
		for _, a := range v.A {
			out = append(out, adjoint.IfElse(adjoint.Bin("==", a, v.R[0]), adjoint.Stmts(adjoint.IncDec{X: t, Inc: true}), nil)...)
		}
		return out
	}}}}
	for i := range n {
		row := make([]func(Vals) adjoint.Expr, n)
		row[i] = func(v Vals) adjoint.Expr {
			return adjoint.Div(adjoint.One, adjoint.Call{Fun: adjoint.TypeExpr{Type: v.T}, Args: []adjoint.Expr{v.Lets[0]}})
		}
		g.Chains = append(g.Chains, []Piece{{
			When: func(v Vals) adjoint.Expr { return adjoint.Bin("==", v.A[i], v.R[0]) },
			Jac:  [][]func(Vals) adjoint.Expr{row},
		}})
	}
	return g
}

// Math are the rules of package math, keyed by function name. Every
// function with float operands and a float result is here; functions whose
// result is not a float (Signbit, Ilogb, Float64bits) never carry a
// derivative and need no entry.
var Math = map[string]*Rule{
	// Abs'(0) = 0.
	"Abs": {Guarded: one(&Guarded{Chains: [][]Piece{{
		{When: func(v Vals) adjoint.Expr { return adjoint.Bin(">", v.A[0], adjoint.Literal("0")) }, Jac: [][]func(Vals) adjoint.Expr{{always(adjoint.One)}}},
		{When: func(v Vals) adjoint.Expr { return adjoint.Bin("<", v.A[0], adjoint.Literal("0")) }, Jac: [][]func(Vals) adjoint.Expr{{always(adjoint.Literal("-1"))}}},
	}}})},
	"Acos": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Neg(adjoint.Div(adjoint.One, adjoint.MathCall("Sqrt", adjoint.Bin("-", adjoint.One, adjoint.Sq(x)))))
	}),
	"Acosh": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.MathCall("Sqrt", adjoint.Bin("-", adjoint.Sq(x), adjoint.One)))
	}),
	"Asin": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.MathCall("Sqrt", adjoint.Bin("-", adjoint.One, adjoint.Sq(x))))
	}),
	"Asinh": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.MathCall("Sqrt", adjoint.Bin("+", adjoint.Sq(x), adjoint.One)))
	}),
	"Atan": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("+", adjoint.One, adjoint.Sq(x)))
	}),
	// Atan2(y, x): ∂y = x/(x²+y²), ∂x = −y/(x²+y²), written through
	// h = Hypot(y, x) so that tiny or huge operands neither underflow nor
	// overflow; 0 at (0, 0), like Hypot.
	"Atan2": {Guarded: one(&Guarded{
		Lets: []Let{{Base: "h", Init: func(v Vals, h adjoint.Expr) []adjoint.Stmt {
			return adjoint.Stmts(adjoint.Set(h, ":=", adjoint.MathCall("Hypot", v.A[0], v.A[1])))
		}}},
		Chains: [][]Piece{{{
			When: func(v Vals) adjoint.Expr { return adjoint.Bin("!=", v.Lets[0], adjoint.Literal("0")) },
			Jac: [][]func(Vals) adjoint.Expr{{
				func(v Vals) adjoint.Expr { return adjoint.Div(adjoint.Div(v.A[1], v.Lets[0]), v.Lets[0]) },
				func(v Vals) adjoint.Expr { return adjoint.Neg(adjoint.Div(adjoint.Div(v.A[0], v.Lets[0]), v.Lets[0])) },
			}},
		}}},
	})},
	"Atanh": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("-", adjoint.One, adjoint.Sq(x)))
	}),
	// Cbrt'(x) = 1/(3 r²): +Inf at 0, like Sqrt.
	"Cbrt": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("*", adjoint.Literal("3"), adjoint.Sq(r)))
	}),
	"Ceil": zeroRule(),
	// Copysign(x, y) = ±|x|: the sign flips x's derivative when the signs differ.
	"Copysign": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
			return adjoint.Bin("*", adjoint.MathCall("Copysign", adjoint.One, a[0]), adjoint.MathCall("Copysign", adjoint.One, a[1]))
		},
		nil),
	"Cos":  unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Neg(adjoint.MathCall("Sin", x)) }),
	"Cosh": unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.MathCall("Sinh", x) }),
	// Dim(x, y) = max(x-y, 0): at x == y the tie is split like max's.
	"Dim": {Guarded: one(&Guarded{Chains: [][]Piece{{
		{When: func(v Vals) adjoint.Expr { return adjoint.Bin(">", v.A[0], v.A[1]) },
			Jac: [][]func(Vals) adjoint.Expr{{always(adjoint.One), always(adjoint.Literal("-1"))}}},
		{When: func(v Vals) adjoint.Expr { return adjoint.Bin("==", v.A[0], v.A[1]) },
			Jac: [][]func(Vals) adjoint.Expr{{always(half), always(adjoint.Neg(half))}}},
	}}})},
	"Erf": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("*", adjoint.Bin("/", adjoint.Literal("2"), adjoint.MathConst("SqrtPi")), adjoint.MathCall("Exp", adjoint.Neg(adjoint.Sq(x))))
	}),
	"Erfc": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("*", adjoint.Bin("/", adjoint.Literal("-2"), adjoint.MathConst("SqrtPi")), adjoint.MathCall("Exp", adjoint.Neg(adjoint.Sq(x))))
	}),
	"Erfinv": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("*", adjoint.Bin("/", adjoint.MathConst("SqrtPi"), adjoint.Literal("2")), adjoint.MathCall("Exp", adjoint.Sq(r)))
	}),
	"Erfcinv": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("*", adjoint.Bin("/", adjoint.MathConst("SqrtPi"), adjoint.Literal("-2")), adjoint.MathCall("Exp", adjoint.Sq(r)))
	}),
	"Exp":   unary(func(x, r adjoint.Expr) adjoint.Expr { return r }),
	"Exp2":  unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Bin("*", r, adjoint.MathConst("Ln2")) }),
	"Expm1": unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Bin("+", r, adjoint.One) }),
	"FMA": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[1] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return a[0] },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One }),
	"Floor": zeroRule(),
	// Frexp(x) = (x·2^-e, e): the fraction scales x by 2^-e.
	"Frexp": FromJac([][]Partial{
		{func(a, r []adjoint.Expr) adjoint.Expr {
			return adjoint.MathCall("Ldexp", adjoint.One, adjoint.Neg(r[1]))
		}},
		{nil}, // the exponent, an int
	}),
	"Gamma": {None: "math.Gamma has no elementary derivative (it needs the digamma function)"},
	// Hypot at (0, 0): 0.
	"Hypot": {Guarded: one(&Guarded{Chains: [][]Piece{{{
		When: func(v Vals) adjoint.Expr { return adjoint.Bin("!=", v.R[0], adjoint.Literal("0")) },
		Jac: [][]func(Vals) adjoint.Expr{{
			func(v Vals) adjoint.Expr { return adjoint.Div(v.A[0], v.R[0]) },
			func(v Vals) adjoint.Expr { return adjoint.Div(v.A[1], v.R[0]) },
		}},
	}}}})},
	"J0": unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Neg(adjoint.MathCall("J1", x)) }),
	// J1' = (J0 - J2)/2, which is finite at 0, unlike J0 - J1/x.
	"J1": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("/", adjoint.Bin("-", adjoint.MathCall("J0", x), adjoint.MathCall("Jn", adjoint.Literal("2"), x)), adjoint.Literal("2"))
	}),
	"Jn": partials(nil, func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("/", adjoint.Bin("-", adjoint.MathCall("Jn", adjoint.Bin("-", a[0], adjoint.One), a[1]), adjoint.MathCall("Jn", adjoint.Bin("+", a[0], adjoint.One), a[1])), adjoint.Literal("2"))
	}),
	"Ldexp": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
		return adjoint.MathCall("Ldexp", adjoint.One, a[1])
	}, nil),
	"Lgamma": {None: "math.Lgamma has no elementary derivative (it needs the digamma function)"},
	"Log":    unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Div(adjoint.One, x) }),
	"Log10": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("*", x, adjoint.MathConst("Ln10")))
	}),
	"Log1p": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("+", adjoint.One, x))
	}),
	"Log2": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Div(adjoint.One, adjoint.Bin("*", x, adjoint.MathConst("Ln2")))
	}),
	"Logb": zeroRule(),
	"Max":  tiesRule(false),
	"Min":  tiesRule(false),
	// Mod(x, y) = x - y·Trunc(x/y).
	"Mod": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
			return adjoint.Neg(adjoint.MathCall("Trunc", adjoint.Bin("/", a[0], a[1])))
		}),
	// Modf(f) = (int, frac): only the fraction varies with f.
	"Modf": FromJac([][]Partial{
		{nil},
		{func(a, r []adjoint.Expr) adjoint.Expr { return adjoint.One }},
	}),
	"Nextafter":   partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One }, nil),
	"Nextafter32": partials(func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One }, nil),
	// Pow(x, y): ∂x = y·x^(y−1); ∂y = x^y·ln x, and 0 when x == 0.
	"Pow": {Guarded: one(&Guarded{Chains: [][]Piece{
		// Pow(x, 0) is 1 for every x: ∂x is 0, where y·x^(y−1) is 0·Inf =
		// NaN at x = 0. The guard excludes that point alone: at y = 0 and
		// x ≠ 0 the partial is 0 and its own derivative by y, x^−1, which
		// a Hessian differentiates it for, must stay.
		{{
			When: func(v Vals) adjoint.Expr {
				if adjoint.IsConstant(v.A[1]) {
					return nil
				}
				return adjoint.Bin("||", adjoint.Bin("!=", v.A[1], adjoint.Literal("0")), adjoint.Bin("!=", v.A[0], adjoint.Literal("0")))
			},
			Jac: [][]func(Vals) adjoint.Expr{{func(v Vals) adjoint.Expr {
				if adjoint.IsLit(v.A[1], "0") {
					return nil
				}
				return adjoint.Bin("*", v.A[1], adjoint.MathCall("Pow", v.A[0], adjoint.Bin("-", v.A[1], adjoint.One)))
			}, nil}},
		}},
		{{
			When: func(v Vals) adjoint.Expr { return adjoint.Bin("!=", v.A[0], adjoint.Literal("0")) },
			Jac: [][]func(Vals) adjoint.Expr{{nil, func(v Vals) adjoint.Expr {
				return adjoint.Bin("*", v.R[0], adjoint.MathCall("Log", v.A[0]))
			}}},
		}},
	}})},
	// Remainder(x, y) = x - n·y with n = (x - r)/y, a whole number.
	"Remainder": partials(
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr { return adjoint.One },
		func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
			return adjoint.Neg(adjoint.MathCall("RoundToEven", adjoint.Bin("/", adjoint.Bin("-", a[0], r), a[1])))
		}),
	"Round":       zeroRule(),
	"RoundToEven": zeroRule(),
	"Sin":         unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.MathCall("Cos", x) }),
	// Sincos(x) = (sin x, cos x).
	"Sincos": FromJac([][]Partial{
		{func(a, r []adjoint.Expr) adjoint.Expr { return r[1] }},
		{func(a, r []adjoint.Expr) adjoint.Expr { return adjoint.Neg(r[0]) }},
	}),
	"Sinh": unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.MathCall("Cosh", x) }),
	// Sqrt'(0) = +Inf, the mathematical value.
	"Sqrt":  unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Div(adjoint.Half, r) }),
	"Tan":   unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Bin("+", adjoint.One, adjoint.Sq(r)) }),
	"Tanh":  unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Bin("-", adjoint.One, adjoint.Sq(r)) }),
	"Trunc": zeroRule(),
	"Y0":    unary(func(x, r adjoint.Expr) adjoint.Expr { return adjoint.Neg(adjoint.MathCall("Y1", x)) }),
	"Y1": unary(func(x, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("/", adjoint.Bin("-", adjoint.MathCall("Y0", x), adjoint.MathCall("Yn", adjoint.Literal("2"), x)), adjoint.Literal("2"))
	}),
	"Yn": partials(nil, func(a []adjoint.Expr, r adjoint.Expr) adjoint.Expr {
		return adjoint.Bin("/", adjoint.Bin("-", adjoint.MathCall("Yn", adjoint.Bin("-", a[0], adjoint.One), a[1]), adjoint.MathCall("Yn", adjoint.Bin("+", a[0], adjoint.One), a[1])), adjoint.Literal("2"))
	}),
}

// Builtins are the rules of Go's builtin functions with float results.
var Builtins = map[string]*Rule{
	"max": tiesRule(true),
	"min": tiesRule(true),
}
