package cases

// valueCases checks helpers taking and returning values other than floats,
// and composite literals inside expressions.
func valueCases() []gradCase {
	return []gradCase{
		{name: "ValueHelpers",
			jvp: flatJVP(ValueHelpersJVP),
			f:   func(x []float64) float64 { return ValueHelpers(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return ValueHelpersGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "Noisy",
			jvp: flatJVP(NoisyJVP),
			f:   func(x []float64) float64 { return Noisy(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return NoisyGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "LitNamed",
			jvp: flatJVP(LitNamedJVP),
			f:   func(x []float64) float64 { return LitNamed(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return LitNamedGrad(x, g), g
			},
			at: pts(p(0.3, -0.7), p(1.5, 0.25), p(-0.4, 2.5))},
		{name: "EarlyHelpers",
			jvp: flatJVP(EarlyHelpersJVP),
			f:   func(x []float64) float64 { return EarlyHelpers(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return EarlyHelpersGrad(x, g), g
			},
			// Every branch of each helper: x[0] of either sign, x[1] above
			// 0, below -1 and between, x[0]*x[1] above 1 and below.
			at: pts(p(0.3, -0.7), p(1.5, 2), p(-0.4, 2.5), p(-2, -1.5), p(0.8, 0.5))},
		{name: "ShadowedName",
			jvp: flatJVP(ShadowedNameJVP),
			f:   func(x []float64) float64 { return ShadowedName(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return ShadowedNameGrad(x, g), g
			},
			at: pts(p(0.3, -0.7), p(1.5, 2))},
		withN("LiteralExprs", 0, LiteralExprs, LiteralExprsGrad, LiteralExprsJVP, pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))),
		withN("LiteralExprs", 2, LiteralExprs, LiteralExprsGrad, LiteralExprsJVP, pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))),
	}
}
