// Command stiff integrates Robertson's stiff chemical kinetics problem to
// t = 40 and t = 1e5 with the implicit Euler method, whose Newton
// iterations use the Jacobian gradgen generates, and compares it with the
// same integrator on gonum's finite-difference Jacobian: work, time, mass
// conservation (y1 + y2 + y3 = 1) and the reference values at t = 40.
//
//	cd examples/gonum && go run ./stiff
package main

import (
	"fmt"
	"log"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// Reference values at t = 40 (Hairer & Wanner, Solving ODEs II).
var at40 = []float64{0.7158270687, 9.185534764e-6, 0.2841637457}

// generated is the Jacobian gradgen writes.
func generated(dy, y, jac []float64) { RobertsonJacobian(dy, y, jac) }

// finiteDifferences is gonum's central-difference Jacobian.
func finiteDifferences(dy, y, jac []float64) {
	Robertson(dy, y)
	fd.Jacobian(mat.NewDense(3, 3, jac), Robertson, y, &fd.JacobianSettings{Formula: fd.Central})
}

func main() {
	y0 := []float64{1, 0, 0}
	for _, c := range []struct {
		name string
		jac  Jacobian
	}{{"generated Jacobian", generated}, {"fd.Jacobian", finiteDifferences}} {
		for _, tEnd := range []float64{40, 1e5} {
			start := time.Now()
			y, st, err := BackwardEuler(Robertson, c.jac, y0, tEnd, 1e-6, 1.002)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%-20s t = %-6g y = [%.6g %.6g %.6g]  y1+y2+y3-1 = %.1e  steps %d, Jacobians %d, %v\n",
				c.name, tEnd, y[0], y[1], y[2], y[0]+y[1]+y[2]-1, st.Steps, st.Jacobians, time.Since(start).Round(time.Microsecond))
		}
	}
	fmt.Printf("reference at t = 40: [%.6g %.6g %.6g]\n", at40[0], at40[1], at40[2])
}
