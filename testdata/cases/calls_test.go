package cases

// The cases of calls: helpers, methods, custom rules.
func callCases() []gradCase {
	return []gradCase{
		{name: "Nested2", f: Nested2, grad: Nested2Grad, at: pts(p(0.3, -0.2), p(-1.5, 2))},
		{name: "HelperInLoop", f: HelperInLoop, grad: HelperInLoopGrad, wrt: []int{0}, at: pts(p(0.3, 7), p(-1.5, 3))},
		{name: "SliceHelper",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SliceHelperJVP(x, []float64{0.5, -1, 2}, v) }),
			f:   func(x []float64) float64 { return SliceHelper(x, []float64{0.5, -1, 2}) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 6)
				return SliceHelperGrad(x, []float64{0.5, -1, 2}, dw), dw
			},
			at: pts(p(1, 2, 3, 4, 5, 6), p(-0.5, 0.25, 2, 1, -1, 0.5))},
		{name: "NetLoss",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return (&Net{W: x[:2], B: x[2]}).LossJVP(0.7, &Net{W: v[:2], B: v[2]})
			}), covers: "Net.Loss",
			f: func(x []float64) float64 { return (&Net{W: x[:2], B: x[2]}).Loss(0.7) },
			grad: func(x []float64) (float64, []float64) {
				dn := &Net{W: make([]float64, 2)}
				v := (&Net{W: x[:2], B: x[2]}).LossGrad(0.7, dn)
				return v, append(dn.W, dn.B)
			},
			at: pts(p(0.5, -1, 0.2), p(1.5, 0.3, -0.4))},
		{name: "WithRule", f: WithRule, grad: WithRuleGrad, at: pts(p(0.3), p(-1.5), p(20))},
		{name: "OtherPackage", f: OtherPackage, grad: OtherPackageGrad, at: pts(p(0.3), p(2.5), p(7.5))},
		{name: "SliceRule",
			f: func(x []float64) float64 { return SliceRule(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				v, dk := SliceRuleGrad(x[:3], x[3], dw)
				return v, append(dw, dk)
			},
			at: pts(p(1, 2, 3, 0.5), p(-0.5, 0.25, 2, -1.5))},
		{name: "PureCallStatement", f: PureCallStatement, grad: PureCallStatementGrad, at: pts(p(0.3, 0.7), p(-1.5, 2))},
		{name: "ConstArgRuntime", f: ConstArgRuntime, grad: ConstArgRuntimeGrad, at: pts(p(0.5), p(-1.5))},
		{name: "ConstArgHelper", f: ConstArgHelper, grad: ConstArgHelperGrad, at: pts(p(0.3), p(-1.7))},
		{name: "ScalarHelper", f: ScalarHelper, grad: ScalarHelperGrad, at: pts(p(0.3, 0.7), p(-1.2, 1.4))},
		{name: "TwoResults", f: TwoResults, grad: TwoResultsGrad, at: pts(p(0.3, 0.7), p(-1.2, 0.4))},
		{name: "StoredHelperInLoop",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return StoredHelperInLoopJVP(x[0], x[1:], v[0], v[1:]) }),
			f:   func(x []float64) float64 { return StoredHelperInLoop(x[0], x[1:]) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 3)
				v, dy := StoredHelperInLoopGrad(x[0], x[1:], dw)
				return v, append([]float64{dy}, dw...)
			},
			at: pts(p(-0.7, 0.5, 1.1, -0.2), p(0.4, -1, 0.3, 0.8))},
		{name: "InlinedElementInLoop",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return InlinedElementInLoopJVP(x[0], x[1:], v[0], v[1:]) }),
			f:   func(x []float64) float64 { return InlinedElementInLoop(x[0], x[1:]) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, 2)
				v, dy := InlinedElementInLoopGrad(x[0], x[1:], dw)
				return v, append([]float64{dy}, dw...)
			},
			at: pts(p(0.8, 0.5, 1.1), p(-0.4, -1, 0.3))},
		{name: "VarNorm",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return VarNormJVP(x, v) }),
			f:   func(x []float64) float64 { return VarNorm(x...) },
			grad: func(x []float64) (float64, []float64) {
				dx := make([]float64, len(x))
				return VarNormGrad(x, dx), dx
			},
			at: pts(p(3, 4, 1), p(-0.5, 0.25, 2))},
		{name: "VarScaled",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return VarScaledJVP(x[0], x[1:], v[0], v[1:]) }),
			f:   func(x []float64) float64 { return VarScaled(x[0], x[1:]...) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, len(x)-1)
				v, dk := VarScaledGrad(x[0], x[1:], dw)
				return v, append([]float64{dk}, dw...)
			},
			at: pts(p(1.5, 3, 4, -1), p(-0.5, 0.25, 2, 0.7))},
		{name: "NamedResult", f: NamedResult, grad: NamedResultGrad, at: pts(p(0.3, 0.5), p(1.5, 2), p(0.9, 0.2), p(-0.5, 0.4))},
		{name: "NamedHelper", f: NamedHelper, grad: NamedHelperGrad, at: pts(p(0.3), p(3.5), p(-6))},
		{name: "FuncLit", f: FuncLit, grad: FuncLitGrad, at: pts(p(0.3, 0.5), p(1.5, -2), p(-0.9, 0.2))},
		{name: "FuncLitSlice",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return FuncLitSliceJVP(x, v) }),
			f:   func(x []float64) float64 { return FuncLitSlice(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, len(x))
				return FuncLitSliceGrad(x, dw), dw
			},
			at: pts(p(3, 4, 1), p(-0.5, 0.25, 2))},
		{name: "FuncLitGuard",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return FuncLitGuardJVP(x, v) }),
			f:   func(x []float64) float64 { return FuncLitGuard(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, len(x))
				return FuncLitGuardGrad(x, dw), dw
			},
			at: pts(p(3, 0.2, 1), p(-0.7, 0.25, 2))},
		{name: "VarPair",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return VarPairJVP(x, v) }),
			f:   func(x []float64) float64 { return VarPair(x) },
			grad: func(x []float64) (float64, []float64) {
				dw := make([]float64, len(x))
				return VarPairGrad(x, dw), dw
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.7))},
	}
}
