package cases

import (
	"math"
	"math/rand/v2"
)

// Helpers that take structs and arrays by value or return values other
// than floats, and composite literals inside expressions (SPEC §5): the
// helpers are expanded where they are called, the literals declared
// first.

// Vec is a point of the plane, passed and returned by value.
type Vec struct{ X, Y float64 }

func vecLen(p Vec) float64 { return math.Hypot(p.X, p.Y) }

func midpoint(a, b Vec) Vec { return Vec{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2} }

func makeVec(a, b float64) Vec { return Vec{X: a * b, Y: b} }

func prod2(a [2]float64) float64 { return a[0] * a[1] }

// Dot is a method with a value receiver.
func (p Vec) Dot(q Vec) float64 { return p.X*q.X + p.Y*q.Y }

// Scale returns a new vector: a value receiver written inside.
func (p Vec) Scale(k float64) Vec {
	p.X *= k
	p.Y *= k
	return p
}

func scaledCopy(x []float64, k float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = k * x[i]
	}
	return out
}

func rotate(a [2]float64, t float64) [2]float64 {
	c, s := math.Cos(t), math.Sin(t)
	return [2]float64{c*a[0] - s*a[1], s*a[0] + c*a[1]}
}

// ValueHelpers calls helpers with struct and array parameters and
// results, by value, a slice result, and value-receiver methods.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func ValueHelpers(x []float64) float64 {
	p := Vec{X: x[0], Y: x[1]}
	q := makeVec(x[1], x[2])
	m := midpoint(p, q)
	r := rotate([2]float64{m.X, m.Y}, x[0])
	s := scaledCopy(x, m.Y)
	t := p.Scale(x[2])
	return vecLen(m) + prod2(r) + s[1]*s[2] + p.Dot(q)*t.X + t.Y
}

// LiteralExprs uses composite literals inside expressions: assigned to a
// variable that exists, passed, indexed, and returned through a helper.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func LiteralExprs(x []float64, k int) float64 {
	p := Vec{X: x[0], Y: x[1]}
	p = Vec{X: p.Y, Y: x[2] * p.X}
	d := dot([]float64{x[0], x[1]}, []float64{x[2], 2})
	e := [3]float64{x[0], 0, x[1]}[k%3]
	q := midpoint(p, Vec{X: x[2], Y: 1})
	return d*e + vecLen(Vec{X: x[0] * x[1], Y: 2}) + q.X*q.Y + p.X + prod2([2]float64{x[0], e})
}

// Noisy draws from a generator inside expressions: each draw is computed
// once, first, into a variable, so backward code reads its value rather
// than drawing again.
//
//gradgen:grad
//gradgen:jvp
func Noisy(x []float64) float64 {
	r := rand.New(rand.NewPCG(1, 2))
	s := 0.0
	for i := range x {
		s += x[i]*r.Float64() + math.Sin(x[i])*float64(r.IntN(3)+1)
	}
	s += max(x[0], r.Float64()) + math.Sin(x[1]*r.Float64())
	return s * x[r.IntN(len(x))]
}

// LitNamed calls a literal of several statements with a named result and
// bare returns, which writes a variable it captures.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func LitNamed(x []float64) float64 {
	s := 0.5
	sq := func(t float64) (r float64) {
		r = t * t * s
		if r > 1 {
			r = math.Sqrt(r)
		}
		s += r
		return
	}
	a := sq(x[0])
	b := sq(x[1]) * a
	return a + b + s
}

func earlyNorm(p Vec) float64 {
	if p.X > 0 {
		return p.X * p.Y
	}
	q := p.Y * p.Y
	return q + 1
}

func piecewise(a float64) Vec {
	if a > 0 {
		return Vec{X: a, Y: 2 * a}
	} else if a < -1 {
		return Vec{Y: a}
	}
	return Vec{X: math.Sin(a), Y: a}
}

func clipInto(buf []float64, t float64) {
	buf[0] = t
	{
		s := t * 0.5
		if t > 1 {
			buf[1] = 1 + s
			return
		}
	}
	buf[1] = t * t
}

// EarlyHelpers expands helpers that return early from if statements: the
// statements after each if run in the branches that do not return.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func EarlyHelpers(x []float64) float64 {
	p := Vec{X: x[0], Y: x[1]}
	q := piecewise(x[1])
	buf := make([]float64, 2)
	clipInto(buf, x[0]*x[1])
	return earlyNorm(p) + q.X*q.Y + buf[1]*buf[0]
}

var shadowGain = 1.5

func ampShadowed(t float64) float64 { return t * shadowGain }

// ShadowedName calls a one-line helper that reads a package-level
// variable, beside a local of the same name: the helper's expression,
// written at the call, would read the local (a new user's trial: the
// gradient was wrong, silently), so the helper keeps its own gradient.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hessian
func ShadowedName(x []float64) float64 {
	shadowGain := 10.0 * x[1]
	return ampShadowed(x[0])*x[0] + shadowGain
}
