package crossbad // want package:"gradgen exports Clamped→ClampedGrad, Sharp→SharpGrad, Fixed→FixedGrad, Uses→UsesGrad, Weights→WeightsGrad"

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

// Uses calls functions whose directives serve mathx only: each error says
// why, not to add the directive they carry.
//
//gradgen:grad
func Uses(x float64) float64 {
	a := [2]float64{x, x}
	s := mathx.Pair(a)              // want `cannot differentiate the call mathx.Pair\(a\): gradgen cannot see into mathx.Pair: its gradient PairGrad \(//gradgen:grad in package mathx\) serves other packages only when it has a rule's shape, and its wrt parameter a is a \[2\]float64, not a float; make Pair take a \(a \[2\]float64\) as a slice or a pointer, and write a //gradgen:rule Pair beside it`
	s += mathx.Point{X: 2}.Scale(x) // want `cannot differentiate the call mathx.Point\{X: 2\}.Scale\(x\): gradgen cannot see into \(mathx.Point\).Scale: it is a method, and a method's gradient \(Point.ScaleGrad, //gradgen:grad in package mathx\) serves its own package only`
	return s + mathx.Square(x)      // want `gradgen cannot see into mathx.Square: its //gradgen:rule squareRule is unexported, so it serves package mathx only; export it \(rename it SquareRule\)`
}

//gradgen:grad
func Weights(x float64) float64 {
	w := []float64{x}
	return mathx.Weighted(w, x) // want `Weighted's gradient mathx.WeightedGrad \(//gradgen:grad in package mathx\) has no derivative for its parameter w, which is passed a value that depends on the parameters; write its derivative as a function marked //gradgen:rule Weighted of signature func\(\[\]float64, float64, seed float64, \[\]float64\) \(float64, float64\) beside it`
}
