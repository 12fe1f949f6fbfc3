package a

var scratch = make([]float64, 4)

var table = [][]float64{{1}, {2}}

// Writing active values through a view of a package variable would write
// package memory, which has no adjoint: refused like a direct write.

//gradgen:grad
func ViewScratch(x []float64) float64 {
	buf := scratch // want `cannot differentiate buf = scratch: buf would refer to the memory of the package-level variable scratch`
	buf[0] = x[0]
	return buf[0] * buf[0]
}

//gradgen:grad
func ViewRow(x []float64) float64 {
	s := 0.0
	for _, r := range table { // want `cannot differentiate r = table: r would refer to the memory of the package-level variable table`
		r[0] = x[0]
		s += r[0]
	}
	return s
}

// Reading through a view is fine.
//
//gradgen:grad
func ReadScratch(x []float64) float64 {
	buf := scratch[1:]
	return buf[0] * x[0]
}
