package rules

import (
	"fmt"
	"go/constant"
	"go/token"
	"maps"
	"math"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// The rule table's partials are data (Rule.Jac) that every mode builds on.
// These tests evaluate them, as the generated code would, and check them
// against central differences of the function they belong to, and the
// reverse-mode shares derived from them against Σₖ ∂rₖ/∂aᵢ · Dₖ.

// mathFuncs are the functions of package math the partials may call, and
// those whose partials are checked, by name.
var mathFuncs = map[string]func(a []float64) []float64{
	"Acos": f1(math.Acos), "Acosh": f1(math.Acosh), "Asin": f1(math.Asin), "Asinh": f1(math.Asinh),
	"Atan": f1(math.Atan), "Atanh": f1(math.Atanh), "Cbrt": f1(math.Cbrt), "Cos": f1(math.Cos),
	"Cosh": f1(math.Cosh), "Erf": f1(math.Erf), "Erfc": f1(math.Erfc), "Erfinv": f1(math.Erfinv),
	"Erfcinv": f1(math.Erfcinv), "Exp": f1(math.Exp), "Exp2": f1(math.Exp2), "Expm1": f1(math.Expm1),
	"J0": f1(math.J0), "J1": f1(math.J1), "Log": f1(math.Log), "Log10": f1(math.Log10),
	"Log1p": f1(math.Log1p), "Log2": f1(math.Log2), "Sin": f1(math.Sin), "Sinh": f1(math.Sinh),
	"Sqrt": f1(math.Sqrt), "Tan": f1(math.Tan), "Tanh": f1(math.Tanh), "Y0": f1(math.Y0),
	"Y1": f1(math.Y1), "Trunc": f1(math.Trunc), "RoundToEven": f1(math.RoundToEven),
	"Copysign": f2(math.Copysign), "Mod": f2(math.Mod), "Remainder": f2(math.Remainder),
	"FMA":       func(a []float64) []float64 { return []float64{math.FMA(a[0], a[1], a[2])} },
	"Jn":        func(a []float64) []float64 { return []float64{math.Jn(int(a[0]), a[1])} },
	"Yn":        func(a []float64) []float64 { return []float64{math.Yn(int(a[0]), a[1])} },
	"Ldexp":     func(a []float64) []float64 { return []float64{math.Ldexp(a[0], int(a[1]))} },
	"Nextafter": f2(math.Nextafter),
	// Guarded rules' partials call these; they have no Jac to check here.
	"Hypot": f2(math.Hypot), "Pow": f2(math.Pow),
	"Nextafter32": func(a []float64) []float64 {
		return []float64{float64(math.Nextafter32(float32(a[0]), float32(a[1])))}
	},
	"Frexp": func(a []float64) []float64 {
		f, e := math.Frexp(a[0])
		return []float64{f, float64(e)}
	},
	"Modf": func(a []float64) []float64 {
		i, f := math.Modf(a[0])
		return []float64{i, f}
	},
	"Sincos": func(a []float64) []float64 {
		s, c := math.Sincos(a[0])
		return []float64{s, c}
	},
}

func f1(f func(float64) float64) func([]float64) []float64 {
	return func(a []float64) []float64 { return []float64{f(a[0])} }
}

func f2(f func(float64, float64) float64) func([]float64) []float64 {
	return func(a []float64) []float64 { return []float64{f(a[0], a[1])} }
}

// eval evaluates an expression of a partial: literals, the names a0, a1,
// ... and r0, r1, ..., arithmetic, and calls and constants of package math.
func eval(e adjoint.Expr, env map[string]float64) float64 {
	switch e := e.(type) {
	case adjoint.Lit:
		v, _ := constant.Float64Val(constant.MakeFromLiteral(e.Text, token.FLOAT, 0))
		return v
	case adjoint.Ident:
		v, ok := env[e.Name]
		if !ok {
			panic("unknown name " + e.Name)
		}
		return v
	case adjoint.Paren:
		return eval(e.X, env)
	case adjoint.Unary:
		switch e.Op {
		case "-":
			return -eval(e.X, env)
		case "!":
			return truth(eval(e.X, env) == 0)
		}
		return eval(e.X, env)
	case adjoint.Binary:
		x, y := eval(e.X, env), eval(e.Y, env)
		switch e.Op {
		// Conditions of guarded partials: 1 for true, 0 for false.
		case "==":
			return truth(x == y)
		case "!=":
			return truth(x != y)
		case "<":
			return truth(x < y)
		case ">":
			return truth(x > y)
		case "||":
			return truth(x != 0 || y != 0)
		case "&&":
			return truth(x != 0 && y != 0)
		case "+":
			return x + y
		case "-":
			return x - y
		case "*":
			return x * y
		case "/":
			return x / y
		}
	case adjoint.Qual:
		switch e.Name {
		case "SqrtPi":
			return math.SqrtPi
		case "Ln2":
			return math.Ln2
		case "Ln10":
			return math.Ln10
		}
	case adjoint.Call:
		if _, conv := e.Fun.(adjoint.TypeExpr); conv && len(e.Args) == 1 {
			return eval(e.Args[0], env) // float64(ties)
		}
		if q, ok := e.Fun.(adjoint.Qual); ok && q.Path == "math" {
			args := make([]float64, len(e.Args))
			for i, a := range e.Args {
				args[i] = eval(a, env)
			}
			if f, ok := mathFuncs[q.Name]; ok {
				return f(args)[0]
			}
		}
	}
	panic(fmt.Sprintf("cannot evaluate %s", adjoint.ExprString(e)))
}

// truth is a condition's value as eval gives it.
func truth(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

// rulePoints are points inside each function's domain, away from kinks.
var rulePoints = map[string][][]float64{
	"Acos": {{0.3}, {-0.6}}, "Asin": {{0.3}, {-0.6}}, "Atanh": {{0.3}, {-0.6}},
	"Acosh": {{1.5}, {3}}, "Erfinv": {{0.3}, {-0.6}}, "Erfcinv": {{0.4}, {1.5}},
	"Log": {{0.7}, {2.5}}, "Log10": {{0.7}, {2.5}}, "Log2": {{0.7}, {2.5}}, "Log1p": {{0.7}, {-0.5}},
	"Sqrt": {{0.7}, {2.5}}, "Trunc": {{0.7}, {-2.5}}, "RoundToEven": {{0.7}, {-2.3}},
	"Copysign": {{0.7, -2}, {-1.3, 0.5}}, "Mod": {{5.3, 1.7}, {-4.1, 1.5}}, "Remainder": {{5.3, 1.7}, {-4.1, 1.5}},
	"FMA": {{0.7, -2, 0.3}}, "Jn": {{2, 1.3}, {3, 0.7}}, "Yn": {{2, 1.3}, {3, 0.7}}, "Ldexp": {{0.7, 3}},
	"Nextafter": {{0.7, 2}}, "Nextafter32": {{0.75, 2}}, "Frexp": {{0.7}, {-5.3}}, "Modf": {{0.7}, {-5.3}},
}

// operatorFuncs are Go's float operators, by the rule table's keys.
var operatorFuncs = map[string]func(a []float64) []float64{
	"+":    f2(func(x, y float64) float64 { return x + y }),
	"-":    f2(func(x, y float64) float64 { return x - y }),
	"*":    f2(func(x, y float64) float64 { return x * y }),
	"/":    f2(func(x, y float64) float64 { return x / y }),
	"neg":  f1(func(x float64) float64 { return -x }),
	"copy": f1(func(x float64) float64 { return x }),
}

func TestRulePartials(t *testing.T) {
	checked := 0
	rules, funcs, at := maps.Clone(Math), maps.Clone(mathFuncs), maps.Clone(rulePoints)
	for name, r := range Operators {
		rules[name], funcs[name] = r, operatorFuncs[name]
		at[name] = [][]float64{{0.7, -1.3}, {2.5, 0.4}}
	}
	for name, r := range rules {
		if r.Jac == nil {
			continue
		}
		f, ok := funcs[name]
		if !ok {
			t.Errorf("%s: a rule with partials but no function to check them against", name)
			continue
		}
		points := at[name]
		if points == nil {
			points = [][]float64{{0.37}, {-1.2}}
		}
		for _, at := range points {
			res := f(at)
			env := map[string]float64{}
			A, R := make([]adjoint.Expr, len(at)), make([]adjoint.Expr, len(res))
			for i, v := range at {
				A[i] = adjoint.Id(fmt.Sprintf("a%d", i))
				env[fmt.Sprintf("a%d", i)] = v
			}
			for k, v := range res {
				R[k] = adjoint.Id(fmt.Sprintf("r%d", k))
				env[fmt.Sprintf("r%d", k)] = v
			}
			for k, row := range r.Jac {
				for i, p := range row {
					if p == nil {
						continue
					}
					got := eval(p(A, R), env)
					h, tol := 1e-6*math.Max(1, math.Abs(at[i])), 1e-6
					if name == "Nextafter32" {
						h, tol = 1e-2, 1e-4 // float32 rounding
					}
					up, down := append([]float64(nil), at...), append([]float64(nil), at...)
					up[i] += h
					down[i] -= h
					want := (f(up)[k] - f(down)[k]) / (2 * h)
					if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
						t.Errorf("%s at %v: ∂r%d/∂a%d = %g, central differences %g", name, at, k, i, got, want)
					}
					checked++
				}
			}
			// The reverse-mode shares are Σₖ ∂rₖ/∂aᵢ · Dₖ.
			D := make([]adjoint.Expr, len(res))
			for k := range D {
				D[k] = adjoint.Id(fmt.Sprintf("d%d", k))
				env[fmt.Sprintf("d%d", k)] = 0.5 + float64(k)
			}
			c := &Ctx{A: A, R: R, D: D}
			for i, vjp := range r.VJP {
				if vjp == nil {
					continue
				}
				want := 0.0
				for k, row := range r.Jac {
					if i < len(row) && row[i] != nil {
						want += eval(row[i](A, R), env) * env[fmt.Sprintf("d%d", k)]
					}
				}
				if got := eval(vjp(c), env); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("%s at %v: operand %d's share %g, Σ partial·adjoint %g", name, at, i, got, want)
				}
			}
		}
	}
	if checked < 80 {
		t.Errorf("checked %d partials; the table has more", checked)
	}
}
