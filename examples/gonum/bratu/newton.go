package main

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Jacobian fills r with the residual at u and jac with its Jacobian,
// row-major.
type Jacobian func(r, u, jac []float64)

// Solve runs Newton's method on the residual from u = 0 until the update
// is below tol in the max norm, solving each linear system with gonum's
// LU, and returns the grid values and the number of iterations.
func Solve(n int, jacobian Jacobian, tol float64) ([]float64, int, error) {
	u, r, jac := make([]float64, n), make([]float64, n), make([]float64, n*n)
	var lu mat.LU
	step := mat.NewVecDense(n, nil)
	for it := 1; it <= 50; it++ {
		jacobian(r, u, jac)
		lu.Factorize(mat.NewDense(n, n, jac))
		if err := lu.SolveVecTo(step, false, mat.NewVecDense(n, r)); err != nil {
			return nil, it, err
		}
		size := 0.0
		for i := range u {
			u[i] -= step.AtVec(i)
			size = math.Max(size, math.Abs(step.AtVec(i)))
		}
		if size < tol {
			return u, it, nil
		}
	}
	return nil, 50, fmt.Errorf("newton did not converge")
}
