package cases

import (
	"math"
	"slices"
	"testing"
)

func failClosedCases() []gradCase {
	return []gradCase{
		{name: "ConstZeroDivisor", f: ConstZeroDivisor, grad: ConstZeroDivisorGrad, at: pts(p(0.5), p(-1.5))},
		{name: "RangeElemCopy",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RangeElemCopyJVP(x, v) }),
			f:   func(x []float64) float64 { return RangeElemCopy(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, len(x))
				return RangeElemCopyGrad(x, dw), dw
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.7))},
		{name: "PackageDataStore", f: PackageDataStore, grad: PackageDataStoreGrad, wrt: []int{0}, at: pts(p(0.3, 1), p(-1.5, 2))},
		{name: "NegSinReturn", f: NegSinReturn, grad: NegSinReturnGrad, at: pts(p(0.7), p(-2))},
		{name: "NegAbsReturn", f: NegAbsReturn, grad: NegAbsReturnGrad, at: pts(p(0.7), p(-2))},
		{name: "NegHelperReturn", f: NegHelperReturn, grad: NegHelperReturnGrad, at: pts(p(0.7), p(-2))},
		{name: "FloatCounterSum", f: FloatCounterSum, grad: FloatCounterSumGrad, at: pts(p(0.7), p(1.3))},
		{name: "UntakenOverflow", f: UntakenOverflow, grad: UntakenOverflowGrad, at: pts(p(1), p(-0.5))},
		{name: "UntakenLog", f: UntakenLog, grad: UntakenLogGrad, at: pts(p(1), p(4))},
		{name: "PowZeroExponent", f: PowZeroExponent, grad: PowZeroExponentGrad, at: pts(p(0.7, 2)),
			exact: []exactPoint{{p(0, 2), p(0, 0)}}},
		{name: "NamedFloatHelper", f: NamedFloatHelper, grad: NamedFloatHelperGrad, at: pts(p(0.7), p(-2))},
		{name: "LocalNamedMath", f: LocalNamedMath, grad: LocalNamedMathGrad, at: pts(p(0.7), p(-2))},
		{name: "ReslicedParam",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReslicedParamJVP(x, 2, v) }),
			f:   func(x []float64) float64 { return ReslicedParam(x, 2) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				return ReslicedParamGrad(x, 2, dw), dw
			},
			at: pts(p(0.5, -1, 2))},
		{name: "PopLocal",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PopLocalJVP(x, v) }),
			f:   PopLocal,
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, 3)
				return PopLocalGrad(x, dx), dx
			},
			at: pts(p(0.5, -1, 2))},
		{name: "ByValueWrite",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ByValueWriteJVP(Vec2{x[0], x[1]}, Vec2{v[0], v[1]}) }),
			f:   func(x []float64) float64 { return ByValueWrite(Vec2{x[0], x[1]}) },
			grad: func(x []float64) (float64, []float64) {
				v, d := ByValueWriteGrad(Vec2{x[0], x[1]})
				return v, []float64{d.X, d.Y}
			},
			at: pts(p(0.5, -1))},
		{name: "VarInLoopCarry", f: VarInLoopCarry, grad: VarInLoopCarryGrad, at: pts(p(0.7), p(-1.3))},
		{name: "ReslicedRange",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReslicedRangeJVP(x, 2, v) }),
			f:   func(x []float64) float64 { return ReslicedRange(x, 2) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				return ReslicedRangeGrad(x, 2, dw), dw
			},
			at: pts(p(0.5, -1, 2))},
		{name: "PopBeforeSum",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PopBeforeSumJVP(x, v) }),
			f:   PopBeforeSum,
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, 3)
				return PopBeforeSumGrad(x, dx), dx
			},
			at: pts(p(0.5, -1, 2))},
		{name: "TwoResultsAfterEarlyReturn",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return TwoResultsAfterEarlyReturnJVP(x[0], x[1], 2, v[0], v[1])
			}), wrt: []int{0, 1},
			f: func(x []float64) float64 { return TwoResultsAfterEarlyReturn(x[0], x[1], 2) },
			grad: func(x []float64) (float64, []float64) {
				v, dx, dy := TwoResultsAfterEarlyReturnGrad(x[0], x[1], 2)
				return v, []float64{dx, dy}
			},
			at: pts(p(0.7, 0.3), p(-0.4, 1.3))},
		{name: "ParallelPassive", f: ParallelPassive, grad: ParallelPassiveGrad, at: pts(p(0.3, 0.7))},
		{name: "ParallelUntaken1",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ParallelUntakenJVP(x[0], x[1], 1, v[0], v[1]) }), covers: "ParallelUntaken", wrt: []int{0, 1},
			f: func(x []float64) float64 { return ParallelUntaken(x[0], x[1], 1) },
			grad: func(x []float64) (float64, []float64) {
				v, dx, dy := ParallelUntakenGrad(x[0], x[1], 1)
				return v, []float64{dx, dy}
			},
			at: pts(p(0.3, 0.7))},
		{name: "ParallelUntaken0",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ParallelUntakenJVP(x[0], x[1], 0, v[0], v[1]) }), covers: "ParallelUntaken", wrt: []int{0, 1},
			f: func(x []float64) float64 { return ParallelUntaken(x[0], x[1], 0) },
			grad: func(x []float64) (float64, []float64) {
				v, dx, dy := ParallelUntakenGrad(x[0], x[1], 0)
				return v, []float64{dx, dy}
			},
			at: pts(p(0.3, 0.7))},
		{name: "RangeArrayPerTrip",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RangeArrayPerTripJVP(x[0], x[1], 1, v[0], v[1]) }), wrt: []int{0, 1},
			f: func(x []float64) float64 { return RangeArrayPerTrip(x[0], x[1], 1) },
			grad: func(x []float64) (float64, []float64) {
				v, dx, dy := RangeArrayPerTripGrad(x[0], x[1], 1)
				return v, []float64{dx, dy}
			},
			at: pts(p(0.3, 0.7))},
		{name: "WriteThroughView", f: WriteThroughView, grad: WriteThroughViewGrad, at: pts(p(0.3, 0.7), p(-1.1, 0.4))},
		{name: "ParallelPassiveInLoop", f: ParallelPassiveInLoop, grad: ParallelPassiveInLoopGrad, at: pts(p(0.3, 0.7), p(-1.1, 0.4))},
		{name: "PiecewiseUnconditional",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PiecewiseUnconditionalJVP(x[0], 0, v[0]) }), wrt: []int{0},
			f: func(x []float64) float64 { return PiecewiseUnconditional(x[0], 0) },
			grad: func(x []float64) (float64, []float64) {
				v, dx := PiecewiseUnconditionalGrad(x[0], 0)
				return v, []float64{dx}
			},
			at: pts(p(0.7), p(2.5))},
		{name: "ParallelDeadInLoop",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ParallelDeadInLoopJVP(0.2, 0.7, x, v) }),
			f:   func(x []float64) float64 { return ParallelDeadInLoop(0.2, 0.7, x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 2)
				return ParallelDeadInLoopGrad(0.2, 0.7, x, dw), dw
			},
			at: pts(p(0.3, -0.5), p(1.1, 0.4))},
		{name: "RangeValueUnreadKey", f: RangeValueUnreadKey, grad: RangeValueUnreadKeyGrad, at: pts(p(0.3), p(-1.1))},
		{name: "PassiveSelfArg",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return PassiveSelfArgJVP(1.3, &Spring{K: x[0], W: []float64{x[1], 0.5}}, 0, &Spring{K: v[0], W: []float64{v[1], 0}})
			}),
			f: func(x []float64) float64 { return PassiveSelfArg(1.3, &Spring{K: x[0], W: []float64{x[1], 0.5}}) },
			grad: func(x []float64) (float64, []float64) {
				ds := Spring{W: make([]float64, 2)}
				v, _ := PassiveSelfArgGrad(1.3, &Spring{K: x[0], W: []float64{x[1], 0.5}}, &ds)
				return v, []float64{ds.K, ds.W[0]}
			},
			at: pts(p(0.3, 0.7), p(-1.1, 0.4))},
		{name: "VarSliceLater",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				a, da := VarSliceLaterJVP(x, false, v)
				b, db := VarSliceLaterJVP(x, true, v)
				return a + b, da + db
			}),
			f: func(x []float64) float64 { return VarSliceLater(x, false) + VarSliceLater(x, true) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, len(x))
				v := VarSliceLaterGrad(x, false, d)
				v += VarSliceLaterGrad(x, true, d)
				return v, d
			},
			at: pts(p(0.3, 0.7, -1.2), p(-1.1, 0.4, 2.5))},
		{name: "LinkSum",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return LinkSumJVP(&Link{V: x[0], W: []float64{x[1]}, Next: &Link{V: x[2], W: []float64{x[3]}}}, &Link{V: v[0], W: []float64{v[1]}, Next: &Link{V: v[2], W: []float64{v[3]}}})
			}),
			f: func(x []float64) float64 {
				return LinkSum(&Link{V: x[0], W: []float64{x[1]}, Next: &Link{V: x[2], W: []float64{x[3]}}})
			},
			grad: func(x []float64) (float64, []float64) {
				d := &Link{W: make([]float64, 1), Next: &Link{W: make([]float64, 1)}}
				v := LinkSumGrad(&Link{V: x[0], W: []float64{x[1]}, Next: &Link{V: x[2], W: []float64{x[3]}}}, d)
				return v, []float64{d.V, d.W[0], d.Next.V, d.Next.W[0]}
			},
			at: pts(p(0.3, 0.7, -1.2, 2), p(-1.1, 0.4, 2.5, -0.5))},
		{name: "TaggedScale",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return TaggedScaleJVP(Tagged{W: x[0], Tags: map[string]int{"k": 3}}, Tagged{W: v[0]})
			}),
			f: func(x []float64) float64 { return TaggedScale(Tagged{W: x[0], Tags: map[string]int{"k": 3}}) },
			grad: func(x []float64) (float64, []float64) {
				var d Tagged
				v := TaggedScaleGrad(Tagged{W: x[0], Tags: map[string]int{"k": 3}}, &d)
				return v, []float64{d.W}
			},
			at: pts(p(1.5), p(-0.7))},
		{name: "UntakenAfterReturn", f: UntakenAfterReturn, grad: UntakenAfterReturnGrad, at: pts(p(2), p(0.3), p(-1.5))},
		{name: "LabelReverse",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return LabelReverseJVP(x[:2], x[2], v[:2], v[2]) }),
			f:   func(x []float64) float64 { return LabelReverse(x[:2], x[2]) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, 2)
				v, da := LabelReverseGrad(x[:2], x[2], d)
				return v, append(d, da)
			},
			at: pts(p(0.5, 1.2, 0.7), p(3, 4, 2.5), p(-0.4, 0.9, 1.1))},
		{name: "PairProduct",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return PairProductJVP(&Pair{x[0], x[1]}, &Pair{v[0], v[1]})
			}),
			f: func(x []float64) float64 { return PairProduct(&Pair{x[0], x[1]}) },
			grad: func(x []float64) (float64, []float64) {
				d := &Pair{}
				v := PairProductGrad(&Pair{x[0], x[1]}, d)
				return v, []float64{d.A, d.B}
			},
			at: pts(p(1.5, 2), p(-0.3, 0.7))},
		{name: "TallyMean",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return TallyMeanJVP(Tally{Sum: x[0], Count: 3}, x[1], Tally{Sum: v[0]}, v[1])
			}),
			f: func(x []float64) float64 { return TallyMean(Tally{Sum: x[0], Count: 3}, x[1]) },
			grad: func(x []float64) (float64, []float64) {
				v, da, dx := TallyMeanGrad(Tally{Sum: x[0], Count: 3}, x[1])
				return v, []float64{da.Sum, dx}
			},
			at: pts(p(1.5, 2), p(-0.3, 0.7))},
		{name: "OscillatorNotWrt", wrt: []int{1},
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return OscillatorNotWrtJVP(Oscillator{X: x[0], V: 0.5}, x[1], v[0])
			}),
			f: func(x []float64) float64 { return OscillatorNotWrt(Oscillator{X: x[0], V: 0.5}, x[1]) },
			grad: func(x []float64) (float64, []float64) {
				v, dk := OscillatorNotWrtGrad(Oscillator{X: x[0], V: 0.5}, x[1])
				return v, []float64{dk}
			},
			at: pts(p(1, 2), p(-0.3, 0.7))},
		{name: "RangeAssignNoKey",
			jvp:  flatJVP(func(x, v []float64) (float64, float64) { return RangeAssignNoKeyJVP(x, v) }),
			f:    RangeAssignNoKey,
			grad: func(x []float64) (float64, []float64) { d := make([]float64, 3); return RangeAssignNoKeyGrad(x, d), d },
			at:   pts(p(1, 2, -0.5))},
		{name: "NewStateBuffer",
			jvp:  flatJVP(func(x, v []float64) (float64, float64) { return NewStateBufferJVP(x, v) }),
			f:    NewStateBuffer,
			grad: func(x []float64) (float64, []float64) { d := make([]float64, 3); return NewStateBufferGrad(x, d), d },
			at:   pts(p(0.3, 0.7, -0.2), p(-1, 0.5, 1.2))},
		{name: "ViewCarry",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ViewCarryJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return ViewCarry(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, 3)
				v, da := ViewCarryGrad(x[:3], x[3], d)
				return v, append(d, da)
			},
			at: pts(p(1, 2, 3, 0.5), p(-0.4, 0.3, 1.1, -0.8))},
		{name: "ViewUpdateReadLater",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ViewUpdateReadLaterJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return ViewUpdateReadLater(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, 3)
				v, dp := ViewUpdateReadLaterGrad(x[:3], x[3], d)
				return v, append(d, dp)
			},
			at: pts(p(0.5, -1, 2, 0.7), p(1.5, 0.3, -0.2, -1.1))},
		{name: "UnitsLoss",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return (&Units{U: Unit{x[0], x[1]}, Us: []Unit{{x[2], x[3]}, {x[4], x[5]}}}).LossJVP(1.3, &Units{U: Unit{v[0], v[1]}, Us: []Unit{{v[2], v[3]}, {v[4], v[5]}}})
			}), covers: "Units.Loss",
			f: func(a []float64) float64 {
				return (&Units{U: Unit{a[0], a[1]}, Us: []Unit{{a[2], a[3]}, {a[4], a[5]}}}).Loss(1.3)
			},
			grad: func(a []float64) (float64, []float64) {
				d := &Units{Us: make([]Unit, 2)}
				v := (&Units{U: Unit{a[0], a[1]}, Us: []Unit{{a[2], a[3]}, {a[4], a[5]}}}).LossGrad(1.3, d)
				return v, []float64{d.U.A, d.U.B, d.Us[0].A, d.Us[0].B, d.Us[1].A, d.Us[1].B}
			},
			at: pts(p(0.5, 1.5, -1, 2, 0.3, 0.7), p(-0.2, 0.4, 1.1, -0.6, 0.9, 0.1))},
		{name: "ElemUntaken", f: ElemUntaken, grad: ElemUntakenGrad, at: pts(p(-1), p(-0.3), p(2), p(7))},
		{name: "ParallelPassiveElems",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ParallelPassiveElemsJVP(x, []float64{0.5, -2}, v) }),
			f:   func(x []float64) float64 { return ParallelPassiveElems(x, []float64{0.5, -2}) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, 2)
				return ParallelPassiveElemsGrad(x, []float64{0.5, -2}, d), d
			},
			at: pts(p(0.3, 0.7), p(-1.2, 2))},
		{name: "ElemCopy",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ElemCopyJVP(samples2(x), samples2(v)) }),
			f:   func(x []float64) float64 { return ElemCopy(samples2(x)) },
			grad: func(x []float64) (float64, []float64) {
				d := []Sample2{{X: make([]float64, 1)}, {X: make([]float64, 1)}}
				v := ElemCopyGrad(samples2(x), d)
				return v, []float64{d[0].X[0], d[0].Y, d[1].X[0], d[1].Y}
			},
			at: pts(p(0.3, 1.2, -0.7, 0.5), p(1.5, -0.4, 2, 0.9))},
		{name: "DeadPureCall",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return DeadPureCallJVP(x[0], x[1], x[2:], v[0], v[1], v[2:]) }),
			f:   func(x []float64) float64 { return DeadPureCall(x[0], x[1], x[2:]) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]float64, len(x))
				v, dx, dy := DeadPureCallGrad(x[0], x[1], x[2:], d[2:])
				d[0], d[1] = dx, dy
				return v, d
			},
			at: pts(p(0.3, 1.2, -0.7, 0.5), p(1.5, -0.4, 2, 0.9))},
		{name: "MapData",
			jvp:  func(x, dx float64) (float64, float64) { return MapDataJVP(x, map[string]float64{"a": 3}, dx) },
			f:    func(x float64) float64 { return MapData(x, map[string]float64{"a": 3}) },
			grad: func(x float64) (float64, float64) { return MapDataGrad(x, map[string]float64{"a": 3}) },
			at:   pts(p(0.5))},
	}
}

// TestAtan2Tiny checks Atan2's partials where x² + y² underflows.
func TestAtan2Tiny(t *testing.T) {
	for _, c := range []struct{ y, x float64 }{{1e-200, 2e-200}, {-3e-170, 1e-170}, {1e200, -2e200}} {
		_, dy, dx := Atan2Grad(c.y, c.x)
		// x² + y² underflows or overflows: the expected values are
		// computed on scaled operands.
		s := math.Max(math.Abs(c.x), math.Abs(c.y))
		x, y := c.x/s, c.y/s
		wantDy, wantDx := x/(x*x+y*y)/s, -y/(x*x+y*y)/s
		if math.Abs(dy-wantDy) > 1e-12*math.Abs(wantDy) || math.Abs(dx-wantDx) > 1e-12*math.Abs(wantDx) {
			t.Errorf("Atan2Grad(%g, %g) = %g, %g; want %g, %g", c.y, c.x, dy, dx, wantDy, wantDx)
		}
	}
}

// TestFrexpSubnormal checks Frexp's partial at a subnormal, 2^1073, which
// float64 cannot hold: with a zero adjoint the gradient is 0, not Inf·0.
// (Forward mode's tangent there is Inf along a direction that moves x: the
// derivative is infinite, and a zero factor after it cannot undo that.)
func TestFrexpSubnormal(t *testing.T) {
	_, dx, dy := FrexpSubnormalGrad(5e-324, 2)
	if dx != 0 || dy != 4 {
		t.Errorf("FrexpSubnormalGrad(5e-324, 2) = %g, %g; want 0, 4", dx, dy)
	}
	if _, tan := FrexpSubnormalJVP(5e-324, 2, 0, 1); tan != 4 {
		t.Errorf("FrexpSubnormalJVP along y = %g, want 4", tan)
	}
}

func samples2(x []float64) []Sample2 {
	return []Sample2{{X: []float64{x[0]}, Y: x[1]}, {X: []float64{x[2]}, Y: x[3]}}
}

// TestLinkSumHVP checks the HVP of a walk along a list, whose Hessian has
// no fixed size: H·v against central differences of the gradient along
// v, and the gradient against LinkSumGrad's.
func TestLinkSumHVP(t *testing.T) {
	link := func(x []float64) *Link {
		return &Link{V: x[0], W: []float64{x[1]}, Next: &Link{V: x[2], W: []float64{x[3]}}}
	}
	flat := func(l *Link) []float64 { return []float64{l.V, l.W[0], l.Next.V, l.Next.W[0]} }
	zero := func() *Link { return link(make([]float64, 4)) }
	grad := func(x []float64) []float64 {
		d := zero()
		LinkSumGrad(link(x), d)
		return flat(d)
	}
	for _, x := range [][]float64{{0.3, 0.7, -1.2, 2}, {-1.1, 0.4, 2.5, -0.5}} {
		v := []float64{0.5, -1, 0.25, 2}
		d, hv := zero(), zero()
		if got, want := LinkSumHVP(link(x), link(v), d, hv), LinkSum(link(x)); got != want {
			t.Errorf("LinkSumHVP(%v) = %v, LinkSum %v", x, got, want)
		}
		if g, want := flat(d), grad(x); !slices.Equal(g, want) {
			t.Errorf("LinkSumHVP(%v): gradient %v, LinkSumGrad %v", x, g, want)
		}
		const h = 1e-6
		up, down := slices.Clone(x), slices.Clone(x)
		for i := range x {
			up[i] += h * v[i]
			down[i] -= h * v[i]
		}
		gu, gd := grad(up), grad(down)
		for i, got := range flat(hv) {
			if want := (gu[i] - gd[i]) / (2 * h); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("LinkSumHVP(%v): (H·v)[%d] = %v, differences of the gradient %v", x, i, got, want)
			}
		}
	}
}
