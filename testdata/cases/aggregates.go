package cases

import "math"

// One function per data shape: slices, arrays, matrices as flat slices
// walked through views, structs by value and by pointer, methods, slices
// of structs.

// Dot is the dot product of two slices.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Dot(w, x []float64) float64 {
	s := 0.0
	for i := range w {
		s += w[i] * x[i]
	}
	return s
}

// MatVec is ‖W·x‖² for a row-major n×m matrix in a flat slice, walked row
// by row through views.
//
//gradgen:grad wrt=W,x
//gradgen:hvp wrt=W,x
//gradgen:hessian wrt=W,x
//gradgen:jvp wrt=W,x
func MatVec(W, x []float64, n int) float64 {
	m := len(x)
	y := make([]float64, n)
	for j := 0; j < n; j++ {
		row := W[j*m : j*m+m]
		for k, xk := range x {
			y[j] += row[k] * xk
		}
	}
	s := 0.0
	for _, yj := range y {
		s += yj * yj
	}
	return s
}

// SoftmaxCE is the softmax cross-entropy of logits z for the class c,
// computed stably.
//
//gradgen:grad wrt=z
//gradgen:hvp wrt=z
//gradgen:hessian wrt=z
//gradgen:jvp wrt=z
func SoftmaxCE(z []float64, c int) float64 {
	zmax := z[0]
	for _, v := range z[1:] {
		zmax = max(zmax, v)
	}
	sum := 0.0
	for i := range z {
		sum += math.Exp(z[i] - zmax)
	}
	return math.Log(sum) + zmax - z[c]
}

// Point is a struct passed by value.
type Point struct {
	X, Y  float64
	Label string
}

// Dist is the distance between two points passed by value: their
// gradients are returned as Points.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Dist(p, q Point) float64 {
	dx := p.X - q.X
	dy := p.Y - q.Y
	return math.Sqrt(dx*dx + dy*dy)
}

// Layer is a struct holding slices: passed by value, its gradient goes to
// a *Layer buffer.
type Layer struct {
	W     []float64
	B     float64
	Scale float64
	Name  string
}

// Apply is a neuron with weights W, bias B and output scale.
//
//gradgen:grad wrt=l
//gradgen:hvp wrt=l
//gradgen:hessian wrt=l
//gradgen:jvp wrt=l
func Apply(l Layer, x []float64) float64 {
	z := l.B
	for i, xi := range x {
		z += l.W[i] * xi
	}
	return l.Scale * math.Tanh(z)
}

// Poly is a polynomial with coefficients held by pointer.
type Poly struct {
	C []float64
}

// Eval is a method on a pointer receiver, evaluated by Horner's rule.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func (p *Poly) Eval(x float64) float64 {
	y := 0.0
	for i := len(p.C) - 1; i >= 0; i-- {
		y = y*x + p.C[i]
	}
	return y
}

// Sample is one observation.
type Sample struct {
	X []float64
	Y float64
}

// Residuals sums squared residuals of a linear model over a slice of
// structs, differentiated with respect to the samples themselves.
//
//gradgen:grad wrt=batch
//gradgen:hvp wrt=batch
//gradgen:hessian wrt=batch
//gradgen:jvp wrt=batch
func Residuals(w []float64, batch []Sample) float64 {
	s := 0.0
	for _, smp := range batch {
		r := -smp.Y
		for i := range w {
			r += w[i] * smp.X[i]
		}
		s += r * r
	}
	return s
}

// ResidualsW is Residuals with respect to the weights.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func ResidualsW(w []float64, batch []Sample) float64 {
	s := 0.0
	for _, smp := range batch {
		r := -smp.Y
		for i := range w {
			r += w[i] * smp.X[i]
		}
		s += r * r
	}
	return s / float64(len(batch))
}

// Array takes an array by value and returns its gradient as an array;
// it uses a local fixed-size array.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Array(a [3]float64, k float64) float64 {
	var h [3]float64
	for i := range h {
		h[i] = math.Sin(a[i] * k)
	}
	h[1] *= h[0]
	h[2] -= k
	return h[0] + h[1]*h[2]
}

// Matrix takes a slice of slices.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Matrix(m [][]float64) float64 {
	s := 0.0
	for i := range m {
		for j := range m[i] {
			s += m[i][j] * float64(i+j+1)
		}
	}
	return s * s
}

// Scaled writes into a local slice, overwrites elements and reads them
// back: old values must be restored for the backward sweep.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Scaled(w []float64) float64 {
	h := make([]float64, len(w))
	for i := range w {
		h[i] = w[i] * w[i]
		h[i] = math.Exp(-h[i])
	}
	s := 0.0
	for i := range h {
		s += h[i] * float64(i+1)
	}
	return s
}

// SelfAssign copies elements onto themselves and onto each other.
// Regression (random programs): h[i] = h[i] reset the element's adjoint
// before passing it on.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SelfAssign(w []float64) float64 {
	h := make([]float64, 3)
	for i := range h {
		h[i] = w[i] * w[i]
	}
	j := 0
	h[j] = h[0] // the same element, as vet cannot see
	h[1] = h[2]
	return h[0] + 3*h[1] + 5*h[2]
}

// SumAfterUse ends in a sum loop over a variable that code before the loop
// has used. Regression (random programs): the loop's forward and backward
// in one pass restored the accumulator inside each trip.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SumAfterUse(x, y float64) float64 {
	z := math.Sin(x * y)
	x *= z
	for i := 0; i < 4; i++ {
		x -= y * float64(i)
	}
	return x
}

// Chain sums terms that read neighbouring elements: within a trip the
// backward shares of one element are added in one update, as a
// hand-written gradient would.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Chain(x []float64) float64 {
	s := 0.0
	for i := 1; i < len(x)-1; i++ {
		a := x[i+1] - x[i]*x[i-1]
		b := math.Sin(x[i]) * x[i-1]
		s += a*a + b*x[i+1] - x[i]
	}
	return s
}

// CompositeLits declares a slice, an array and structs with composite
// literals whose elements depend on the parameters (keyed, positional,
// nested, with gaps and constants): each becomes an empty declaration and
// element writes.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func CompositeLits(a, b float64) float64 {
	xs := []float64{a, b * b, 3: 2}
	ar := [3]float64{a, 0, math.Sin(b)}
	var p = Point{X: a * b, Y: 1}
	q := Point{b, a, "q"}
	rows := [2][2]float64{{a, 1}, {0, b}}
	s := 0.0
	for _, x := range xs {
		s += x * x
	}
	return s + ar[0]*ar[2] + p.X*p.Y + q.Y*q.X*rows[0][0]*rows[1][1]
}
