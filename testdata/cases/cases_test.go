package cases

import "strconv"

// allCases lists every function of the package with the points it is
// checked at. Smooth points are checked against finite differences; the
// exact points pin the conventions of SPEC §6 at non-smooth points.
func allCases() []gradCase {
	return append(append(append(append(append(append(append(append(aggregateCases(), callCases()...), regressionCases()...), failClosedCases()...), bandCases()...), genericCases()...), copyCases()...), writerCases()...), append(valueCases(), []gradCase{
		// Operators.
		{name: "Add", f: Add, grad: AddGrad, at: pts(p(1, 2), p(-3.5, 0.25))},
		{name: "Sub", f: Sub, grad: SubGrad, at: pts(p(1, 2), p(-3.5, 0.25))},
		{name: "Mul", f: Mul, grad: MulGrad, at: pts(p(1.5, 2), p(-3.5, 0.25))},
		{name: "Div", f: Div, grad: DivGrad, at: pts(p(1.5, 2), p(-3.5, 0.25))},
		{name: "Neg", f: Neg, grad: NegGrad, at: pts(p(1.5), p(-0.75))},

		// Package math, in the order of its documentation.
		{name: "Abs", f: Abs, grad: AbsGrad, at: pts(p(1.5), p(-2)),
			exact: []exactPoint{{p(0), p(0)}}},
		{name: "Acos", f: Acos, grad: AcosGrad, at: pts(p(0.3), p(-0.8))},
		{name: "Acosh", f: Acosh, grad: AcoshGrad, at: pts(p(1.5), p(7))},
		{name: "Asin", f: Asin, grad: AsinGrad, at: pts(p(0.3), p(-0.8))},
		{name: "Asinh", f: Asinh, grad: AsinhGrad, at: pts(p(0.3), p(-4))},
		{name: "Atan", f: Atan, grad: AtanGrad, at: pts(p(0.3), p(-4))},
		{name: "Atan2", f: Atan2, grad: Atan2Grad, at: pts(p(0.3, 1), p(-4, -2), p(1, -1))},
		{name: "Atanh", f: Atanh, grad: AtanhGrad, at: pts(p(0.3), p(-0.9))},
		{name: "Cbrt", f: Cbrt, grad: CbrtGrad, at: pts(p(0.3), p(-27)),
			exact: []exactPoint{{p(0), p(inf)}}},
		{name: "Ceil", f: Ceil, grad: CeilGrad, at: pts(p(0.3), p(-2.5)),
			exact: []exactPoint{{p(2), p(2)}}},
		{name: "Copysign", f: Copysign, grad: CopysignGrad, at: pts(p(0.3, 1), p(-2.5, 1), p(2, -1), p(-2, -3))},
		{name: "Cos", f: Cos, grad: CosGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Cosh", f: Cosh, grad: CoshGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Dim", f: Dim, grad: DimGrad, at: pts(p(3, 1), p(1, 3)),
			exact: []exactPoint{{p(2, 2), p(0.5, -0.5)}}},
		{name: "Erf", f: Erf, grad: ErfGrad, at: pts(p(0.3), p(-1.5))},
		{name: "Erfc", f: Erfc, grad: ErfcGrad, at: pts(p(0.3), p(-1.5))},
		{name: "Erfinv", f: Erfinv, grad: ErfinvGrad, at: pts(p(0.3), p(-0.7))},
		{name: "Erfcinv", f: Erfcinv, grad: ErfcinvGrad, at: pts(p(0.3), p(1.7))},
		{name: "Exp", f: Exp, grad: ExpGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Exp2", f: Exp2, grad: Exp2Grad, at: pts(p(0.3), p(-2.5))},
		{name: "Expm1", f: Expm1, grad: Expm1Grad, at: pts(p(0.3), p(-2.5))},
		{name: "FMA", f: FMA, grad: FMAGrad, at: pts(p(0.3, 2, -1), p(-2.5, 4, 7))},
		{name: "Floor", f: Floor, grad: FloorGrad, at: pts(p(0.3), p(-2.5)),
			exact: []exactPoint{{p(3), p(1)}}},
		{name: "FrexpSubnormal", f: FrexpSubnormal, grad: FrexpSubnormalGrad, at: pts(p(0.3, 2))},
		{name: "Frexp", f: Frexp, grad: FrexpGrad, at: pts(p(0.3), p(-5), p(12.5))},
		{name: "Hypot", f: Hypot, grad: HypotGrad, at: pts(p(3, 4), p(-1, 0.5)),
			exact: []exactPoint{{p(0, 0), p(0, 0)}}},
		{name: "J0", f: J0, grad: J0Grad, at: pts(p(0.3), p(4.5))},
		{name: "J1", f: J1, grad: J1Grad, at: pts(p(0.3), p(4.5), p(0))},
		{name: "Jn", f: Jn, grad: JnGrad, at: pts(p(0.3), p(4.5))},
		{name: "Ldexp", f: Ldexp, grad: LdexpGrad, at: pts(p(0.3), p(-4.5))},
		{name: "Log", f: Log, grad: LogGrad, at: pts(p(0.3), p(4.5))},
		{name: "Log10", f: Log10, grad: Log10Grad, at: pts(p(0.3), p(4.5))},
		{name: "Log1p", f: Log1p, grad: Log1pGrad, at: pts(p(0.3), p(-0.5))},
		{name: "Log2", f: Log2, grad: Log2Grad, at: pts(p(0.3), p(4.5))},
		{name: "Logb", f: Logb, grad: LogbGrad, at: pts(p(0.3), p(5))},
		{name: "Max", f: Max, grad: MaxGrad, at: pts(p(1, 2), p(3, -1)),
			exact: []exactPoint{{p(2, 2), p(0.5, 0.5)}}},
		{name: "Min", f: Min, grad: MinGrad, at: pts(p(1, 2), p(3, -1)),
			exact: []exactPoint{{p(2, 2), p(0.5, 0.5)}}},
		{name: "Mod", f: Mod, grad: ModGrad, at: pts(p(7.5, 2), p(-7.5, 2), p(7.5, -3.25))},
		{name: "Modf", f: Modf, grad: ModfGrad, at: pts(p(2.25), p(-3.75))},
		{name: "Nextafter", f: Nextafter, grad: NextafterGrad, at: pts(p(1.5, 2), p(-3, -4))},
		{name: "Nextafter32", f: Nextafter32, grad: Nextafter32Grad, at: pts(p(1.5, 2), p(-3, -4)), tol: 1e-3},
		{name: "Pow", f: Pow, grad: PowGrad, at: pts(p(1.5, 2.5), p(3, -1.5), p(0.5, -2), p(2, 0), p(0.5, 0)),
			exact: []exactPoint{{p(0, 2), p(0, 0)}, {p(0, 1), p(1, 0)}}},
		{name: "PowConst", f: PowConst, grad: PowConstGrad, at: pts(p(1.5), p(3))},
		{name: "Remainder", f: Remainder, grad: RemainderGrad, at: pts(p(7.25, 2), p(-7.75, 2), p(8.1, -3))},
		{name: "Round", f: Round, grad: RoundGrad, at: pts(p(0.3), p(-2.2)),
			exact: []exactPoint{{p(2.5), p(3)}}},
		{name: "RoundToEven", f: RoundToEven, grad: RoundToEvenGrad, at: pts(p(0.3), p(-2.2)),
			exact: []exactPoint{{p(2.5), p(2)}}},
		{name: "Sin", f: Sin, grad: SinGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Sincos", f: Sincos, grad: SincosGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Sinh", f: Sinh, grad: SinhGrad, at: pts(p(0.3), p(-2.5))},
		{name: "Sqrt", f: Sqrt, grad: SqrtGrad, at: pts(p(0.3), p(25)),
			exact: []exactPoint{{p(0), p(inf)}}},
		{name: "Tan", f: Tan, grad: TanGrad, at: pts(p(0.3), p(-1.2))},
		{name: "Tanh", f: Tanh, grad: TanhGrad, at: pts(p(0.3), p(-1.2))},
		{name: "Trunc", f: Trunc, grad: TruncGrad, at: pts(p(0.3), p(-2.5)),
			exact: []exactPoint{{p(-2), p(-2)}}},
		{name: "Y0", f: Y0, grad: Y0Grad, at: pts(p(0.3), p(4.5))},
		{name: "Y1", f: Y1, grad: Y1Grad, at: pts(p(0.3), p(4.5))},
		{name: "Yn", f: Yn, grad: YnGrad, at: pts(p(0.3), p(4.5))},

		// Builtins.
		{name: "Max2", f: Max2, grad: Max2Grad, at: pts(p(1, 2), p(3, -1)),
			exact: []exactPoint{{p(2, 2), p(0.5, 0.5)}}},
		{name: "Max3", f: Max3, grad: Max3Grad, at: pts(p(1, 2, 0), p(3, -1, 2), p(0, 1, 5)),
			exact: []exactPoint{{p(2, 2, 2), p(1.0/3, 1.0/3, 1.0/3)}, {p(2, 2, 1), p(0.5, 0.5, 0)}}},
		{name: "Min2", f: Min2, grad: Min2Grad, at: pts(p(1, 2), p(3, -1)),
			exact: []exactPoint{{p(2, 2), p(0.5, 0.5)}}},
		{name: "Min3", f: Min3, grad: Min3Grad, at: pts(p(1, 2, 0), p(3, -1, 2), p(0, 1, 5)),
			exact: []exactPoint{{p(2, 2, 2), p(1.0/3, 1.0/3, 1.0/3)}, {p(1, 2, 1), p(0.5, 0, 0.5)}}},

		// Constructs.
		{name: "Define", f: Define, grad: DefineGrad, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "VarDecl", f: VarDecl, grad: VarDeclGrad, at: pts(p(1.5), p(-0.5))},
		{name: "Reassign", f: Reassign, grad: ReassignGrad, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "OpAssign", f: OpAssign, grad: OpAssignGrad, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "IncDec", f: IncDec, grad: IncDecGrad, at: pts(p(1.5), p(-0.5))},
		{name: "Swap", f: Swap, grad: SwapGrad, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "Shadow", f: Shadow, grad: ShadowGrad, at: pts(p(1.5), p(-0.5))},
		{name: "Constants", f: Constants, grad: ConstantsGrad, at: pts(p(1.5), p(-0.5))},
		{name: "Conversions", f: Conversions, grad: ConversionsGrad, wrt: []int{0}, at: pts(p(1.5, 2), p(-0.5, 3)), tol: 1e-3},
		{name: "Named", f: Named, grad: NamedGrad, wrt: []int{0, 1}, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "Float32", f: Float32, grad: Float32Grad, at: pts(p(1.5, 2), p(-0.5, 3)), tol: 1e-3},
		{name: "Fahrenheit", covers: "Celsius.Fahrenheit", f: Celsius.Fahrenheit, grad: Celsius.FahrenheitGrad, wrt: []int{0, 1}, at: pts(p(1.5, 2), p(-0.5, 3))},
		{name: "unexported", f: unexported, grad: unexportedGrad, at: pts(p(1.5), p(-0.5))},
		{name: "Wrt", f: Wrt, grad: WrtGrad, wrt: []int{0, 2}, at: pts(p(1.5, 2, 3), p(-0.5, 3, 1))},
		{name: "ZeroTangentArgs", f: ZeroTangentArgs, grad: ZeroTangentArgsGrad, at: pts(p(0.3), p(-1.5))},
		{name: "SqrtPostCounter", f: SqrtPostCounter, grad: SqrtPostCounterGrad, at: pts(p(0.3), p(2.5))},
		{name: "SmoothPostContinue", f: SmoothPostContinue, grad: SmoothPostContinueGrad, at: pts(p(0.3), p(2.5))},
		{name: "SwapPostContinue", f: SwapPostContinue, grad: SwapPostContinueGrad, at: pts(p(0.3, 0.7), p(1.5, -2))},
		{name: "PiecewisePost", f: PiecewisePost, grad: PiecewisePostGrad, at: pts(p(0.3), p(0.7), p(1.5))},
		{name: "Renamed", f: Renamed, grad: RenamedGradient, at: pts(p(1.5), p(-0.5))},
		{name: "Passive",
			jvp: func(x, dx float64) (float64, float64) { return PassiveJVP(x, 3, "abc", dx) }, f: func(x float64) float64 { return Passive(x, 3, "abc") },
			grad: func(x float64) (float64, float64) { return PassiveGrad(x, 3, "abc") }, at: pts(p(1.5), p(-0.5))},
		{name: "DeadNaN", f: DeadNaN, grad: DeadNaNGrad, at: pts(p(1.5), p(2)),
			exact: []exactPoint{{p(1), p(2)}}},
		{name: "PassiveExponent", f: PassiveExponent, grad: PassiveExponentGrad, wrt: []int{0}, at: pts(p(1.5, 2), p(3, -0.5))},
		{name: "ReturnParam", f: ReturnParam, grad: ReturnParamGrad, at: pts(p(1.5, 2))},
		{name: "Unused", f: Unused, grad: UnusedGrad, at: pts(p(1.5))},
		{name: "Parens", f: Parens, grad: ParensGrad, at: pts(p(1.5, 2, 3), p(-0.5, 3, 1e-3))},

		// Control flow: points chosen to take every path.
		{name: "IfElse", f: IfElse, grad: IfElseGrad, at: pts(p(3, 0.5), p(-2, 1.5), p(1, 0.5))},
		{name: "IfNoElse", f: IfNoElse, grad: IfNoElseGrad, at: pts(p(1.5), p(-0.5))},
		{name: "RestoredAfterBranch", f: RestoredAfterBranch, grad: RestoredAfterBranchGrad, at: pts(p(1.5, 2), p(0.5, -3))},
		{name: "SwitchTagged", f: SwitchTagged, grad: SwitchTaggedGrad, at: pts(p(0.5), p(1.5), p(2.5), p(4.5), p(-1.5))},
		{name: "SwitchTagless", f: SwitchTagless, grad: SwitchTaglessGrad, at: pts(p(3, 2), p(1, 2))},
		{name: "Power", f: Power, grad: PowerGrad, wrt: []int{0}, at: pts(p(1.5, 0), p(1.5, 1), p(-0.7, 7)),
			// Tapes on the stack up to 64 and 1024 values, on the heap
			// beyond; at ±1 the derivative n·x^(n-1) is exact.
			exact: []exactPoint{{p(-1, 61), p(61)}, {p(1, 900), p(900)}, {p(-1, 2001), p(2001)}}},
		{name: "CountDown", f: CountDown, grad: CountDownGrad, wrt: []int{0}, at: pts(p(1.5, 5), p(-0.5, 1), p(2, 0),
			p(0.5, 100))}, // beyond the while loop's stack array: appended
		{name: "Nested", f: Nested, grad: NestedGrad, wrt: []int{0, 1}, at: pts(p(0.3, 0.7, 4), p(1.1, -0.4, 1))},
		{name: "ReturnInLoop", f: ReturnInLoop, grad: ReturnInLoopGrad, wrt: []int{0}, at: pts(p(1.5, 3), p(3, 4), p(5, 6), p(0.5, 0))},
		{name: "ReturnInBranch", f: ReturnInBranch, grad: ReturnInBranchGrad, at: pts(p(3), p(-2.5), p(1))},
		{name: "BranchInLoop", f: BranchInLoop, grad: BranchInLoopGrad, wrt: []int{0}, at: pts(p(0.7, 5), p(-1.3, 8), p(0.3, 40), p(0.3, 400))},
		{name: "Halvings", f: Halvings, grad: HalvingsGrad, at: pts(p(0.5), p(3), p(37))},
		{name: "Continue", f: Continue, grad: ContinueGrad, wrt: []int{0}, at: pts(p(0.7, 7), p(-1.3, 2))},
		{name: "Break", f: Break, grad: BreakGrad, wrt: []int{0}, at: pts(p(1.5, 3), p(3, 10), p(10, 10), p(0.5, 4))},
		{name: "Labeled", f: Labeled, grad: LabeledGrad, wrt: []int{0}, at: pts(p(0.7, 4), p(2.5, 6))},
		{name: "SideEffectCondition", f: SideEffectCondition, grad: SideEffectConditionGrad, wrt: []int{0}, at: pts(p(1.1, 5), p(-0.6, 4))},
		{name: "Divisor", f: Divisor, grad: DivisorGrad, at: pts(p(0.7, 2), p(3, -1))},
		{name: "BoundFromInput", f: BoundFromInput, grad: BoundFromInputGrad, at: pts(p(3.5), p(0.5), p(6.25))},
		{name: "FloatStep", f: FloatStep, grad: FloatStepGrad, at: pts(p(0.25, 1.5), p(-3.1, 0.5), p(6, 2))},
		{name: "Logistic", f: Logistic, grad: LogisticGrad, wrt: []int{0, 1}, at: pts(p(3.2, 0.3, 10), p(2.5, 0.6, 3), p(3.7, 0.4, 0))},
		{name: "LogisticSwitch", f: LogisticSwitch, grad: LogisticSwitchGrad, wrt: []int{0, 1}, at: pts(p(3.2, 0.3, 10, 1), p(2.5, 0.6, 3, 0), p(3.7, 0.4, 5, 1))},
		{name: "RangeData", f: RangeData, grad: RangeDataGrad, at: pts(p(0.7), p(-1.5))},
		{name: "FloatCounter", f: FloatCounter, grad: FloatCounterGrad, at: pts(p(0.7), p(-1.5))},
		{name: "EndsInIf", f: EndsInIf, grad: EndsInIfGrad, at: pts(p(0.7), p(-1.5))},
		{name: "Pendulum", f: Pendulum, grad: PendulumGrad, wrt: []int{0, 1}, at: pts(p(0.5, 0.1, 10), p(2.5, -1, 300), p(1, 0, 0))},
		// Inner tapes shared by the trips of a sum loop: within the stack
		// array, and beyond it.
		withN("SumOfPowers", 5, SumOfPowers, SumOfPowersGrad, SumOfPowersJVP, pts(p(0.9, 1.1, -0.7))),
		withN("SumOfPowers", 100, SumOfPowers, SumOfPowersGrad, SumOfPowersJVP, pts(p(0.99, 1.01, -0.995))),
		withN("SumOfBranches", 5, SumOfBranches, SumOfBranchesGrad, SumOfBranchesJVP, pts(p(0.9, 1.3, -0.7))),
		withN("SumOfBranches", 40, SumOfBranches, SumOfBranchesGrad, SumOfBranchesJVP, pts(p(0.9, 1.3, -0.7))),
		{name: "LoopInvariants",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return LoopInvariantsJVP(x[:3], x[3], v[:3], v[3])
			}),
			f: func(x []float64) float64 { return LoopInvariants(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 3)
				v, dc := LoopInvariantsGrad(x[:3], x[3], g)
				return v, append(g, dc)
			}, at: pts(p(0.3, -0.7, 0.9, 1.2), p(-0.5, 0.4, 0.8, -0.6))},
		{name: "Replayed",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReplayedJVP(x[0], x[1], replayYs, v[0], v[1]) }),
			f:   func(x []float64) float64 { return Replayed(x[0], x[1], replayYs) },
			grad: func(x []float64) (float64, []float64) {
				v, dq, dr := ReplayedGrad(x[0], x[1], replayYs)
				return v, []float64{dq, dr}
			}, at: pts(p(0.3, 0.8), p(1.2, 0.5))},
		{name: "ReplayedSteps",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReplayedStepsJVP(x[0], x[1], replayYs, v[0], v[1]) }),
			f:   func(x []float64) float64 { return ReplayedSteps(x[0], x[1], replayYs) },
			grad: func(x []float64) (float64, []float64) {
				v, dq, dr := ReplayedStepsGrad(x[0], x[1], replayYs)
				return v, []float64{dq, dr}
			}, at: pts(p(0.3, 0.8), p(-1.2, 0.5))},
		{name: "InnerCounters",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return InnerCountersJVP(x[:9], x[9:], 3, v[:9], v[9:]) }),
			f:   func(x []float64) float64 { return InnerCounters(x[:9], x[9:], 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 12)
				return InnerCountersGrad(x[:9], x[9:], 3, g[:9], g[9:]), g
			}, at: pts(p(0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.6, -0.1, 0.8, -0.5, 0.3))},
		{name: "RestoredLater",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RestoredLaterJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return RestoredLater(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 4)
				v, dg := RestoredLaterGrad(x[:3], x[3], g[:3])
				g[3] = dg
				return v, g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "CopiedBack",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return CopiedBackJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return CopiedBack(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 4)
				v, dg := CopiedBackGrad(x[:3], x[3], g[:3])
				g[3] = dg
				return v, g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "WhileViews",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return WhileViewsJVP(x[:9], x[9:], 3, v[:9], v[9:]) }),
			f:   func(x []float64) float64 { return WhileViews(x[:9], x[9:], 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 12)
				return WhileViewsGrad(x[:9], x[9:], 3, g[:9], g[9:]), g
			}, at: pts(p(0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.6, -0.1, 0.8, -0.5, 0.3))},
		{name: "PooledLocals",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PooledLocalsJVP(x[:4], x[4], v[:4], v[4]) }),
			f:   func(x []float64) float64 { return PooledLocals(x[:4], x[4]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 5)
				v, da := PooledLocalsGrad(x[:4], x[4], g[:4])
				g[4] = da
				return v, g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8, 0.9), p(1.1, 0.2, -0.4, 0.3, -0.6))},
		{name: "RangeRemade",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RangeRemadeJVP(x, v) }),
			f:   RangeRemade,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return RangeRemadeGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "VarInLoop",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return VarInLoopJVP(x, v) }),
			f:   VarInLoop,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return VarInLoopGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "SameTypeConversion",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SameTypeConversionJVP(x, v) }),
			f:   SameTypeConversion,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return SameTypeConversionGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5), p(1.1, 0.2, -0.4))},
		{name: "PooledScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PooledScratchJVP(x, v) }),
			f:   PooledScratch,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return PooledScratchGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "IndexScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return IndexScratchJVP(x, v) }),
			f:   IndexScratch,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return IndexScratchGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8, -0.2), p(1.1, 0.2, -0.4, 0.3, 0.9))},
		{name: "ReplayedViews",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return ReplayedViewsJVP(x[0], [][]float64{x[1:4], x[4:7]}, v[0], [][]float64{v[1:4], v[4:7]})
			}),
			f: func(x []float64) float64 { return ReplayedViews(x[0], [][]float64{x[1:4], x[4:7]}) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 7)
				v, dy := ReplayedViewsGrad(x[0], [][]float64{x[1:4], x[4:7]}, [][]float64{g[1:4], g[4:7]})
				g[0] = dy
				return v, g
			}, at: pts(p(0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2), p(-0.5, 0.8, -0.3, 0.6, 0.2, 0.9, -0.7))},
		{name: "PerTripScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PerTripScratchJVP(x, perTripXs, 3, v) }),
			f:   func(x []float64) float64 { return PerTripScratch(x, perTripXs, 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return PerTripScratchGrad(x, perTripXs, 3, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8, -0.2, 0.4), p(1.1, 0.2, -0.4, 0.3, 0.9, -0.6))},
		{name: "CarriedScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return CarriedScratchJVP(x, 3, v) }),
			f:   func(x []float64) float64 { return CarriedScratch(x, 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return CarriedScratchGrad(x, 3, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8), p(1.1, 0.2, -0.4, 0.3))},
		{name: "NestedConstLit", f: func(x []float64) float64 { return NestedConstLit(x[0], x[1]) },
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return NestedConstLitJVP(x[0], x[1], v[0], v[1]) }),
			grad: func(x []float64) (float64, []float64) {
				v, dt, ds := NestedConstLitGrad(x[0], x[1])
				return v, []float64{dt, ds}
			}, at: pts(p(0.5, 1.2), p(-0.3, 0.4))},
		{name: "HelperScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return HelperScratchJVP(x, perTripXs[:2], 3, v) }),
			f:   func(x []float64) float64 { return HelperScratch(x, perTripXs[:2], 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return HelperScratchGrad(x, perTripXs[:2], 3, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8, -0.2, 0.4), p(1.1, 0.2, -0.4, 0.3, 0.9, -0.6))},
		{name: "NamedSliceDot",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return NamedSliceDotJVP(x, v) }),
			f:   NamedSliceDot,
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return NamedSliceDotGrad(x, g), g
			}, at: pts(p(0.3, -0.7, 0.5), p(1.1, 0.2, -0.4))},
		{name: "KeptScratch",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return KeptScratchJVP(x, 3, v) }),
			f:   func(x []float64) float64 { return KeptScratch(x, 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return KeptScratchGrad(x, 3, g), g
			}, at: pts(p(0.3, -0.7, 0.5), p(1.1, 0.2, -0.4))},
		{name: "RowLengths",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RowLengthsJVP(x, rowLengthsM, rowLengthsL, v) }),
			f:   func(x []float64) float64 { return RowLengths(x, rowLengthsM, rowLengthsL) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return RowLengthsGrad(x, rowLengthsM, rowLengthsL, g), g
			}, at: pts(p(0.3, -0.7, 0.5), p(1.1, 0.2, -0.4))},
		{name: "EarlyFill",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return EarlyFillJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return EarlyFill(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 4)
				v, dc := EarlyFillGrad(x[:3], x[3], g[:3])
				g[3] = dc
				return v, g
			}, at: pts(p(0.3, -0.7, 0.5, 2.6), p(1.1, 0.2, -0.4, 1.3))},
		{name: "FieldLengths",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return FieldLengthsJVP(x, fieldLengthsGrid, v) }),
			f:   func(x []float64) float64 { return FieldLengths(x, fieldLengthsGrid) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return FieldLengthsGrad(x, fieldLengthsGrid, g), g
			}, at: pts(p(0.3, -0.7, 0.5), p(1.1, 0.2, -0.4))},
		{name: "PushAfterInner",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return PushAfterInnerJVP(x, 3, v) }),
			f:   func(x []float64) float64 { return PushAfterInner(x, 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return PushAfterInnerGrad(x, 3, g), g
			}, at: pts(p(0.3, -0.7, 0.5, 0.8, -0.2), p(1.1, 0.2, -0.4, 0.3, 0.9))},
		{name: "RowViews",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return RowViewsJVP(x[:9], x[9:], 3, v[:9], v[9:]) }),
			f:   func(x []float64) float64 { return RowViews(x[:9], x[9:], 3) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 12)
				return RowViewsGrad(x[:9], x[9:], 3, g[:9], g[9:]), g
			}, at: pts(p(0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.6, -0.1, 0.8, -0.5, 0.3))},
		{name: "ReplayedTwice", f: func(x []float64) float64 { return ReplayedTwice(x[0], x[1], 3) },
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReplayedTwiceJVP(x[0], x[1], 3, v[0], v[1]) }),
			grad: func(x []float64) (float64, []float64) {
				v, dx, dq := ReplayedTwiceGrad(x[0], x[1], 3)
				return v, []float64{dx, dq}
			}, at: pts(p(0.5, 1), p(-0.3, 0.4))},
		{name: "ReplayedHelpers",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return ReplayedHelpersJVP(x[0], x[1], replayYs, v[0], v[1]) }),
			f:   func(x []float64) float64 { return ReplayedHelpers(x[0], x[1], replayYs) },
			grad: func(x []float64) (float64, []float64) {
				v, dq, dr := ReplayedHelpersGrad(x[0], x[1], replayYs)
				return v, []float64{dq, dr}
			}, at: pts(p(0.3, 0.6), p(1.2, 0.5))},
		{name: "UnusedCounter", f: func(x []float64) float64 { return UnusedCounter(x[0], 3) },
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return UnusedCounterJVP(x[0], 3, v[0]) }),
			grad: func(x []float64) (float64, []float64) {
				v, dx := UnusedCounterGrad(x[0], 3)
				return v, []float64{dx}
			}, at: pts(p(0.5), p(-0.3))},
		{name: "SumOfTriangle",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SumOfTriangleJVP(x, v) }), f: SumOfTriangle, grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return SumOfTriangleGrad(x, g), g
			}, at: pts(p(0.9, 1.1, -0.7, 0.5, 1.2))},
		{name: "SumTwoNests",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return SumTwoNestsJVP(x, 200, v) }), f: func(x []float64) float64 { return SumTwoNests(x, 200) }, grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return SumTwoNestsGrad(x, 200, g), g
			}, at: pts(p(0.3, 0.7, -0.4), p(1.1, -0.2, 0.5))},
	}...)...)
}

// withN is the case of a function of a slice and a count, at a fixed count.
func withN(name string, n int, f func([]float64, int) float64, grad func([]float64, int, []float64) float64, jvp func([]float64, int, []float64) (float64, float64), at [][]float64) gradCase {
	return gradCase{
		name: name + "/" + strconv.Itoa(n),
		jvp:  flatJVP(func(x, v []float64) (float64, float64) { return jvp(x, n, v) }),
		f:    func(x []float64) float64 { return f(x, n) },
		grad: func(x []float64) (float64, []float64) {
			g := make([]float64, len(x))
			return grad(x, n, g), g
		},
		at: at,
	}
}
