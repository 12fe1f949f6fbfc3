package cases

import "math"

// Reproducers of gradients that were silently wrong: each failed on the
// code before its fix.

// NegSinReturn negates a call in the return: the negation must not read
// its own result.
//
//gradgen:grad
func NegSinReturn(x float64) float64 { return -math.Sin(x) }

// NegAbsReturn negates a piecewise rule's result in the return.
//
//gradgen:grad
func NegAbsReturn(x float64) float64 {
	t := x * 2
	return -math.Abs(t)
}

// NegHelperReturn negates an expanded helper in the return.
//
//gradgen:grad
func NegHelperReturn(x float64) float64 { return -sigmoid(x) }

// FloatCounterSum sums over a varied float counter: its adjoint goes from
// trip to trip, so the loop is not a sum loop.
//
//gradgen:grad
func FloatCounterSum(x float64) float64 {
	s := 0.0
	for t := x; t < 4; t += x {
		s += t * t
	}
	return s
}

// UntakenOverflow computes a value that overflows on a path the call does
// not take: its Inf must not reach the gradient as Inf·0.
//
//gradgen:grad
func UntakenOverflow(x float64) float64 {
	a := math.Exp(1000 * x)
	if x < 0 {
		return a + x
	}
	return x * x
}

// UntakenLog is the same with one return: log of a negative number is NaN
// and used only when x > 3.
//
//gradgen:grad
func UntakenLog(x float64) float64 {
	a := math.Log(x - 3)
	r := x * x
	if x > 3 {
		r += a
	}
	return r
}

// PowZeroExponent is 1 everywhere: its derivative is 0, also at x = 0.
//
//gradgen:grad
func PowZeroExponent(x, y float64) float64 { return math.Pow(x, y*0) + math.Pow(x, 0) }
