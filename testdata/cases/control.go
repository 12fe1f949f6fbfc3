package cases

import "math"

// One function per control-flow construct, and one per wrong-gradient bug
// that other source-transformation tools have been reported to have.

// IfElse branches three ways, with an init statement.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func IfElse(x, y float64) float64 {
	if d := x - y; d > 1 {
		x = x * d
	} else if d < -1 {
		y = math.Sin(y) * d
	} else {
		x, y = y, x*x
	}
	return x * y
}

// IfNoElse changes a value on one path only.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func IfNoElse(x float64) float64 {
	y := x * x
	if x > 0 {
		y = y * x
	}
	return y + x
}

// RestoredAfterBranch overwrites, in a branch, a value that the backward
// sweep reads before the branch.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RestoredAfterBranch(x, y float64) float64 {
	a := x * y
	b := a * a
	if y > 0 {
		a = math.Exp(x)
	}
	return a + b
}

// SwitchTagged switches on an integer derived from the input.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SwitchTagged(x float64) float64 {
	switch k := int(math.Floor(x)); k {
	case 0, 1:
		return x * x
	case 2:
		x = math.Sqrt(x)
	default:
		x = -x
	}
	return x * 3
}

// SwitchTagless is an if-else chain written as a switch.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SwitchTagless(x, y float64) float64 {
	var r float64
	switch {
	case x > y:
		r = x * y
	case x < y:
		r = x / y
	}
	return r + x
}

// Power multiplies repeatedly: t *= x needs a tape.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func Power(x float64, n int) float64 {
	t := 1.0
	for i := 0; i < n; i++ {
		t *= x
	}
	return t
}

// CountDown is a while loop counting down.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func CountDown(x float64, n int) float64 {
	s := 0.0
	for n > 0 {
		s = s*x + float64(n)
		n--
	}
	return s
}

// Nested loops, the inner bound depending on the outer index.
//
//gradgen:grad wrt=x,y
//gradgen:hvp wrt=x,y
//gradgen:hessian wrt=x,y
//gradgen:jvp wrt=x,y
func Nested(x, y float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s += math.Sin(x*float64(i)) * math.Cos(y*float64(j))
		}
	}
	return s
}

// ReturnInLoop returns from the middle of a loop.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func ReturnInLoop(x float64, n int) float64 {
	s := x
	for i := 0; i < n; i++ {
		s = s*x + 1
		if s > 100 {
			return s / x
		}
		s = math.Sqrt(s)
	}
	return s
}

// ReturnInBranch returns early from a branch.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ReturnInBranch(x float64) float64 {
	y := x * x
	if y > 4 {
		return y * x
	}
	y = math.Exp(y)
	return y
}

// BranchInLoop takes a different path on each trip.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func BranchInLoop(x float64, n int) float64 {
	s := 0.0
	for i := range n {
		if i%2 == 0 {
			s += x * float64(i)
		} else {
			s = s * math.Cos(x)
		}
	}
	return s
}

// Halvings runs for a number of trips that depends on the float input.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Halvings(x float64) float64 {
	p := 1.0
	for x > 1 {
		x = x / 2
		p = p * x
	}
	return p + x
}

// Continue skips the rest of some trips: the backward sweep must skip the
// same statements.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func Continue(x float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		t := x * float64(i+1)
		if i%3 == 1 {
			continue
		}
		s += t * t
	}
	return s
}

// Break leaves the loop once the sum is large, skipping the post statement
// of the last trip.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func Break(x float64, n int) float64 {
	s := 1.0
	i := 0
	for ; i < n; i++ {
		s = s * x
		if s > 50 {
			break
		}
		s += 1
	}
	return s * float64(i+1)
}

// Labeled breaks and continues outer loops by label.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func Labeled(x float64, n int) float64 {
	s := 0.0
outer:
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if j > i {
				continue outer
			}
			if s > 20 {
				break outer
			}
			s += x * float64(i-j+1)
			s = s * 1.1
		}
	}
	return s
}

// bump has a side effect: a condition that calls it must be evaluated once.
func bump(k *int) bool {
	*k++
	return *k%2 == 0
}

// SideEffectCondition branches on a condition with a side effect.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func SideEffectCondition(x float64, n int) float64 {
	k := 0
	s := x
	for i := 0; i < n; i++ {
		if bump(&k) {
			s = s * x
		} else {
			s = s + x
		}
	}
	return s * float64(k)
}

// Divisor recomputes a divisor inside the loop from the input.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Divisor(x, y float64) float64 {
	s := 0.0
	for i := 1; i <= 5; i++ {
		d := x*float64(i) + 1
		s += y / d
	}
	return s
}

// BoundFromInput takes its trip count from the float parameter.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func BoundFromInput(x float64) float64 {
	s := 0.0
	for i := 0; i < int(x); i++ {
		s += math.Sqrt(x + float64(i))
	}
	return s
}

// FloatStep counts with a float from an active start: its post statement
// adds a constant, which leaves the counter's tangent as it is (and must
// not be written as a self-assignment, which go vet reports).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FloatStep(x, y float64) float64 {
	s := 0.0
	for u := x; u < 5; u += 0.7 {
		s += u * y
	}
	return s
}

// BoundInMemory bounds its loop by an element of an integer slice that is
// cleared after the loop. Regression (a fresh trial): the backward sweep
// evaluated the trip count b[0] again, after clear(b) made it 0, and the
// gradient was 0; a count read from memory is recorded.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func BoundInMemory(x []float64) float64 {
	b := []int{len(x)}
	s := 1.0
	for i := 0; i < b[0]; i++ {
		s = math.Sin(s * x[i])
	}
	clear(b)
	return s
}

// NarrowCounters counts with a uint8 and ranges over an int32. Regression
// (a fresh trial): the trip counts, max(0, n - a) of the counter's type,
// were assigned to int storage sizes, which did not compile; counts of
// other integer types than int are recorded as the loops run.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func NarrowCounters(x []float64, n uint8, m int32) float64 {
	s := 0.2
	for i := uint8(0); i < n; i++ {
		s = math.Sin(s * x[i])
	}
	for j := range m {
		s = s*x[j] + 0.1
	}
	return s
}

// packageBound bounds PackageBound's loop; setPackageBound changes it.
var packageBound = 3

func setPackageBound(n int) { packageBound = n }

// PackageBound's loop runs packageBound times, which a call changes after
// the loop. Regression: the backward sweep evaluated max(0,
// packageBound) again and ran once instead of three times; a trip count
// that reads a package-level variable is recorded (TestPackageBound).
//
//gradgen:grad
func PackageBound(x []float64) float64 {
	s := 0.0
	for i := 0; i < packageBound; i++ {
		s += x[i]*x[i]*s + x[i]
	}
	setPackageBound(1)
	return s
}

// Logistic iterates the logistic map x ← r·x·(1−x).
//
//gradgen:grad wrt=r,x
//gradgen:hvp wrt=r,x
//gradgen:hessian wrt=r,x
//gradgen:jvp wrt=r,x
func Logistic(r, x float64, steps int) float64 {
	for range steps {
		x = r * x * (1 - x)
	}
	return x
}

// weights is passive data read by RangeData.
var weights = []float64{0.5, -1.25, 2, 0.75}

// RangeData ranges over a package-level slice with index and value.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RangeData(x float64) float64 {
	s := 0.0
	for i, w := range weights {
		s += w * math.Pow(x, float64(i))
	}
	for _, w := range [3]float64{1, 2, 3} {
		s = s*w + x
	}
	return s
}

// FloatCounter counts with a float: its old values go on a tape.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FloatCounter(x float64) float64 {
	s := 0.0
	for t := 0.0; t < 1; t += 0.25 {
		s += math.Sin(x * t)
	}
	return s
}

// EndsInIf has no final return: both branches return.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func EndsInIf(x float64) float64 {
	if x > 0 {
		return math.Log(x)
	} else {
		return x * x
	}
}

// SumOfPowers is a sum loop around a loop that needs a tape: each trip
// empties it again, so all trips share its storage.
//
//gradgen:grad wrt=xs
//gradgen:hvp wrt=xs
//gradgen:hessian wrt=xs
//gradgen:jvp wrt=xs
func SumOfPowers(xs []float64, n int) float64 {
	s := 0.0
	for _, x := range xs {
		p := 1.0
		for range n {
			p *= x
		}
		s += p
	}
	return s
}

// SumOfBranches is a sum loop around a loop with a branch: its tapes (the
// values and the branches taken) share one block, kept from trip to trip.
//
//gradgen:grad wrt=xs
//gradgen:hvp wrt=xs
//gradgen:hessian wrt=xs
//gradgen:jvp wrt=xs
func SumOfBranches(xs []float64, n int) float64 {
	s := 0.0
	for _, x := range xs {
		p := 1.0
		for j := range n {
			if j%2 == 0 {
				p *= x
			} else {
				p = p*0.5 + math.Sin(p*x)
			}
		}
		s += p
	}
	return s
}

// Pendulum takes explicit time steps: each statement adds into a variable
// the other one reads, so both adjoints are carried from trip to trip.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Pendulum(theta, omega float64, steps int) float64 {
	h := 0.01
	for range steps {
		omega -= h * math.Sin(theta)
		theta += h * omega
	}
	return theta*theta + omega
}

// SumOfTriangle is a sum loop around a loop whose trip count grows with
// the outer index: its tape's storage grows with it, a few times per call.
//
//gradgen:grad wrt=xs
//gradgen:hvp wrt=xs
//gradgen:hessian wrt=xs
//gradgen:jvp wrt=xs
func SumOfTriangle(xs []float64) float64 {
	s := 0.0
	for i, x := range xs {
		p := 1.0
		for range i {
			p *= x
		}
		s += p
	}
	return s
}

// LogisticSwitch iterates the logistic map under a switch: its backward
// code is factored as it is under an if.
//
//gradgen:grad wrt=r,x
//gradgen:hvp wrt=r,x
//gradgen:hessian wrt=r,x
//gradgen:jvp wrt=r,x
func LogisticSwitch(r, x float64, steps, mode int) float64 {
	for i := 0; i < steps; i++ {
		switch mode {
		case 1:
			x = r * x * (1 - x)
		default:
			x = x * 0.5
		}
	}
	return x
}

// PiecewisePost advances an active loop counter through a piecewise
// function: forward mode moves the post statement to the end of the body,
// since its tangent takes statements of its own.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PiecewisePost(x float64) float64 {
	s := 0.0
	for t := x; t < 4; t = math.Max(t*2, t+1) {
		s += t * t
	}
	return s
}

// SmoothPostContinue advances an active counter through a smooth function
// in a loop with continue: forward mode writes value and tangent in the
// post statement, the call's partial read again.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SmoothPostContinue(x float64) float64 {
	s := 0.0
	for t := x; t < 10; t = t + math.Sin(t) + 2 {
		if t < 2 {
			continue
		}
		s += t * t
	}
	return s
}

// SwapPostContinue swaps two active values in a loop's post statement.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SwapPostContinue(x, y float64) float64 {
	s := 0.0
	a, b := x, y
	for i := 0; i < 6; a, b = b, a {
		i++
		if i == 2 {
			continue
		}
		s += a * b * b
	}
	return s
}

// NewStateBuffer writes a new state into a buffer in an inner loop and
// copies it back, as an RNN does: the backward sweep read the buffer back
// after the next outer trip had overwritten it (a new user's trial).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NewStateBuffer(x []float64) float64 {
	nh := make([]float64, 1)
	h := 0.0
	for t := 0; t < len(x); t++ {
		for j := 0; j < 1; j++ {
			nh[j] = math.Tanh(x[t] + h)
		}
		h = nh[0]
	}
	return h
}

// ViewCarry sums through a view taken on every trip of memory that
// outlives the trip, which carries a value from trip to trip: not a sum
// loop (fusing it gave a wrong value and gradient; a new user's trial).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ViewCarry(x []float64, a float64) float64 {
	buf := make([]float64, 1)
	loss := 0.0
	for _, v := range x {
		w := buf[0:1]
		w[0] = w[0]*a + v
		loss += w[0]
	}
	return loss
}

// SqrtPostCounter updates an active value and an int counter in one post
// statement, with a continue in the body.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func SqrtPostCounter(x float64) float64 {
	s := 0.0
	i := 0
	for t := x; i < 6; t, i = math.Sqrt(t+1), i+1 {
		if i == 2 {
			continue
		}
		s += t * t
	}
	return s
}

// ViewUpdateReadLater updates an element through one view of a buffer on
// every trip, and reads it through another view taken after the update,
// whose reader the backward sweep reaches after later trips' updates: the
// update is undone going back (random programs, seed 24: it was not).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ViewUpdateReadLater(w []float64, p float64) float64 {
	h := make([]float64, 3)
	for i := range h {
		h[i] = w[i] * 0.5
	}
	y := 0.0
	for k := 0; k < 3; k++ {
		r := h[:2]
		r[0] += 0.25 * math.Sin(p)
		t := r
		for len(t) > 1 {
			y += t[0] * math.Erf(p*float64(k+1)/4)
			t = t[1:]
		}
	}
	return y
}

// NamedResult has a named result, set and returned by bare returns in a
// branch and in a loop, and returned with a value at the end.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NamedResult(x, y float64) (r float64) {
	r = x * y
	if r > 1 {
		r = math.Log(r)
		return
	}
	for i := 0; i < 3; i++ {
		r += x * x
		if r > 2 {
			return
		}
	}
	return r * 2
}

// splitNamed is a helper with two named results and bare returns.
func splitNamed(x float64) (s, c float64) {
	s, c = math.Sincos(x)
	if x > 3 {
		return
	}
	s *= 2
	return
}

// NamedHelper calls a helper with named results, and returns its own
// named result bare; the result is zero on one path.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func NamedHelper(x float64) (out float64) {
	if x < -5 {
		return
	}
	a, b := splitNamed(x)
	out = a * b
	return
}

// LoopInvariants declares in its loop locals that every trip sets to the
// same value (a constant, a parameter nothing writes): their old values
// are not saved. m is set from b, which a declaration writes anew on each
// trip: it is saved.
//
//gradgen:grad
//gradgen:jvp
func LoopInvariants(x []float64, c float64) float64 {
	s := 0.5
	for i := range x {
		h := 0.5
		k := c
		var b = x[i]
		m := b
		s = s*h*k + m*m*s + math.Sin(m*k)
	}
	return s
}

// SumTwoNests is a sum loop whose trip runs two loop nests, each with a
// tape: beyond 64 values each takes storage from the gradient's pool, and
// the two are alive together until the trip's backward code has run.
// They shared one buffer once, and the gradient was wrong by 1e63
// (TestTapePool; the finite-difference case runs at 200 steps).
//
//gradgen:grad wrt=xs
//gradgen:jvp wrt=xs
func SumTwoNests(xs []float64, n int) float64 {
	s := 0.0
	for i := range xs {
		t := xs[i]
		for k := 0; k < n; k++ {
			t = t * math.Cos(t)
		}
		u := xs[i]
		for k := 0; k < n; k++ {
			u = u*0.5 + math.Sin(u)
		}
		s += t * u
	}
	return s
}

// replayYs are the observations of Replayed and ReplayedSteps.
var replayYs = []float64{0.3, -0.2, 0.9, 0.4, -0.6, 1.1, 0.2}

// Replayed is a filter whose backward trips are replayed: each trip keeps
// the values it starts from (x, p, w) and the backward trip computes its
// locals (s, innov, k, z) again. z reads p after p's last update in the
// trip, so the replay keeps that update; w, set in the loop, is read
// before it (pre), so it must be back at its value from before the loop
// when the backward sweep leaves it.
//
//gradgen:grad wrt=q,r
//gradgen:jvp wrt=q,r
//gradgen:hvp wrt=q,r
//gradgen:hessian wrt=q,r
func Replayed(q, r float64, ys []float64) float64 {
	x, p, w := 0.0, 1.0, q*r
	pre := w * w
	nll := 0.0
	for _, y := range ys {
		p += q
		s := p + r
		innov := y - x
		k := p / s
		x += k * innov
		p *= 1 - k
		w = p * x
		z := p * p
		nll += math.Log(s) + innov*innov/s + z*w
	}
	return nll + pre*x
}

// ReplayedSteps is a counting loop whose trips are replayed; the replay
// reads r, which the function overwrites after the loop: the backward
// sweep puts r back before the trips run again. u is set in the loop and
// read only before it (pre): the trip keeps it too, so that the backward
// sweep leaves it as it was before the loop.
//
//gradgen:grad wrt=q,r
//gradgen:jvp wrt=q,r
//gradgen:hvp wrt=q,r
//gradgen:hessian wrt=q,r
func ReplayedSteps(q, r float64, ys []float64) float64 {
	v, acc := q, 0.0
	u := q * r
	pre := u * u
	for i := 0; i < 2*len(ys); i++ {
		y := ys[i%len(ys)]
		a := v*r + y
		b := math.Sin(a)
		v = 0.5*v + 0.3*b
		acc += b * b
		u = v * y
	}
	r = 3 * r
	return acc + r*v + pre
}

// InnerCounters runs counting loops inside a loop. The backward sweep sets
// the first inner counter, i, to its exit value before going back through
// its trips instead of keeping i's old value per outer trip. k and l are
// read after their loops, and m's loop breaks: those are kept.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func InnerCounters(W, x []float64, n int) float64 {
	out := 0.0
	k, l := 0, 0
	for j := 0; j < n; j++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += W[j*n+i] * x[i]
		}
		for k = 1; k < n; k++ {
			s += x[k] * x[k-1]
		}
		s *= float64(k)
		for l = 0; l < n; l++ {
			if l > j {
				break
			}
			s += x[l] * W[l]
		}
		for m := 0; m < n; m++ {
			if m > j {
				break
			}
			s += x[m] * s
		}
		out = 0.9*out + math.Tanh(s)*float64(l)
	}
	return out
}

// RowViews takes a view of a row of W on every trip of a loop with an
// inner loop: the backward trips take the view w again from j instead of
// keeping the one each trip overwrote. u's bounds read off, which the
// loop changes, and v views rows, which the loop reslices: those are kept.
//
//gradgen:grad wrt=W,x
//gradgen:jvp wrt=W,x
//gradgen:hvp wrt=W,x
//gradgen:hessian wrt=W,x
func RowViews(W, x []float64, n int) float64 {
	out := 0.0
	off := 0
	rows := W
	for j := 0; j < n; j++ {
		w := W[j*n : j*n+n]
		u := W[off : off+n]
		v := rows[:n]
		s := 0.0
		for i := 0; i < n; i++ {
			s += w[i]*x[i] + u[i]*v[i]
		}
		off = (off + n) % (n * n)
		rows = rows[n:]
		out = 0.5*out + math.Sin(s)
	}
	return out
}

// RestoredLater sets d before an inner loop that sums into it: the
// backward sweep restores d where it was set, after going back through
// the inner trips, so those save nothing. e is read between its setting
// and its loop (by math.Sin), and p inside its loop (p*x[k]): their inner
// trips keep their saves. (out carries from trip to trip, so the outer
// loop is not a sum: its trips save what they overwrite.)
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func RestoredLater(x []float64, g float64) float64 {
	n := len(x)
	out := 0.0
	for j := 0; j < n; j++ {
		d := 0.0
		for k := 0; k < n; k++ {
			diff := x[j] - x[k]
			d += diff * diff
		}
		e := x[j]
		s := math.Sin(e)
		for k := 0; k < n; k++ {
			e += x[k] * s
		}
		p := g
		for k := 0; k < n; k++ {
			p = p * x[k]
		}
		out = 0.5*out + math.Exp(-g*d)*e + p*s
	}
	return out
}

// CopiedBack computes math.Exp into k, which the next trip reads: k's
// save keeps the exponential until k's restore going back, so the
// backward trip reads it back from k instead of storing it again. e, which
// no backward code reads (out's update is linear in it), is not saved:
// its exponential is stored.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func CopiedBack(x []float64, g float64) float64 {
	k, out := 0.0, 0.0
	for _, xi := range x {
		prev := k
		k = math.Exp(-g * xi * xi)
		out = 0.5*out + k*prev
		if prev > 0.5 {
			out += xi // a branch: the trips are not replayed
		}
	}
	for _, xi := range x {
		e := math.Exp(g * xi)
		out = 0.5*out + e
	}
	return out
}

// WhileViews takes a view of a row on every trip of a loop whose trip
// count is known only as it runs (off moves on by n each trip): the tape
// of views grows in a buffer from the function's pool, so calls allocate
// nothing in the steady state at any number of rows.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func WhileViews(W, x []float64, n int) float64 {
	out := 0.0
	off := 0
	for off+n <= len(W) {
		w := W[off : off+n]
		s := 0.0
		for i := range w {
			s += w[i] * x[i]
		}
		out = 0.5*out + math.Sin(s)
		off += n
	}
	return out
}

// PooledLocals makes slices of lengths known only at run time. h is only
// indexed, ranged over, copied into and viewed: its gradient takes h and
// its adjoint from the pool, cleared, and allocates nothing. g is passed
// to a helper that keeps it to itself: from the pool too. k is viewed by
// another name: it keeps make.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func PooledLocals(x []float64, a float64) float64 {
	n := len(x)
	h := make([]float64, n)
	copy(h, x)
	for i := range h {
		h[i] = math.Sin(h[i] * a)
	}
	top := h[n/2:]
	s := 0.0
	for i, v := range top {
		s += v * h[i] * float64(len(h))
	}
	g := make([]float64, n)
	for i := range g {
		g[i] = x[i] * s
	}
	s += sumSquares(g)
	k := make([]float64, n)
	kk := k
	kk[0] = a * s
	return s + k[0]
}

func sumSquares(v []float64) float64 {
	t := 0.0
	for _, e := range v {
		t += e * e
	}
	return t
}

// RangeRemade ranges, inside a loop, over g, whose elements alone the
// loop writes, and over h, which each outer trip makes anew one longer:
// g's trip count is len(g), known before the nest, so its tapes are made
// to measure; h's trips are counted as they run.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func RangeRemade(x []float64) float64 {
	g := make([]float64, len(x))
	s := 0.0
	for t := range len(x) {
		h := make([]float64, t+1)
		for i := range h {
			h[i] = x[i]*s + 0.5
			s = math.Sin(s + h[i])
		}
		for i := range g {
			g[i] = g[i]*0.5 + x[i]*s
			s += g[i] * g[i] * 0.1
		}
	}
	return s
}

// VarInLoop declares an inner loop's bound, and a view another inner
// loop ranges over, with var inside the outer loop: both take new values
// on each outer trip, so the backward sweep must not take the trip counts
// from their values after the nest (it did for the bound: index out of
// range, and with other bounds a wrong gradient).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func VarInLoop(x []float64) float64 {
	s := 0.5
	for k := 0; k < len(x); k++ {
		var m = k + 1
		for i := 0; i < m; i++ {
			s = math.Sin(s*x[i]) + x[k]
		}
		var w = x[k:]
		for j := range w {
			s += 0.1 * w[j] * s
		}
	}
	return s
}

// madeLenCalls counts the calls of madeLen, which MadeLengths calls once
// per call (TestMadeLengths).
var madeLenCalls int

func madeLen(k int) int {
	madeLenCalls++
	return k + madeLenCalls%3
}

// MadeLengths makes slices whose lengths are an int32 and a call with an
// effect: the call runs once per call of each generated function, its
// adjoint or tangent made as long as the slice (len(h)), and the int32
// length keeps make (a buffer from the pool is sized by an int).
//
//gradgen:grad wrt=x
//gradgen:jvp wrt=x
func MadeLengths(x []float64, n int32) float64 {
	k := len(x)
	h := make([]float64, madeLen(k))
	for i := range h {
		h[i] = x[i%k] * float64(i+1)
	}
	g := make([]float64, n)
	for i := range g {
		g[i] = math.Sin(x[i%k])
	}
	s := 0.0
	for i := range h {
		s += h[i] * h[i] * g[i%len(g)]
	}
	return s
}

// SameTypeConversion converts a value to its own type in place: forward
// mode wrote s = s for it, a self-assignment go vet reports (a fresh
// trial; TestNumeric vets the generated code).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func SameTypeConversion(x []float64) float64 {
	s := 0.5
	for i := range x {
		s = float64(s)
		s = s*x[i] + 1
	}
	return s
}

// PooledScratch fills a scratch slice of weights that do not depend on
// the parameters: it has no adjoint, and comes from the pool too, so the
// gradient, the HVP and the Hessian allocate nothing.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func PooledScratch(x []float64) float64 {
	w := make([]float64, len(x))
	for i := range w {
		w[i] = float64(i + 1)
	}
	s := 0.0
	for i := range x {
		s += w[i] * x[len(x)-1-i] * x[i] * x[i]
	}
	return s
}

// IndexScratch makes an integer scratch slice as long as its float input
// (a permutation, filled in a loop) and indexes by it: the length comes
// from x but carries no derivative, so nothing is refused.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func IndexScratch(x []float64) float64 {
	var perm = make([]int, len(x))
	for i := range perm {
		perm[i] = (3*i + 1) % len(x)
	}
	s := 0.0
	for i, xi := range x {
		s += xi * x[perm[i]] * math.Exp(0.1*x[perm[perm[i]]])
	}
	return s
}

// ReplayedViews takes a view of a different row on each trip of a loop
// whose trips are replayed. In the HVP (reverse mode over the JVP) the
// view's adjoint is itself a view set in the forward sweep; each backward
// trip must take it again, as it takes the view (a random program's
// Hessian indexed a nil adjoint view; with rows that change per trip the
// last trip's view would be read instead).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func ReplayedViews(y float64, m [][]float64) float64 {
	t, k := 0.0, 0
	for t < 1 {
		t += 0.3
		r := m[k%len(m)][1:]
		y += r[0] * math.Tanh(r[1]*y)
		k++
	}
	return y
}

// PerTripScratch makes a hidden layer on every trip of a sum over
// samples, as a per-sample loss is written: each trip's slice is dead
// when the trip ends, so one pooled buffer serves every trip (the
// gradient, JVP and HVP allocate nothing). Its length changes from trip
// to trip (hidden-k%2: the buffer is cut shorter, then longer again).
//
//gradgen:grad wrt=w
//gradgen:jvp wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
func PerTripScratch(w []float64, xs []float64, hidden int) float64 {
	loss := 0.0
	for k, x := range xs {
		h := make([]float64, hidden-k%2)
		for j := range h {
			h[j] = math.Tanh(w[j]*x + 0.1*float64(k))
		}
		out := 0.0
		for j := range h {
			out += w[hidden+j] * h[j]
		}
		loss += (out - 0.5) * (out - 0.5)
	}
	return loss
}

// perTripXs are PerTripScratch's samples in the tests.
var perTripXs = []float64{0.5, -1.2, 2.0, 0.1}

// CarriedScratch keeps a view of one trip's slice for the next trip:
// forward mode must not take such a slice from one buffer per trip, since
// the next trip's make would clear what the view still reads.
//
//gradgen:grad
//gradgen:jvp
func CarriedScratch(x []float64, width int) float64 {
	var prev []float64
	s := 0.0
	for k := range x {
		h := make([]float64, width)
		h[0] = x[k] * x[k]
		h[1] = math.Sin(x[k])
		if k > 0 {
			s += prev[0]*h[1] + prev[1]
		}
		prev = h[0:2]
	}
	return s
}

// NestedConstLit starts a rotation from a constant nested array literal
// and writes parameters into it: forward mode gives the constant rows a
// zero tangent (it refused them, a fresh trial).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func NestedConstLit(t, s float64) float64 {
	R := [2][2]float64{{1, 0}, {0, 1}}
	R[0][1] = math.Sin(t)
	R[1][0] = s * R[0][1]
	return R[0][0]*R[0][1] + R[1][1]*R[1][0]*s
}

// HelperScratch passes the hidden layer it makes to helpers that only
// read it (dot, poolSquares) or fill it (poolFill): the slice stays in the
// function, so it and its adjoint come from the pool (they were made on
// every call). poolTail, which returns a view, is expanded where it is
// called, so g, declared with var, stays in the function too.
//
//gradgen:grad wrt=w
//gradgen:jvp wrt=w
//gradgen:hvp wrt=w
//gradgen:hessian wrt=w
func HelperScratch(w, x []float64, hidden int) float64 {
	h := make([]float64, hidden)
	poolFill(h, w, x)
	var g = make([]float64, hidden)
	for j := range g {
		g[j] = w[j] * h[j]
	}
	t := poolTail(g)
	return dot(h, w[:hidden]) + poolSquares(h) + t[0]*t[0]
}

func poolFill(h, w, x []float64) {
	n := len(x)
	for j := range h {
		h[j] = math.Tanh(dot(w[j*n%len(w):j*n%len(w)+n], x))
	}
}

func poolSquares(h []float64) float64 {
	s := 0.0
	for _, v := range h {
		s += v * v
	}
	return s
}

func poolTail(g []float64) []float64 { return g[1:] }

// Floats is a named slice type, as a user's linear algebra helpers have.
type Floats []float64

func dotVec(a, b Floats) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// NamedSliceDot calls a helper whose parameters have a named slice type:
// its pullback, which writes into da Floats, was taken for a pure function
// and dropped as dead code, and the gradient was zero (a fresh trial).
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func NamedSliceDot(x []float64) float64 {
	return dotVec(x, x) * x[0]
}

// keptElement is where keepElement leaves the address of an element.
var keptElement *float64

func keepElement(h []float64) { keptElement = &(h[0]) }

// KeptScratch passes its scratch to a helper that keeps the address of an
// element: the slice outlives the call, so the gradient and JVP must make
// it, not take it from the pool (a fresh trial saw the next call
// overwrite the kept element).
//
//gradgen:grad
//gradgen:jvp
func KeptScratch(x []float64, k int) float64 {
	w := make([]float64, len(x))
	for i := range w {
		w[i] = float64(k + i)
	}
	keepElement(w)
	return w[0] * x[0] * x[len(x)-1]
}

// RowLengths makes a slice as long as a row of a matrix, and one as long
// as a struct's field: lengths read from memory, which the pool evaluates
// where make did. The JVP takes both from the pool (the row's on every
// trip), the gradient the field's (its loop is not a sum: the rows' slices
// are kept for the backward sweep).
//
//gradgen:grad wrt=x
//gradgen:jvp wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
func RowLengths(x []float64, m [][]float64, l Layer) float64 {
	s := 0.0
	for i := range m {
		h := make([]float64, len(m[i]))
		for j := range h {
			h[j] = math.Sin(x[j%len(x)]) * m[i][j]
		}
		for _, v := range h {
			s += v * v
		}
	}
	g := make([]float64, len(l.W))
	for j := range g {
		g[j] = l.W[j] * s * x[0]
	}
	return s + g[0]*g[len(g)-1]
}

// rowLengthsM and rowLengthsL are RowLengths' matrix and layer in the tests.
var (
	rowLengthsM = [][]float64{{0.5, -0.3, 0.8}, {0.2}, {-0.6, 0.4, 0.1, 0.9, -0.2}}
	rowLengthsL = Layer{W: []float64{0.7, -0.4, 0.3}}
)

// fillEarly writes h from x one way or another, returning early from the
// first: both loops declare their own i, which the expansion moves into
// the if's branches (fresh trial 21: refused before, as if the second
// loop read the first's i).
func fillEarly(h, x []float64, c float64) {
	if c > 2 {
		for i := range h {
			h[i] = x[i] * c
		}
		return
	}
	for i := range h {
		h[i] = x[i] * x[i] * 0.5
	}
}

// EarlyFill calls fillEarly, a writing helper with an early return,
// expanded where it is called; c picks the branch (both are checked).
//
//gradgen:grad wrt=x,c
//gradgen:jvp wrt=x,c
//gradgen:hvp wrt=x,c
//gradgen:hessian wrt=x,c
func EarlyFill(x []float64, c float64) float64 {
	h := make([]float64, len(x))
	fillEarly(h, x, c)
	s := 0.0
	for i := range h {
		s += h[i] * x[i]
	}
	return s * c
}

// Grid holds its size as a field, as people write it.
type Grid struct {
	N     int
	Sizes []int
}

// FieldLengths makes its scratch as long as a struct's int field and as
// an element of an int slice: lengths read from memory, which the pool
// reads again where make did (issue 14: every call allocated).
//
//gradgen:grad wrt=x
//gradgen:jvp wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
func FieldLengths(x []float64, g Grid) float64 {
	h := make([]float64, g.N)
	for i := range h {
		h[i] = math.Sin(x[i%len(x)]) * float64(i+1)
	}
	e := make([]float64, g.Sizes[1])
	for i := range e {
		e[i] = h[i%len(h)] * x[0]
	}
	s := 0.0
	for i := range e {
		s += e[i] * e[i]
	}
	return s + h[0]*h[len(h)-1]
}

// fieldLengthsGrid is FieldLengths' grid in the tests.
var fieldLengthsGrid = Grid{N: 5, Sizes: []int{2, 4}}

// PushAfterInner pushes onto the tape of s in its inner loop, whose trip
// count the loop finds as it runs, and twice more after it in each outer
// trip: room made at the top of the outer trip was used up by the inner
// loop, and the two pushes after it grew the tape by append on the heap,
// on every call (fresh trial 22).
//
//gradgen:grad wrt=x
//gradgen:jvp wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
func PushAfterInner(x []float64, m int) float64 {
	s := 0.0
	j := 0
	for i := 0; i < len(x); i++ {
		for j = 0; j < m && j <= i; j++ {
			s += x[i] * x[j]
		}
		s += x[i] * float64(j)
		s = math.Sin(s)
	}
	return s
}

// ReplayedTwice overwrites its carried state twice per trip: first by a
// statement whose reversal reads no value (x += q), then by one whose
// reversal reads the value the first left (x = math.Sin(x)). The replay
// must run the first again.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func ReplayedTwice(x, q float64, n int) float64 {
	for range n {
		x += q
		x = math.Sin(x)
	}
	return x
}

func replayPredict(x, p, q float64) (float64, float64) { return x, p + q }

func replayUpdate(x, p, y, r float64) (float64, float64, float64) {
	s := p + r
	k := p / s
	e := y - x
	return x + k*e, (1 - k) * p, math.Log(s) + e*e/s
}

// ReplayedHelpers is a Kalman filter written with a predict and an update
// helper, each returning the new state: the replay must call predict
// again before update's pullback reads its result.
//
//gradgen:grad wrt=q,r
//gradgen:jvp wrt=q,r
//gradgen:hvp wrt=q,r
//gradgen:hessian wrt=q,r
func ReplayedHelpers(q, r float64, ys []float64) float64 {
	x, p := 0.0, 1.0
	nll := 0.0
	for _, y := range ys {
		x, p = replayPredict(x, p, q)
		var l float64
		x, p, l = replayUpdate(x, p, y, r)
		nll += l
	}
	return nll
}

// UnusedCounter advances a counter that nothing reads (the loop stops on
// off): the generated code drops the counter, from its post statement too.
//
//gradgen:grad
//gradgen:jvp
//gradgen:hvp
//gradgen:hessian
func UnusedCounter(x float64, n int) float64 {
	off := 0
	for j := 0; off < n; j++ {
		x = x * math.Sin(x+1)
		off++
	}
	return x
}
