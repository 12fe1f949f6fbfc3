package cases

import "math"

// Calls to functions of the package, differentiated through, and custom
// rules.

// sigmoid is a helper with one float parameter.
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// neuron calls sigmoid: a helper calling a helper.
func neuron(w, b, x float64) float64 { return sigmoid(w*x + b) }

// Nested calls helpers two deep.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Nested2(w, b float64) float64 {
	return neuron(w, b, 0.5)*neuron(b, w, -1) + sigmoid(w)
}

// HelperInLoop calls a helper on every trip.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func HelperInLoop(w float64, n int) float64 {
	s := 0.0
	for i := range n {
		s += neuron(w, 0.1, float64(i)) * float64(i%3)
		if i == 4 {
			s = s * sigmoid(s)
		}
	}
	return s
}

// dot is a helper with slice parameters.
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// SliceHelper calls dot with views of its parameter.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func SliceHelper(w, x []float64) float64 {
	n := len(x)
	return dot(w[:n], x)*dot(w[n:], x) + dot(w[:n], w[:n])
}

// Net is a model whose method calls another of its methods.
type Net struct {
	W []float64
	B float64
}

func (n *Net) unit(x, k float64) float64 { return math.Tanh(n.W[0]*x+n.W[1]*k) + n.B }

// Loss is a method calling a method on the same receiver.
//
//gradgen:grad wrt=n
//gradgen:hvp wrt=n
//gradgen:hessian wrt=n
//gradgen:jvp wrt=n
func (n *Net) Loss(x float64) float64 {
	a := n.unit(x, 1)
	return a * n.unit(a, -1)
}

// softplus has a hand-written rule below: gradgen calls the rule instead of
// looking into it.
func softplus(x float64) float64 { return math.Log1p(math.Exp(x)) }

// softplusRule is softplus's derivative, written so that it never
// overflows.
//
//gradgen:rule softplus
func softplusRule(x float64) (float64, float64) {
	if x > 30 {
		return x, 1
	}
	e := math.Exp(x)
	return math.Log1p(e), e / (1 + e)
}

// WithRule uses a function with a custom rule.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func WithRule(x float64) float64 { return softplus(2*x) * x }

// gammaRule is the derivative of math.Gamma, which has no elementary
// one: Γ'(x) = Γ(x)·ψ(x), with the digamma function ψ from its asymptotic
// series after shifting x above 6.
//
//gradgen:rule math.Gamma
func gammaRule(x float64) (float64, float64) {
	g := math.Gamma(x)
	psi := 0.0
	for x < 6 {
		psi -= 1 / x
		x++
	}
	f := 1 / (x * x)
	psi += math.Log(x) - 1/(2*x) - f*(1.0/12-f*(1.0/120-f*(1.0/252-f*(1.0/240-f/132))))
	return g, g * psi
}

// OtherPackage calls a function of another package through its rule.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func OtherPackage(x float64) float64 { return math.Gamma(x) * x }

// scaleInto has a rule with slice parameters: the seed, then a buffer.
func scaleInto(w []float64, k float64) float64 { return k * dot(w, w) }

//gradgen:rule scaleInto
func scaleIntoRule(w []float64, k float64, seed float64, dw []float64) (float64, float64) {
	s := dot(w, w)
	for i := range w {
		dw[i] += seed * 2 * k * w[i]
	}
	return k * s, seed * s
}

// SliceRule uses a rule with slice parameters (a pullback, which forward
// mode cannot use).
//
//gradgen:grad
func SliceRule(w []float64, k float64) float64 { return scaleInto(w, k*k) + k }

// StoredHelperInLoop stores a helper's result into an element inside a
// loop. Regression (random programs, seed 4): the backward sweep read the
// stored value back but kept the previous trip's partial from the same call.
//
//gradgen:grad wrt=y,w
//gradgen:hvp wrt=y,w
//gradgen:hessian wrt=y,w
//gradgen:jvp wrt=y,w
func StoredHelperInLoop(y float64, w []float64) float64 {
	h := make([]float64, 3)
	for i := range h {
		h[i] = w[i] * 1.5
	}
	for i := 0; i < 2; i++ {
		v := dot(h, h) + y
		h[1] = sigmoid(y / (2 + math.Sin(v)))
		y += 0.25 * v
	}
	return h[1]
}

// polar returns two results: a helper with several float results.
func polar(x, y float64) (float64, float64) {
	r := math.Hypot(x, y)
	return r, math.Atan2(y, x) * r
}

// TwoResults calls a helper with two results, in a loop too.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func TwoResults(x, y float64) float64 {
	r, a := polar(x, y)
	s := r * a
	for i := 0; i < 2; i++ {
		p, q := polar(s, x)
		s = p + q*0.5
	}
	return s + a
}

// bell is a scalar helper of two statements: it goes through gradOfBell
// rather than being expanded in place.
func bell(x, s float64) float64 {
	t := x / s
	return math.Exp(-t * t)
}

// ScalarHelper calls a multi-statement scalar helper, twice, and in a loop.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ScalarHelper(x, s float64) float64 {
	y := bell(x, s) * bell(s, x+2)
	for i := 0; i < 3; i++ {
		y += bell(y, s)
	}
	return y
}

// halfScale is expanded in place; ConstArgHelper passes its t constants.
func halfScale(t, x float64) float64 { return t / 2 * x }

// three is an untyped constant argument.
const three = 3

// ConstArgHelper passes untyped constants to an expanded helper: they must
// stay floats there (bare, 3 / 2 * x is integer division).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func ConstArgHelper(x float64) float64 {
	return halfScale(3, x) + halfScale(three, x*x) + halfScale(1, halfScale(5, x)*x)
}

// softsign is a single-expression helper that reads its argument twice.
func softsign(x float64) float64 { return x / (1 + math.Abs(x)) }

// InlinedElementInLoop expands softsign on an element that the same loop
// body overwrites afterwards: the backward sweep must read the element as
// it was when the helper read it.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func InlinedElementInLoop(y float64, w []float64) float64 {
	h := make([]float64, 2)
	h[0], h[1] = w[0], w[1]
	for i := 0; i < 3; i++ {
		v := softsign(h[0]) * y
		h[0] = math.Sin(y * v)
		y += 0.5 * v
	}
	return y + h[0]
}

// halves has two results.
func halves(a, b float64) (float64, float64) { return a / 2, a*b + b }

// ZeroTangentArgs calls helpers whose arguments depend on x only through
// Copysign's sign, which carries no derivative: forward mode calls them
// once, as passive calls (a random program, seed 22, was refused).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ZeroTangentArgs(x float64) float64 {
	a, b := halves(0.5, math.Copysign(1.3, x))
	c := softsign(math.Copysign(0.7, x))
	return a*b + c + x*x
}

// VarNorm is variadic: its gradient takes the values as a slice, with
// their buffer after it.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarNorm(xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x * x
	}
	return math.Sqrt(s)
}

// VarScaled has a fixed parameter before the variadic one, and passes
// the variadic slice on with ... to a variadic helper.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarScaled(k float64, ws ...float64) float64 {
	return k * VarNorm(ws...) * VarNorm(ws[1:]...)
}

// varStats is variadic with two results.
func varStats(xs ...float64) (m, s float64) {
	for _, x := range xs {
		m += x
		s += x * x
	}
	return
}

// VarPair takes a variadic helper's two results, passing it a slice.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarPair(w []float64) float64 {
	m, s := varStats(w...)
	return m * s
}

// FuncLit calls literals bound to locals: one captures lambda, which the
// loop changes between calls (a call sees the current value), and takes
// an argument it reads twice (computed once, first); another calls the
// first; one is declared inside the loop; one reads an argument once
// (written in place, in parentheses).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FuncLit(x, lambda float64) float64 {
	penalty := func(t float64) float64 { return lambda * t * t }
	s := 0.0
	for i := range 3 {
		shift := func(u float64) float64 { return u + float64(i) }
		s += penalty(math.Sin(x)*float64(i)) + shift(x*x)
		lambda *= 1.5
	}
	var pair = func(a, b float64) float64 { return a*b + penalty(a) }
	triple := func(t float64) float64 { return 3 * t }
	return s + pair(x, lambda) + triple(x-lambda)
}

// FuncLitSlice captures a slice and indexes it with the literal's int
// parameter.
//
//gradgen:grad
//gradgen:jvp
func FuncLitSlice(w []float64) float64 {
	at := func(k int, c float64) float64 { return c * w[k] * w[k] }
	s := 0.0
	for k := range w {
		s += at(k, 0.5) + at(len(w)-1-k, float64(k))
	}
	return s
}

// FuncLitGuard passes literals constants, which become variables of the
// parameter's type (3 for t in t / 2 * w[0] is no integer division), and
// calls one whose body reads its argument twice on the right of &&: the
// argument w[k]*2 is written at each read there, never computed before
// the guard k < len(w) (it would panic for k = len(w)).
//
//gradgen:grad
//gradgen:jvp
func FuncLitGuard(w []float64) float64 {
	half := func(t float64) float64 { return t / 2 * w[0] }
	tenth := float32(0.1)
	eps := func() float32 { return tenth }
	sq := func(t float64) float64 { return t * t }
	s := half(3) + half(three)*w[1] + float64(eps())*w[2]
	for k := 0; k <= len(w); k++ {
		big := k < len(w) && sq(w[k]*2) > 1
		if big {
			s += sq(w[k] - 0.5)
		}
	}
	return s
}

// PureCallStatement calls a pure helper and drops its value: nothing
// differentiated changes (a JVP differentiated again for second
// derivatives may hold such a call too).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func PureCallStatement(x, y float64) float64 {
	sigmoid(x * y)
	return x * y * y
}

// angleOf would be expanded in place, but not with a constant argument.
func angleOf(x, t float64) float64 { return x * math.Atan2(-t, -1) }

// ConstArgRuntime passes constants where the callee computes with a
// variable, at run time: -t of 0 is -0 (Atan2 tells its sign), uint8 0 - 1
// wraps to 255, 1e200 squared is +Inf. Written into an expansion they
// would fold at compile time (+0, -1, a constant overflow).
//
//gradgen:grad
//gradgen:jvp
func ConstArgRuntime(x float64) float64 {
	prev := func(n uint8, t float64) float64 { return t * float64(n-1) / 255 }
	side := func(t float64) float64 { return math.Atan2(-t, -1) * x }
	big := func(t float64) float64 { return math.Min(t*t, 2) * x }
	return angleOf(x, 0) + prev(0, x) + side(0) + big(1e200)
}
