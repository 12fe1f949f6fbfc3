package main

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// TestSolve reaches targets across the arm's workspace to 1e-10.
func TestSolve(t *testing.T) {
	arm := &Arm{Lengths: []float64{1, 0.8, 0.6, 0.4}}
	for _, target := range [][]float64{{1.5, 1.2}, {-0.5, 2.1}, {0.3, -1.9}, {2.6, 0.1}} {
		theta, iterations, err := arm.Solve(target, []float64{0.1, 0.1, 0.1, 0.1}, 1e-11)
		if err != nil {
			t.Fatalf("target %v: %v", target, err)
		}
		p := make([]float64, 2)
		arm.Reach(p, theta)
		if d := math.Hypot(p[0]-target[0], p[1]-target[1]); d > 1e-10 || iterations > 60 {
			t.Errorf("target %v: tip off by %g after %d iterations", target, d, iterations)
		}
	}
}

// TestJacobianAgainstFD compares the generated Jacobian with gonum's.
func TestJacobianAgainstFD(t *testing.T) {
	arm := &Arm{Lengths: []float64{1, 0.8, 0.6, 0.4}}
	theta := []float64{0.3, -0.7, 1.1, 0.2}
	p, jac := make([]float64, 2), make([]float64, 8)
	arm.ReachJacobian(p, theta, jac)
	want := mat.NewDense(2, 4, nil)
	fd.Jacobian(want, arm.Reach, theta, &fd.JacobianSettings{Formula: fd.Central})
	for i := range 2 {
		for j := range 4 {
			if math.Abs(jac[i*4+j]-want.At(i, j)) > 1e-7 {
				t.Errorf("J[%d,%d] = %v, fd.Jacobian %v", i, j, jac[i*4+j], want.At(i, j))
			}
		}
	}
}

func BenchmarkJacobian(b *testing.B) {
	arm := &Arm{Lengths: []float64{1, 0.8, 0.6, 0.4}}
	theta, p, jac := []float64{0.3, -0.7, 1.1, 0.2}, make([]float64, 2), make([]float64, 8)
	b.ReportAllocs()
	for b.Loop() {
		arm.ReachJacobian(p, theta, jac)
	}
}

func BenchmarkFDJacobian(b *testing.B) {
	arm := &Arm{Lengths: []float64{1, 0.8, 0.6, 0.4}}
	theta := []float64{0.3, -0.7, 1.1, 0.2}
	jac := mat.NewDense(2, 4, nil)
	b.ReportAllocs()
	for b.Loop() {
		fd.Jacobian(jac, arm.Reach, theta, &fd.JacobianSettings{Formula: fd.Central})
	}
}
