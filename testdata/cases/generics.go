package cases

import "math"

// Real is a named constraint of float types.
type Real interface{ ~float32 | ~float64 }

// GenericLoss is generic over its float type: its gradient and JVP are
// generic with the same type parameter, and compute for each type what
// the source computes (constants convert to T once, as in the source).
//
//gradgen:grad
//gradgen:jvp
func GenericLoss[T ~float32 | ~float64](w []T, k T) T {
	s := T(0)
	for i, v := range w {
		s += v * v * k / 3
		s += T(math.Sin(float64(v))) * T(i)
	}
	sq := func(t T) T { return t * t / 2 }
	if k > 1 {
		s += sq(k) + sq(3)
	}
	return s*0.1 + k
}

// GenericHypot names its constraint and calls math through float64.
//
//gradgen:grad
//gradgen:jvp
func GenericHypot[F Real](x, y F) F {
	return F(math.Sqrt(float64(x*x + y*y)))
}

// gdot is a generic helper with a loop: its pullback and pushforward are
// generic, instantiated at each call.
func gdot[T ~float32 | ~float64](a, b []T) T {
	s := T(0)
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// gsoft is a generic helper of a float64 parameter beside its T one.
func gsoft[T ~float32 | ~float64](x T, k float64) T {
	return T(math.Log1p(math.Exp(float64(x)*k))) / T(k)
}

// GenericHelpers calls generic helpers from a function of float64, one
// with explicit type arguments, and from a generic one.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func GenericHelpers(x, y float64) float64 {
	w := []float64{x, y * x}
	return gdot(w, w) + gsoft(y, 2) + gsoft[float64](3, x)
}

// GenericCallsGeneric calls the generic helpers from a generic function.
//
//gradgen:grad
//gradgen:jvp
func GenericCallsGeneric[T ~float32 | ~float64](w []T, k T) T {
	return gdot(w, w)*k + gsoft(k, 1.5)
}

// tie lies on a float32 rounding tie after rounding to float64: T(tie)
// would round twice for float32 and come out one bit below.
const tie = 1 + 0x1p-24 + 0x1p-54

// GenericTie multiplies by tie: each instantiation's value, derivative
// and tangent are the source's bit for bit.
//
//gradgen:grad
//gradgen:jvp
func GenericTie[T ~float32 | ~float64](x T) T { return x * tie }

// GenericTwo has two type parameters, each a float.
//
//gradgen:grad
//gradgen:jvp
func GenericTwo[T, U Real](x T, y U) T {
	return x * T(math.Sin(float64(y))) / 3
}

// GenericRecurrence carries s through a loop of known trip count and a
// loop of unknown trip count, so its gradient keeps s's old values on
// tapes: float64 tapes, whichever the instantiation (float32 and float64
// both go to float64 and back exactly), in storage from the function's
// pool, so calls allocate nothing at any trip count.
//
//gradgen:grad
//gradgen:jvp
func GenericRecurrence[T ~float32 | ~float64](x []T, a T, n int) T {
	s := a
	for _, xi := range x {
		s = T(math.Sin(float64(s)))*xi + a
	}
	for n > 0 {
		s = s*s*0.25 + a*xi0(x)
		n--
	}
	return s
}

func xi0[T ~float32 | ~float64](x []T) T { return x[0] }
