package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A program generator for differential testing: random annotated
// functions built from the rules, locals, reassignments, branches, loops,
// slices and helper calls, whose generated gradients are compared with
// finite differences. The functions are smooth where they are evaluated
// (branches depend on integers only), so any disagreement is gradgen's.

type progGen struct {
	rng    *rand.Rand
	b      strings.Builder
	vars   []string // float locals in scope
	indent string
}

// unary functions with their safe forms: each maps any float to a value
// where the function and its derivative are smooth.
var safeUnary = []string{
	"math.Sin(%s)", "math.Cos(%s)", "math.Tanh(%s)", "math.Atan(%s)",
	"math.Exp(math.Sin(%s))", "math.Sqrt(1 + %s*%s)", "math.Log(2 + math.Cos(%s))",
	"math.Hypot(%s, 0.5)", "math.Erf(%s)", "math.Cbrt(2 + math.Sin(%s))", "sq(math.Tanh(%s))",
	"softsign(%s)", "math.Asinh(%s)", "math.Pow(1.5 + math.Sin(%s), 1.3)",
}

func (g *progGen) expr(depth int) string {
	if depth <= 0 || g.rng.IntN(3) == 0 {
		switch g.rng.IntN(4) {
		case 0:
			return fmt.Sprintf("%.2f", g.rng.Float64()*4-2)
		case 1:
			return fmt.Sprintf("%s[%d]", []string{"w", "h"}[g.rng.IntN(2)], g.rng.IntN(3))
		default:
			return g.vars[g.rng.IntN(len(g.vars))]
		}
	}
	switch g.rng.IntN(6) {
	case 0, 1:
		ops := []string{"+", "-", "*"}
		return "(" + g.expr(depth-1) + " " + ops[g.rng.IntN(3)] + " " + g.expr(depth-1) + ")"
	case 2:
		return "(" + g.expr(depth-1) + ") / (2 + math.Sin(" + g.expr(depth-1) + "))"
	case 3:
		return "dot3(" + []string{"w", "h"}[g.rng.IntN(2)] + ", " + g.expr(depth-1) + ")"
	default:
		f := safeUnary[g.rng.IntN(len(safeUnary))]
		arg := g.expr(depth - 1)
		return strings.ReplaceAll(f, "%s", arg)
	}
}

func (g *progGen) line(format string, args ...any) {
	fmt.Fprintf(&g.b, g.indent+format+"\n", args...)
}

func (g *progGen) stmt(depth int) {
	switch k := g.rng.IntN(10); {
	case k < 4 || depth <= 0:
		if len(g.vars) < 5 && g.rng.IntN(2) == 0 {
			name := fmt.Sprintf("v%d", len(g.vars))
			g.line("%s := %s", name, g.expr(3))
			g.vars = append(g.vars, name)
			return
		}
		// Values stay bounded (a factor in (0.5, 1.5), a sum damped by
		// tanh): unbounded growth would make finite differences useless.
		v := g.vars[g.rng.IntN(len(g.vars))]
		switch g.rng.IntN(4) {
		case 0:
			g.line("%s = %s", v, g.expr(2))
		case 1:
			g.line("%s += math.Tanh(%s)", v, g.expr(2))
		case 2:
			g.line("%s -= math.Tanh(%s)", v, g.expr(2))
		default:
			g.line("%s *= 1 + 0.5*math.Tanh(%s)", v, g.expr(2))
		}
	case k < 6:
		g.line("for i := 0; i < %d; i++ {", 1+g.rng.IntN(4))
		g.block(depth - 1)
		g.line("}")
	case k < 8:
		g.line("if n%%%d == %d {", 2+g.rng.IntN(2), g.rng.IntN(2))
		g.block(depth - 1)
		g.line("} else {")
		g.block(depth - 1)
		g.line("}")
	default:
		switch k := g.rng.IntN(3); k {
		case 0:
			g.line("h[%d] = %s", g.rng.IntN(3), g.expr(2))
		case 1:
			g.line("h[%d] += math.Tanh(%s)", g.rng.IntN(3), g.expr(2))
		default:
			g.line("h[%d] *= 1 + 0.5*math.Tanh(%s)", g.rng.IntN(3), g.expr(2))
		}
	}
}

// block writes statements in a nested scope; locals declared there go
// out of scope after it.
func (g *progGen) block(depth int) {
	saved, indent := len(g.vars), g.indent
	g.indent += "\t"
	for range 1 + g.rng.IntN(3) {
		g.stmt(depth)
	}
	g.use(saved)
	g.vars, g.indent = g.vars[:saved], indent
}

// use reads the locals declared since position from, as Go requires, and
// so that they reach the result.
func (g *progGen) use(from int) {
	for _, v := range g.vars[from:] {
		g.line("y += 0.25 * %s", v)
	}
}

func (g *progGen) function(name string) {
	g.vars = []string{"x", "y"}
	g.line("//gradgen:grad wrt=x,y,w")
	g.line("func %s(x, y float64, w []float64, n int) float64 {", name)
	g.indent = "\t"
	g.line("h := make([]float64, 3)")
	g.line("for i := range h {")
	g.line("\th[i] = w[i] * 1.5")
	g.line("}")
	for range 2 + g.rng.IntN(4) {
		g.stmt(2)
	}
	g.use(2)
	g.line("return %s", g.expr(2))
	g.indent = ""
	g.line("}")
	g.line("")
}

const randomPrelude = `package random

import "math"

func sq(x float64) float64 { return x * x }

func softsign(x float64) float64 { return x / (1 + math.Abs(x)) }

func dot3(w []float64, k float64) float64 {
	s := 0.0
	for i := range w {
		s += w[i] * math.Sin(k+float64(i))
	}
	return s
}

`

// randomCheck checks every generated function against central
// differences with Richardson extrapolation, and its value bit for bit.
const randomCheck = `package random

import (
	"math"
	"testing"
)

type fn func(x, y float64, w []float64, n int) float64
type gradFn func(x, y float64, w []float64, n int, dw []float64) (float64, float64, float64)

func TestRandom(t *testing.T) {
	judged, unjudged := 0, 0
	defer func() {
		if unjudged > judged/10 {
			t.Errorf("finite differences could judge only %d of %d gradients", judged, judged+unjudged)
		}
	}()
	for _, c := range cases {
		for _, n := range []int{0, 1, 2, 3} {
			at := []float64{0.3, -0.7, 0.5, 1.1, -0.2}
			eval := func(p []float64) float64 {
				return c.f(p[0], p[1], append([]float64(nil), p[2:]...), n)
			}
			dw := make([]float64, 3)
			v, dx, dy := c.grad(at[0], at[1], append([]float64(nil), at[2:]...), n, dw)
			if want := eval(at); math.Float64bits(v) != math.Float64bits(want) {
				t.Errorf("%s(n=%d): value %v, want %v bit for bit", c.name, n, v, want)
			}
			grad := append([]float64{dx, dy}, dw...)
			for i := range at {
				d := func(h float64) float64 {
					p, m := append([]float64(nil), at...), append([]float64(nil), at...)
					p[i] += h
					m[i] -= h
					return (eval(p) - eval(m)) / (2 * h)
				}
				// Random programs can be badly conditioned (powers of
				// powers, sines of large values): the estimate with the
				// smaller steps is the one compared, and only where it
				// agrees with one from larger steps can it judge.
				fd := (4*d(5e-5) - d(1e-4)) / 3
				fd2 := (4*d(5e-4) - d(1e-3)) / 3
				if !(math.Abs(fd-fd2) <= 1e-6*math.Max(1, math.Abs(fd))) {
					unjudged++
					continue
				}
				judged++
				if !(math.Abs(grad[i]-fd) <= 1e-6*math.Max(1, math.Abs(fd))) {
					t.Errorf("%s(n=%d): ∂/∂arg%d = %.12g, finite differences %.12g", c.name, n, i, grad[i], fd)
				}
			}
		}
	}
}
`

// TestRandomPrograms generates a few hundred random functions, runs
// gradgen on them, checking their adjoint programs after every pass
// (-internal.sanity), and checks their gradients. GRADGEN_RANDOM_SEED
// picks another family of programs.
func TestRandomPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a package")
	}
	seed := uint64(1)
	if s := os.Getenv("GRADGEN_RANDOM_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	const count = 300
	g := &progGen{rng: rand.New(rand.NewPCG(seed, 7))}
	g.b.WriteString(randomPrelude)
	var table strings.Builder
	table.WriteString("package random\n\nvar cases = []struct {\n\tname string\n\tf    fn\n\tgrad gradFn\n}{\n")
	for i := range count {
		name := fmt.Sprintf("R%d", i)
		g.function(name)
		fmt.Fprintf(&table, "\t{%q, %s, %sGrad},\n", name, name, name)
	}
	table.WriteString("}\n")
	dir := t.TempDir()
	if keep := os.Getenv("GRADGEN_RANDOM_DIR"); keep != "" {
		dir = keep // keep the programs, to study a failure
	}
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/random\n\ngo 1.26\n")
	writeFile(t, filepath.Join(dir, "random.go"), g.b.String())
	writeFile(t, filepath.Join(dir, "cases_test.go"), table.String())
	writeFile(t, filepath.Join(dir, "check_test.go"), randomCheck)
	if code, _, stderr := gradgen(t, dir, "-internal.sanity"); code != 0 {
		t.Fatalf("gradgen rejected generated programs (seed %d): %s", seed, stderr)
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		src, _ := os.ReadFile(filepath.Join(dir, "random.go"))
		t.Fatalf("seed %d: %v\n%s\nprograms:\n%.3000s", seed, err, out, src)
	}
}
