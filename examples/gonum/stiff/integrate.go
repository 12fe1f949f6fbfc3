package main

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// A Jacobian fills jac (row-major, n×n) with ∂f/∂y at y, and dy with f(y).
type Jacobian func(dy, y, jac []float64)

// Stats counts an integration's work.
type Stats struct {
	Steps, NewtonIterations, Jacobians int
}

// BackwardEuler integrates y' = f(y) from t = 0 to tEnd with the implicit
// Euler method, which stiffness does not destabilise: each step solves
// z = y + h·f(z) by Newton's method, with the Jacobian I - h·∂f/∂y
// factorised by gonum's LU. Steps grow geometrically from h0 (the fast
// transient first, then the slow drift), the last one cut to land on tEnd.
func BackwardEuler(f func(dy, y []float64), jacobian Jacobian, y0 []float64, tEnd, h0, growth float64) ([]float64, Stats, error) {
	n := len(y0)
	y := append([]float64(nil), y0...)
	z := make([]float64, n)
	fz := make([]float64, n)
	jac := make([]float64, n*n)
	a := mat.NewDense(n, n, nil)
	rhs := mat.NewVecDense(n, nil)
	delta := mat.NewVecDense(n, nil)
	var lu mat.LU
	var st Stats
	for t, h := 0.0, h0; t < tEnd; t, h = t+h, h*growth {
		h = math.Min(h, tEnd-t)
		copy(z, y)
		converged := false
		for it := 0; it < 20; it++ {
			jacobian(fz, z, jac)
			st.Jacobians++
			st.NewtonIterations++
			// G(z) = z - y - h f(z); G'(z) = I - h J.
			for i := range n {
				for j := range n {
					v := -h * jac[i*n+j]
					if i == j {
						v++
					}
					a.Set(i, j, v)
				}
				rhs.SetVec(i, -(z[i] - y[i] - h*fz[i]))
			}
			lu.Factorize(a)
			if err := lu.SolveVecTo(delta, false, rhs); err != nil {
				return nil, st, err
			}
			size := 0.0
			for i := range n {
				z[i] += delta.AtVec(i)
				size = math.Max(size, math.Abs(delta.AtVec(i))/(1e-12+math.Abs(z[i])))
			}
			if size < 1e-12 {
				converged = true
				break
			}
		}
		if !converged {
			return nil, st, errors.New("stiff: Newton's method did not converge")
		}
		copy(y, z)
		st.Steps++
	}
	return y, st, nil
}
