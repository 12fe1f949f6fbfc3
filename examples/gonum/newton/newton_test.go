package main

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// TestRosenbrock: Newton on the generated Hessian converges from the
// classic start in 100 dimensions (to the stationary point near x[0] = -1
// that this start leads to, as with fd.Hessian), in fewer iterations than
// BFGS.
func TestRosenbrock(t *testing.T) {
	p := problem{f: Rosenbrock, grad: RosenbrockGrad, hessian: RosenbrockHessian}
	newton, bfgs, newtonFD, err := compare(p, rosenbrockStart(100))
	if err != nil {
		t.Fatal(err)
	}
	if newton.gradNorm > 1e-9 {
		t.Errorf("Newton: |∇f| = %g at the end", newton.gradNorm)
	}
	for i := range newton.x {
		if math.Abs(newton.x[i]-newtonFD.x[i]) > 1e-6 {
			t.Fatalf("x[%d] = %v with the generated Hessian, %v with fd.Hessian", i, newton.x[i], newtonFD.x[i])
		}
	}
	if newton.iterations >= bfgs.iterations {
		t.Errorf("Newton took %d iterations, BFGS %d", newton.iterations, bfgs.iterations)
	}
	// From a start nearer the global minimum, Newton reaches (1, ..., 1).
	x0 := make([]float64, 100)
	for i := range x0 {
		x0[i] = 0.5
	}
	near, _, _, err := compare(p, x0)
	if err != nil {
		t.Fatal(err)
	}
	for i, xi := range near.x {
		if math.Abs(xi-1) > 1e-8 {
			t.Fatalf("from 0.5: x[%d] = %v, want 1", i, xi)
		}
	}
}

// TestLogistic: Newton on the generated Hessian finds the maximum
// likelihood (a zero gradient) in a handful of iterations.
func TestLogistic(t *testing.T) {
	p, err := logistic()
	if err != nil {
		t.Fatal(err)
	}
	newton, _, newtonFD, err := compare(p, make([]float64, 5))
	if err != nil {
		t.Fatal(err)
	}
	if newton.gradNorm > 1e-8 || newton.iterations > 20 {
		t.Errorf("Newton: |∇f| = %g after %d iterations", newton.gradNorm, newton.iterations)
	}
	for i := range newton.x {
		if math.Abs(newton.x[i]-newtonFD.x[i]) > 1e-4*math.Max(1, math.Abs(newton.x[i])) {
			t.Errorf("w[%d] = %v with the generated Hessian, %v with fd.Hessian", i, newton.x[i], newtonFD.x[i])
		}
	}
}

// TestHessianAgainstFD compares the generated Hessian with gonum's
// finite-difference one at a point away from the optimum.
func TestHessianAgainstFD(t *testing.T) {
	x := rosenbrockStart(10)
	n := len(x)
	h := mat.NewSymDense(n, nil)
	problem{f: Rosenbrock, grad: RosenbrockGrad, hessian: RosenbrockHessian}.gonumHess(n)(h, x)
	want := mat.NewSymDense(n, nil)
	fd.Hessian(want, Rosenbrock, x, nil)
	for i := range n {
		for j := range n {
			if math.Abs(h.At(i, j)-want.At(i, j)) > 1e-3*math.Max(1, math.Abs(want.At(i, j))) {
				t.Errorf("H[%d,%d] = %v, fd.Hessian %v", i, j, h.At(i, j), want.At(i, j))
			}
		}
	}
}

func BenchmarkHessian(b *testing.B) {
	x := rosenbrockStart(100)
	g, hess := make([]float64, 100), make([]float64, 100*100)
	b.ReportAllocs()
	for b.Loop() {
		RosenbrockHessian(x, g, hess)
	}
}

func BenchmarkFDHessian(b *testing.B) {
	x := rosenbrockStart(100)
	h := mat.NewSymDense(100, nil)
	b.ReportAllocs()
	for b.Loop() {
		fd.Hessian(h, Rosenbrock, x, nil)
	}
}

func BenchmarkHVP(b *testing.B) {
	x := rosenbrockStart(100)
	v, g, hv := make([]float64, 100), make([]float64, 100), make([]float64, 100)
	for i := range v {
		v[i] = 1 / float64(i+1)
	}
	b.ReportAllocs()
	for b.Loop() {
		RosenbrockHVP(x, v, g, hv)
	}
}

func BenchmarkGradient(b *testing.B) {
	x := rosenbrockStart(100)
	g := make([]float64, 100)
	b.ReportAllocs()
	for b.Loop() {
		RosenbrockGrad(x, g)
	}
}

func BenchmarkF(b *testing.B) {
	x := rosenbrockStart(100)
	b.ReportAllocs()
	for b.Loop() {
		Rosenbrock(x)
	}
}

// The regression's Hessian is dense (every weight meets every other in
// each term): n = 5 products.
func BenchmarkDenseHessian(b *testing.B) {
	p, err := logistic()
	if err != nil {
		b.Fatal(err)
	}
	w := []float64{0.5, -1, 2, 0.3, -4}
	g, hess := make([]float64, 5), make([]float64, 25)
	b.ReportAllocs()
	for b.Loop() {
		p.hessian(w, g, hess)
	}
}

func BenchmarkDenseGradient(b *testing.B) {
	p, err := logistic()
	if err != nil {
		b.Fatal(err)
	}
	w := []float64{0.5, -1, 2, 0.3, -4}
	g := make([]float64, 5)
	b.ReportAllocs()
	for b.Loop() {
		p.grad(w, g)
	}
}
