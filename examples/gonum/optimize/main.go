// Command optimize minimises two functions with gonum's L-BFGS, once with
// the gradient gradgen generates and once with gonum's central finite
// differences, and compares iterations, evaluations, time and accuracy:
// the extended Rosenbrock function in 100 dimensions, and the
// maximum-likelihood logistic regression of versicolor against virginica
// on Fisher's Iris data.
//
//	cd examples/gonum && go run ./optimize
package main

import (
	"fmt"
	"log"
	"math"
	"os"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// A run is the outcome of one minimisation.
type run struct {
	x                 []float64
	f, gradNorm       float64
	iterations, evals int
	elapsed           time.Duration
}

// minimize runs L-BFGS from x0 with the given gradient.
func minimize(f func([]float64) float64, grad func(g, x []float64), x0 []float64) (run, error) {
	p := optimize.Problem{Func: f, Grad: grad}
	settings := &optimize.Settings{GradientThreshold: 1e-10, MajorIterations: 100000, FuncEvaluations: 10000000}
	start := time.Now()
	res, err := optimize.Minimize(p, x0, settings, &optimize.LBFGS{})
	if res == nil {
		return run{}, err
	}
	// A line search that fails near the optimum means the gradient's own
	// precision was reached: report where it stopped; the caller judges.
	g := make([]float64, len(x0))
	grad(g, res.X)
	return run{x: res.X, f: res.F, gradNorm: floats.Norm(g, 2), iterations: res.Stats.MajorIterations,
		evals: res.Stats.FuncEvaluations + res.Stats.GradEvaluations, elapsed: time.Since(start)}, nil
}

// generatedGrad adapts a generated gradient to gonum's Grad(grad, x): the
// generated function adds into its buffer, gonum wants it overwritten.
func generatedGrad(gradOf func(x, dx []float64) float64) func(g, x []float64) {
	return func(g, x []float64) {
		clear(g)
		gradOf(x, g)
	}
}

// finiteDiffGrad is the gradient gonum computes by central differences.
func finiteDiffGrad(f func([]float64) float64) func(g, x []float64) {
	return func(g, x []float64) { fd.Gradient(g, f, x, &fd.Settings{Formula: fd.Central}) }
}

func rosenbrockStart(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = -1.2
		if i%2 == 1 {
			x[i] = 1
		}
	}
	return x
}

func main() {
	f, err := os.Open("testdata/iris.csv")
	if err != nil {
		f, err = os.Open("optimize/testdata/iris.csv")
	}
	if err != nil {
		log.Fatal(err)
	}
	data, err := readTwoClasses(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	nll := func(w []float64) float64 { return NLL(w, data) }
	problems := []struct {
		name string
		f    func([]float64) float64
		grad func(g, x []float64)
		x0   []float64
		best func(x []float64) float64 // error of x against the known optimum, or NaN
	}{
		{"Rosenbrock, n = 100", Rosenbrock, generatedGrad(RosenbrockGrad), rosenbrockStart(100), distanceToOnes},
		{"logistic regression, Iris", nll, generatedGrad(func(w, dw []float64) float64 { return NLLGrad(w, data, dw) }), make([]float64, 5), nil},
	}
	for _, p := range problems {
		fmt.Println(p.name)
		fmt.Printf("  %-22s %10s %10s %12s %14s %14s\n", "gradient", "iterations", "evals", "time", "f(x*)", "|∇f(x*)|")
		for _, m := range []struct {
			name string
			grad func(g, x []float64)
		}{{"gradgen", p.grad}, {"finite differences", finiteDiffGrad(p.f)}} {
			r, err := minimize(p.f, m.grad, append([]float64(nil), p.x0...))
			if err != nil {
				fmt.Printf("  %-22s failed: %v\n", m.name, err)
				continue
			}
			// Judge both optima with the exact gradient.
			g := make([]float64, len(r.x))
			p.grad(g, r.x)
			fmt.Printf("  %-22s %10d %10d %12v %14.6g %14.3g", m.name, r.iterations, r.evals, r.elapsed.Round(time.Microsecond), r.f, floats.Norm(g, 2))
			if p.best != nil {
				fmt.Printf("   max |x - 1| = %.2g", p.best(r.x))
			}
			fmt.Println()
		}
	}
}

func distanceToOnes(x []float64) float64 {
	d := 0.0
	for _, v := range x {
		d = math.Max(d, math.Abs(v-1))
	}
	return d
}
