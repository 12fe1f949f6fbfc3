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
