// Command newton minimises two functions with gonum's Newton method on the
// Hessian gradgen generates, and compares it with BFGS on the generated
// gradient and with Newton on gonum's finite-difference Hessian:
// iterations, evaluations, time and accuracy. The functions are the
// extended Rosenbrock function in 100 dimensions and the negative
// log-likelihood of logistic regression (versicolor against virginica on
// Fisher's Iris data).
//
//	cd examples/gonum && go run ./newton
package main

import (
	"fmt"
	"log"
	"math"
	"os"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// A run is the outcome of one minimisation.
type run struct {
	x                 []float64
	f, gradNorm       float64
	iterations, evals int
	elapsed           time.Duration
}

// A problem is a function with its generated gradient and Hessian.
type problem struct {
	f       func(x []float64) float64
	grad    func(x, dx []float64) float64
	hessian func(x, dx, hess []float64) float64
}

// gonumGrad adapts a generated gradient (added into dx) to gonum's
// func(grad, x), which overwrites grad.
func (p problem) gonumGrad(g, x []float64) {
	clear(g)
	p.grad(x, g)
}

// gonumHess adapts a generated Hessian (added into a row-major buffer) to
// gonum's func(hess, x): the SymDense is a fresh one of stride n.
func (p problem) gonumHess(n int) func(h *mat.SymDense, x []float64) {
	g := make([]float64, n)
	return func(h *mat.SymDense, x []float64) {
		d := h.RawSymmetric().Data
		clear(d)
		clear(g)
		p.hessian(x, g, d)
	}
}

// fdHess is gonum's finite-difference Hessian on the generated gradient's
// function.
func (p problem) fdHess(n int) func(h *mat.SymDense, x []float64) {
	return func(h *mat.SymDense, x []float64) {
		fd.Hessian(h, p.f, x, nil)
	}
}

// minimize runs method from x0.
func minimize(p optimize.Problem, x0 []float64, method optimize.Method) (run, error) {
	settings := &optimize.Settings{GradientThreshold: 1e-10, MajorIterations: 100000, FuncEvaluations: 10000000}
	start := time.Now()
	res, err := optimize.Minimize(p, x0, settings, method)
	if res == nil {
		return run{}, err
	}
	g := make([]float64, len(x0))
	p.Grad(g, res.X)
	return run{x: res.X, f: res.F, gradNorm: floats.Norm(g, math.Inf(1)), iterations: res.Stats.MajorIterations,
		evals: res.Stats.FuncEvaluations + res.Stats.GradEvaluations + res.Stats.HessEvaluations, elapsed: time.Since(start)}, nil
}

// compare minimises p from x0 three ways.
func compare(p problem, x0 []float64) (newton, bfgs, newtonFD run, err error) {
	n := len(x0)
	base := optimize.Problem{Func: p.f, Grad: p.gonumGrad}
	withHess := base
	withHess.Hess = p.gonumHess(n)
	if newton, err = minimize(withHess, x0, &optimize.Newton{}); err != nil {
		return
	}
	if bfgs, err = minimize(base, x0, &optimize.BFGS{}); err != nil {
		return
	}
	withFD := base
	withFD.Hess = p.fdHess(n)
	newtonFD, err = minimize(withFD, x0, &optimize.Newton{})
	return
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

func logistic() (problem, error) {
	f, err := os.Open("testdata/iris.csv")
	if err != nil {
		return problem{}, err
	}
	defer f.Close()
	data, err := readTwoClasses(f)
	if err != nil {
		return problem{}, err
	}
	return problem{
		f:       func(w []float64) float64 { return NLL(w, data) },
		grad:    func(w, dw []float64) float64 { return NLLGrad(w, data, dw) },
		hessian: func(w, dw, hess []float64) float64 { return NLLHessian(w, data, dw, hess) },
	}, nil
}

func main() {
	if _, err := os.Stat("testdata/iris.csv"); err != nil {
		if err := os.Chdir("newton"); err != nil {
			log.Fatal("run from examples/gonum or examples/gonum/newton")
		}
	}
	rosen := problem{f: Rosenbrock, grad: RosenbrockGrad, hessian: RosenbrockHessian}
	lr, err := logistic()
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    problem
		x0   []float64
	}{
		{"extended Rosenbrock, n = 100", rosen, rosenbrockStart(100)},
		{"logistic regression, n = 5", lr, make([]float64, 5)},
	} {
		newton, bfgs, newtonFD, err := compare(c.p, c.x0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s:\n", c.name)
		fmt.Printf("  %-28s %10s %12s %12s %14s\n", "method", "iterations", "evaluations", "time", "|∇f|∞ at end")
		for _, r := range []struct {
			name string
			run
		}{{"Newton, generated Hessian", newton}, {"BFGS, generated gradient", bfgs}, {"Newton, fd.Hessian", newtonFD}} {
			fmt.Printf("  %-28s %10d %12d %12v %14.3g\n", r.name, r.iterations, r.evals, r.elapsed.Round(time.Microsecond), r.gradNorm)
		}
	}
}
