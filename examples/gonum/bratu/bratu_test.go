package main

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// TestSolve: Newton on the generated Jacobian converges quadratically
// (a handful of iterations) to the exact solution within the grid's
// second-order error, halving the step quarters the error.
func TestSolve(t *testing.T) {
	var prev float64
	for _, n := range []int{51, 101} {
		u, its, err := Solve(n, generated, 1e-12)
		if err != nil {
			t.Fatal(err)
		}
		if its > 6 {
			t.Errorf("n = %d: %d Newton iterations, want a handful", n, its)
		}
		e := maxError(u)
		if e > 2e-5 {
			t.Errorf("n = %d: max error %.3g", n, e)
		}
		if prev != 0 && math.Abs(prev/e-4) > 0.2 {
			t.Errorf("error ratio %.3f when the step halves, want 4 (second order)", prev/e)
		}
		prev = e
	}
}

// TestJacobianAgainstFD compares the banded Jacobian with gonum's
// finite differences, entry by entry (zeros outside the band included).
func TestJacobianAgainstFD(t *testing.T) {
	const n = 12
	u := make([]float64, n)
	for i := range u {
		u[i] = 0.3 * math.Sin(float64(i))
	}
	jac, r := make([]float64, n*n), make([]float64, n)
	for i := range jac {
		jac[i] = math.NaN() // every entry is written
	}
	ResidualJacobian(r, u, jac)
	want := mat.NewDense(n, n, nil)
	fd.Jacobian(want, Residual, u, &fd.JacobianSettings{Formula: fd.Central})
	for i := range n {
		for j := range n {
			if d := math.Abs(jac[i*n+j] - want.At(i, j)); !(d <= 1e-5*math.Max(1, math.Abs(want.At(i, j)))) {
				t.Errorf("J[%d,%d] = %v, fd.Jacobian %v", i, j, jac[i*n+j], want.At(i, j))
			}
		}
	}
}

func point(n int) []float64 {
	u := make([]float64, n)
	for i := range u {
		u[i] = 0.1 * math.Sin(3*float64(i)/float64(n))
	}
	return u
}

// BenchmarkJacobian is the banded Jacobian at n = 100: three JVPs.
func BenchmarkJacobian(b *testing.B) {
	u, r, jac := point(100), make([]float64, 100), make([]float64, 100*100)
	b.ReportAllocs()
	for b.Loop() {
		ResidualJacobian(r, u, jac)
	}
}

// BenchmarkDenseColumns is what the Jacobian would cost without the band:
// one JVP per column, n = 100.
func BenchmarkDenseColumns(b *testing.B) {
	u, r, tr, v := point(100), make([]float64, 100), make([]float64, 100), make([]float64, 100)
	b.ReportAllocs()
	for b.Loop() {
		for j := range v {
			v[j] = 1
			ResidualJVP(r, u, v, tr)
			v[j] = 0
		}
	}
}

// BenchmarkFDJacobian is gonum's central-difference Jacobian, n = 100.
func BenchmarkFDJacobian(b *testing.B) {
	u := point(100)
	jac := mat.NewDense(100, 100, nil)
	b.ReportAllocs()
	for b.Loop() {
		fd.Jacobian(jac, Residual, u, &fd.JacobianSettings{Formula: fd.Central})
	}
}
