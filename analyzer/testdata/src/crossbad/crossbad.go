package crossbad // want package:"gradgen exports Clamped→ClampedGrad, Sharp→SharpGrad, Fixed→FixedGrad"

// crossbad calls into mathx in the ways that have no derivative (its
// errors leave the file unwritten: Fixed is not reported missing).

import "mathx"

//gradgen:grad
func Clamped(x float64) float64 {
	return mathx.Clamp(x) * x // want `cannot differentiate the call mathx.Clamp\(x\): gradgen cannot see into mathx.Clamp; in package mathx, mark Clamp //gradgen:grad \(its gradient then serves every caller; its wrt parameters must be floats\) or write its derivative as a function marked //gradgen:rule Clamp of signature func\(float64\) \(float64, float64\) beside it, or keep values that depend on the parameters out of it`
}

//gradgen:grad
func Sharp(x, k float64) float64 {
	return mathx.Softplus(x, k) // want `cannot differentiate the call mathx.Softplus\(x, k\): Softplus's gradient mathx.SoftplusGrad \(//gradgen:grad in package mathx\) has no derivative for its parameter k, which is passed a value that depends on the parameters; add k to its wrt= option, or pass a value that does not`
}

//gradgen:grad wrt=x
func Fixed(x, k float64) float64 {
	return mathx.Softplus(x, k) + mathx.Sigmoid(x)
}

//gradgen:hvp
func Curv(x float64) float64 {
	return mathx.Sigmoid(x) * x // want `cannot differentiate the call mathx.Sigmoid\(x\) twice: second derivatives differentiate Sigmoid's derivative, and gradgen cannot see into mathx.SigmoidRule, which supplies it from package mathx; call a function of this package with Sigmoid's body instead \(gradgen differentiates it twice\)`
}
