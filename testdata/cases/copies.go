package cases

import "math"

// Body has an array field and a float: a := c.Pos copies the array.
type Body struct {
	Pos  [2]float64
	Mass float64
	Tag  int
}

// Nest nests a struct and an array in a struct.
type Nest struct {
	A Point
	V [3]float64
}

// WholeCopies copies whole structs and arrays, each form SPEC §5 names:
// a by-value parameter (q := p), through a pointer (q := *pp), an element
// (r := pts[1]), an array field (a := c.Pos), var forms, a nested struct,
// assignments into a local slice's elements, and a literal of copies.
// Each copy is then written: the source must keep its value.
//
//gradgen:grad wrt=p,pp,pts,c,pr
//gradgen:jvp wrt=p,pp,pts,c,pr
func WholeCopies(p Point, pp *Point, pts []Point, c Body, pr Nest) float64 {
	q := p
	q.X *= 2
	b := *pp
	b.Y += q.X * p.Y
	r := pts[1]
	r.X = r.X * b.Y
	a := c.Pos
	a[0] *= c.Mass
	var s Point = p
	s.Y = math.Sin(s.Y)
	var t = pr
	t.A.X *= t.V[2]
	t.V[0] = t.A.Y
	buf := make([]Point, 2)
	buf[0] = q
	buf[1] = *pp
	buf[0].Y *= buf[1].X
	two := [2]Point{r, b}
	two[1].X *= two[0].Y
	out := 0.0
	for i := range pts {
		e := pts[i]
		e.X *= e.Y
		out += e.X + pts[i].X
	}
	return q.X*q.Y + p.X + b.X*b.Y + r.X*r.Y + a[0]*a[1] + s.X*s.Y + t.A.X*t.V[0] + pr.V[0] + buf[0].Y + buf[1].X + two[1].X + out
}

// CopyLoop copies whole values inside a loop that reassigns them: the
// reverse sweep must see each trip's copy.
//
//gradgen:grad
//gradgen:jvp
func CopyLoop(p Point, n int) float64 {
	cur := p
	var prev Point
	for range n {
		prev = cur
		cur.X = prev.X*prev.Y + 0.1
		cur.Y = math.Cos(prev.X)
	}
	return cur.X + prev.Y*cur.Y
}

// CopySlices copies between float slices: a parameter into fresh memory,
// one fresh slice into another, by views, and for the count.
//
//gradgen:grad wrt=x,k
//gradgen:jvp wrt=x,k
func CopySlices(x []float64, k float64) float64 {
	y := make([]float64, len(x))
	copy(y, x)
	for i := range y {
		y[i] *= k
	}
	n := copy(y[1:], x[:2])
	z := make([]float64, len(x)+1)
	m := 0
	m = copy(z[1:], y)
	return y[0]*y[1] + z[1]*z[len(z)-1]*float64(n+m) + x[0]
}

// CopyStep is a time-stepping loop that keeps the previous state with
// copy: the reverse sweep restores prev on every trip.
//
//gradgen:grad wrt=x,h
//gradgen:jvp wrt=x,h
func CopyStep(x []float64, h float64, steps int) float64 {
	cur := make([]float64, len(x))
	prev := make([]float64, len(x))
	copy(cur, x)
	for range steps {
		copy(prev, cur)
		for i := range cur {
			cur[i] = prev[i] + h*math.Sin(prev[(i+1)%len(prev)])
		}
	}
	return cur[0]*cur[len(cur)-1] + prev[0]
}

// DerefCopies copies through pointers inside expressions: a literal of a
// dereference, a field of one, a pointer to a pointer. Regression (a new
// user's trial): (*pp).X was written *pp.X, which does not compile; and
// the Hessian numbered ppp's components as fields of a pointer, which did
// not compile either (a fresh trial, with **float64).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func DerefCopies(pp *Point, ppp **Point) float64 {
	arr := [1]Point{*pp}
	q := (*pp).X
	r := **ppp
	arr[0].Y *= r.X
	return arr[0].X*arr[0].Y + q*(*pp).Y + r.Y*(**ppp).X
}

// SlicePointer reads a slice through a pointer to it. Regression (a fresh
// trial): the buffers' length checks and the Hessian's components took
// len and indexes of the pointer itself, which does not compile.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SlicePointer(p *[]float64, k float64) float64 {
	s := 0.0
	for i, v := range *p {
		s += v * v * (*p)[len(*p)-1-i] * k
	}
	return s
}

// smoothEnd is a helper that copies its slice into fresh memory and
// writes only that. Regression (a new user's trial): make(..., len(x))
// was taken for a view of x, and the call refused as writing into x.
func smoothEnd(x []float64) float64 {
	y := make([]float64, len(x))
	copy(y, x)
	for i := 1; i < len(y); i++ {
		y[i] = 0.5 * (y[i] + y[i-1])
	}
	return y[len(y)-1] * y[0]
}

// SmoothEnd calls smoothEnd.
//
//gradgen:grad
//gradgen:jvp
func SmoothEnd(x []float64) float64 { return smoothEnd(x) + x[1] }

// RowByRow builds a local [][]float64 row by row with make, in the loop
// over its rows (SPEC §5 via issue 15): the adjoint's rows are made
// beside them.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func RowByRow(x []float64) float64 {
	n := len(x)
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		for j := range m[i] {
			m[i][j] = x[i] * math.Sin(x[j])
		}
	}
	s := 0.0
	for i := range m {
		s += m[i][(i+1)%n] * m[i][i]
	}
	return s
}

// RangeArrayWrites ranges over an array its body writes: Go ranges over a
// copy, so v is the value before the writes (SPEC §5).
//
//gradgen:grad
//gradgen:jvp
func RangeArrayWrites(a [3]float64, x float64) float64 {
	s := 0.0
	for i, v := range a {
		a[(i+1)%3] = v * x
		s += v * a[i]
	}
	return s + a[0]
}

// TypedVars declares several typed variables at once, a constant among
// them. Regression (a new user's trial): var a, b float64 = 3, x printed
// a := 3, an int, and the gradient did not compile.
//
//gradgen:grad
//gradgen:jvp
func TypedVars(x float64) float64 {
	var a, b float64 = 3, x
	return x * a * b
}

// AnonStructs keeps its state in values of unnamed struct types: a var,
// a literal, and a slice of them ranged over (a Go table).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func AnonStructs(x []float64) float64 {
	var acc struct{ Sum, Sq float64 }
	pts := []struct{ X, W float64 }{{X: x[0], W: 2}, {X: x[1] * x[2], W: 0.5}}
	for _, p := range pts {
		acc.Sum += p.W * p.X
		acc.Sq += p.X * p.X
	}
	st := struct {
		A float64
		B [2]float64
	}{A: x[0], B: [2]float64{x[1], acc.Sum}}
	st.B[0] *= st.A
	return acc.Sq*st.B[1] + math.Sin(st.B[0])
}

// LiteralBuffers writes into slices that start as literals of constants:
// fresh memory, whose adjoints start zero as make's do.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func LiteralBuffers(x []float64) float64 {
	buf := []float64{0, 0}
	buf[0] = x[0] * x[1]
	buf[1] = math.Sin(x[2])
	w := []float64{1.5, -2, 3: 0.5}
	for i := range w {
		w[i] *= x[i%len(x)]
	}
	return buf[0] + buf[1]*buf[0] + w[0]*w[3] + w[1] + w[2]
}

// KeyedLiterals places active elements after keyed constants: each
// tangent sits at its element's index.
//
//gradgen:grad
//gradgen:jvp
func KeyedLiterals(x []float64) float64 {
	a := []float64{2: 1.5, x[0] * x[1], x[2]}
	b := [5]float64{1: -2, x[1], 4: x[0]}
	return a[3]*b[2] + a[4]*a[2] + b[4]*a[3] + b[1]*a[4]
}

// CopyArrays copies between arrays held by value, a parameter's and a
// local's: each is memory of its own, and the copy is written element by
// element, v[lo+i], with no view taken.
//
//gradgen:grad
//gradgen:jvp
func CopyArrays(a [3]float64, t float64) float64 {
	var h [4]float64
	h[0] = t
	n := copy(h[1:], a[:])
	h[2] *= t
	b := a
	copy(b[:2], h[2:])
	return h[0]*h[3] + h[2]*float64(n) + b[0]*b[1] + b[2]
}

// BodiesEnergy copies each body into a local on every trip: a struct value
// taped per trip. Its gradient, HVP and Hessian keep that tape in an array
// on the stack while it fits, and in the function's pool beyond: no
// allocation (TestSecondDerivativeAllocations, TestTapePool).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func BodiesEnergy(bs []Body, g float64) float64 {
	e := 0.0
	for i := range bs {
		b := bs[i]
		e += b.Mass * (b.Pos[0]*b.Pos[0] + g*b.Pos[1])
		e += b.Pos[0] * b.Pos[1] * float64(b.Tag)
	}
	return e * g
}

// SumOfRows is a sum loop whose trip runs a loop over rows of three
// values, copying each into a local: a [3]float64 tape grown inside the
// sum loop, from the gradient's pool beyond 64 rows (TestTapePool).
//
//gradgen:grad
//gradgen:jvp
func SumOfRows(xs []float64, rows [][3]float64) float64 {
	loss := 0.0
	for i := range xs {
		u := xs[i]
		for j := range rows {
			r := rows[j]
			u = u*0.5 + 0.01*r[0]*math.Cos(u+r[2]*xs[i])
		}
		loss += u * u
	}
	return loss
}
