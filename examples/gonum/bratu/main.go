// Command bratu solves the Bratu boundary-value problem d²u/dx² + exp(u) = 0,
// u(0) = u(1) = 0, discretised on 101 points, by Newton's method on the
// Jacobian gradgen generates — banded, from three JVPs — and on gonum's
// finite-difference Jacobian (101 pairs of residual evaluations), and
// compares time and the distance to the exact solution.
//
//	cd examples/gonum && go run ./bratu
package main

import (
	"fmt"
	"log"
	"math"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// generated is the Jacobian gradgen writes.
func generated(r, u, jac []float64) { ResidualJacobian(r, u, jac) }

// finiteDifferences is gonum's central-difference Jacobian.
func finiteDifferences(r, u, jac []float64) {
	Residual(r, u)
	n := len(u)
	fd.Jacobian(mat.NewDense(n, n, jac), Residual, u, &fd.JacobianSettings{Formula: fd.Central})
}

// maxError is the largest distance from the grid values to the exact
// solution.
func maxError(u []float64) float64 {
	e := 0.0
	for i, v := range u {
		e = math.Max(e, math.Abs(v-Exact(float64(i)/float64(len(u)-1))))
	}
	return e
}

func main() {
	const n = 101
	for _, c := range []struct {
		name string
		jac  Jacobian
	}{{"generated Jacobian (banded, 3 JVPs)", generated}, {"fd.Jacobian", finiteDifferences}} {
		start := time.Now()
		u, its, err := Solve(n, c.jac, 1e-12)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-36s %d Newton iterations, %8v, u(1/2) = %.10f, max error %.2e (the grid's O(h²))\n",
			c.name, its, time.Since(start).Round(time.Microsecond), u[n/2], maxError(u))
	}
}
