package main

import (
	"math"
	"strings"
	"testing"
)

// TestGraphAt evaluates the graphs of the straight-line functions of
// testdata/cases with -at's evaluator and checks each input's ∂R/∂x, the
// backward pass over the graph's edges, against central differences of the
// graph's own forward values: the partials printed on the edges must be the
// derivatives of the expressions printed on the nodes.
func TestGraphAt(t *testing.T) {
	pkgs, err := (&config{patterns: []string{casesDir}}).load()
	if err != nil {
		t.Fatal(err)
	}
	point := map[string]float64{"x": 0.61, "y": 0.37, "z": 0.83}
	checked := 0
	for _, p := range pkgs {
		res := generateFor(p)
		for _, out := range res.Outputs {
			for _, f := range out.Functions {
				if f.Graph == nil || !f.StraightLine {
					continue
				}
				at := map[string]float64{} // the point's values of f's parameters
				for _, name := range f.Graph.Params {
					if v, ok := point[name]; ok {
						at[name] = v
					}
				}
				vals, err := f.Graph.Evaluate(at)
				if err != nil {
					continue // a helper call, an index: not -at's to evaluate
				}
				output := ""
				for _, n := range f.Graph.Nodes {
					if n.Output {
						output = n.Name
					}
				}
				for _, n := range f.Graph.Nodes {
					if !n.Input {
						continue
					}
					h := 1e-6
					shifted := func(d float64) float64 {
						p := map[string]float64{}
						for k, v := range at {
							p[k] = v
						}
						p[n.Name] += d
						v, err := f.Graph.Evaluate(p)
						if err != nil {
							t.Fatalf("%s at %v: %v", f.Name, p, err)
						}
						return v.Value[output]
					}
					fd := (shifted(h) - shifted(-h)) / (2 * h)
					got := vals.Adjoint[n.Name]
					if math.IsNaN(fd) || math.Abs(fd) > 1e6 {
						continue
					}
					if math.Abs(got-fd) > 1e-5*(1+math.Abs(fd)) {
						t.Errorf("%s: ∂R/∂%s = %v over the graph's edges, %v by central differences of its values", f.Name, n.Name, got, fd)
					}
				}
				checked++
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d graphs evaluated", checked)
	}

	// The tutorial's function, worked by hand: R = √(x² + y²) at (3, 4).
	code, stdout, stderr := gradgen(t, "", "-graph", "R", "-at", "x=3,y=4", "../../examples/backprop")
	for _, want := range []string{
		`"x" [label="x = 3\n∂R/∂x = 0.6"`,
		`"w" [label="w = a + b = 25\n∂R/∂w = 0.1"]`,
		`"r" [label="r = math.Sqrt(w) = 5\n∂R/∂R = 1"`,
		`"r" -> "w" [label="∂r/∂w = 0.5 / r = 0.1"]`,
	} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("-graph R -at x=3,y=4: exit %d, want %s in\n%s%s", code, want, stdout, stderr)
		}
	}
	dir := newPackage(t, "package p\n\nimport \"math\"\n\n//gradgen:grad\nfunc Sin(x float64) float64 { return math.Sin(x) }\n\n"+
		"//gradgen:grad\nfunc Ramp(x float64) float64 {\n\tif x > 0 {\n\t\treturn x\n\t}\n\treturn 0\n}\n\n"+
		"//gradgen:grad\nfunc Twice(x float64) float64 { return sq(x) }\n\nfunc sq(x float64) float64 { y := x * x; return y }\n\n"+
		"//gradgen:grad\nfunc Branch(x float64) float64 {\n\tvar l float64\n\tif x > 0 {\n\t\tl = x * x\n\t} else {\n\t\tl = 3 * x\n\t}\n\treturn l\n}\n\n"+
		"type V struct{ X, Y float64 }\n\n//gradgen:grad\nfunc Pair(x, y float64) float64 {\n\tp := V{X: x * y, Y: y}\n\treturn p.X * p.Y\n}\n\n"+
		"//gradgen:grad wrt=x,y\nfunc Hyp(x, y, k float64) float64 {\n\ta := x * x\n\tb := y * y * k\n\treturn math.Sqrt(a + b)\n}\n")
	// Each branch's value is a node, joined by a φ node the result reads
	// (the branches' values were one node before).
	if code, stdout, stderr := gradgen(t, dir, "-graph", "Branch"); code != 0 || !strings.Contains(stdout, `"l′′" [label="l′′ = φ(l, l′)"]`) ||
		!strings.Contains(stdout, `"l′′" -> "l" `) || !strings.Contains(stdout, `"l′′" -> "l′" `) || !strings.Contains(stdout, `"branch" -> "l′′" `) {
		t.Errorf("-graph Branch: exit %d, want a φ node joining both branches' values in\n%s%s", code, stdout, stderr)
	}
	// A parameter outside wrt is given a value like the others (a new
	// user's trial: it was taken for unknown).
	if code, stdout, stderr := gradgen(t, dir, "-graph", "Hyp", "-at", "x=3,y=4,k=0.25"); code != 0 || !strings.Contains(stdout, `= t * k = 4\n`) || !strings.Contains(stdout, `∂R/∂x = 0.83205`) {
		t.Errorf("-graph Hyp -at x=3,y=4,k=0.25: exit %d, want b = 4 and ∂R/∂x = 0.83205 in\n%s%s", code, stdout, stderr)
	}
	for _, tt := range []struct{ args, want string }{
		{"-graph Ramp -at x=1", "Ramp has loops, branches, early returns, calls of its package's helpers or locals of structs"},
		{"-graph Pair -at x=1,y=2", "Pair has loops, branches, early returns, calls of its package's helpers or locals of structs"},
		{"-graph Sin -at y=1", "Sin has no float parameter y (its float parameters: x)"},
		{"-graph Hyp -at y=1,k=2", "no value for the input x"},
		{"-graph Hyp -at x=1,y=2", "no value for the parameter k, which b reads: give one (k=...)"},
		{"-graph Hyp -at x=1,y=2,x=3,k=1", "x is given twice"},
		{"-graph Sin -at x", "want name=value pairs"},
		{"-graph Twice -at x=1", "node sq1 = gradOfSq(x): cannot evaluate the call"},
		{"-at x=1", "-at needs -graph NAME"},
	} {
		code, _, stderr := gradgen(t, dir, strings.Fields(tt.args)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
