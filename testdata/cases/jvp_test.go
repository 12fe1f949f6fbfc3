package cases

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// jvps are the generated forward-mode functions of the cases whose source
// function takes floats, by case name. Cases over slices, arrays and
// structs give theirs as gradCase.jvp.
var jvps = map[string]any{
	"Features":              FeaturesJVP,
	"NestedWriters":         NestedWritersJVP,
	"PackageDataStore":      PackageDataStoreJVP,
	"CompositeLits":         CompositeLitsJVP,
	"NamedResult":           NamedResultJVP,
	"NamedHelper":           NamedHelperJVP,
	"ConstArgHelper":        ConstArgHelperJVP,
	"GenericHypot":          GenericHypotJVP[float64],
	"GenericTie":            GenericTieJVP[float64],
	"GenericTwo":            GenericTwoJVP[float64, float64],
	"GenericHelpers":        GenericHelpersJVP,
	"PureCallStatement":     PureCallStatementJVP,
	"ConstZeroDivisor":      ConstZeroDivisorJVP,
	"ConstArgRuntime":       ConstArgRuntimeJVP,
	"FuncLit":               FuncLitJVP,
	"Fahrenheit":            Celsius.FahrenheitJVP,
	"ZeroTangentArgs":       ZeroTangentArgsJVP,
	"SqrtPostCounter":       SqrtPostCounterJVP,
	"SmoothPostContinue":    SmoothPostContinueJVP,
	"SwapPostContinue":      SwapPostContinueJVP,
	"PiecewisePost":         PiecewisePostJVP,
	"Renamed":               RenamedJVP,
	"Abs":                   AbsJVP,
	"Acos":                  AcosJVP,
	"Acosh":                 AcoshJVP,
	"Add":                   AddJVP,
	"Asin":                  AsinJVP,
	"Asinh":                 AsinhJVP,
	"Atan":                  AtanJVP,
	"Atan2":                 Atan2JVP,
	"Atanh":                 AtanhJVP,
	"BoundFromInput":        BoundFromInputJVP,
	"FloatStep":             FloatStepJVP,
	"BranchInLoop":          BranchInLoopJVP,
	"Break":                 BreakJVP,
	"Cbrt":                  CbrtJVP,
	"Ceil":                  CeilJVP,
	"Constants":             ConstantsJVP,
	"Continue":              ContinueJVP,
	"Conversions":           ConversionsJVP,
	"Copysign":              CopysignJVP,
	"Cos":                   CosJVP,
	"Cosh":                  CoshJVP,
	"CountDown":             CountDownJVP,
	"DeadNaN":               DeadNaNJVP,
	"Define":                DefineJVP,
	"Dim":                   DimJVP,
	"Div":                   DivJVP,
	"Divisor":               DivisorJVP,
	"ElemUntaken":           ElemUntakenJVP,
	"EndsInIf":              EndsInIfJVP,
	"Erf":                   ErfJVP,
	"Erfc":                  ErfcJVP,
	"Erfcinv":               ErfcinvJVP,
	"Erfinv":                ErfinvJVP,
	"Exp":                   ExpJVP,
	"Exp2":                  Exp2JVP,
	"Expm1":                 Expm1JVP,
	"FMA":                   FMAJVP,
	"Float32":               Float32JVP,
	"FloatCounter":          FloatCounterJVP,
	"FloatCounterSum":       FloatCounterSumJVP,
	"Floor":                 FloorJVP,
	"RoundingResidual":      RoundingResidualJVP,
	"FrexpSubnormal":        FrexpSubnormalJVP,
	"Frexp":                 FrexpJVP,
	"Halvings":              HalvingsJVP,
	"HelperInLoop":          HelperInLoopJVP,
	"Hypot":                 HypotJVP,
	"IfElse":                IfElseJVP,
	"IfNoElse":              IfNoElseJVP,
	"IncDec":                IncDecJVP,
	"J0":                    J0JVP,
	"J1":                    J1JVP,
	"Jn":                    JnJVP,
	"Labeled":               LabeledJVP,
	"Ldexp":                 LdexpJVP,
	"LocalNamedMath":        LocalNamedMathJVP,
	"Log":                   LogJVP,
	"Log10":                 Log10JVP,
	"Log1p":                 Log1pJVP,
	"Log2":                  Log2JVP,
	"Logb":                  LogbJVP,
	"Logistic":              LogisticJVP,
	"LogisticSwitch":        LogisticSwitchJVP,
	"Max":                   MaxJVP,
	"Max2":                  Max2JVP,
	"Max3":                  Max3JVP,
	"Min":                   MinJVP,
	"Min2":                  Min2JVP,
	"Min3":                  Min3JVP,
	"Mod":                   ModJVP,
	"Modf":                  ModfJVP,
	"Mul":                   MulJVP,
	"Named":                 NamedJVP,
	"NamedFloatHelper":      NamedFloatHelperJVP,
	"Neg":                   NegJVP,
	"NegAbsReturn":          NegAbsReturnJVP,
	"NegHelperReturn":       NegHelperReturnJVP,
	"NegSinReturn":          NegSinReturnJVP,
	"Nested":                NestedJVP,
	"Nested2":               Nested2JVP,
	"Nextafter":             NextafterJVP,
	"Nextafter32":           Nextafter32JVP,
	"OpAssign":              OpAssignJVP,
	"OtherPackage":          OtherPackageJVP,
	"ParallelPassive":       ParallelPassiveJVP,
	"ParallelPassiveInLoop": ParallelPassiveInLoopJVP,
	"Parens":                ParensJVP,
	"PassiveExponent":       PassiveExponentJVP,
	"Pendulum":              PendulumJVP,
	"Pow":                   PowJVP,
	"PowConst":              PowConstJVP,
	"PowZeroExponent":       PowZeroExponentJVP,
	"Power":                 PowerJVP,
	"RangeData":             RangeDataJVP,
	"RangeValueUnreadKey":   RangeValueUnreadKeyJVP,
	"Reassign":              ReassignJVP,
	"Remainder":             RemainderJVP,
	"RestoredAfterBranch":   RestoredAfterBranchJVP,
	"ReturnInBranch":        ReturnInBranchJVP,
	"ReturnInLoop":          ReturnInLoopJVP,
	"ReturnParam":           ReturnParamJVP,
	"Round":                 RoundJVP,
	"RoundToEven":           RoundToEvenJVP,
	"ScalarHelper":          ScalarHelperJVP,
	"Shadow":                ShadowJVP,
	"SideEffectCondition":   SideEffectConditionJVP,
	"Sin":                   SinJVP,
	"Sincos":                SincosJVP,
	"Sinh":                  SinhJVP,
	"Sqrt":                  SqrtJVP,
	"Sub":                   SubJVP,
	"SumAfterUse":           SumAfterUseJVP,
	"Swap":                  SwapJVP,
	"SwitchTagged":          SwitchTaggedJVP,
	"SwitchTagless":         SwitchTaglessJVP,
	"Tan":                   TanJVP,
	"Tanh":                  TanhJVP,
	"Trunc":                 TruncJVP,
	"TwoResults":            TwoResultsJVP,
	"UntakenAfterReturn":    UntakenAfterReturnJVP,
	"UntakenLog":            UntakenLogJVP,
	"UntakenOverflow":       UntakenOverflowJVP,
	"Unused":                UnusedJVP,
	"VarDecl":               VarDeclJVP,
	"VarInLoopCarry":        VarInLoopCarryJVP,
	"WithRule":              WithRuleJVP,
	"WriteThroughView":      WriteThroughViewJVP,
	"Wrt":                   WrtJVP,
	"Y0":                    Y0JVP,
	"Y1":                    Y1JVP,
	"Yn":                    YnJVP,
	"unexported":            unexportedJVP,
}

// TestJVPDotProduct checks forward mode against reverse mode at every
// point of every case: FJVP's tangent along v equals ⟨∇F, v⟩ from FGrad to
// rounding (the dot-product test), with no finite differences' noise, and
// FJVP's value equals F's bit for bit.
func TestJVPDotProduct(t *testing.T) {
	checked := map[string]bool{}
	for _, c := range allCases() {
		jvp := jvps[c.name]
		if c.jvp != nil {
			jvp = c.jvp
		}
		if jvp == nil {
			continue
		}
		covers := c.covers
		if covers == "" {
			covers, _, _ = strings.Cut(c.name, "/")
		}
		checked[covers] = true
		t.Run(c.name, func(t *testing.T) {
			points := append([][]float64(nil), c.at...)
			for _, e := range c.exact {
				points = append(points, e.x)
			}
			for _, x := range points {
				_, grad := c.call(t, x)
				v := direction(len(grad))
				value, tangent := c.callJVP(t, jvp, x, v)
				c.checkValue(t, x, value)
				want, scale := 0.0, 0.0
				for k := range grad {
					want += grad[k] * v[k]
					scale += math.Abs(grad[k] * v[k])
				}
				tol := 1e-13
				if c.tol != 0 {
					tol = 1e-5
				}
				if !same(tangent, want) && !(math.Abs(tangent-want) <= tol*scale) {
					t.Errorf("%s%v along %v: JVP gives %.17g, ⟨∇F, v⟩ = %.17g", c.name, x, v, tangent, want)
				}
			}
		})
	}
	// Vector-valued functions' JVPs are checked against their Jacobians.
	for _, c := range vectorCases() {
		checked[c.name] = true
	}
	checked["Squares32"] = true // TestJacobianFloat32
	// Every function that asks for a JVP is checked: a case without one
	// would let a wrong tangent pass unseen.
	for _, name := range directiveFunctions(t, "jvp") {
		if !checked[name] && checkedElsewhere[name] == "" {
			t.Errorf("%s has //gradgen:jvp but no case checks its JVP: add it to jvps or give its case a jvp", name)
		}
	}
}

// checkedElsewhere are JVPs that a test of their own checks, and why.
var checkedElsewhere = map[string]string{
	"Scaled32":         "TestScaled32: float32, checked against its gradient and exact values",
	"RoundingResidual": "TestRoundingResidual: reverse mode's adjoints of 2^26 cancel there, to 1e-7",
	"MadeLengths":      "TestMadeLengths: its length calls a function with an effect, so each call is set up alike",
}

// TestRoundingResidual checks the derivative of a float32 rounding
// residual, 0 by the convention that a round trip has derivative 1: forward
// mode gets it exactly; reverse mode adds and cancels Frexp's partial
// (2^26 here), which costs it the last 7 digits, not the first ones.
func TestRoundingResidual(t *testing.T) {
	for _, x := range []float64{0.1, 1.7} {
		v, tan := RoundingResidualJVP(x, 0.1)
		if want := 2 * x * 0.1; v != RoundingResidual(x) || math.Abs(tan-want) > 1e-15*want {
			t.Errorf("RoundingResidualJVP(%v, 0.1) = %v, %v; want %v, %v", x, v, tan, RoundingResidual(x), want)
		}
		_, g := RoundingResidualGrad(x)
		if math.Abs(g-2*x) > 1e-6*2*x {
			t.Errorf("RoundingResidualGrad(%v) = %v, want %v to 1e-6", x, g, 2*x)
		}
		hess := make([]float64, 1)
		if v, g2 := RoundingResidualHessian(x, hess); v != RoundingResidual(x) || math.Abs(g2-2*x) > 1e-6*2*x || math.Abs(hess[0]-2) > 1e-6 {
			t.Errorf("RoundingResidualHessian(%v) = %v, %v, %v; want %v, %v, 2", x, v, g2, hess, RoundingResidual(x), 2*x)
		}
		if v, g2, hv := RoundingResidualHVP(x, 0.5); v != RoundingResidual(x) || math.Abs(g2-2*x) > 1e-6*2*x || math.Abs(hv-1) > 1e-6 {
			t.Errorf("RoundingResidualHVP(%v, 0.5) = %v, %v, %v; want %v, %v, 1", x, v, g2, hv, RoundingResidual(x), 2*x)
		}
	}
}

// direction is a fixed direction with components of both signs and
// different sizes, so that no partial can hide behind another.
func direction(n int) []float64 {
	v := make([]float64, n)
	for k := range v {
		v[k] = (0.5 + 0.37*float64(k)) * float64(1-2*(k%2))
	}
	return v
}

// flatJVP is the form of JVPs of flat cases: point and direction packed
// into the arguments by the case.
type flatJVP = func(x, v []float64) (float64, float64)

// callJVP calls a JVP at x along v, the direction's components going to
// the wrt arguments in order.
func (c gradCase) callJVP(t *testing.T, jvp any, x, v []float64) (float64, float64) {
	t.Helper()
	if j, ok := jvp.(flatJVP); ok {
		return j(append([]float64(nil), x...), v)
	}
	jv := reflect.ValueOf(jvp)
	in := args(jv.Type(), x)
	for k := range c.wrtIndices() {
		in = append(in, reflect.ValueOf(v[k]).Convert(jv.Type().In(len(x)+k)))
	}
	if jv.Type().NumIn() != len(in) {
		t.Fatalf("%s takes %d arguments, want %d", jv.Type(), jv.Type().NumIn(), len(in))
	}
	out := jv.Call(in)
	return toFloat(out[0]), toFloat(out[1])
}
