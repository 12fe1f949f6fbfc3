package main

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// An Arm is a planar arm of links joined end to end, the first at the
// origin.
type Arm struct {
	Lengths []float64
}

// Reach fills p with the position of the arm's tip when its joints are at
// the angles theta, each relative to the link before.
//
//gradgen:jacobian out=p wrt=theta
func (a *Arm) Reach(p, theta []float64) {
	x, y, angle := 0.0, 0.0, 0.0
	for i, l := range a.Lengths {
		angle += theta[i]
		x += l * math.Cos(angle)
		y += l * math.Sin(angle)
	}
	p[0] = x
	p[1] = y
}
