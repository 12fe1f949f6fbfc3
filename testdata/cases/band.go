package cases

import "math"

// Banded Hessians: sums over a counter of terms reading x at constant
// offsets from it, whose Hessians gradgen compresses (2b+1 products for a
// band of half-width b), and lookalikes that must stay dense.

// BandThree couples x[i-1], x[i] and x[i+1]: a band of half-width 2.
//
//gradgen:grad
//gradgen:hessian
func BandThree(x []float64) float64 {
	s := 0.0
	for i := 1; i+1 < len(x); i++ {
		s += x[i-1] * x[i] * math.Sin(x[i+1])
	}
	return s
}

// BandRange ranges over x, its value x[i], and reads x[i+k] under a
// branch: the band holds whichever way the branch goes.
//
//gradgen:grad
//gradgen:hessian
func BandRange(x []float64) float64 {
	const k = 2
	s := 0.0
	for i, v := range x {
		if i+k < len(x) && v > 0 {
			s += v * v * x[i+k]
		} else {
			s += math.Exp(0.1 * v)
		}
	}
	return s / 2
}

// BandAnchored reads x[0] on every trip besides x[i]: not a band, so its
// Hessian is computed dense (a compressed one would miss row 0).
//
//gradgen:grad
//gradgen:hessian
func BandAnchored(x []float64) float64 {
	s := 0.0
	for i := 1; i < len(x); i++ {
		s += x[i] * x[i] * x[0]
	}
	return s
}

// BandCarried carries a value from trip to trip: not a sum of terms, so
// dense (its Hessian is full).
//
//gradgen:grad
//gradgen:hessian
func BandCarried(x []float64) float64 {
	s, c := 0.0, 1.0
	for i := range x {
		c *= 1 + 0.1*x[i]
		s += c
	}
	return s
}

// SumOuterCounter moves a counter declared before its loop on every trip
// (j--): the loop is not a sum that runs forward and backward trip by trip,
// since backward code would undo j-- before the next trip reads j (the
// gradient came out wrong, value included).
//
//gradgen:grad
//gradgen:hessian
func SumOuterCounter(x []float64) float64 {
	s := 0.0
	j := len(x) - 1
	for i := range len(x) {
		s += x[j] * x[i]
		j--
	}
	return s
}

// SumCounterInBody steps its own counter in the body too (i++ twice a
// trip): not a sum either, and not a band.
//
//gradgen:grad
//gradgen:hessian
func SumCounterInBody(x []float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(x); i++ {
		s += x[i] * x[i+1] * x[i+1]
		i++
	}
	return s
}

// SumWhile counts in the body of a loop with a condition only (the fused
// loop ran i++ then i-- and never ended).
//
//gradgen:grad
//gradgen:hessian
func SumWhile(x []float64) float64 {
	s := 0.0
	i := 0
	for i < len(x) {
		s += x[i] * x[i] * x[i]
		i++
	}
	return s
}

// BandUint8 counts with a uint8, whose i-1 wraps to 255 at 0: offsets are
// not distances for a counter narrower than int, so its Hessian is dense.
//
//gradgen:grad
//gradgen:hessian
func BandUint8(x []float64) float64 {
	s := 0.0
	for i := uint8(1); int(i) < len(x); i++ {
		s += x[i] * x[i-1] * x[i]
	}
	return s
}

// HeatResidual is a discretised heat equation's residual with a source
// term: a three-point stencil inside, boundary rows at both ends (the
// last through n := len(u)). Its Jacobian is tridiagonal: 3 JVPs.
//
//gradgen:jvp out=r
//gradgen:vjp out=r
//gradgen:jacobian out=r
func HeatResidual(r, u []float64) {
	n := len(u)
	h := 1 / float64(n-1)
	r[0] = u[0] - 1
	for i := 1; i < n-1; i++ {
		lap := (u[i-1] - 2*u[i] + u[i+1]) / (h * h)
		r[i] = lap + math.Exp(u[i])*0.1
	}
	r[n-1] = u[n-1] + 0.5*u[n-2]*u[n-1]
}

// StencilShift writes row i-1 from x[i-1] and x[i]: the band is above
// the diagonal (0 <= j-i <= 1), 2 JVPs.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func StencilShift(y, x []float64) {
	for i := 1; i < len(x); i++ {
		y[i-1] = x[i]*x[i] - math.Sin(x[i-1])
	}
	y[len(y)-1] = x[len(x)-1]
}

// BandRows counts its last row from len(y) and its column from len(x):
// banded only when the lengths are equal, which FBandRowsJacobian checks
// at run time.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func BandRows(y, x []float64) {
	m := len(y)
	for i := range x {
		if i < m-1 {
			y[i] = x[i] * math.Cos(x[i])
		}
	}
	y[m-1] = x[len(x)-1] * x[len(x)-2]
}

// Lookalikes, dense: a periodic boundary (row 0 reads the last column),
// a sum carried from trip to trip, and a value carried in memory declared
// outside the loop.

//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func BandPeriodic(y, x []float64) {
	n := len(x)
	y[0] = x[0] - x[n-1]
	for i := 1; i < n; i++ {
		y[i] = x[i] - x[i-1]
	}
}

//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func BandCarriedSum(y, x []float64) {
	s := 0.0
	for i := range x {
		s += x[i] * x[i]
		y[i] = s
	}
}

//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func BandCarriedMemory(y, x []float64) {
	prev := make([]float64, 1)
	for i := range x {
		y[i] = x[i] + prev[0]*prev[0]
		prev[0] = x[i]
	}
}
