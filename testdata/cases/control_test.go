package cases

import (
	"os"
	"testing"
)

// TestTapeAllocations pins SPEC §3's allocation promise for a tape whose
// length is known only at run time: none while it fits an array on the
// stack (up to 1024 values), one beyond.
func TestTapeAllocations(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("tapes of the unoptimized code hold more values")
	}
	for _, tc := range []struct {
		n      int
		allocs float64
	}{
		{0, 0}, {10, 0}, {64, 0}, {65, 0}, {1024, 0}, {1025, 1}, {5000, 1},
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
