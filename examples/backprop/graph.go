package main

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// R is the output of the computational graph of the classic
// backpropagation tutorial:
//
//	a = x²,  b = y²,  w = a + b,  R = √w
//
// RGrad, generated, returns R and the gradients ∂R/∂x and ∂R/∂y that the
// backward pass carries from R to the inputs.
//
//gradgen:grad
func R(x, y float64) float64 {
	a := x * x
	b := y * y
	w := a + b
	return math.Sqrt(w)
}

// RFromW is the same output seen from the node w: its gradient is ∂R/∂w,
// the adjoint the backward pass holds at w.
//
//gradgen:grad
func RFromW(w float64) float64 {
	return math.Sqrt(w)
}

// RFromAB is the output seen from the nodes a and b: its gradients are
// the adjoints ∂R/∂a and ∂R/∂b.
//
//gradgen:grad
func RFromAB(a, b float64) float64 {
	w := a + b
	return math.Sqrt(w)
}

// Hypot is the length of (x, y): the same graph in one expression, used
// by the benchmarks against a hand-written gradient.
//
//gradgen:grad
func Hypot(x, y float64) float64 {
	return math.Sqrt(x*x + y*y)
}

// hypotHand is the gradient of Hypot as a careful person writes it.
func hypotHand(x, y float64) (value, dx, dy float64) {
	r := math.Sqrt(x*x + y*y)
	return r, x / r, y / r
}
