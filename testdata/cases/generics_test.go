package cases

import (
	"math"
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
