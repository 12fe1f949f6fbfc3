package mathx // want package:"gradgen exports Sigmoid→SigmoidRule, Softplus→SoftplusGrad, Cube→CubeRule, Weighted→WeightedGrad; not Pair, Point.Scale, Square"

// mathx offers derivatives to other packages: a rule beside its target,
// and an exported gradient serving as a rule.

import "math"

// Sigmoid is the logistic function.
func Sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// SigmoidRule is Sigmoid's derivative, for every caller of Sigmoid.
//
//gradgen:rule Sigmoid
func SigmoidRule(x float64) (float64, float64) {
	s := Sigmoid(x)
	return s, s * (1 - s)
}

// Softplus is a smooth ReLU of sharpness k: its gradient, by x only,
// serves callers in other packages.
//
//gradgen:grad wrt=x
func Softplus(x, k float64) float64 { // want "Softplus: mathx_grad.go is missing: run go generate"
	return math.Log1p(math.Exp(k*x)) / k
}

// Cube has a gradient and a rule: callers here and in other packages
// use the rule, never CubeGrad.
//
// Its two directives make one report, not two.
//
//gradgen:grad
//gradgen:jvp
func Cube(x float64) float64 { // want "Cube: mathx_grad.go is missing: run go generate"
	return x * x * x
}

// CubeRule is Cube's derivative.
//
//gradgen:rule Cube
func CubeRule(x float64) (float64, float64) { return x * x * x, 3 * x * x }

// Pair's gradient serves mathx only: its parameter is an array.
//
//gradgen:grad
func Pair(a [2]float64) float64 { // want "Pair: mathx_grad.go is missing: run go generate"
	return a[0] * a[1]
}

// Point has a method whose gradient serves mathx only.
type Point struct{ X float64 }

// Scale is X times s squared.
//
//gradgen:grad
func (p Point) Scale(s float64) float64 { // want "Scale: mathx_grad.go is missing: run go generate"
	return p.X * s * s
}

// Weighted's gradient is by x only; w is a slice.
//
//gradgen:grad wrt=x
func Weighted(w []float64, x float64) float64 { // want "Weighted: mathx_grad.go is missing: run go generate"
	return w[0] * x
}

// Square's rule is unexported: it serves mathx only.
func Square(x float64) float64 { return x * x }

//gradgen:rule Square
func squareRule(x float64) (float64, float64) { return x * x, 2 * x }

// Clamp has no derivative gradgen can see from other packages.
func Clamp(x float64) float64 { return min(max(x, -1), 1) }

// scale is unexported: no rule serves other packages.
func scale(x []float64) {}
