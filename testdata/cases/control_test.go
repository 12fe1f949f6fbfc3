package cases

import (
	"fmt"
	"math"
	"os"
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
// 64 values and grows by append beyond it.
func TestWhileTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("tapes of the unoptimized code hold more values")
	}
	for _, tc := range []struct {
		n    int
		heap bool
	}{
		{0, false}, {10, false}, {64, false}, {65, true}, {500, true},
	} {
		got := testing.AllocsPerRun(20, func() { CountDownGrad(0.5, tc.n) })
		if (got > 0) != tc.heap {
			t.Errorf("CountDownGrad(0.5, %d): %v allocations per call, want some: %v", tc.n, got, tc.heap)
		}
	}
}

// TestSumLoopTapeAllocations: a loop nest inside a sum loop sets up its
// tapes' storage once per call, not once per trip — on the stack while it
// fits 64 values.
func TestSumLoopTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code has no sum loops")
	}
	xs := make([]float64, 50)
	for i := range xs {
		xs[i] = 0.9 + 0.001*float64(i)
	}
	g := make([]float64, len(xs))
	for _, tc := range []struct {
		name   string
		grad   func()
		allocs float64
	}{
		{"SumOfPowers n=10", func() { SumOfPowersGrad(xs, 10, g) }, 0},
		{"SumOfPowers n=64", func() { SumOfPowersGrad(xs, 64, g) }, 0},
		{"SumOfPowers n=200", func() { SumOfPowersGrad(xs, 200, g) }, 1},
		{"SumOfBranches n=20", func() { SumOfBranchesGrad(xs, 20, g) }, 0},
		{"SumOfBranches n=200", func() { SumOfBranchesGrad(xs, 200, g) }, 1},
	} {
		if got := testing.AllocsPerRun(20, tc.grad); got != tc.allocs {
			t.Errorf("%s: %v allocations per call, want %v", tc.name, got, tc.allocs)
		}
	}
	// Inner trips growing from 0 to 299: past the stack array, storage
	// doubles (128, 256, 512), not one allocation per longer trip.
	long := make([]float64, 300)
	for i := range long {
		long[i] = 0.99
	}
	dlong := make([]float64, len(long))
	if got := testing.AllocsPerRun(20, func() { SumOfTriangleGrad(long, dlong) }); got > 3 {
		t.Errorf("SumOfTriangleGrad over 300: %v allocations per call, want at most 3", got)
	}
}

// TestLoopInvariantsNotSaved: locals every trip sets to the same value are
// not saved (the generated code shows it); one set from a value that
// changes per trip is. TestGradients checks the gradient either way.
func TestLoopInvariantsNotSaved(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the generated code is written with the analyses off")
	}
	src := readGenerated(t, "control_grad.go")
	start := strings.Index(src, "func LoopInvariantsGrad(")
	end := strings.Index(src[start:], "\n}\n")
	body := src[start : start+end]
	for _, tape := range []string{"hTape", "kTape"} {
		if strings.Contains(body, tape) {
			t.Errorf("LoopInvariantsGrad saves a value every trip sets alike, on %s", tape)
		}
	}
	if !strings.Contains(body, "mTape") {
		t.Errorf("LoopInvariantsGrad does not save m, which changes per trip")
	}
}

// TestTapePool: a tape beyond the stack tiers reuses storage across calls
// through the gradient's pool. What a buffer held before (another call's
// values, garbage) must not reach the gradient, buffers too small for the
// tape must be replaced, and concurrent calls must each get their own.
func TestTapePool(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code takes no storage from pools")
	}
	sizes := []int{1025, 3000, 5000}
	want := map[int][2]float64{}
	for _, n := range sizes {
		v, d := PowerGrad(1.0001, n)
		want[n] = [2]float64{v, d}
	}
	check := func(n int) error {
		v, d := PowerGrad(1.0001, n)
		if got := [2]float64{v, d}; got != want[n] {
			return fmt.Errorf("PowerGrad(1.0001, %d) = %v, want %v", n, got, want[n])
		}
		return nil
	}
	for _, c := range []int{0, 10, 2000, 10000} {
		poison := make([]float64, c)
		for i := range poison {
			poison[i] = math.NaN()
		}
		powerGradTapes.Put(&poison)
		for _, n := range sizes {
			if err := check(n); err != nil {
				t.Errorf("after a buffer of %d NaNs went into the pool: %v", c, err)
			}
		}
	}
	errs := make(chan error, 4*len(sizes))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 50 {
				if err := check(sizes[(g+k)%len(sizes)]); err != nil {
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
}
