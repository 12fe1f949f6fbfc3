package cases

import "math"

// Reproducers of gradients that were silently wrong: each failed on the
// code before its fix.

// NegSinReturn negates a call in the return: the negation must not read
// its own result.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NegSinReturn(x float64) float64 { return -math.Sin(x) }

// NegAbsReturn negates a piecewise rule's result in the return.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NegAbsReturn(x float64) float64 {
	t := x * 2
	return -math.Abs(t)
}

// NegHelperReturn negates an expanded helper in the return.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NegHelperReturn(x float64) float64 { return -sigmoid(x) }

// FloatCounterSum sums over a varied float counter: its adjoint goes from
// trip to trip, so the loop is not a sum loop.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FloatCounterSum(x float64) float64 {
	s := 0.0
	for t := x; t < 4; t += x {
		s += t * t
	}
	return s
}

// UntakenOverflow computes a value that overflows on a path the call does
// not take: its Inf must not reach the gradient as Inf·0.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func UntakenOverflow(x float64) float64 {
	a := math.Exp(1000 * x)
	if x < 0 {
		return a + x
	}
	return x * x
}

// UntakenLog is the same with one return: log of a negative number is NaN
// and used only when x > 3.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func UntakenLog(x float64) float64 {
	a := math.Log(x - 3)
	r := x * x
	if x > 3 {
		r += a
	}
	return r
}

// PowZeroExponent is 1 everywhere: its derivative is 0, also at x = 0.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PowZeroExponent(x, y float64) float64 { return math.Pow(x, y*0) + math.Pow(x, 0) }

// Meters is a named float type.
type Meters float64

func doubled(m Meters) float64 {
	t := float64(m) * 2
	return t + math.Sin(t)
}

// NamedFloatHelper passes a named float to a helper with several
// statements: its partial is a Meters.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NamedFloatHelper(x float64) float64 { return doubled(Meters(x)) }

// LocalNamedMath declares a local named like the package its backward
// code calls.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func LocalNamedMath(x float64) float64 {
	y := math.Sin(x)
	math := y * 2
	return math
}

// ReslicedParam reslices its parameter in place, the bounds-check idiom.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func ReslicedParam(w []float64, n int) float64 {
	w = w[:n]
	s := 0.0
	for i := range w {
		s += w[i] * w[i]
	}
	return s
}

// PopLocal shortens an active local slice: the view's bounds read the old
// length.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PopLocal(x []float64) float64 {
	h := make([]float64, 3)
	h[0], h[1], h[2] = x[0], x[1]*2, x[2]
	h = h[:len(h)-1]
	return h[0] * h[1]
}

// ByValueWrite writes into a field of a struct parameter, which is a copy.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ByValueWrite(p Vec2) float64 {
	p.Y *= 2
	return p.X * p.Y
}

// Vec2 is a point passed by value.
type Vec2 struct{ X, Y float64 }

// MapData reads passive data from a map parameter.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func MapData(x float64, m map[string]float64) float64 { return x * m["a"] }

// VarInLoopCarry declares c in a loop that is not a sum and assigns it on
// some trips only: the declaration zeroes it, and its adjoint, each trip.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarInLoopCarry(x float64) float64 {
	p := 1.0
	for i := 0; i < 5; i++ {
		var c float64
		if i%2 == 1 {
			c = x * float64(i)
		}
		p = p*x + c*c
	}
	return p
}

// ReslicedRange reslices its parameter and ranges over the view.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func ReslicedRange(w []float64, n int) float64 {
	w = w[:n]
	s := 0.0
	for _, v := range w {
		s += v * v * v
	}
	return s
}

// PopBeforeSum shortens a local slice that a loop before it filled; the
// sum loop after it runs backward first, then the earlier loop needs the
// full adjoint view back.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PopBeforeSum(x []float64) float64 {
	h := make([]float64, len(x))
	for i, v := range x {
		h[i] = v * v
	}
	h = h[:len(h)-1]
	s := 0.0
	for _, v := range h {
		s += v * x[0]
	}
	return s
}

// TwoResultsAfterEarlyReturn calls Sincos after an early return and Modf
// in a branch: their results are declared where the goto to the backward
// sweep and the backward code outside the branch can see them.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func TwoResultsAfterEarlyReturn(x, y float64, n int) float64 {
	if x > 100 {
		return x
	}
	s, c := math.Sincos(y)
	y += 0.25*s + c*x
	if n == 2 {
		i, f := math.Modf(x * 3.5)
		y += i * f
	}
	for k := 0; k < 3; k++ {
		fr, ex := math.Frexp(y)
		y += 0.25*fr*float64(ex) + math.Tanh(fr)
	}
	return y * x
}

// ParallelPassive gives x a passive value in a parallel assignment whose
// other side reads x: the reset of x's adjoint comes before that read.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ParallelPassive(x, y float64) float64 {
	x, y = 0.5, x+y
	return y * x
}

// ParallelUntaken assigns two variables at once, one of whose adjoints
// only a path the call may not take adds into.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ParallelUntaken(x, y float64, n int) float64 {
	x, y = math.Min(0.94, y), math.Sin(x)
	if n%2 == 0 {
		return y * math.Sin(x)
	}
	return y * math.Round(x)
}

// RangeArrayPerTrip ranges over an array declared anew on every trip of an
// outer loop: going back, each trip's array comes back before its values
// are read again.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RangeArrayPerTrip(x, y float64, n int) float64 {
	for j := range 2 {
		y += 0.3 * math.Atan(x)
		var a [3]float64
		a[0] = 0.5
		a[2] = 0.7 - x
		for i, v := range a {
			y += 0.25 * v * float64(i+1)
			x = math.Tanh(0.1 * float64(j+1))
			if n > 0 {
				y += 0.5 * math.Atan(v)
			}
		}
		y += 0.25 * a[2]
	}
	return y
}

// WriteThroughView updates an element through a view while a helper reads
// the same memory under the slice's own name: going back, the element
// comes back before the helper's backward code reads it.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func WriteThroughView(x, y float64) float64 {
	h := make([]float64, 3)
	h[0], h[1], h[2] = x, y, x*y
	r := h[0:]
	r[0] += 0.5 * dot(h, h)
	return r[0] + h[1]
}

// ParallelPassiveInLoop gives x a passive value in a parallel assignment
// whose other side calls a helper on the old x, inside a loop: going back,
// x is restored before the helper's partial is recomputed.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ParallelPassiveInLoop(x, y float64) float64 {
	for i := 0; i < 3; i++ {
		x = math.Atan(y + 0.5)
		x, y = 0.25, math.Tanh(bell(x, 1.5))
		y += 0.125 * float64(i)
	}
	return y * x
}

// PiecewiseUnconditional adds into c's adjoint through a piecewise rule
// (Abs) on every path and into s's only in a branch: the guard of the
// statement that wrote both must see both.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PiecewiseUnconditional(x float64, n int) float64 {
	s, c := math.Sincos(x)
	r := math.Abs(c)
	if n > 0 {
		r += s * 2
	}
	return r
}

// ParallelDeadInLoop assigns x in a parallel assignment whose value the
// next statement overwrites unread, while the other side reads the old x:
// going back, x's old value is back before that side is recomputed.
//
//gradgen:grad wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
//gradgen:jvp wrt=w
func ParallelDeadInLoop(x, y float64, w []float64) float64 {
	for _, v := range w {
		t := 0.0
		for t < 1 {
			t += 0.35
			x, y = math.Tanh(v/2), math.Sin(x-w[0])
			x = math.Sin(1.04)
		}
	}
	return 0.5*y + x
}

// RangeValueUnreadKey ranges with a named key that nothing reads going
// back, and a value that backward code needs: the key comes back too.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RangeValueUnreadKey(x float64) float64 {
	a := [3]float64{0.5, -1, 2}
	s := 0.0
	for i, v := range a {
		if i > 5 {
			break
		}
		s = s*math.Sin(v*x) + v
	}
	return s
}

// PassiveSelfArg overwrites x with a call whose passive argument is
// computed from x: backward code recomputes that argument from the old x,
// so the old x is back first.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PassiveSelfArg(x float64, s *Spring) float64 {
	x = s.pull(math.Ceil(2 * x))
	return x * x
}

// Spring is a receiver whose method has a loop, so that its callers call
// back into it going back.
type Spring struct {
	K float64
	W []float64
}

func (s *Spring) pull(h float64) float64 {
	e := h * s.K
	for _, v := range s.W {
		e += v * v
	}
	return e
}

// VarSliceLater declares a slice without a value and points it at one of
// two views of its parameter later: its adjoint view is declared with it.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarSliceLater(a []float64, flip bool) float64 {
	var src []float64
	if flip {
		src = a[1:]
	} else {
		src = a
	}
	return src[0] * src[0] * a[2]
}

// Link is a linked type: its buffer mirrors the links.
type Link struct {
	V    float64
	W    []float64
	Next *Link
}

// LinkSum walks a linked list (gradgen crashed on self-referring types).
// Its HVP differentiates the JVP, whose walk p = p.Next ends the loop's
// body rather than sitting in its post statement as a parallel
// assignment, which reverse mode does not take (a fresh trial).
//
//gradgen:grad
//gradgen:hvp
//gradgen:jvp
func LinkSum(c *Link) float64 {
	s := 0.0
	for p := c; p != nil; p = p.Next {
		s += p.V * p.V * p.W[0]
	}
	return s
}

// Tagged holds a map of integers beside its floats.
type Tagged struct {
	W    float64
	Tags map[string]int
}

// TaggedScale reads an integer from a map in an active struct: passive,
// as maps are (a fresh trial: it was refused as giving maps no derivative).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func TaggedScale(b Tagged) float64 {
	return b.W * b.W * float64(b.Tags["k"])
}

// UntakenAfterReturn computes a value that only the statement after an
// early return reads: at x > 0 it is NaN, and stays out of the gradient.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func UntakenAfterReturn(x float64) float64 {
	b := math.Sqrt(-x)
	if x > 0 {
		return x * x
	}
	return b
}

// LabelReverse names a label as gradgen's own jump to the backward sweep
// is named, and returns early, so both labels are needed.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func LabelReverse(xs []float64, a float64) float64 {
	s := 0.0
	for _, v := range xs {
		s = s*v + a
		if s > 10 {
			return s
		}
	}
reverse:
	for i := 0; i < 3; i++ {
		if i == 1 {
			continue reverse
		}
		s *= s
	}
	return s
}

// Unit has a pointer-receiver method with a loop (called through a
// pullback).
type Unit struct{ A, B float64 }

func (u *Unit) out(x float64) float64 {
	s := 0.0
	for i := 0; i < 2; i++ {
		s += u.A*x + u.B*float64(i)
	}
	return s
}

// Units holds Units by value, in a field and in a slice.
type Units struct {
	U  Unit
	Us []Unit
}

// Loss calls the pointer-receiver method on structs held by value in the
// receiver's memory: Go takes their addresses, and the buffers' go with
// them (the generated code did not compile).
//
//gradgen:grad wrt=n
//gradgen:jvp wrt=n
func (n *Units) Loss(x float64) float64 {
	s := n.U.out(x)
	for i := range n.Us {
		s += n.Us[i].out(x) * n.Us[i].A
	}
	return s
}

// ElemUntaken stores a value that is NaN for x < 0 in an element that only
// a path not taken, or an index not chosen, reads: the element's adjoint
// guards its backward code.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ElemUntaken(x float64) float64 {
	var a [2]float64
	a[0] = math.Sqrt(x)
	a[1] = x
	k := 1
	if x > 0 {
		k = 0
	}
	if x > 5 {
		return a[0] * 2
	}
	return a[k]
}

// Pair has a method with two results that reads only its receiver's
// fields and a constant argument.
type Pair struct{ A, B float64 }

func (m *Pair) split(x float64) (float64, float64) {
	y := m.A * x
	return y, m.B
}

// PairProduct calls a method with two results whose only active operand is
// its receiver. Regression (a new user's trial): the receiver was not seen
// as an argument of a call with several results, and both modes gave 0.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PairProduct(m *Pair) float64 {
	a, b := m.split(2)
	return a * b
}

// Tally has a float field and an int one.
type Tally struct {
	Sum   float64
	Count int
}

// TallyMean writes an int field of an active struct parameter (a new
// user's trial: refused before, as if it were a float).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func TallyMean(a Tally, x float64) float64 {
	a.Sum += x * x
	a.Count += 1
	a.Count = a.Count * 2
	return a.Sum / float64(a.Count)
}

// Oscillator is a by-value state.
type Oscillator struct{ X, V float64 }

// OscillatorNotWrt writes active values into a by-value struct parameter
// that is not differentiated against: its tangent starts at zero (forward
// mode refused it before).
//
//gradgen:grad wrt=k
//gradgen:hvp wrt=k
//gradgen:hessian wrt=k
//gradgen:jvp wrt=k
func OscillatorNotWrt(s Oscillator, k float64) float64 {
	for range 10 {
		s.V -= 0.1 * k * s.X
		s.X += 0.1 * s.V
	}
	return s.X
}

// RangeAssignNoKey ranges with = and no key: forward mode reads the
// tangent at an index of its own. (Reading v after the loop is refused:
// the backward sweep of an enclosing loop would not know its index.)
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RangeAssignNoKey(xs []float64) float64 {
	var v float64
	s := 0.0
	for _, v = range xs {
		s += v * v
	}
	return s
}

// PackageDataStore copies package data into an active slice element:
// the float copied makes no view of the package's slice, which keeps no
// adjoint (gradgen named a variable it never declared, weights1).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PackageDataStore(x float64, n int) float64 {
	h := make([]float64, 2)
	h[0] = weights[n%4]
	h[1] = x
	return h[0] * h[1] * h[1]
}

// RangeElemCopy copies an element of the slice it ranges over into a
// local slice: a float copied out makes no view, so the range value keeps
// its element's adjoint (the copy was taken for a write into w, and the
// range refused).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RangeElemCopy(w []float64) float64 {
	h := make([]float64, 1)
	s := 0.0
	for _, v := range w {
		h[0] = w[0]
		s += v * h[0]
	}
	return s
}

// ParallelPassiveElems stores passive values into elements of a passive
// slice in the parallel assignment that stores active ones (the JVP of
// PopLocal, differentiated again for its Hessian, does this): gradgen
// assigned the element's value to the whole slice (d = v[1]), which did
// not compile.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func ParallelPassiveElems(x, v []float64) float64 {
	h := make([]float64, 2)
	d := make([]float64, 2)
	h[0], h[1], d[0], d[1] = x[0], x[1]*2, v[0], v[1]
	return h[0]*d[1] + h[1]*h[1]*d[0]
}

// Sample2 holds a float beside a slice.
type Sample2 struct {
	X []float64
	Y float64
}

// ElemCopy copies elements that hold a float beside a slice (c := b[i]):
// the copy's float adjoint was lost (a wrong gradient), then refused; a
// copy nothing changes while it lives takes the element's adjoint.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ElemCopy(b []Sample2) float64 {
	s := 0.0
	for i := range b {
		c := b[i]
		s += c.Y * c.X[0] * c.Y
	}
	for i := 0; i < len(b); i++ {
		d := b[len(b)-1-i]
		s += math.Sin(d.Y) * d.X[0]
	}
	return s
}

// weightedSines reads w and computes a value: a pure function with a slice
// parameter.
func weightedSines(w []float64, k float64) float64 {
	s := 0.0
	for i := range w {
		s += w[i] * math.Sin(k+float64(i))
	}
	return s
}

// DeadPureCall calls a pure function of the package whose value the result
// does not need (random program R180 of seed 721342601): the JVP kept the
// bare call weightedSines(w, y) (of a parallel declaration), which the Hessian, differentiating the
// JVP again, refused as a call made for its effects.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func DeadPureCall(x, y float64, w []float64) float64 {
	var v, u = weightedSines(w, y), x
	y += 0.25 * v * u
	s := 0.0
	buf := make([]float64, 1)
	for i := range w {
		view := buf[0:1]
		view[0] = view[0]*0.5 + w[i]*x
		s += 0.25 * view[0]
	}
	return 2*s - 1
}

// ConstZeroDivisor divides by a constant zero on a path it leaves early:
// the partial 1 / 0 is +Inf, and the backward code of r must not run when
// r's adjoint is zero (it would add 0 · Inf, NaN, into dx).
//
//gradgen:grad
//gradgen:jvp
func ConstZeroDivisor(x float64) float64 {
	r := x / 0.0
	if math.IsInf(r, 0) {
		return x * x
	}
	return r
}
