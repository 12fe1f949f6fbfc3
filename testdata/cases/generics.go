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
