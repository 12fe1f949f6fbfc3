package main

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// Lambda is the Bratu problem's parameter: d²u/dx² + λ·exp(u) = 0 on [0, 1]
// with u(0) = u(1) = 0 has two solutions for λ below about 3.51; Newton
// from u = 0 finds the lower one.
const Lambda = 1.0

// Residual is the Bratu problem discretised by central differences on a
// grid of len(u) points, boundary points included: r[0] and r[n-1] pin
// the boundary values, r[i] is the scaled second difference plus the
// source. Its Jacobian is tridiagonal, which gradgen reads from the code:
// three JVPs give it whatever n.
//
//gradgen:jvp out=r
//gradgen:jacobian out=r
func Residual(r, u []float64) {
	n := len(u)
	h := 1 / float64(n-1)
	r[0] = u[0]
	for i := 1; i < n-1; i++ {
		r[i] = (u[i-1]-2*u[i]+u[i+1])/(h*h) + Lambda*math.Exp(u[i])
	}
	r[n-1] = u[n-1]
}

// Exact is the lower solution u(x) = −2·ln(cosh((x−½)·θ/2) / cosh(θ/4)),
// where θ solves θ = √(2λ)·cosh(θ/4) (found by fixed-point iteration).
func Exact(x float64) float64 {
	theta := 1.0
	for range 100 {
		theta = math.Sqrt(2*Lambda) * math.Cosh(theta/4)
	}
	return -2 * math.Log(math.Cosh((x-0.5)*theta/2)/math.Cosh(theta/4))
}
