package cases

import "testing"

// writerCases checks helpers that write into what they are passed.
func writerCases() []gradCase {
	return []gradCase{
		{name: "LayerTwice",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return LayerTwiceJVP(x[:3], x[3:], v[:3], v[3:]) }),
			f:   func(x []float64) float64 { return LayerTwice(x[:3], x[3:]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 5)
				v := LayerTwiceGrad(x[:3], x[3:], g[:3], g[3:])
				return v, g
			},
			at: pts(p(0.3, -1.2, 0.8, 0.7, -0.4), p(1.5, 0.25, -0.5, 1.8, 0.9))},
		{name: "Energy", f: func(x, v, k float64) float64 { return Energy(x, v, k, 7) },
			grad:   func(x, v, k float64) (float64, float64, float64, float64) { return EnergyGrad(x, v, k, 7) },
			jvp:    func(x, v, k, dx, dv, dk float64) (float64, float64) { return EnergyJVP(x, v, k, 7, dx, dv, dk) },
			covers: "Energy",
			at:     pts(p(0.3, -1.2, 2), p(1.5, 0.25, 0.7))},
		{name: "Variance",
			jvp: flatJVP(VarianceJVP),
			f:   func(x []float64) float64 { return Variance(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return VarianceGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 0.8, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "HiddenWrites", f: HiddenWrites, grad: HiddenWritesGrad, jvp: HiddenWritesJVP, at: pts(p(0.3, -1.2), p(1.5, 0.25), p(-0.7, 2))},
		{name: "Features", f: Features, grad: FeaturesGrad, at: pts(p(0.3, -1.2), p(1.5, 0.25))},
		{name: "Scratch", f: Scratch, grad: ScratchGrad, jvp: ScratchJVP, at: pts(p(0.3), p(-1.7))},
		{name: "LitStatements", f: LitStatements, grad: LitStatementsGrad, jvp: LitStatementsJVP, at: pts(p(0.3, -1.2), p(1.5, 0.25), p(2.5, 1.5))},
		{name: "ElementSteps",
			jvp: flatJVP(ElementStepsJVP),
			f:   func(x []float64) float64 { return ElementSteps(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return ElementStepsGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "LitHelper",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return LitHelperJVP(x[:3], x[3:], v[:3], v[3:]) }),
			f:   func(x []float64) float64 { return LitHelper(x[:3], x[3:]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 5)
				v := LitHelperGrad(x[:3], x[3:], g[:3], g[3:])
				return v, g
			},
			at: pts(p(0.3, -1.2, 0.8, 0.7, -0.4), p(1.5, 0.25, -0.5, 1.8, 0.9))},
		{name: "IncDecFields", f: IncDecFields, grad: IncDecFieldsGrad, jvp: IncDecFieldsJVP, at: pts(p(0.3, -1.2), p(1.5, 0.25))},
		{name: "ShiftFill", f: ShiftFill, grad: ShiftFillGrad, jvp: ShiftFillJVP, at: pts(p(0.3), p(-1.5))},
		{name: "NamedFill", f: NamedFill, grad: NamedFillGrad, jvp: NamedFillJVP, at: pts(p(0.3), p(-0.45))},
		{name: "LitInExpr", f: LitInExpr, grad: LitInExprGrad, jvp: LitInExprJVP, at: pts(p(0.3, -1.2), p(-0.5, 0.25), p(1.1, 0.7))},
		{name: "Conv32InExpr", f: Conv32InExpr, grad: Conv32InExprGrad, jvp: Conv32InExprJVP, at: pts(p(0.3, -1.2), p(-0.5, 0.25)), tol: 1e-3},
		{name: "NestedWriters", f: NestedWriters, grad: NestedWritersGrad, at: pts(p(0.3, -1.2), p(1.5, 0.25))},
	}
}

// TestScaled32: float32 code calling a helper with a constant: the value
// is the source's bit for bit, the gradient within float32 rounding of
// the exact one (2·x·2/3 per element).
func TestScaled32(t *testing.T) {
	x := []float32{0.3, -1.7, 2}
	dx := make([]float32, 3)
	v := Scaled32Grad(x, dx)
	if want := Scaled32(x); v != want {
		t.Errorf("Scaled32Grad value %v, Scaled32 gives %v", v, want)
	}
	for i, want := range []float32{2 * 0.3 * 2 / 3, 2 * -1.7 * 2 / 3, 0} {
		if d := dx[i] - want; d > 1e-6 || d < -1e-6 {
			t.Errorf("dx[%d] = %v, want %v", i, dx[i], want)
		}
	}
	// The JVP rounds in another order: within float32 rounding.
	if jv, jt := Scaled32JVP(x, []float32{1, 0, 0}); jv != v || jt-dx[0] > 1e-6 || jt-dx[0] < -1e-6 {
		t.Errorf("Scaled32JVP = %v, %v; want %v, %v", jv, jt, v, dx[0])
	}
}
