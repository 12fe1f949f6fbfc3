package main

import (
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestRosenbrock: L-BFGS with the generated gradient converges on the
// 100-dimensional Rosenbrock function to a gradient norm below 1e-8, at
// the known optimum to 1e-6.
func TestRosenbrock(t *testing.T) {
	r, err := minimize(Rosenbrock, generatedGrad(RosenbrockGrad), rosenbrockStart(100))
	if err != nil {
		t.Fatal(err)
	}
	if r.gradNorm >= 1e-8 {
		t.Errorf("|∇f| = %g at the end, want below 1e-8", r.gradNorm)
	}
	if d := distanceToOnes(r.x); d > 1e-6 {
		t.Errorf("max |x - 1| = %g, want at most 1e-6", d)
	}
}

// TestLogistic: the fit converges, and agrees with the fit from finite
// differences.
func TestLogistic(t *testing.T) {
	f, err := os.Open("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := readTwoClasses(f)
	f.Close()
	if err != nil || len(data) != 100 {
		t.Fatalf("read %d observations, %v", len(data), err)
	}
	nll := func(w []float64) float64 { return NLL(w, data) }
	grad := generatedGrad(func(w, dw []float64) float64 { return NLLGrad(w, data, dw) })
	r, err := minimize(nll, grad, make([]float64, 5))
	if err != nil {
		t.Fatal(err)
	}
	if r.gradNorm >= 1e-6 {
		t.Errorf("|∇f| = %g at the end", r.gradNorm)
	}
	rf, err := minimize(nll, finiteDiffGrad(nll), make([]float64, 5))
	if err != nil {
		t.Fatal(err)
	}
	if d := floats.Distance(r.x, rf.x, 2); d > 1e-3*floats.Norm(r.x, 2) {
		t.Errorf("optima differ: %v (gradgen) and %v (finite differences)", r.x, rf.x)
	}
}
