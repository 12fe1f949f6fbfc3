package fresh // want package:"gradgen exports Square→SquareGrad, Cube→CubeGrad"

//gradgen:grad
func Square(x float64) float64 { return x * x }

//gradgen:grad
func Cube(x float64) float64 { // want `Cube: fresh_grad.go is stale: run go generate`
	return x * x * x
}
