package mathx // want package:"gradgen exports Sigmoid→SigmoidRule, Softplus→SoftplusGrad"

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

// Clamp has no derivative gradgen can see from other packages.
func Clamp(x float64) float64 { return min(max(x, -1), 1) }

// scale is unexported: no rule serves other packages.
func scale(x []float64) {}
