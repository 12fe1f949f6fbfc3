package linear

import "math"

//gradgen:grad
func Hypot(x, y float64) float64 {
	a := x * x
	b := y * y
	return math.Sqrt(a + b)
}

//gradgen:grad
func Piecewise(x, y float64) float64 {
	if x > y {
		return math.Abs(x) * y
	}
	return max(x, y)
}

//gradgen:grad
func Logistic(r, x float64, steps int) float64 {
	for range steps {
		x = r * x * (1 - x)
	}
	return x
}

//gradgen:grad
func Switch(x float64, k int) float64 {
	s := 0.0
	switch k {
	case 0:
		s = math.Sin(x)
	case 1, 2:
		s = x * float64(k)
	default:
		s = math.Exp(-x)
	}
	return s
}

//gradgen:grad wrt=w
func Softplus(w, xs []float64) float64 {
	s := 0.0
	for i, x := range xs {
		s += math.Log1p(math.Exp(w[i] * x))
	}
	return s
}

func sq(x float64) float64 { return x * x }

//gradgen:grad
func Calls(x float64, v []float64) float64 {
	h := make([]float64, len(v))
	t := sq(x) + sq(v[0])
	h[1] = t * 2
	for i := 0; i < len(v); i++ {
		t += v[i] * h[i]
	}
	return t
}
