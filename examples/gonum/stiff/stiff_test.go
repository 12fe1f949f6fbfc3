package main

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// TestRobertson integrates to t = 40 and to t = 1e5 on the generated
// Jacobian: mass is conserved to rounding, the values at t = 40 match the
// reference to the method's first-order accuracy, and at t = 1e5 y1 has
// decayed towards 0 as y3 takes over.
func TestRobertson(t *testing.T) {
	y, st, err := BackwardEuler(Robertson, generated, []float64{1, 0, 0}, 40, 1e-6, 1.002)
	if err != nil {
		t.Fatal(err)
	}
	if mass := y[0] + y[1] + y[2] - 1; math.Abs(mass) > 1e-12 {
		t.Errorf("y1+y2+y3-1 = %g at t = 40", mass)
	}
	for i, want := range at40 {
		if math.Abs(y[i]-want) > 2e-3*want {
			t.Errorf("y%d(40) = %v, reference %v", i+1, y[i], want)
		}
	}
	if st.Steps == 0 || st.NewtonIterations > 4*st.Steps {
		t.Errorf("%d Newton iterations for %d steps: the Jacobian should make Newton converge in a few", st.NewtonIterations, st.Steps)
	}
	y, _, err = BackwardEuler(Robertson, generated, []float64{1, 0, 0}, 1e5, 1e-6, 1.002)
	if err != nil {
		t.Fatal(err)
	}
	if mass := y[0] + y[1] + y[2] - 1; math.Abs(mass) > 1e-12 || y[0] > 0.05 || y[2] < 0.95 {
		t.Errorf("at t = 1e5: y = %v", y)
	}
}

// TestJacobianAgainstFD compares the generated Jacobian with gonum's
// finite differences along the solution's early transient.
func TestJacobianAgainstFD(t *testing.T) {
	for _, y := range [][]float64{{1, 0, 0}, {0.99, 3e-5, 0.01}, at40} {
		jac, dy := make([]float64, 9), make([]float64, 3)
		RobertsonJacobian(dy, y, jac)
		want := mat.NewDense(3, 3, nil)
		fd.Jacobian(want, Robertson, y, &fd.JacobianSettings{Formula: fd.Central})
		for i := range 3 {
			for j := range 3 {
				if d := math.Abs(jac[i*3+j] - want.At(i, j)); d > 1e-6*math.Max(1, math.Abs(want.At(i, j))) {
					t.Errorf("y = %v: J[%d,%d] = %v, fd.Jacobian %v", y, i, j, jac[i*3+j], want.At(i, j))
				}
			}
		}
	}
}

func BenchmarkJacobian(b *testing.B) {
	y, dy, jac := []float64{0.99, 3e-5, 0.01}, make([]float64, 3), make([]float64, 9)
	b.ReportAllocs()
	for b.Loop() {
		RobertsonJacobian(dy, y, jac)
	}
}

func BenchmarkFDJacobian(b *testing.B) {
	y := []float64{0.99, 3e-5, 0.01}
	jac := mat.NewDense(3, 3, nil)
	b.ReportAllocs()
	for b.Loop() {
		fd.Jacobian(jac, Robertson, y, &fd.JacobianSettings{Formula: fd.Central})
	}
}

func BenchmarkIntegrate(b *testing.B) {
	for b.Loop() {
		BackwardEuler(Robertson, generated, []float64{1, 0, 0}, 40, 1e-6, 1.002)
	}
}

func BenchmarkIntegrateFD(b *testing.B) {
	for b.Loop() {
		BackwardEuler(Robertson, finiteDifferences, []float64{1, 0, 0}, 40, 1e-6, 1.002)
	}
}
