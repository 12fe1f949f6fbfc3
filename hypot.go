package t1

import "math"

// Hypot is the length of (x, y).
//
//gradgen:grad
func Hypot(x, y float64) float64 {
	return math.Sqrt(x*x + y*y)
}

//gradgen:grad
func F(x, y float64) float64 {
	a := x * x
	b := math.Sin(a) + y
	a = a * b
	a += 3
	return a / y
}

//gradgen:grad
func G(x float32) float32 {
	t := x
	t *= x
	t = t * x
	s, c := math.Sincos(float64(t))
	return float32(s*c) + max(x, 2, t)
}
