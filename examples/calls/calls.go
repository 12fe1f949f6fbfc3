// Package calls compares the gradient of a function written with helper
// functions with that of the same function written inline.
package calls

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func neuron(w, b, x float64) float64 { return sigmoid(w*x + b) }

func sq(x float64) float64 { return x * x }

// WithHelpers sums a neuron's outputs over inputs, through two helpers.
//
//gradgen:grad wrt=w,b
func WithHelpers(w, b float64, xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += sq(neuron(w, b, x))
	}
	return s
}

// Inline is WithHelpers with the helpers written out.
//
//gradgen:grad wrt=w,b
func Inline(w, b float64, xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		y := 1 / (1 + math.Exp(-(w*x + b)))
		s += y * y
	}
	return s
}
