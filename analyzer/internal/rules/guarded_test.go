package rules

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Guarded partials are checked as the generated code runs them: the
// statements both modes write from them are interpreted, and each
// operand's share is compared with central differences away from the
// kinks, with the documented convention at them (Abs'(0) = 0, tied
// operands share), and forward mode's tangent with Σ share·tangent.

func TestGuardedPartials(t *testing.T) {
	maxN := func(a []float64) float64 { return slices.Max(a) }
	minN := func(a []float64) float64 { return slices.Min(a) }
	tests := []struct {
		rule *Rule
		name string
		f    func(a []float64) float64
		at   []float64
		want []float64 // the shares at a kink; nil: central differences
	}{
		{Math["Abs"], "Abs", func(a []float64) float64 { return math.Abs(a[0]) }, []float64{-1.5}, nil},
		{Math["Abs"], "Abs", func(a []float64) float64 { return math.Abs(a[0]) }, []float64{0.7}, nil},
		{Math["Abs"], "Abs", func(a []float64) float64 { return math.Abs(a[0]) }, []float64{0}, []float64{0}},
		{Math["Atan2"], "Atan2", func(a []float64) float64 { return math.Atan2(a[0], a[1]) }, []float64{0.4, -1.3}, nil},
		{Math["Atan2"], "Atan2", func(a []float64) float64 { return math.Atan2(a[0], a[1]) }, []float64{0, 0}, []float64{0, 0}},
		{Math["Dim"], "Dim", func(a []float64) float64 { return math.Dim(a[0], a[1]) }, []float64{2, 0.5}, nil},
		{Math["Dim"], "Dim", func(a []float64) float64 { return math.Dim(a[0], a[1]) }, []float64{-2, 0.5}, nil},
		{Math["Dim"], "Dim", func(a []float64) float64 { return math.Dim(a[0], a[1]) }, []float64{1, 1}, []float64{0.5, -0.5}},
		{Math["Hypot"], "Hypot", func(a []float64) float64 { return math.Hypot(a[0], a[1]) }, []float64{3, -4}, nil},
		{Math["Hypot"], "Hypot", func(a []float64) float64 { return math.Hypot(a[0], a[1]) }, []float64{0, 0}, []float64{0, 0}},
		{Math["Pow"], "Pow", func(a []float64) float64 { return math.Pow(a[0], a[1]) }, []float64{1.7, 2.3}, nil},
		{Math["Pow"], "Pow", func(a []float64) float64 { return math.Pow(a[0], a[1]) }, []float64{0, 2.5}, []float64{0, 0}},
		{Math["Pow"], "Pow", func(a []float64) float64 { return math.Pow(a[0], a[1]) }, []float64{0, 0}, []float64{0, 0}},
		{Math["Max"], "Max", maxN, []float64{0.3, -2}, nil},
		{Math["Max"], "Max", maxN, []float64{-0.3, 2}, nil},
		{Math["Max"], "Max", maxN, []float64{1, 1}, []float64{0.5, 0.5}},
		{Math["Min"], "Min", minN, []float64{0.3, -2}, nil},
		{Builtins["max"], "max", maxN, []float64{0.3}, nil},
		{Builtins["max"], "max", maxN, []float64{0.3, 2, -1}, nil},
		{Builtins["max"], "max", maxN, []float64{2, 0.3, 2}, []float64{0.5, 0, 0.5}},
		{Builtins["min"], "min", minN, []float64{-1, -1, -1}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{Builtins["min"], "min", minN, []float64{0.3, 2, -1, 5}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s%v", tt.name, tt.at), func(t *testing.T) {
			env := map[string]float64{"r0": tt.f(tt.at), "d0": 1.5}
			A, tangents := make([]adjoint.Expr, len(tt.at)), make([]adjoint.Expr, len(tt.at))
			for i, v := range tt.at {
				A[i], tangents[i] = adjoint.Id(fmt.Sprintf("a%d", i)), adjoint.Id(fmt.Sprintf("t%d", i))
				env[fmt.Sprintf("a%d", i)], env[fmt.Sprintf("t%d", i)] = v, 0.25+float64(i)
			}
			want := tt.want
			if want == nil {
				want = centralShares(tt.f, tt.at)
			}
			R := []adjoint.Expr{adjoint.Id("r0")}
			fresh := func(base string) string { return base }
			// Reverse mode: the derived code, and the rule's own (Pullback)
			// where it writes one, each add d0 · share into adjoint i.
			codes := map[string][]adjoint.Stmt{}
			for _, form := range []string{"derived", "statements"} {
				c := &Ctx{A: A, R: R, D: []adjoint.Expr{adjoint.Id("d0")}, T: adjoint.Named{Name: "float64"}, Fresh: fresh,
					Add: func(i int, e adjoint.Expr) adjoint.Stmt {
						return adjoint.Set(adjoint.Id(fmt.Sprintf("g%d", i)), "+=", e)
					}}
				if form == "derived" {
					codes[form] = tt.rule.Guarded(len(A)).Write(c)
				} else {
					codes[form] = tt.rule.Statements(c)
				}
			}
			for form, code := range codes {
				got := run(code, env)
				for i := range want {
					if g := got[fmt.Sprintf("g%d", i)] / env["d0"]; !close(g, want[i]) {
						t.Errorf("%s reverse code: share of operand %d is %g, want %g\n%s", form, i, g, want[i], codeString(code))
					}
				}
			}
			// Forward mode: Σ share·tangent into the result's tangent.
			code := tt.rule.Guarded(len(A)).WriteTangent(Vals{A: A, R: R, T: adjoint.Named{Name: "float64"}}, tangents, fresh,
				func(e adjoint.Expr) adjoint.Stmt { return adjoint.Set(adjoint.Id("tan"), "+=", e) })
			wantTan := 0.0
			for i, w := range want {
				wantTan += w * env[fmt.Sprintf("t%d", i)]
			}
			if got := run(code, env)["tan"]; !close(got, wantTan) {
				t.Errorf("forward code: tangent %g, want %g\n%s", got, wantTan, codeString(code))
			}
		})
	}
}

// centralShares are f's partials at x by central differences.
func centralShares(f func([]float64) float64, x []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		h := 1e-6 * math.Max(1, math.Abs(x[i]))
		up, down := slices.Clone(x), slices.Clone(x)
		up[i] += h
		down[i] -= h
		out[i] = (f(up) - f(down)) / (2 * h)
	}
	return out
}

func close(got, want float64) bool {
	return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want))
}

// run interprets the statements guarded partials are written as, in a
// copy of env, and returns the variables they set.
func run(code []adjoint.Stmt, env map[string]float64) map[string]float64 {
	vars := map[string]float64{}
	lookup := func(e adjoint.Expr) float64 {
		local := map[string]float64{}
		for k, v := range env {
			local[k] = v
		}
		for k, v := range vars {
			local[k] = v
		}
		return eval(e, local)
	}
	var exec func([]adjoint.Stmt)
	exec = func(ss []adjoint.Stmt) {
		for _, s := range ss {
			switch s := s.(type) {
			case adjoint.Assign:
				name := adjoint.ExprString(s.Lhs[0])
				v := lookup(s.Rhs[0])
				switch s.Op {
				case ":=", "=":
					vars[name] = v
				case "+=":
					vars[name] += v
				case "-=":
					vars[name] -= v
				default:
					panic("assignment " + s.Op)
				}
			case adjoint.IncDec:
				vars[adjoint.ExprString(s.X)]++
			case adjoint.If:
				if lookup(s.Cond) != 0 {
					exec(s.Then)
				} else {
					exec(s.Else)
				}
			default:
				panic(fmt.Sprintf("statement %T", s))
			}
		}
	}
	exec(code)
	return vars
}

func codeString(code []adjoint.Stmt) string {
	var out string
	for _, s := range code {
		out += adjoint.StmtString(s) + "\n"
	}
	return out
}
