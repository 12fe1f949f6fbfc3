package a

import "math"

//gradgen:grad
func Bad(x float64) float64 {
	return math.Gamma(x) // want `cannot differentiate math.Gamma\(x\): math.Gamma has no elementary derivative`
}

//gradgen:grad
func Worse(x float64) float64 {
	for k := range map[string]int{} { // want `cannot differentiate a loop over map\[string\]int`
		x *= float64(len(k))
	}
	return x
}

// Caller already calls a gradient that is not generated yet: the type
// error this leaves must not stop the analyzer.
func Caller() float64 {
	v, _ := MissingGrad(1)
	return v
}
