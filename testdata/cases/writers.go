package cases

import "math"

// Helpers that write into what they are passed, expanded where they are
// called (SPEC §5).

// layer fills out with one tanh layer.
func layer(w, x, out []float64) {
	for i := range out {
		out[i] = math.Tanh(w[i] * x[i%len(x)])
	}
}

// LayerTwice calls a writing helper twice, the second time on what the
// first wrote.
//
//gradgen:grad
//gradgen:jvp
func LayerTwice(w, x []float64) float64 {
	h := make([]float64, len(w))
	layer(w, x, h)
	g := make([]float64, len(w))
	layer(w, h, g)
	s := 0.0
	for _, v := range g {
		s += v * v
	}
	return s
}

// Mass is advanced in place by its Step method.
type Mass struct{ X, V float64 }

// Step moves the oscillator by h (symplectic Euler).
func (o *Mass) Step(h, k float64) {
	o.X += h * o.V
	o.V -= h * k * o.X
}

// Energy after n steps of a local oscillator: a pointer method called on
// a struct held by value, in a loop.
//
//gradgen:grad wrt=x,v,k
//gradgen:jvp wrt=x,v,k
//gradgen:hessian wrt=x,v,k
func Energy(x, v, k float64, n int) float64 {
	o := Mass{X: x, V: v}
	for range n {
		o.Step(0.1, k)
	}
	return 0.5*o.V*o.V + 0.5*k*o.X*o.X
}

// Moments accumulates a sum and a sum of squares.
type Moments struct{ Sum, Sq float64 }

func accumulate(m *Moments, v float64) {
	m.Sum += v
	m.Sq += v * v
}

// Variance passes the address of a local to a helper that writes it.
//
//gradgen:grad
//gradgen:jvp
func Variance(x []float64) float64 {
	var m Moments
	for _, v := range x {
		accumulate(&m, v)
	}
	n := float64(len(x))
	return m.Sq/n - (m.Sum/n)*(m.Sum/n)
}

// fill writes two features of t into buf and returns their product.
func fill(t float64, buf []float64) float64 {
	buf[0] = math.Sin(t)
	buf[1] = t * t
	return buf[0] * buf[1]
}

// Features calls a helper with a result that also writes into a slice,
// with :=, = and +=.
//
//gradgen:grad
//gradgen:jvp
func Features(a, b float64) float64 {
	buf := make([]float64, 2)
	p := fill(a, buf)
	s := buf[0] + p
	s += fill(b*p, buf)
	q := 0.0
	q = fill(s, buf)
	return s*buf[1] + q
}

// Scratch writes into a scratch slice on every trip, through a helper
// whose value it drops, and reads it back: backward code must see each
// trip's values.
//
//gradgen:grad
//gradgen:jvp
func Scratch(a float64) float64 {
	work := make([]float64, 2)
	s := 0.0
	for k := range 3 {
		fill(float64(k+1), work)
		s = s*a + work[0]*a + work[1]
	}
	return s
}

// scale multiplies an array through a pointer, in a loop over it.
func scale(p *[3]float64, k float64) {
	for i := range p {
		p[i] *= k
	}
	p[0] += k
}

// twice calls another writing helper twice: nested expansions.
func twice(p *[3]float64, k float64) {
	scale(p, k)
	scale(p, k*k)
}

// NestedWriters expands helpers inside helpers, with names that clash: the
// helpers' k and i are not the caller's.
//
//gradgen:grad
//gradgen:jvp
func NestedWriters(x, k float64) float64 {
	i := 2.0
	a := [3]float64{x, x * x, 1}
	twice(&a, k*i)
	scale(&a, 2) // an int constant for a float64 parameter: 2.0, as in the call
	return a[0] + a[1]*a[2] + k
}

// scale32 is float32 code called with a constant: the constant becomes
// the parameter's type, as in the call.
func scale32(v []float32, k float32) {
	for i := range v {
		v[i] = v[i] * k / 3
	}
}

// Scaled32 calls a float32 writing helper with a constant argument.
//
//gradgen:grad
//gradgen:jvp
func Scaled32(x []float32) float32 {
	y := make([]float32, len(x))
	for i := range x {
		y[i] = x[i] * x[i]
	}
	scale32(y, 2)
	return y[0] + y[1]
}

// LitStatements calls function literals of several statements that
// read and write the enclosing function's variables, each call expanded
// in place: a call sees the variables' current values, as in Go.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func LitStatements(x, y float64) float64 {
	acc := 0.0
	add := func(t float64) {
		s := t * t
		acc += s * y
	}
	sq := func(t float64) float64 {
		u := t * x
		if u > 1 {
			u = 1 + math.Log(u)
		}
		return u * u
	}
	add(x)
	add(y)
	r := sq(y)
	for i := range 3 {
		s := float64(i) // the literal's s is another
		add(s * x)
		r += sq(acc * 0.1)
	}
	both := func() {
		add(r)
		acc *= 0.5
	}
	both()
	return acc + r
}

// LitHelper calls a writing helper from a literal.
//
//gradgen:grad
//gradgen:jvp
func LitHelper(w, x []float64) float64 {
	h := make([]float64, len(w))
	total := 0.0
	step := func(k float64) {
		layer(w, x, h)
		for i := range h {
			total += k * h[i]
		}
	}
	step(1)
	step(0.5)
	return total
}

// Ring counts with ++ on an int field beside a float.
type Ring struct {
	Buf [4]float64
	N   int
}

// Push stores v and advances the count.
func (r *Ring) Push(v float64) {
	r.Buf[r.N%4] = v
	r.N++
}

// IncDecFields uses ++ and -- on an int field of a local struct (passive)
// and on float fields and elements (x += 1). Regression (a new user's
// trial): both printed as r = r.N - 1, which does not compile.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func IncDecFields(x, y float64) float64 {
	var r Ring
	r.N--
	r.N++
	for range 3 {
		r.Push(x * y)
		r.Buf[0]++
	}
	h := make([]float64, 2)
	h[0] = x * y
	h[0]++
	h[1]--
	return r.Buf[0]*h[0] + r.Buf[1]*float64(r.N) + h[1]*y
}

// shiftFill reslices its own parameter before writing through it.
func shiftFill(out []float64, v float64) {
	out = out[1:]
	out[0] = v
}

// ShiftFill calls a helper that reslices what it is passed: the
// parameter is bound to a local, one statement per parameter (forward
// mode refused the slice in a parallel assignment; a new user's trial).
//
//gradgen:grad
//gradgen:jvp
func ShiftFill(x float64) float64 {
	buf := make([]float64, 3)
	shiftFill(buf, x)
	shiftFill(buf[1:], x*x)
	return buf[1]*buf[2] + buf[0]
}

// fillNamed has a named result and a bare return.
func fillNamed(t float64, buf []float64) (r float64) {
	buf[0] = t * t
	r = buf[0] + t
	return
}

// NamedFill calls a writing helper with a named result, from a function
// with a variable of the result's name: the expansion's r is another.
//
//gradgen:grad
//gradgen:jvp
func NamedFill(x float64) float64 {
	r := 3.0
	buf := make([]float64, 1)
	s := fillNamed(x*r, buf)
	s += fillNamed(s, buf)
	return s*buf[0] + r
}

// LitInExpr calls a literal of several statements and a writing helper
// inside expressions: each call is computed first, into a temporary, then
// the statement that reads it (none of them reads what the call writes).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func LitInExpr(x, y float64) float64 {
	acc := 0.0
	sq := func(t float64) float64 {
		u := t * y
		acc += u
		return u * u
	}
	buf := make([]float64, 2)
	z := 2*sq(x) + math.Sin(y)
	w := 3 * fill(x, buf)
	if x > 0 {
		z += 0.5 * sq(z)
	}
	return z + w*buf[0] + acc
}

// fill32 is float32 code that fills a buffer and returns a value.
func fill32(t float32, buf []float32) float32 {
	buf[0] = t * t
	return buf[0] + 1
}

// Conv32InExpr calls a writing helper inside an expression with the
// float32 idiom float32(math.Sin(float64(y))) beside it: conversions and
// math do not stop the call from being computed first.
//
//gradgen:grad
//gradgen:jvp
func Conv32InExpr(x, y float32) float32 {
	buf := make([]float32, 1)
	z := 2*fill32(x, buf) + float32(math.Sin(float64(y)))
	return z * buf[0]
}

// ElementSteps calls a pointer method on elements of a local slice of
// structs (ms[i].Step(h, k)): the element is the receiver's variable.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func ElementSteps(x []float64) float64 {
	ms := make([]Mass, 2)
	for i := range ms {
		ms[i].X = x[i]
		ms[i].V = 0.5 * x[i+1]
	}
	for i := range ms {
		ms[i].Step(0.1, x[2])
		ms[i].Step(0.2, x[2])
	}
	ms[1].Step(0.05, x[0])
	return ms[0].X*ms[1].V + ms[1].X
}

// scaleTail writes through a view declared with var: the caller's x
// changes.
func scaleTail(x []float64, s float64) {
	var v = x[1:]
	v[0] = v[0] * s
}

// weightTable holds the slice it fills.
type weightTable struct{ w []float64 }

// fillWeights writes the caller's slice through a struct that holds it.
func fillWeights(w []float64) {
	c := weightTable{w: w}
	for i := range c.w {
		c.w[i] = float64(i + 1)
	}
}

// HiddenWrites calls a helper that writes into the caller's slice through
// a view it declares with var, twice, and one that fills passive weights
// through a struct holding the slice. Each call changes memory the result
// reads: taken for a helper that writes nothing, its statement vanished,
// and both the value and the gradient were wrong.
//
//gradgen:grad
//gradgen:jvp
func HiddenWrites(a, b float64) float64 {
	x := make([]float64, 4)
	x[0], x[1], x[2], x[3] = a, 2*b, a*b, 0.5
	y := x[1]
	scaleTail(x, a)
	scaleTail(x[1:], b)
	w := make([]float64, 2)
	fillWeights(w)
	return y*x[1] + x[0]*x[3]*w[1] + x[2]*w[0]
}
