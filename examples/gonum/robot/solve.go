package main

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Solve moves the arm's tip to target by Levenberg–Marquardt on the
// residual r(θ) = tip(θ) − target, with the Jacobian of the tip gradgen
// generates: each step solves (JᵀJ + μI)·Δ = −Jᵀr, and μ shrinks after a
// step that reduces |r| and grows after one that does not. It returns the
// angles and the number of iterations.
func (a *Arm) Solve(target, theta0 []float64, tol float64) ([]float64, int, error) {
	n := len(theta0)
	theta := append([]float64(nil), theta0...)
	trial := make([]float64, n)
	p, pt := make([]float64, 2), make([]float64, 2)
	jac := make([]float64, 2*n)
	residual := func(p []float64) float64 { return math.Hypot(p[0]-target[0], p[1]-target[1]) }
	var jtj mat.SymDense
	step := mat.NewVecDense(n, nil)
	mu := 1e-3
	for it := 1; it <= 200; it++ {
		a.ReachJacobian(p, theta, jac)
		r := []float64{p[0] - target[0], p[1] - target[1]}
		if math.Hypot(r[0], r[1]) < tol {
			return theta, it - 1, nil
		}
		j := mat.NewDense(2, n, jac)
		jtj.SymOuterK(1, j.T())
		g := mat.NewVecDense(n, nil)
		g.MulVec(j.T(), mat.NewVecDense(2, r))
		for {
			m := mat.NewSymDense(n, nil)
			m.CopySym(&jtj)
			for i := range n {
				m.SetSym(i, i, m.At(i, i)+mu)
			}
			var chol mat.Cholesky
			if !chol.Factorize(m) {
				return nil, it, errors.New("robot: JᵀJ + μI is not positive definite")
			}
			if err := chol.SolveVecTo(step, g); err != nil {
				return nil, it, err
			}
			for i := range n {
				trial[i] = theta[i] - step.AtVec(i)
			}
			a.Reach(pt, trial)
			if residual(pt) < residual(p) {
				copy(theta, trial)
				mu = math.Max(mu/3, 1e-12)
				break
			}
			if mu *= 4; mu > 1e12 {
				return nil, it, errors.New("robot: no step reduces the distance to the target")
			}
		}
	}
	return nil, 200, errors.New("robot: the target was not reached in 200 iterations")
}
