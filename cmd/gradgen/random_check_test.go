package main

import (
	"fmt"
	"strings"
)

// The scratch packages of TestRandomPrograms: the prelude every package
// of programs starts with, the check that runs in each, and the table of
// cases that adapts every generated function to one flat signature.

// randomDep is the package of the random module whose derivatives serve
// the programs' calls into another package (production otherpkg): a
// by-value rule, gradients with every and with some float parameters
// wrt, and a pullback rule. The values the rules return are their
// targets', bit for bit.
const randomDep = `package dep

import "math"

// Softsign is x/(1+|x|).
func Softsign(x float64) float64 { return x / (1 + math.Abs(x)) }

// SoftsignRule serves Softsign's callers.
//
//gradgen:rule Softsign
func SoftsignRule(x float64) (float64, float64) {
	d := 1 + math.Abs(x)
	return x / d, 1 / (d * d)
}

// Bump is a bump of width s: its gradient serves callers.
//
//gradgen:grad
func Bump(x, s float64) float64 {
	t := x / s
	return math.Exp(-t * t)
}

// Wave's gradient covers x only: callers pass k a passive value.
//
//gradgen:grad wrt=x
func Wave(x, k float64) float64 {
	return math.Sin(k*x) / k
}

// Sumsq is k times the sum of w's squares.
func Sumsq(w []float64, k float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	return k * s
}

// SumsqRule serves Sumsq's callers in reverse mode.
//
//gradgen:rule Sumsq
func SumsqRule(w []float64, k, seed float64, dw []float64) (float64, float64) {
	s := Sumsq(w, 1)
	for i, v := range w {
		dw[i] += seed * 2 * k * v
	}
	return k * s, seed * s
}
`

// randomPrelude declares the types, helpers, rules and data the
// productions call.
const randomPrelude = `package random

import (
	"math"
	"math/rand/v2"

	"example.com/random/dep"
)

// Pt is passed by value: its gradient is returned.
type Pt struct {
	X, Y float64
	A    [2]float64
}

// Body holds a slice: passed by pointer, its gradient goes to a buffer.
// Tag is passive.
type Body struct {
	X   float64
	W   []float64
	P   Pt
	Tag int
}

// Package-level data, read as passive values.
var table = [4]float64{0.5, -0.25, 1.5, 0.75}

var coef = []float64{1.25, -0.5, 0.25, 2}

var scales = map[string]float64{"a": 0.75, "b": -1.25}

// Single-expression helpers, expanded in place.
func sq(x float64) float64 { return x * x }

func softsign(x float64) float64 { return x / (1 + math.Abs(x)) }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func scaled(t, x float64) float64 { return t / 4 * x }

// Generic helpers: each call instantiates a generic gradient.
func gscale[T ~float32 | ~float64](x T, k float64) T { return x * T(k) / 3 }

func gsum[T ~float32 | ~float64](a []T) T {
	s := T(0)
	for _, v := range a {
		s += v * v
	}
	return s
}

// Helpers of several statements.
func bell(x, s float64) float64 {
	t := x / s
	return math.Exp(-t * t)
}

func smooth3(x float64) float64 {
	y := x
	for i := 0; i < 3; i++ {
		y = 0.5*y + 0.25*math.Sin(y+float64(i))
	}
	return y
}

// vmean is variadic: calls pass it a slice with ....
func vmean(k float64, xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return k * s / float64(len(xs)+1)
}

// vstats is variadic with two results: the mean and the mean square.
func vstats(xs ...float64) (m, q float64) {
	for _, x := range xs {
		m += x
		q += x * x
	}
	n := float64(len(xs) + 1)
	return m / n, q / n
}

// Helpers that write into what they are passed, expanded at their calls.
func fill2(t float64, buf []float64) float64 {
	buf[0] = math.Sin(t)
	buf[1] = buf[0]*t + 0.5
	return buf[0] * buf[1]
}

// fillBranch writes buf one way or another, returning early from the
// first way: both loops declare their own i, which its expansion moves
// into the if's branches.
func fillBranch(t float64, buf []float64) {
	if t > 0.3 {
		for i := range buf {
			buf[i] = math.Sin(t * float64(i+1))
		}
		return
	}
	for i := range buf {
		buf[i] = t*t + float64(i)
	}
}

// tailMix writes into buf through a view it declares with var.
func tailMix(buf []float64, t float64) {
	var v = buf[1:]
	v[0] = v[0]*math.Tanh(t) + buf[0]
}

// weightsHolder holds a slice it does not own.
type weightsHolder struct{ w []float64 }

// heldFill fills w through a struct that holds it.
func heldFill(w []float64, k float64) {
	h := weightsHolder{w: w}
	for i := range h.w {
		h.w[i] = k * float64(i+1)
	}
}

func (p *Pt) shift(d float64) {
	p.X += d * p.Y
	p.A[1] = p.A[0] * math.Tanh(d)
}

func bump(a *[3]float64, k float64) {
	for i := range a {
		a[i] *= 1 + 0.5*math.Tanh(k*float64(i+1))
	}
}

// Helpers taking and returning values other than floats, expanded at
// their calls.
func ptMid(a, b Pt) Pt {
	a.X = 0.5 * (a.X + b.X)
	a.A[1] += math.Tanh(b.Y)
	return a
}

// ptClamp returns early from an if: expanded, the statements after the
// if run in its other branch.
func ptClamp(p Pt, lim float64) Pt {
	if p.X > lim {
		p.X = lim + 0.25*math.Tanh(p.X-lim)
		return p
	}
	p.Y += 0.5 * p.X
	return p
}

func (p Pt) norm() float64 { return math.Sqrt(p.X*p.X+p.Y*p.Y+1) + p.A[0]*p.A[1] }

func arrRot(a [3]float64, t float64) [3]float64 {
	c, s := math.Cos(t), math.Sin(t)
	return [3]float64{c*a[0] - s*a[1], s*a[0] + c*a[1], a[2]}
}

func scaled2(w []float64, k float64) []float64 {
	out := make([]float64, 2)
	for i := range out {
		out[i] = k * w[i]
	}
	return out
}

// A helper with a slice parameter.
func dot3(w []float64, k float64) float64 {
	s := 0.0
	for i := range w {
		s += w[i] * math.Sin(k+float64(i))
	}
	return s
}

// A helper with two results.
func polar(x, y float64) (float64, float64) {
	r := math.Hypot(x, y)
	return r, math.Atan2(y, 1.5+math.Sin(x)) * r
}

// A method with a pointer receiver.
func (b *Body) energy(h float64) float64 {
	s := h * b.X
	for _, v := range b.W {
		s += v * v
	}
	return s + b.P.X*h
}


// A method with a pointer receiver and two results.
func (b *Body) split(h float64) (float64, float64) {
	y := b.X * h
	return y, b.P.Y + math.Tanh(b.W[0])
}

// next has a side effect on a passive counter: each call must run once.
func next(k *int) float64 {
	*k++
	return float64(*k%4) * 0.5
}

// softplus and scaledSumsq have custom rules.
func softplus(x float64) float64 { return math.Log1p(math.Exp(x)) }

//gradgen:rule softplus
func softplusRule(x float64) (float64, float64) {
	// The value is softplus's own, bit for bit; only the derivative is
	// written to stay finite.
	e := math.Exp(x)
	if x > 30 {
		return math.Log1p(e), 1
	}
	return math.Log1p(e), e / (1 + e)
}

func scaledSumsq(w []float64, k float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	return k * s
}

//gradgen:rule scaledSumsq
func scaledSumsqRule(w []float64, k float64, seed float64, dw []float64) (float64, float64) {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	if dw != nil {
		for i, v := range w {
			dw[i] += seed * 2 * k * v
		}
	}
	return k * s, seed * s
}

// A rule for a function of another package: Γ'(x) = Γ(x)·ψ(x).
//
//gradgen:rule math.Gamma
func gammaRule(x float64) (float64, float64) {
	g := math.Gamma(x)
	psi := 0.0
	for x < 6 {
		psi -= 1 / x
		x++
	}
	f := 1 / (x * x)
	psi += math.Log(x) - 1/(2*x) - f*(1.0/12-f*(1.0/120-f*(1.0/252-f*(1.0/240-f/132))))
	return g, g * psi
}

// newRand keeps the import of math/rand/v2 used.
func newRand(n int) *rand.Rand { return rand.New(rand.NewPCG(uint64(n)+1, 7)) }

// Keep the import of dep used in packages whose programs do not call it.
var _ = dep.Softsign

`

// randomCheck runs in each scratch package: it checks every case's value
// bit for bit and its gradient against finite differences, and writes
// what it finds to report.txt, one line per finding:
//
//	BEGIN name            before a case (a case that hangs is the last one begun)
//	FAIL name message     a wrong value or gradient, or a panic in the gradient
//	GENBUG name message   a panic in the function itself: the generator's fault
//	END name judged skipped
//
// The oracle never cries wolf. At each point and for each coordinate it
// computes two Richardson estimates, fd from central differences with
// steps h and 2h, fd2 with 7.3h and 14.6h (h = 5e-5; 1e-2 for programs that
// round through float32). The coordinate is skipped, and counted, when
// they are unreliable: a value is NaN, Inf or above 1e12 in magnitude,
// the two estimates disagree by more than tol = 1e-6·max(1, |fd|) (1e-3
// for float32) — the function is not smooth there, or too curved for the
// steps — or rounding in the function's values (noise = 1e-13 of their
// largest magnitude divided by h, about 500 ulps; 3e-7 for float32) could
// exceed tol. Otherwise the gradient must match fd to
// tol + 2|fd-fd2| + the rounding bound, and a NaN or Inf gradient fails —
// unless, in float64, two consecutive much smaller steps (h/1e2..h/1e8)
// both agree with the gradient to 1e-3: structure finer than h, skipped.
const randomCheck = `package random

import (
	"fmt"
	"math"
	"os"
	"testing"
)

type rcase struct {
	name, prods string
	f32         bool
	at          []float64
	f           func(in []float64, n int) float64
	g           func(in []float64, n int) (float64, []float64)
	j           func(in, v []float64, n int) (float64, float64) // the JVP, or nil
	// h is the Hessian, or nil: the value, the gradient and the n×n matrix.
	h func(in []float64, n int) (float64, []float64, []float64)
	// f64 is the function's shadow, float64 for float32 (float32
	// programs only): the rounding-free function, whose derivative the
	// gradient is by convention.
	f64 func(in []float64, n int) float64
	// out is the output component a vector-valued function's case checks;
	// jac returns it and its row of the Jacobian (nil for scalar ones).
	out int
	jac func(in []float64, n int) (float64, []float64)
}

func TestRandom(t *testing.T) {
	out, err := os.Create("report.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for _, c := range cases {
		judged, skipped := check(out, c)
		fmt.Fprintf(out, "END\t%s\t%d\t%d\n", c.name, judged, skipped)
	}
}

func clone(p []float64) []float64 { return append([]float64(nil), p...) }

// ptAt and setPt read and write a Pt's float components in order (X, Y,
// A[0], A[1]): a struct output's numbering.
func ptAt(p *Pt, i int) float64 { return [4]float64{p.X, p.Y, p.A[0], p.A[1]}[i] }

func setPt(p *Pt, i int, v float64) {
	switch i {
	case 0:
		p.X = v
	case 1:
		p.Y = v
	default:
		p.A[i-2] = v
	}
}

func check(out *os.File, c rcase) (judged, skipped int) {
	fmt.Fprintf(out, "BEGIN\t%s\n", c.name)
	out.Sync()
	failures := 0
	fail := func(format string, args ...any) {
		if failures++; failures <= 3 {
			fmt.Fprintf(out, "FAIL\t%s\t%s\n", c.name, fmt.Sprintf(format, args...))
		}
	}
	phase := "GENBUG"
	defer func() {
		if r := recover(); r != nil {
			if phase == "GENBUG" {
				fmt.Fprintf(out, "GENBUG\t%s\tpanic: %v\n", c.name, r)
			} else {
				fail("panic in the gradient: %v", r)
			}
		}
	}()
	for n := range 4 {
		phase = "GENBUG"
		want := c.f(clone(c.at), n)
		phase = "FAIL"
		v, grad := c.g(clone(c.at), n)
		phase = "GENBUG"
		// Bit for bit; two NaNs count as the same value (their sign and
		// payload bits say nothing about the computation).
		if math.Float64bits(v) != math.Float64bits(want) && !(math.IsNaN(v) && math.IsNaN(want)) {
			fail("n=%d: value %v, want %v bit for bit", n, v, want)
		}
		if len(grad) != len(c.at) {
			panic(fmt.Sprintf("%d gradients for %d parameters", len(grad), len(c.at)))
		}
		// The JVP, Hessian and Jacobian checks run generated code (and f
		// only where it just ran): a panic there is gradgen's.
		phase = "FAIL"
		if c.j != nil {
			checkJVP(c, n, want, grad, fail)
		}
		if c.h != nil {
			checkHessian(c, n, want, grad, fail)
		}
		if c.jac != nil {
			checkJacobianRow(c, n, want, grad, fail)
		}
		phase = "GENBUG"
		if math.IsNaN(want) || math.IsInf(want, 0) || math.Abs(want) > 1e12 {
			skipped += len(c.at)
			continue
		}
		for i := range c.at {
			// float64 steps first: where float32 rounding does not reach
			// this component they agree, and judge closely (a float32
			// program's large steps can straddle a kink a small one does
			// not). Else, in a float32 program, large steps.
			// A float32 gradient is itself rounded to float32: it is
			// compared within 1e-3 either way.
			cmp := 1e-6
			if c.f32 {
				cmp = 1e-3
			}
			verdict, fd, fd2 := judge(c, n, i, want, grad[i], 5e-5, 1e-6, cmp, 1e-13, false)
			if verdict == skip && c.f32 {
				verdict, fd, fd2 = judge(c, n, i, want, grad[i], 1e-2, 1e-3, cmp, 3e-7, true)
			}
			if verdict == fails && c.f64 != nil {
				// Where float32 rounding flattens a path at every step, the
				// rounding-free shadow's differences are the reference.
				shadow := c
				shadow.f, shadow.f32 = c.f64, false
				if v, _, _ := judge(shadow, n, i, shadow.f(clone(c.at), n), grad[i], 5e-5, 1e-6, cmp, 1e-13, false); v == passes {
					verdict = passes
				}
			}
			switch verdict {
			case skip:
				skipped++
			case fails:
				judged++
				fail("n=%d: ∂/∂in[%d] = %.12g, finite differences %.12g (and %.12g with larger steps)", n, i, grad[i], fd, fd2)
			default:
				judged++
			}
		}
	}
	return judged, skipped
}

// checkJVP runs the dot-product test: the JVP's tangent along v equals
// ⟨∇F, v⟩ from the gradient to rounding, and its value is F's bit for bit.
func checkJVP(c rcase, n int, want float64, grad []float64, fail func(string, ...any)) {
	v := make([]float64, len(c.at))
	for k := range v {
		v[k] = (0.5 + 0.37*float64(k%7)) * float64(1-2*(k%2))
	}
	value, tangent := c.j(clone(c.at), v, n)
	if math.Float64bits(value) != math.Float64bits(want) && !(math.IsNaN(value) && math.IsNaN(want)) {
		fail("n=%d: JVP value %v, want %v bit for bit", n, value, want)
	}
	dot, scale := 0.0, 0.0
	for k := range grad {
		dot += grad[k] * v[k]
		scale += math.Abs(grad[k] * v[k])
	}
	tol := 1e-12
	if c.f32 {
		tol = 1e-4
	}
	if math.IsNaN(dot) || math.IsInf(dot, 0) || scale > 1e12 {
		return // the gradient overflows: nothing to compare
	}
	if c.f32 && scale < 1e-30 {
		// A float32 value's adjoint is a float32: where the result's
		// sensitivity is below float32's range, reverse mode's adjoint
		// underflows to 0 while forward mode's tangent, at the inputs'
		// scale, does not.
		return
	}
	if !(math.Abs(tangent-dot) <= tol*scale+1e-300) {
		fail("n=%d: JVP tangent %.17g, but ⟨∇F, v⟩ = %.17g (dot-product test)", n, tangent, dot)
	}
}

// checkJacobianRow checks a vector-valued function's Jacobian against its
// VJP: the output component bit for bit, and the row (from reverse sweeps
// or, when the inputs are fewer, forward ones) equal to the VJP's
// gradient to rounding, relative to the row's largest entry.
func checkJacobianRow(c rcase, n int, want float64, grad []float64, fail func(string, ...any)) {
	value, row := c.jac(clone(c.at), n)
	if math.Float64bits(value) != math.Float64bits(want) && !(math.IsNaN(value) && math.IsNaN(want)) {
		fail("n=%d: out[%d] from the Jacobian %v, want %v bit for bit", n, c.out, value, want)
	}
	scale := 0.0
	for _, g := range grad {
		scale = max(scale, math.Abs(g))
	}
	if math.IsNaN(scale) || math.IsInf(scale, 0) || scale > 1e12 {
		return // the gradient overflows: nothing to compare
	}
	for k := range grad {
		if !(math.Abs(row[k]-grad[k]) <= 1e-10*max(1, scale)) {
			fail("n=%d: Jacobian[%d, %d] = %.17g, but the VJP's gradient[%d] = %.17g", n, c.out, k, row[k], k, grad[k])
		}
	}
}

// checkHessian checks the Hessian: its value bit for bit, its gradient
// against the gradient's, its columns against Richardson differences of
// the gradient where two step sizes agree, and its symmetry.
func checkHessian(c rcase, n int, want float64, grad []float64, fail func(string, ...any)) {
	value, hg, hess := c.h(clone(c.at), n)
	if math.Float64bits(value) != math.Float64bits(want) && !(math.IsNaN(value) && math.IsNaN(want)) {
		fail("n=%d: Hessian's value %v, want %v bit for bit", n, value, want)
	}
	for k := range grad {
		if !(math.Abs(hg[k]-grad[k]) <= 1e-9*math.Max(1, math.Abs(grad[k]))) && !(math.IsNaN(hg[k]) && math.IsNaN(grad[k])) {
			fail("n=%d: Hessian's gradient[%d] = %.17g, the gradient's %.17g", n, k, hg[k], grad[k])
		}
	}
	if math.IsNaN(want) || math.IsInf(want, 0) || math.Abs(want) > 1e8 {
		return
	}
	dim := len(c.at)
	diff := func(j int, h float64) []float64 {
		at := func(d float64) []float64 {
			in := clone(c.at)
			in[j] += d
			_, g := c.g(in, n)
			return g
		}
		p, m, p2, m2 := at(h), at(-h), at(h/2), at(-h/2)
		out := make([]float64, dim)
		for i := range out {
			out[i] = (4*(p2[i]-m2[i])/h - (p[i]-m[i])/(2*h)) / 3
		}
		return out
	}
	for j := range dim {
		h := 1e-3 * math.Max(1, math.Abs(c.at[j]))
		r1, r2 := diff(j, h), diff(j, h/7.3)
		for i := range dim {
			got := hess[i*dim+j]
			if math.IsNaN(got) || !(math.Abs(r1[i]-r2[i]) <= 1e-6*math.Max(1, math.Abs(r1[i]))) {
				continue // a kink or a loop bound nearby: the differences disagree
			}
			if !(math.Abs(got-r2[i]) <= 1e-4*math.Max(1, math.Abs(r2[i]))) {
				fail("n=%d: H[%d,%d] = %.12g, differences of the gradient %.12g", n, i, j, got, r2[i])
			}
			if other := hess[j*dim+i]; !(math.Abs(got-other) <= 1e-8*math.Max(1, math.Abs(got))) {
				fail("n=%d: H[%d,%d] = %.17g but H[%d,%d] = %.17g", n, i, j, got, j, i, other)
			}
		}
	}
}

const (
	passes = iota
	fails
	skip
)

// judge compares grad, the gradient's component i at n, with Richardson
// finite differences of steps h and 7.3·h (and h/4 with large steps),
// within cmpRel: it skips a point where they disagree by more than
// tolRel, a value overflows, or rounding noise (eps relative to the
// values) could exceed the tolerance.
func judge(c rcase, n, i int, want, grad, h, tolRel, cmpRel, eps float64, large bool) (verdict int, fd, fd2 float64) {
	big := math.Abs(want)
	ok := true
	eval := func(p []float64) float64 {
		y := c.f(p, n)
		if math.IsNaN(y) || math.IsInf(y, 0) || math.Abs(y) > 1e12 {
			ok = false
		}
		big = max(big, math.Abs(y))
		return y
	}
	d := func(step float64) float64 {
		p, m := clone(c.at), clone(c.at)
		p[i] += step
		m[i] -= step
		return (eval(p) - eval(m)) / (2 * step)
	}
	fd = (4*d(h) - d(2*h)) / 3
	// The larger steps are not a power of ten times h: float32 rounding
	// is a staircase, and steps of 10h can land on it as h does, so that
	// both estimates agree on the same biased slope.
	fd2 = (4*d(7.3*h) - d(14.6*h)) / 3
	tol := tolRel * math.Max(1, math.Abs(fd))
	noise := eps * big / h
	// Large steps can average a kink (max, a switch, Frexp) the same way
	// at both scales: a third, smaller step must agree too, within its
	// own rounding noise. The spread of the estimates bounds their error,
	// and widens the margin: at a kink 1.5·h/4 away, tol lets three wrong
	// estimates agree with each other but not with the gradient.
	smaller, spread := true, math.Abs(fd-fd2)
	if large {
		fd3 := (4*d(h/4) - d(h/2)) / 3
		smaller = math.Abs(fd-fd3) <= tol+4*noise
		spread = max(spread, math.Abs(fd-fd3))
		// Nor may a small step disagree: structure at a scale below h
		// (a feature 1e-4 wide) is invisible to large steps, whose
		// estimates then agree on a wrong slope.
		fd4 := (4*d(5e-5) - d(1e-4)) / 3
		smaller = smaller && math.Abs(fd-fd4) <= tol+2*spread
	}
	if !ok || !(math.Abs(fd-fd2) <= tol) || noise > tol || !smaller {
		return skip, fd, fd2
	}
	if !(math.Abs(grad-fd) <= max(tol, cmpRel*math.Max(1, math.Abs(fd)))+2*spread+noise) {
		// Large steps too (seed 5, R286: y grown to 1e7 through a loop,
		// then cos(y); steps 1e-6 and larger agreed 0.5% off the
		// gradient, steps 1e-8..1e-10 on it).
		if finer(d, h, grad) {
			return skip, fd, fd2
		}
		return fails, fd, fd2
	}
	return passes, fd, fd2
}

// finer reports whether steps far below h see the gradient that h's
// estimates miss: a term like Sin(y/3) with y near 1e10 oscillates with
// a wavelength far below any usual step, so that every step averages it
// away and the estimates agree on the smooth part alone (random
// programs, seed 25, R649: steps 1e-4..1e-8 agreed on 2.95e10, steps
// 1e-11..1e-12 on the gradient, 2.047e10). Two consecutive smaller
// steps must agree with each other and with the gradient to 1e-3; the
// coordinate is then skipped, not passed, since rounding at those steps
// forbids a close judgement.
func finer(d func(float64) float64, h, grad float64) bool {
	prev := math.NaN()
	for k := 2; k <= 8; k++ {
		s := h * math.Pow(10, -float64(k))
		est := d(s)
		near := func(a float64) bool { return math.Abs(a-grad) <= 1e-3*math.Abs(grad) }
		if near(est) && near(prev) {
			return true
		}
		prev = est
	}
	return false
}
`

// casesSource writes the table of cases of one package: for each
// function, an adapter from the flat vector in (laid out as layout says)
// to its parameters, and from its gradient's results and buffers back.
func casesSource(fns []funcInfo) string {
	var b strings.Builder
	b.WriteString("package random\n\nvar cases = []rcase{\n")
	for _, fi := range fns {
		unpack := adapterUnpack(fi)
		args := strings.Join(fi.params, ", ")
		if fi.variadic {
			args += "..." // w, last
		}
		call := fi.name
		if fi.recv != "" {
			call = fi.recv + "." + fi.name
		}
		if fi.outs == 0 {
			fmt.Fprintf(&b, "\t{name: %q, prods: %q, f32: %v, at: %#v,\n", fi.name, strings.Join(fi.prods, ","), fi.f32, fi.at)
			fmt.Fprintf(&b, "\t\tf: func(in []float64, n int) float64 {\n%s\t\t\treturn %s(%s)\n\t\t},\n", unpack, call, args)
		}
		if fi.f32 {
			fmt.Fprintf(&b, "\t\tf64: func(in []float64, n int) float64 {\n%s\t\t\treturn %sShadow(%s)\n\t\t},\n", unpack, call, args)
		}
		var results, buffers []string
		var pack strings.Builder
		results = append(results, "v")
		for _, p := range layout(fi) {
			switch p {
			case "x", "y", "a", "p":
				results = append(results, "g"+p)
			default:
				buffers = append(buffers, "d"+p)
			}
			switch p {
			case "x", "y":
				fmt.Fprintf(&pack, "\t\t\tout = append(out, g%s)\n", p)
			case "a":
				pack.WriteString("\t\t\tout = append(out, ga[:]...)\n")
			case "p":
				pack.WriteString("\t\t\tout = append(out, gp.X, gp.Y, gp.A[0], gp.A[1])\n")
			case "w":
				pack.WriteString("\t\t\tout = append(out, dw...)\n")
			case "q":
				pack.WriteString("\t\t\tout = append(out, dq.X)\n\t\t\tout = append(out, dq.W...)\n\t\t\tout = append(out, dq.P.X, dq.P.Y, dq.P.A[0], dq.P.A[1])\n")
			case "ps":
				pack.WriteString("\t\t\tfor _, s := range dps {\n\t\t\t\tout = append(out, s.X, s.Y, s.A[0], s.A[1])\n\t\t\t}\n")
			case "m":
				pack.WriteString("\t\t\tout = append(out, dm[0]...)\n\t\t\tout = append(out, dm[1]...)\n")
			}
		}
		var alloc strings.Builder
		for _, d := range buffers {
			alloc.WriteString("\t\t\t" + map[string]string{
				"dw":  "dw := make([]float64, 6)",
				"dq":  "dq := &Body{W: make([]float64, 3)}",
				"dps": "dps := make([]Pt, 2)",
				"dm":  "dm := [][]float64{make([]float64, 3), make([]float64, 3)}",
			}[d] + "\n")
		}
		gargs := fi.params
		gargs = append(append([]string(nil), gargs...), buffers...)
		if fi.outs > 0 {
			vectorCases(&b, fi, call, args, unpack, alloc.String(), pack.String(), results[1:], buffers)
			continue
		}
		fmt.Fprintf(&b, "\t\tg: func(in []float64, n int) (float64, []float64) {\n%s%s\t\t\t%s := %sGrad(%s)\n\t\t\tvar out []float64\n%s\t\t\treturn v, out\n\t\t},\n",
			unpack, alloc.String(), strings.Join(results, ", "), call, strings.Join(gargs, ", "), pack.String())
		if fi.jvp {
			var tans []string
			for _, p := range layout(fi) {
				tans = append(tans, "t"+p)
			}
			jargs := append(append([]string(nil), fi.params...), tans...)
			fmt.Fprintf(&b, "\t\tj: func(in, v []float64, n int) (float64, float64) {\n%s%s\t\t\treturn %sJVP(%s)\n\t\t},\n",
				unpack, unpackFrom(fi, "v", "t"), call, strings.Join(jargs, ", "))
		}
		if fi.hessian {
			hargs := append(append([]string(nil), gargs...), "hess")
			fmt.Fprintf(&b, "\t\th: func(in []float64, n int) (float64, []float64, []float64) {\n%s%s\t\t\thess := make([]float64, len(in)*len(in))\n\t\t\t%s := %sHessian(%s)\n\t\t\tvar out []float64\n%s\t\t\treturn v, out, hess\n\t\t},\n",
				unpack, alloc.String(), strings.Join(results, ", "), call, strings.Join(hargs, ", "), pack.String())
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// vectorCases writes the cases of a vector-valued function, one per
// output component i, each a scalar case: f is out[i] as the function
// fills it; g its gradient from the VJP along the i-th unit cotangent, so
// that finite differences judge the VJP row by row; j out[i] and its
// tangent from the JVP, for the dot-product test against that row; jac
// out[i] and the i-th row of the Jacobian, which must equal the VJP's.
func vectorCases(b *strings.Builder, fi funcInfo, call, args, unpack, alloc, pack string, byValue, buffers []string) {
	m := fi.outs
	mk := fmt.Sprintf("make([]float64, %d)", m)
	// at is component i of an output named v.
	at := func(v string, i int) string { return fmt.Sprintf("%s[%d]", v, i) }
	garbage := "for k := range tout {\n\t\t\t\ttout[k] = 1e300 // the tangent's incoming contents are ignored\n\t\t\t}"
	switch {
	case fi.outArray:
		mk = fmt.Sprintf("new([%d]float64)", m)
	case fi.outStruct:
		mk = "new(Pt)"
		at = func(v string, i int) string { return fmt.Sprintf("ptAt(%s, %d)", v, i) }
		garbage = "*tout = Pt{X: 1e300, Y: 1e300, A: [2]float64{1e300, 1e300}} // ignored"
	}
	for i := range m {
		fmt.Fprintf(b, "\t{name: %q, prods: %q, out: %d, at: %#v,\n", fi.name, strings.Join(fi.prods, ","), i, fi.at)
		fmt.Fprintf(b, "\t\tf: func(in []float64, n int) float64 {\n%s\t\t\tyout := %s\n\t\t\t%s(yout, %s)\n\t\t\treturn %s\n\t\t},\n",
			unpack, mk, call, args, at("yout", i))
		vargs := append(append(append([]string{"yout"}, fi.params...), "wout"), buffers...)
		seed := at("wout", i) + " = 1"
		if fi.outStruct {
			seed = fmt.Sprintf("setPt(wout, %d, 1)", i)
		}
		fmt.Fprintf(b, "\t\tg: func(in []float64, n int) (float64, []float64) {\n%s%s\t\t\tyout, wout := %s, %s\n\t\t\t%s\n\t\t\t%s := %sVJP(%s)\n\t\t\tv := %s\n\t\t\tvar out []float64\n%s\t\t\treturn v, out\n\t\t},\n",
			unpack, alloc, mk, mk, seed, strings.Join(byValue, ", "), call, strings.Join(vargs, ", "), at("yout", i), pack)
		var tans []string
		for _, p := range layout(fi) {
			tans = append(tans, "t"+p)
		}
		jargs := append(append(append([]string{"yout"}, fi.params...), tans...), "tout")
		fmt.Fprintf(b, "\t\tj: func(in, v []float64, n int) (float64, float64) {\n%s%s\t\t\tyout, tout := %s, %s\n\t\t\t%s\n\t\t\t%sJVP(%s)\n\t\t\treturn %s, %s\n\t\t},\n",
			unpack, unpackFrom(fi, "v", "t"), mk, mk, garbage, call, strings.Join(jargs, ", "), at("yout", i), at("tout", i))
		cargs := append(append([]string{"yout"}, fi.params...), "jm")
		fmt.Fprintf(b, "\t\tjac: func(in []float64, n int) (float64, []float64) {\n%s\t\t\tyout, jm := %s, make([]float64, %d*len(in))\n\t\t\t%sJacobian(%s)\n\t\t\treturn %s, jm[%d*len(in) : %d*len(in)]\n\t\t},\n",
			unpack, mk, m, call, strings.Join(cargs, ", "), at("yout", i), i, i+1)
		b.WriteString("\t},\n")
	}
}

// adapterUnpack declares a function's parameters from the flat vector.
func adapterUnpack(fi funcInfo) string { return unpackFrom(fi, "in", "") }

// unpackFrom declares a function's parameters, their names prefixed with
// prefix, from the flat vector named vec: the point, or (prefix "t") the
// direction of a JVP's tangents.
func unpackFrom(fi funcInfo, vec, prefix string) string {
	var b strings.Builder
	o := 0
	pt := func(o int) string {
		return fmt.Sprintf("Pt{X: %[1]s[%[2]d], Y: %[1]s[%[3]d], A: [2]float64{%[1]s[%[4]d], %[1]s[%[5]d]}}", vec, o, o+1, o+2, o+3)
	}
	for _, p := range layout(fi) {
		name := prefix + p
		switch p {
		case "x", "y":
			fmt.Fprintf(&b, "\t\t\t%s := %s[%d]\n", name, vec, o)
		case "a":
			fmt.Fprintf(&b, "\t\t\t%[1]s := [3]float64{%[2]s[%[3]d], %[2]s[%[4]d], %[2]s[%[5]d]}\n", name, vec, o, o+1, o+2)
		case "p":
			fmt.Fprintf(&b, "\t\t\t%s := %s\n", name, pt(o))
		case "w":
			fmt.Fprintf(&b, "\t\t\t%s := clone(%s[%d:%d])\n", name, vec, o, o+6)
		case "q":
			fmt.Fprintf(&b, "\t\t\t%[1]s := &Body{X: %[2]s[%[3]d], W: clone(%[2]s[%[4]d:%[5]d]), P: %[6]s, Tag: n}\n", name, vec, o, o+1, o+4, pt(o+4))
		case "ps":
			fmt.Fprintf(&b, "\t\t\t%s := []Pt{%s, %s}\n", name, pt(o), pt(o+4))
		case "m":
			fmt.Fprintf(&b, "\t\t\t%[1]s := [][]float64{clone(%[2]s[%[3]d:%[4]d]), clone(%[2]s[%[4]d:%[5]d])}\n", name, vec, o, o+3, o+6)
		}
		o += paramDim[p]
	}
	return b.String()
}
