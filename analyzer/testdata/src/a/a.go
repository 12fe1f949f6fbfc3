package a // want package:"gradgen exports Missing→MissingGrad, Bad→BadGrad, Worse→WorseGrad"

import "math"

//gradgen:grad
func Missing(x float64) float64 { // want `Missing: a_grad.go is missing: run go generate`
	return math.Sin(x)
}
