// Command physics aims a cannon. A shell flies against air drag for a
// fixed time, integrated in explicit Euler steps; the gradient gradgen
// generates carries the miss distance back through every step to the
// launch velocity, and gonum's L-BFGS finds the velocity that hits the
// target — beside the same search with finite-difference gradients.
//
//	cd examples/gonum && go run ./physics
package main

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

const (
	gravity = 9.81 // m/s²
	dt      = 0.01 // s, the time step
)

// Miss is the squared distance between a target at (tx, ty) and a shell
// launched from the origin with velocity (vx, vy), after steps time steps
// under gravity and quadratic drag (deceleration k·|v|·v).
//
//gradgen:grad wrt=vx,vy
func Miss(vx, vy, k, tx, ty float64, steps int) float64 {
	x, y := 0.0, 0.0
	for range steps {
		speed := math.Hypot(vx, vy)
		ax := -k * speed * vx
		ay := -gravity - k*speed*vy
		x += dt * vx
		y += dt * vy
		vx += dt * ax
		vy += dt * ay
	}
	return (x-tx)*(x-tx) + (y-ty)*(y-ty)
}
