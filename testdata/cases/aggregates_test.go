package cases

import "testing"

// The cases over slices, arrays and structs, in flat form: each packs a
// point into the function's arguments and unpacks the gradient. Buffers
// start at zero; TestBuffersAccumulate checks they are added into.
func aggregateCases() []gradCase {
	return []gradCase{
		{name: "CompositeLits", f: CompositeLits, grad: CompositeLitsGrad, at: pts(p(0.3, -0.7), p(1.5, 2))},
		{name: "Dot",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return DotJVP(x[:3], x[3:], v[:3], v[3:]) }),
			f:   func(x []float64) float64 { return Dot(x[:3], x[3:]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 6)
				v := DotGrad(x[:3], x[3:], g[:3], g[3:])
				return v, g
			},
			at: pts(p(1, 2, 3, 4, 5, 6), p(-0.5, 0.25, 2, 1, -1, 0.5))},
		{name: "MatVec",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return MatVecJVP(x[:6], x[6:], 2, v[:6], v[6:]) }),
			f:   func(x []float64) float64 { return MatVec(x[:6], x[6:], 2) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 9)
				v := MatVecGrad(x[:6], x[6:], 2, g[:6], g[6:])
				return v, g
			},
			at: pts(p(1, 2, 3, 4, 5, 6, 0.5, -1, 2), p(-0.5, 0.25, 2, 1, -1, 0.5, 3, 2, 1))},
		{name: "SoftmaxCE",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SoftmaxCEJVP(x, 1, v) }),
			f:   func(x []float64) float64 { return SoftmaxCE(x, 1) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 4)
				return SoftmaxCEGrad(x, 1, g), g
			},
			at: pts(p(1, 2, 3, 4), p(-0.5, 0.25, 2, 1), p(0, 0, 0, 0))},
		{name: "Dist",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return DistJVP(Point{X: x[0], Y: x[1]}, Point{X: x[2], Y: x[3]}, Point{X: v[0], Y: v[1]}, Point{X: v[2], Y: v[3]})
			}),
			f: func(x []float64) float64 { return Dist(Point{X: x[0], Y: x[1]}, Point{X: x[2], Y: x[3]}) },
			grad: func(x []float64) (float64, []float64) {
				v, dp, dq := DistGrad(Point{X: x[0], Y: x[1]}, Point{X: x[2], Y: x[3]})
				return v, []float64{dp.X, dp.Y, dq.X, dq.Y}
			},
			at: pts(p(1, 2, 3, 5), p(-0.5, 0.25, 2, 1))},
		{name: "Apply",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return ApplyJVP(Layer{W: x[:3], B: x[3], Scale: x[4]}, []float64{0.5, -1, 2}, Layer{W: v[:3], B: v[3], Scale: v[4]})
			}),
			f: func(x []float64) float64 {
				return Apply(Layer{W: x[:3], B: x[3], Scale: x[4]}, []float64{0.5, -1, 2})
			},
			grad: func(x []float64) (float64, []float64) {
				dl := &Layer{W: make([]float64, 3)}
				v := ApplyGrad(Layer{W: x[:3], B: x[3], Scale: x[4]}, []float64{0.5, -1, 2}, dl)
				return v, append(dl.W, dl.B, dl.Scale)
			},
			at: pts(p(0.1, 0.2, -0.3, 0.5, 2), p(-0.5, 0.25, 0.1, 1, -1))},
		{name: "Eval",
			jvp:    flatJVP(func(x, v []float64) (float64, float64) { return (&Poly{C: x[:4]}).EvalJVP(x[4], &Poly{C: v[:4]}, v[4]) }),
			covers: "Poly.Eval",
			f:      func(x []float64) float64 { return (&Poly{C: x[:4]}).Eval(x[4]) },
			grad: func(x []float64) (float64, []float64) {
				dp := &Poly{C: make([]float64, 4)}
				v, dx := (&Poly{C: x[:4]}).EvalGrad(x[4], dp)
				return v, append(dp.C, dx)
			},
			at: pts(p(1, -2, 0.5, 3, 1.5), p(0.2, 0.3, -1, 2, -0.7))},
		{name: "BoundInMemory",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return BoundInMemoryJVP(x, v) }),
			f:   BoundInMemory,
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, len(x))
				return BoundInMemoryGrad(x, dx), dx
			},
			at: pts(p(0.5, 0.7, 0.9), p(-1.2, 0.3, 2))},
		{name: "NarrowCounters",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return NarrowCountersJVP(x, 3, 2, v) }),
			f:   func(x []float64) float64 { return NarrowCounters(x, 3, 2) },
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, len(x))
				return NarrowCountersGrad(x, 3, 2, dx), dx
			},
			at: pts(p(0.5, 0.7, 0.9), p(-1.2, 0.3, 2))},
		{name: "Chain",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ChainJVP(x, v) }),
			f:   Chain,
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, len(x))
				return ChainGrad(x, dx), dx
			},
			at: pts(p(1, -2, 0.5, 3, 1.5), p(0.2, 0.3, -1, 2, -0.7))},
		{name: "Residuals",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return ResidualsJVP([]float64{0.5, -2}, samples(x), samples(v))
			}),
			f: func(x []float64) float64 { return Residuals([]float64{0.5, -2}, samples(x)) },
			grad: func(x []float64) (float64, []float64) {
				d := []Sample{{X: make([]float64, 2)}, {X: make([]float64, 2)}}
				v := ResidualsGrad([]float64{0.5, -2}, samples(x), d)
				return v, []float64{d[0].X[0], d[0].X[1], d[0].Y, d[1].X[0], d[1].X[1], d[1].Y}
			},
			at: pts(p(1, 2, 3, -1, 0.5, 2))},
		{name: "ResidualsW",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ResidualsWJVP(x, samples(p(1, 2, 3, -1, 0.5, 2)), v) }),
			f:   func(x []float64) float64 { return ResidualsW(x, samples(p(1, 2, 3, -1, 0.5, 2))) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 2)
				return ResidualsWGrad(x, samples(p(1, 2, 3, -1, 0.5, 2)), dw), dw
			},
			at: pts(p(0.5, -2), p(1, 1))},
		{name: "Array",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return ArrayJVP([3]float64(x[:3]), x[3], [3]float64(v[:3]), v[3])
			}),
			f: func(x []float64) float64 { return Array([3]float64(x[:3]), x[3]) },
			grad: func(x []float64) (float64, []float64) {
				v, da, dk := ArrayGrad([3]float64(x[:3]), x[3])
				return v, append(da[:], dk)
			},
			at: pts(p(0.1, 0.2, 0.3, 2), p(-0.5, 0.25, 1, -1))},
		{name: "Matrix",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return MatrixJVP([][]float64{x[:2], x[2:5]}, [][]float64{v[:2], v[2:5]})
			}),
			f: func(x []float64) float64 { return Matrix([][]float64{x[:2], x[2:5]}) },
			grad: func(x []float64) (float64, []float64) {
				d := [][]float64{make([]float64, 2), make([]float64, 3)}
				v := MatrixGrad([][]float64{x[:2], x[2:5]}, d)
				return v, append(d[0], d[1]...)
			},
			at: pts(p(0.1, 0.2, 0.3, 2, -1))},
		{name: "Scaled",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ScaledJVP(x, v) }),
			f:   func(x []float64) float64 { return Scaled(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				return ScaledGrad(x, dw), dw
			},
			at: pts(p(0.1, 0.2, 0.3), p(-0.5, 1, 2))},
	}
}

func samples(x []float64) []Sample {
	return []Sample{{X: x[0:2], Y: x[2]}, {X: x[3:5], Y: x[5]}}
}

// TestBuffersAccumulate: gradients are added into the caller's buffers,
// so a second call doubles them.
func TestBuffersAccumulate(t *testing.T) {
	w, x := []float64{1, 2}, []float64{3, 4}
	dw, dx := make([]float64, 2), make([]float64, 2)
	DotGrad(w, x, dw, dx)
	DotGrad(w, x, dw, dx)
	if dw[0] != 6 || dw[1] != 8 || dx[0] != 2 || dx[1] != 4 {
		t.Errorf("after two calls dw = %v, dx = %v; want [6 8], [2 4]", dw, dx)
	}
}

// TestShortBuffer: a buffer shorter than its parameter panics at entry,
// naming both lengths.
func TestShortBuffer(t *testing.T) {
	defer func() {
		r := recover()
		if r != "DotGrad: len(dw) = 1 is shorter than len(w) = 2" {
			t.Errorf("panic %v", r)
		}
	}()
	DotGrad([]float64{1, 2}, []float64{3, 4}, make([]float64, 1), make([]float64, 2))
}

// TestShortRow: a row of a [][]float64 buffer or tangent shorter than the
// parameter's names the row.
func TestShortRow(t *testing.T) {
	for _, c := range []struct {
		name string
		call func()
		want string
	}{
		{"grad", func() { MatrixGrad([][]float64{{1, 2}, {3, 4}}, [][]float64{{0, 0}, {0}}) },
			"MatrixGrad: len(dm[1]) = 1 is shorter than len(m[1]) = 2"},
		{"jvp", func() { MatrixJVP([][]float64{{1, 2}, {3, 4}}, [][]float64{{0}, {0, 0}}) },
			"MatrixJVP: len(dm[0]) = 1 is shorter than len(m[0]) = 2"},
	} {
		func() {
			defer func() {
				if r := recover(); r != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			c.call()
		}()
	}
}

func regressionCases() []gradCase {
	return []gradCase{
		{name: "SelfAssign",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SelfAssignJVP(x, v) }),
			f:   func(x []float64) float64 { return SelfAssign(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				return SelfAssignGrad(x, dw), dw
			},
			at: pts(p(0.5, -1, 2))},
		{name: "SumAfterUse", f: SumAfterUse, grad: SumAfterUseGrad, at: pts(p(0.3, 0.7), p(-1.2, 0.4))},
	}
}
