package cases

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestTapeAllocations pins SPEC §3's allocation promise for a tape whose
// length is known only at run time: none while it fits an array on the
// stack (up to 1024 values), and beyond it none in the steady state either:
// the storage comes from the function's pool (AllocsPerRun's warm-up call
// makes it).
func TestTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("tapes of the unoptimized code hold more values")
	}
	for _, tc := range []struct {
		n      int
		allocs float64
	}{
		{0, 0}, {10, 0}, {64, 0}, {65, 0}, {1024, 0}, {1025, 0}, {5000, 0}, {100000, 0},
	} {
		got := testing.AllocsPerRun(20, func() { PowerGrad(1.0001, tc.n) })
		if got != tc.allocs {
			t.Errorf("PowerGrad(1.0001, %d): %v allocations per call, want %v", tc.n, got, tc.allocs)
		}
	}
}

// TestWhileTapeAllocations: a while loop's tape starts in a stack array of
// 64 values and grows past it into a buffer from the function's pool: no
// allocation in the steady state at any trip count, and a reused buffer's
// old values (NaN) change nothing.
func TestWhileTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("tapes of the unoptimized code hold more values")
	}
	for _, n := range []int{0, 10, 64, 65, 500, 5000} {
		if got := testing.AllocsPerRun(20, func() { CountDownGrad(0.5, n) }); got != 0 {
			t.Errorf("CountDownGrad(0.5, %d): %v allocations per call, want 0", n, got)
		}
	}
	v, d := CountDownGrad(0.5, 3000)
	poison := make([]float64, 8000)
	for i := range poison {
		poison[i] = math.NaN()
	}
	for range 4 {
		p := slices.Clone(poison)
		countDownGradTapes.Put(&p)
	}
	if v2, d2 := CountDownGrad(0.5, 3000); v2 != v || d2 != d {
		t.Errorf("CountDownGrad(0.5, 3000) with NaN-filled pooled buffers: %v, %v; want %v, %v", v2, d2, v, d)
	}
}

// TestWhileViewAllocations: WhileViews tapes a view per trip of a loop
// whose trip count is known only as it runs; the tape grows in a buffer
// from the function's pool, so no call allocates in the steady state, and
// a reused buffer's old views change nothing.
func TestWhileViewAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code stores more")
	}
	x := []float64{0.3, -0.7, 1.1}
	for _, rows := range []int{0, 1, 64, 65, 500} {
		W := make([]float64, 3*rows)
		for i := range W {
			W[i] = 0.01 * float64(i%9)
		}
		dW, dx := make([]float64, len(W)), make([]float64, len(x))
		if n := testing.AllocsPerRun(20, func() { WhileViewsGrad(W, x, 3, dW, dx) }); n != 0 {
			t.Errorf("WhileViewsGrad over %d rows: %v allocations per call, want 0", rows, n)
		}
	}
	W := make([]float64, 3*200)
	for i := range W {
		W[i] = math.Sin(float64(i))
	}
	dW, dx := make([]float64, len(W)), make([]float64, len(x))
	v := WhileViewsGrad(W, x, 3, dW, dx)
	junk := make([][]float64, 1000)
	for i := range junk {
		junk[i] = []float64{math.NaN(), math.NaN(), math.NaN()}
	}
	for range 4 {
		p := slices.Clone(junk)
		whileViewsGradTapes.Put(&p)
	}
	dW2, dx2 := make([]float64, len(W)), make([]float64, len(x))
	if v2 := WhileViewsGrad(W, x, 3, dW2, dx2); v2 != v || !slices.Equal(dW2, dW) || !slices.Equal(dx2, dx) {
		t.Errorf("WhileViewsGrad with pooled buffers of other views: value or gradient changed")
	}
}

// TestPooledLocals: PooledLocalsGrad takes h and its adjoint from its
// pool, with capacity n as make gives, and g, passed to a helper that
// keeps it to itself (sumSquares), too; k, viewed by another name, keeps
// make; so does PooledLocalsJVP. A reused
// buffer's old values (NaN) change nothing: the slices taken are cleared
// (MatVec's and Scaled's JVPs, which add into their slices, fail the
// dot-product test when they are not).
func TestPooledLocals(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "PooledLocalsGrad")
	for _, want := range []string{"h = (*tapeBuf1)[:n:n]", "dh = (*tapeBuf)[:n:n]", "dg = (*tapeBuf3)[:n:n]", "g = (*tapeBuf4)[:n:n]", "k := make([]float64, n)"} {
		if !strings.Contains(body, want) {
			t.Errorf("PooledLocalsGrad has no %s", want)
		}
	}
	jvp := generatedFunc(t, "control_grad.go", "PooledLocalsJVP")
	for _, want := range []string{"h = (*tapeBuf)[:n:n]", "dh = (*tapeBuf1)[:n:n]", "g = (*tapeBuf2)[:n:n]", "k := make([]float64, n)"} {
		if !strings.Contains(jvp, want) {
			t.Errorf("PooledLocalsJVP has no %s", want)
		}
	}
	x := []float64{0.3, -0.7, 0.5, 0.8, 0.1, 0.4}
	dx := make([]float64, len(x))
	v, da := PooledLocalsGrad(x, 0.9, dx)
	poison := make([]float64, 64)
	for i := range poison {
		poison[i] = math.NaN()
	}
	for range 8 {
		p := slices.Clone(poison)
		pooledLocalsGradTapes.Put(&p)
	}
	dx2 := make([]float64, len(x))
	if v2, da2 := PooledLocalsGrad(x, 0.9, dx2); v2 != v || da2 != da || !slices.Equal(dx2, dx) {
		t.Errorf("PooledLocalsGrad with NaN-filled pooled buffers: %v, %v, %v; want %v, %v, %v", v2, da2, dx2, v, da, dx)
	}
}

// TestRangeRemade: the range over g, whose elements alone the loop
// writes, has its trip count before the nest (len(g)) and tapes made to
// measure; the one over h, made anew each outer trip, counts its trips.
// TestGradients checks the gradients.
func TestRangeRemade(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "RangeRemadeGrad")
	if !strings.Contains(body, "= len(g)\n") || strings.Contains(body, "cap(gElemTape)-len(gElemTape)") {
		t.Errorf("RangeRemadeGrad does not take g's trip count from len(g)")
	}
	if !strings.Contains(body, "cap(hElemTape)-len(hElemTape)") {
		t.Errorf("RangeRemadeGrad takes h's trip count before the nest, where h is made anew on each outer trip")
	}
}

// TestMadeLengths: MadeLengthsGrad and MadeLengthsJVP call madeLen once
// per call, as MadeLengths does, and return its value bit for bit (they
// called it twice, once for the slice and once for its adjoint, and
// panicked when the two lengths differed); their gradients agree with
// central differences of the same sequence of calls.
func TestMadeLengths(t *testing.T) {
	x := []float64{0.3, -0.7, 0.5}
	for call := range 6 {
		madeLenCalls = call
		want := MadeLengths(x, 2)
		if madeLenCalls != call+1 {
			t.Fatalf("MadeLengths called madeLen %d times", madeLenCalls-call)
		}
		madeLenCalls = call
		dx := make([]float64, len(x))
		if v := MadeLengthsGrad(x, 2, dx); v != want || madeLenCalls != call+1 {
			t.Errorf("MadeLengthsGrad after %d calls: value %v (want %v), madeLen called %d times (want 1)", call, v, want, madeLenCalls-call)
		}
		madeLenCalls = call
		tx := []float64{1, -0.5, 0.25}
		v, tan := MadeLengthsJVP(x, 2, tx)
		if v != want || madeLenCalls != call+1 {
			t.Errorf("MadeLengthsJVP after %d calls: value %v (want %v), madeLen called %d times (want 1)", call, v, want, madeLenCalls-call)
		}
		if dot := dx[0]*tx[0] + dx[1]*tx[1] + dx[2]*tx[2]; math.Abs(tan-dot) > 1e-12*math.Max(1, math.Abs(dot)) {
			t.Errorf("MadeLengthsJVP after %d calls: tangent %v, ⟨∇F, v⟩ = %v", call, tan, dot)
		}
		for i := range x {
			h := 1e-6
			up, down := slices.Clone(x), slices.Clone(x)
			up[i] += h
			down[i] -= h
			madeLenCalls = call
			fu := MadeLengths(up, 2)
			madeLenCalls = call
			fd := MadeLengths(down, 2)
			if d := (fu - fd) / (2 * h); math.Abs(d-dx[i]) > 1e-6*math.Max(1, math.Abs(d)) {
				t.Errorf("MadeLengthsGrad after %d calls: d[%d] = %v, central differences %v", call, i, dx[i], d)
			}
		}
	}
}

// TestPooledScratch: PooledScratch's weights and IndexScratch's
// permutation, which do not depend on the parameters, come from the pool:
// their gradients and JVPs, PooledScratch's HVP and Hessian allocate
// nothing.
func TestPooledScratch(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	x := []float64{0.3, -0.7, 0.5, 0.8, 0.1, 0.4, 0.9}
	g, v, hv, hess := make([]float64, len(x)), direction(len(x)), make([]float64, len(x)), make([]float64, len(x)*len(x))
	noAllocations(t, "", map[string]func(){
		"PooledScratchGrad":    func() { PooledScratchGrad(x, g) },
		"PooledScratchJVP":     func() { PooledScratchJVP(x, v) },
		"IndexScratchGrad":     func() { IndexScratchGrad(x, g) },
		"IndexScratchJVP":      func() { IndexScratchJVP(x, v) },
		"PooledScratchHVP":     func() { PooledScratchHVP(x, v, g, hv) },
		"PooledScratchHessian": func() { PooledScratchHessian(x, g, hess) },
	})
}

// TestPerTripScratch: PerTripScratch's hidden layer, made on every trip
// of its sum over samples, comes from one pooled buffer grown as needed
// (its gradient, JVP, HVP and Hessian allocate nothing, at any width);
// CarriedScratch's slice, whose view the next trip reads, keeps make in
// its JVP.
func TestPerTripScratch(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	for _, hidden := range []int{3, 200} {
		w := make([]float64, 2*hidden)
		for i := range w {
			w[i] = 0.1 * float64(i%7-3)
		}
		g, v, hv, hess := make([]float64, len(w)), direction(len(w)), make([]float64, len(w)), make([]float64, len(w)*len(w))
		noAllocations(t, fmt.Sprintf(" at %d hidden units", hidden), map[string]func(){
			"PerTripScratchGrad":    func() { PerTripScratchGrad(w, perTripXs, hidden, g) },
			"PerTripScratchJVP":     func() { PerTripScratchJVP(w, perTripXs, hidden, v) },
			"PerTripScratchHVP":     func() { PerTripScratchHVP(w, perTripXs, hidden, v, g, hv) },
			"PerTripScratchHessian": func() { PerTripScratchHessian(w, perTripXs, hidden, g, hess) },
		})
	}
	if !strings.Contains(generatedFunc(t, "control_grad.go", "CarriedScratchJVP"), "make([]float64, width)") {
		t.Error("CarriedScratchJVP takes from one buffer per trip a slice whose view the next trip reads")
	}
}

// TestHelperScratch: HelperScratch's slices, passed to helpers that keep
// them to themselves, come from the pool: its gradient and JVP allocate
// nothing (two slices and their adjoints or tangents before).
func TestHelperScratch(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	for _, hidden := range []int{3, 100} {
		w := make([]float64, 2*hidden)
		for i := range w {
			w[i] = 0.1 * float64(i%7-3)
		}
		g, v := make([]float64, len(w)), direction(len(w))
		noAllocations(t, fmt.Sprintf(" at %d hidden units", hidden), map[string]func(){
			"HelperScratchGrad": func() { HelperScratchGrad(w, perTripXs[:2], hidden, g) },
			"HelperScratchJVP":  func() { HelperScratchJVP(w, perTripXs[:2], hidden, v) },
		})
	}
}

// TestViewTapeAllocations: a view taped per trip (row := W[j*m : j*m+m])
// puts slice headers on a tape, made once per call before pools and now
// taken from MatVecGrad's pool, as are the function's own y and its
// adjoint (TestPooledLocals): no allocation left.
func TestViewTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code stores more")
	}
	x := []float64{0.3, -0.7, 1.1}
	W := make([]float64, 3*40)
	for i := range W {
		W[i] = 0.01 * float64(i%9)
	}
	dW, dx := make([]float64, len(W)), make([]float64, len(x))
	if n := testing.AllocsPerRun(20, func() { MatVecGrad(W, x, 40, dW, dx) }); n != 0 {
		t.Errorf("MatVecGrad: %v allocations per call, want 0", n)
	}
}

// TestSumLoopTapeAllocations: a loop nest inside a sum loop sets up its
// tapes' storage once per call, not once per trip — on the stack while it
// fits 64 values, beyond that in a buffer from the gradient's pool.
func TestSumLoopTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code has no sum loops")
	}
	xs := make([]float64, 50)
	for i := range xs {
		xs[i] = 0.9 + 0.001*float64(i)
	}
	g := make([]float64, len(xs))
	rows, drows := manyRows(xs), make([][3]float64, 70)
	for _, tc := range []struct {
		name   string
		grad   func()
		allocs float64
	}{
		{"SumOfPowers n=10", func() { SumOfPowersGrad(xs, 10, g) }, 0},
		{"SumOfPowers n=64", func() { SumOfPowersGrad(xs, 64, g) }, 0},
		{"SumOfPowers n=200", func() { SumOfPowersGrad(xs, 200, g) }, 0},
		{"SumOfBranches n=20", func() { SumOfBranchesGrad(xs, 20, g) }, 0},
		{"SumOfBranches n=200", func() { SumOfBranchesGrad(xs, 200, g) }, 0},
		{"SumOfRows, a [3]float64 tape of 70", func() { SumOfRowsGrad(xs[:3], rows, g, drows) }, 0},
	} {
		if got := testing.AllocsPerRun(20, tc.grad); got != tc.allocs {
			t.Errorf("%s: %v allocations per call, want %v", tc.name, got, tc.allocs)
		}
	}
	// Inner trips growing from 0 to 299: past the stack array, storage
	// doubles (128, 256, 512) in the buffer taken from the pool, which
	// keeps the largest: none in the steady state.
	long := make([]float64, 300)
	for i := range long {
		long[i] = 0.99
	}
	dlong := make([]float64, len(long))
	if got := testing.AllocsPerRun(20, func() { SumOfTriangleGrad(long, dlong) }); got != 0 {
		t.Errorf("SumOfTriangleGrad over 300: %v allocations per call, want 0", got)
	}
}

// TestLoopInvariantsNotSaved: locals every trip sets to the same value are
// not saved (the generated code shows it), and neither is one set from a
// value that changes per trip: the backward trip replays the forward one
// from the value it started from (s, the one tape), which sets m again
// from x[i]. TestGradients checks the gradient either way, and with the
// analyses off (SaveAll), where every value is taped.
func TestLoopInvariantsNotSaved(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "LoopInvariantsGrad")
	for _, tape := range []string{"hTape", "kTape", "mTape"} {
		if strings.Contains(body, tape) {
			t.Errorf("LoopInvariantsGrad saves a value the backward trip recomputes, on %s", tape)
		}
	}
	if !strings.Contains(body, "sTape") || strings.Count(body, "m = b") != 2 {
		t.Errorf("LoopInvariantsGrad does not replay its trips from s")
	}
}

// TestTapePool: tapes beyond the stack tiers reuse storage across calls
// through the gradient's pool: taken when the nest starts (PowerGrad), or
// at the top and grown inside a sum loop (SumOfPowersGrad,
// SumOfTriangleGrad). What a buffer held before (another call's values,
// garbage) must not reach the gradient, buffers too small for the tape
// must be replaced, and concurrent calls must each get their own.
func TestTapePool(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code takes no storage from pools")
	}
	xs := make([]float64, 300)
	for i := range xs {
		xs[i] = 0.9 + 0.0003*float64(i)
	}
	grad := func(f func([]float64)) func() []float64 {
		return func() []float64 {
			g := make([]float64, len(xs)+1)
			f(g)
			return g
		}
	}
	for _, tc := range []struct {
		name  string
		pool  *sync.Pool
		calls []func() []float64
	}{
		{"PowerGrad", &powerGradTapes, []func() []float64{
			func() []float64 { v, d := PowerGrad(1.0001, 1025); return []float64{v, d} },
			func() []float64 { v, d := PowerGrad(0.9999, 3000); return []float64{v, d} },
			func() []float64 { v, d := PowerGrad(1.0001, 5000); return []float64{v, d} },
		}},
		{"SumOfPowersGrad", &sumOfPowersGradTapes, []func() []float64{
			grad(func(g []float64) { g[len(xs)] = SumOfPowersGrad(xs[:50], 200, g) }),
			grad(func(g []float64) { g[len(xs)] = SumOfPowersGrad(xs[:20], 900, g) }),
		}},
		{"SumTwoNestsGrad", &sumTwoNestsGradTapes, []func() []float64{
			grad(func(g []float64) { g[len(xs)] = SumTwoNestsGrad(xs[:5], 200, g) }),
			grad(func(g []float64) { g[len(xs)] = SumTwoNestsGrad(xs[:3], 90, g) }),
		}},
		{"SumOfRowsGrad", &sumOfRowsGradTapes, []func() []float64{
			grad(func(g []float64) {
				drows := make([][3]float64, 70)
				g[len(xs)] = SumOfRowsGrad(xs[:4], manyRows(xs[4:7]), g, drows)
				g[len(xs)-1] = drows[69][2]
			}),
			grad(func(g []float64) {
				drows := make([][3]float64, 70)
				g[len(xs)] = SumOfRowsGrad(xs[:2], manyRows(xs[10:13]), g, drows)
				g[len(xs)-1] = drows[3][0]
			}),
		}},
		{"SumOfTriangleGrad", &sumOfTriangleGradTapes, []func() []float64{
			grad(func(g []float64) { g[len(xs)] = SumOfTriangleGrad(xs, g) }),
			grad(func(g []float64) { g[len(xs)] = SumOfTriangleGrad(xs[:150], g) }),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := make([][]float64, len(tc.calls))
			for i, call := range tc.calls {
				want[i] = call()
			}
			check := func(i int) error {
				if got := tc.calls[i](); !slices.Equal(got, want[i]) {
					return fmt.Errorf("call %d gave %v, want %v", i, got, want[i])
				}
				return nil
			}
			for _, c := range []int{0, 10, 2000, 10000} {
				poison := make([]float64, c)
				for i := range poison {
					poison[i] = math.NaN()
				}
				tc.pool.Put(&poison)
				for i := range tc.calls {
					if err := check(i); err != nil {
						t.Errorf("after a buffer of %d NaNs went into the pool: %v", c, err)
					}
				}
			}
			errs := make(chan error, 4)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range 30 {
						if err := check((g + k) % len(tc.calls)); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			for len(errs) > 0 {
				t.Errorf("concurrent calls: %v", <-errs)
			}
		})
	}
}

// TestPackageBound checks the gradient of a loop bounded by a package
// variable that a call changes after it, against central differences,
// with the variable set back before every evaluation.
func TestPackageBound(t *testing.T) {
	f := func(x []float64) float64 { packageBound = 3; return PackageBound(x) }
	x := []float64{0.3, -0.7, 1.1, 0.4}
	d := make([]float64, len(x))
	packageBound = 3
	if v := PackageBoundGrad(x, d); v != f(x) {
		t.Errorf("PackageBoundGrad value %v, PackageBound %v", v, f(x))
	}
	for i := range x {
		const h = 1e-6
		up, down := slices.Clone(x), slices.Clone(x)
		up[i] += h
		down[i] -= h
		if want := (f(up) - f(down)) / (2 * h); math.Abs(d[i]-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("PackageBoundGrad: d[%d] = %v, central differences %v", i, d[i], want)
		}
	}
}

// TestInnerCountersReset: the inner counter i is set from its trip count
// going back, not kept per outer trip; k and l, read after their loops,
// and m, whose loop breaks, are kept. TestGradients checks the gradients, also
// with the analyses off, where every counter is kept.
func TestInnerCountersReset(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "InnerCountersGrad")
	if strings.Contains(body, "iTape") || !strings.Contains(body, "i = max(0, n)") {
		t.Errorf("InnerCountersGrad keeps i per trip instead of setting it from the trip count")
	}
	for _, kept := range []string{"kTape", "lTape", "mTape"} {
		if !strings.Contains(body, kept) {
			t.Errorf("InnerCountersGrad does not keep %s's counter", kept[:1])
		}
	}
}

// TestRestoredLater: the inner trips that sum into d save nothing, since
// d := 0.0's restore follows them going back; e's and p's inner trips,
// with a reader of e between its setting and its loop and one of p
// inside its loop, keep theirs. TestGradients checks the gradients, also
// with the analyses off, where every inner trip saves.
func TestRestoredLater(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "RestoredLaterGrad")
	if n := strings.Count(body, "dTape = append(dTape, d)"); n != 1 {
		t.Errorf("RestoredLaterGrad pushes d at %d places, want 1 (where d := 0.0 overwrites it)", n)
	}
	for _, kept := range []string{"e", "p"} {
		if n := strings.Count(body, kept+"Tape = append("+kept+"Tape, "+kept+")"); n != 2 {
			t.Errorf("RestoredLaterGrad pushes %s at %d places, want 2 (its setting and its inner trips)", kept, n)
		}
	}
}

// TestCopiedBack: the exponential copied into k, whose old value k's
// save keeps anyway, is read back from k going back, not stored; e's,
// which nothing saves, is stored. TestGradients checks the gradients.
func TestCopiedBack(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "CopiedBackGrad")
	if !strings.Contains(body, "exp = k\n") || strings.Contains(body, "expTape") {
		t.Errorf("CopiedBackGrad stores the exponential copied into k instead of reading it back from k")
	}
	if !strings.Contains(body, "exp1Tape = append(exp1Tape, exp1)") || strings.Contains(body, "eTape") {
		t.Errorf("CopiedBackGrad does not store e's exponential, or saves e")
	}
}

// TestRowViewsTakenAgain: the backward trips of RowViews take the view w
// again from j; u and v, which depend on what the loop changes, are kept.
func TestRowViewsTakenAgain(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	body := generatedFunc(t, "control_grad.go", "RowViewsGrad")
	if strings.Contains(body, "wTape") || strings.Count(body, "w = W[j*n : j*n+n]") != 2 {
		t.Errorf("RowViewsGrad keeps the view w per trip instead of taking it again")
	}
	for _, kept := range []string{"uTape", "vTape"} {
		if !strings.Contains(body, kept) {
			t.Errorf("RowViewsGrad does not keep %s", kept[:1])
		}
	}
}

// generatedFunc returns the text of the generated function name in file.
func generatedFunc(t *testing.T, file, name string) string {
	t.Helper()
	src := readGenerated(t, file)
	start := strings.Index(src, "func "+name+"(")
	if start < 0 {
		t.Fatalf("%s has no function %s", file, name)
	}
	end := strings.Index(src[start:], "\n}\n")
	return src[start : start+end]
}

// TestStructScratchAllocations: the Hessian of a struct holding a slice
// (a layer's weights, a polynomial's coefficients) takes its scratch
// direction's and H·v's slices from its pool, as it does a slice
// parameter's: no allocation in the steady state (a fresh trial counted
// two per call).
func TestStructScratchAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	for _, n := range []int{3, 100} {
		l := Layer{W: make([]float64, n), B: 0.2, Scale: 1.5}
		x := make([]float64, n)
		for i := range x {
			x[i], l.W[i] = 0.01*float64(i%7), 0.02*float64(i%5)
		}
		dl := Layer{W: make([]float64, n)}
		poly := &Poly{C: append([]float64(nil), l.W...)}
		dp := &Poly{C: make([]float64, n)}
		hess := make([]float64, (n+2)*(n+2))
		noAllocations(t, fmt.Sprintf(" at n = %d", n), map[string]func(){
			"ApplyHessian":     func() { ApplyHessian(l, x, &dl, hess) },
			"Poly.EvalHessian": func() { poly.EvalHessian(0.7, dp, hess) },
		})
	}
}

// TestKeptScratch: a slice whose element a helper keeps the address of
// outlives the call; the generated functions make it as the function
// does, so a second call does not overwrite what the first left.
func TestKeptScratch(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized gradient restores every element it overwrote before it returns")
	}
	x := []float64{0.3, -0.7, 0.5}
	for name, call := range map[string]func(int){
		"KeptScratch":     func(k int) { KeptScratch(x, k) },
		"KeptScratchGrad": func(k int) { KeptScratchGrad(x, k, make([]float64, len(x))) },
		"KeptScratchJVP":  func(k int) { KeptScratchJVP(x, k, direction(len(x))) },
	} {
		call(100)
		kept := keptElement
		call(200)
		if *kept != 100 {
			t.Errorf("%s: the element the first call kept (100) reads %v after a second call", name, *kept)
		}
	}
}

// TestRowLengths: slices as long as a matrix row (len(m[i])) or a field
// (len(l.W)) come from the pool: RowLengths' JVP allocates nothing.
func TestRowLengths(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	x, v := []float64{0.3, -0.7, 0.5}, direction(3)
	noAllocations(t, "", map[string]func(){"RowLengthsJVP": func() { RowLengthsJVP(x, rowLengthsM, rowLengthsL, v) }})
}

// TestFieldLengths checks that scratch as long as a struct's int field or
// an int slice's element comes from the pool in every mode.
func TestFieldLengths(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	x, v := []float64{0.3, -0.7, 0.5}, direction(3)
	dx, hv, hess := make([]float64, 3), make([]float64, 3), make([]float64, 9)
	noAllocations(t, "", map[string]func(){
		"FieldLengthsGrad":    func() { FieldLengthsGrad(x, fieldLengthsGrid, dx) },
		"FieldLengthsJVP":     func() { FieldLengthsJVP(x, fieldLengthsGrid, v) },
		"FieldLengthsHVP":     func() { FieldLengthsHVP(x, fieldLengthsGrid, v, dx, hv) },
		"FieldLengthsHessian": func() { FieldLengthsHessian(x, fieldLengthsGrid, dx, hess) },
	})
}

// TestPushAfterInner checks that an outer trip's pushes after its inner
// loop find room in the pooled tape, at trip counts past the stack's.
func TestPushAfterInner(t *testing.T) {
	for _, n := range []int{100, 1000} {
		x, v := make([]float64, n), direction(n)
		for i := range x {
			x[i] = math.Sin(float64(i))
		}
		dx, hv := make([]float64, n), make([]float64, n)
		noAllocations(t, fmt.Sprintf(" at n = %d", n), map[string]func(){
			"PushAfterInnerGrad": func() { PushAfterInnerGrad(x, 5, dx) },
			"PushAfterInnerHVP":  func() { PushAfterInnerHVP(x, 5, v, dx, hv) },
		})
	}
}

// noAllocations checks that each call allocates nothing in the steady
// state (AllocsPerRun's warm-up call fills the pools); at says where, for
// the message.
func noAllocations(t *testing.T, at string, calls map[string]func()) {
	t.Helper()
	for name, f := range calls {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s%s: %v allocations per call, want 0", name, at, n)
		}
	}
}

// TestHessianGradientAsFGrad checks the gradient FHessian returns where
// one component is infinite (SPEC §7: the gradient as FGrad gives it): the
// other stays a number. At a regular point, the gradient and the Hessian
// are PowCorner's, from their formulas.
func TestHessianGradientAsFGrad(t *testing.T) {
	hess := make([]float64, 4)
	v, dx, dy := PowCornerHessian(0, 0.5, hess)
	if v != 0 || !math.IsInf(dx, 1) || dy != 0 {
		t.Errorf("PowCornerHessian(0, 0.5) = %v, gradient (%v, %v); want 0, (+Inf, 0)", v, dx, dy)
	}
	// Pow has //gradgen:grad: FHessian calls PowGrad itself.
	clear(hess)
	v, dx, dy = PowHessian(0, 0.5, hess)
	if gv, gx, gy := PowGrad(0, 0.5); v != gv || dx != gx || dy != gy {
		t.Errorf("PowHessian(0, 0.5) = %v, gradient (%v, %v); PowGrad gives %v, (%v, %v)", v, dx, dy, gv, gx, gy)
	}
	// Over a slice, the gradient is added into the caller's buffer, from
	// the helper at the corner and from the rows elsewhere.
	for _, at := range [][]float64{{0, 0.5}, {1.3, 0.7}} {
		g := []float64{1, 2}
		clear(hess)
		value := PowCornerSliceHessian(at, g, hess)
		_, wx, wy := PowCornerHessian(at[0], at[1], make([]float64, 4))
		if value != PowCornerSlice(at) || g[0] != 1+wx || math.Abs(g[1]-(2+wy)) > 1e-15 {
			t.Errorf("PowCornerSliceHessian(%v) with the buffer at (1, 2) = %v, gradient %v; want %v, (%v, %v)", at, value, g, PowCornerSlice(at), 1+wx, 2+wy)
		}
	}
	x, y := 1.3, 0.7
	clear(hess)
	v, dx, dy = PowCornerHessian(x, y, hess)
	lx, p := math.Log(x), math.Pow(x, y)
	want := []float64{
		y*math.Pow(x, y-1) + y, p*lx + x, // the gradient
		y * (y - 1) * math.Pow(x, y-2), math.Pow(x, y-1) + y*math.Pow(x, y-1)*lx + 1, // row 0
		math.Pow(x, y-1) + y*math.Pow(x, y-1)*lx + 1, p * lx * lx, // row 1
	}
	got := append([]float64{dx, dy}, hess...)
	if v != PowCorner(x, y) {
		t.Errorf("PowCornerHessian(%v, %v) value %v, want %v", x, y, v, PowCorner(x, y))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
			t.Errorf("PowCornerHessian(%v, %v): entry %d (gradient, then hess) = %v, want %v", x, y, i, got[i], want[i])
		}
	}
}
