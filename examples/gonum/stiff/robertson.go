package main

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// Robertson is the right-hand side of Robertson's chemical kinetics
// problem, three species reacting at rates 0.04, 1e4 and 3e7: the classic
// stiff system. It fills dy with y's time derivative.
//
//gradgen:jacobian out=dy
func Robertson(dy, y []float64) {
	dy[0] = -0.04*y[0] + 1e4*y[1]*y[2]
	dy[2] = 3e7 * y[1] * y[1]
	dy[1] = -dy[0] - dy[2]
}
