package cases

import (
	"math"
	"os"
	"testing"
)

// genericCases checks the generic functions instantiated with float64;
// TestGenericFloat32 checks the float32 instantiation.
func genericCases() []gradCase {
	return []gradCase{
		{name: "GenericLoss",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return GenericLossJVP(x[:3], x[3], v[:3], v[3])
			}),
			f: func(x []float64) float64 { return GenericLoss(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				v, dk := GenericLossGrad(x[:3], x[3], dw)
				return v, append(dw, dk)
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "GenericRecurrence",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return GenericRecurrenceJVP(x[:3], x[3], 4, v[:3], v[3])
			}),
			f: func(x []float64) float64 { return GenericRecurrence(x[:3], x[3], 4) },
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, 3)
				v, da := GenericRecurrenceGrad(x[:3], x[3], 4, dx)
				return v, append(dx, da)
			},
			at: pts(p(0.3, -1.2, 0.9, 0.7), p(1.5, 0.25, -0.5, 0.4))},
		{name: "GenericHypot", f: GenericHypot[float64], grad: GenericHypotGrad[float64], at: pts(p(3, 4), p(-1, 0.5))},
		{name: "GenericTie", f: GenericTie[float64], grad: GenericTieGrad[float64], at: pts(p(1), p(-0.3))},
		{name: "GenericTwo", f: GenericTwo[float64, float64], grad: GenericTwoGrad[float64, float64], at: pts(p(0.3, 0.7), p(-1.2, 0.4))},
		{name: "GenericHelpers", f: GenericHelpers, grad: GenericHelpersGrad, at: pts(p(0.3, 0.7), p(-1.2, 0.4))},
		{name: "GenericCallsGeneric",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return GenericCallsGenericJVP(x[:2], x[2], v[:2], v[2])
			}),
			f: func(x []float64) float64 { return GenericCallsGeneric(x[:2], x[2]) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 2)
				v, dk := GenericCallsGenericGrad(x[:2], x[2], dw)
				return v, append(dw, dk)
			},
			at: pts(p(0.3, -1.2, 0.7), p(1.5, 0.25, -0.5))},
	}
}

// TestGenericFloat32: the float32 instantiation returns the source's value
// bit for bit, and gradients within float32 rounding of float64's.
func TestGenericFloat32(t *testing.T) {
	for _, at := range [][]float64{{0.3, -1.2, 2, 0.7}, {1.5, 0.25, -0.5, 1.8}} {
		w := []float32{float32(at[0]), float32(at[1]), float32(at[2])}
		k := float32(at[3])
		dw := make([]float32, 3)
		v, dk := GenericLossGrad(w, k, dw)
		if want := GenericLoss(w, k); v != want {
			t.Errorf("GenericLossGrad[float32] value %v, GenericLoss gives %v", v, want)
		}
		if jv, _ := GenericLossJVP(w, k, make([]float32, 3), 1); jv != v {
			t.Errorf("GenericLossJVP[float32] value %v, want %v", jv, v)
		}
		dw64 := make([]float64, 3)
		_, dk64 := GenericLossGrad([]float64{float64(w[0]), float64(w[1]), float64(w[2])}, float64(k), dw64)
		for i := range dw {
			if math.Abs(float64(dw[i])-dw64[i]) > 1e-5*(1+math.Abs(dw64[i])) {
				t.Errorf("dw[%d]: float32 %v, float64 %v", i, dw[i], dw64[i])
			}
		}
		if math.Abs(float64(dk)-dk64) > 1e-5*(1+math.Abs(dk64)) {
			t.Errorf("dk: float32 %v, float64 %v", dk, dk64)
		}
	}
	// tie on a float32 rounding tie: one rounding, as x * tie rounds.
	var one float32 = 1
	var want float32 = tie
	if v, d := GenericTieGrad(one); v != GenericTie(one) || d != want {
		t.Errorf("GenericTieGrad[float32](1) = %b, %b; want %b, %b", v, d, GenericTie(one), want)
	}
	if v, d := GenericTieJVP(one, 1); v != GenericTie(one) || d != want {
		t.Errorf("GenericTieJVP[float32](1, 1) = %b, %b; want %b, %b", v, d, GenericTie(one), want)
	}
	if v, _, _ := GenericTwoGrad(float32(0.3), 0.7); v != GenericTwo(float32(0.3), 0.7) {
		t.Errorf("GenericTwoGrad[float32, float64] value %v, want %v", v, GenericTwo(float32(0.3), 0.7))
	}
	x, y := float32(0.3), float32(-1.7)
	if v, _, _ := GenericHypotGrad(x, y); v != GenericHypot(x, y) {
		t.Errorf("GenericHypotGrad[float32] value %v, want %v", v, GenericHypot(x, y))
	}
}

// TestGenericTapes: GenericRecurrence's tapes, float64 storage for either
// instantiation, allocate nothing in the steady state at any trip count,
// and the float32 instantiation returns the source's value bit for bit
// with gradients within float32 rounding of float64's.
func TestGenericTapes(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the unoptimized code stores more")
	}
	for _, n := range []int{1, 100, 3000} {
		x := make([]float64, n)
		x32 := make([]float32, n)
		for i := range x {
			x[i] = 0.5 * math.Sin(float64(i))
			x32[i] = float32(x[i])
		}
		dx, dx32 := make([]float64, n), make([]float32, n)
		if got := testing.AllocsPerRun(10, func() { GenericRecurrenceGrad(x, 0.3, n, dx) }); got != 0 {
			t.Errorf("GenericRecurrenceGrad[float64] over %d trips: %v allocations per call, want 0", n, got)
		}
		if got := testing.AllocsPerRun(10, func() { GenericRecurrenceGrad(x32, 0.3, n, dx32) }); got != 0 {
			t.Errorf("GenericRecurrenceGrad[float32] over %d trips: %v allocations per call, want 0", n, got)
		}
		clear(dx)
		clear(dx32)
		v32, da32 := GenericRecurrenceGrad(x32, 0.3, 5, dx32)
		if want := GenericRecurrence(x32, 0.3, 5); v32 != want {
			t.Errorf("GenericRecurrenceGrad[float32] value %v, GenericRecurrence gives %v", v32, want)
		}
		x64 := make([]float64, n)
		for i := range x32 {
			x64[i] = float64(x32[i])
		}
		_, da := GenericRecurrenceGrad(x64, float64(float32(0.3)), 5, dx)
		if math.Abs(float64(da32)-da) > 1e-4*(1+math.Abs(da)) {
			t.Errorf("over %d trips: da float32 %v, float64 %v", n, da32, da)
		}
		for i := range dx {
			if math.Abs(float64(dx32[i])-dx[i]) > 1e-4*(1+math.Abs(dx[i])) {
				t.Errorf("over %d trips: dx[%d] float32 %v, float64 %v", n, i, dx32[i], dx[i])
				break
			}
		}
	}
}
