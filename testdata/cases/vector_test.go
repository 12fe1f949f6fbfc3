package cases

import (
	"math"
	"testing"
)

// A vectorCase is a vector-valued function in flat form: inputs packed in
// x in SPEC §7's order, outputs in y.
type vectorCase struct {
	name string
	m    int
	at   [][]float64
	f    func(x []float64) []float64
	// jac fills jac and returns the outputs; jvp returns the outputs and
	// their tangents along v; vjp adds wᵀJ into g and returns the outputs.
	jac func(x, jac []float64) []float64
	jvp func(x, v []float64) ([]float64, []float64)
	vjp func(x, w, g []float64) []float64
}

func vectorCases() []vectorCase {
	garbage := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = 1e300 // an output tangent's incoming contents are passive
		}
		return s
	}
	return []vectorCase{
		{name: "Robertson", m: 3, at: pts(p(1, 2e-5, 3e-2), p(0.5, 1e-3, 0.2)),
			f:   func(x []float64) []float64 { y := make([]float64, 3); Robertson(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(3); RobertsonJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(3), garbage(3)
				RobertsonJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 3); RobertsonVJP(y, x, w, g); return y }},
		{name: "Arm", m: 2, at: pts(p(0.3, -0.5, 1.1, 1, 0.7, 0.4)),
			f:   func(x []float64) []float64 { y := make([]float64, 2); Arm(y, x[:3], x[3:]); return y },
			jac: func(x, jac []float64) []float64 { y := make([]float64, 2); ArmJacobian(y, x[:3], x[3:], jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 2), garbage(2)
				ArmJVP(y, x[:3], x[3:], v[:3], v[3:], ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 {
				y := make([]float64, 2)
				ArmVJP(y, x[:3], x[3:], w, g[:3], g[3:])
				return y
			}},
		{name: "Expand", m: 5, at: pts(p(0.7, 1.3), p(-2, 0.5)),
			f: func(x []float64) []float64 { y := make([]float64, 5); Expand(y, x[0], x[1]); return y },
			jac: func(x, jac []float64) []float64 {
				y := make([]float64, 5)
				ExpandJacobian(y, x[0], x[1], jac)
				return y
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 5), garbage(5)
				ExpandJVP(y, x[0], x[1], v[0], v[1], ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 {
				y := make([]float64, 5)
				da, db := ExpandVJP(y, x[0], x[1], w)
				g[0] += da
				g[1] += db
				return y
			}},
		{name: "Cumsum", m: 4, at: pts(p(0.5, -1, 2, 0.3), p(-0.5, 1, 2, -0.3)),
			f:   func(x []float64) []float64 { y := make([]float64, 4); Cumsum(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := make([]float64, 4); CumsumJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 4), garbage(4)
				CumsumJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 4); CumsumVJP(y, x, w, g); return y }},
		{name: "HeatResidual", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5), p(1.2, -0.3, 0.8, 0.6, 0.2, -0.9, 1.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); HeatResidual(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); HeatResidualJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				HeatResidualJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); HeatResidualVJP(y, x, w, g); return y }},
		{name: "StencilShift", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); StencilShift(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); StencilShiftJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				StencilShiftJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); StencilShiftVJP(y, x, w, g); return y }},
		{name: "BandRows", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); BandRows(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); BandRowsJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				BandRowsJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); BandRowsVJP(y, x, w, g); return y }},
		{name: "BandRows", m: 5, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 5); BandRows(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(5); BandRowsJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(5), garbage(5)
				BandRowsJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 5); BandRowsVJP(y, x, w, g); return y }},
		{name: "BandPeriodic", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); BandPeriodic(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); BandPeriodicJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				BandPeriodicJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); BandPeriodicVJP(y, x, w, g); return y }},
		{name: "BandCarriedSum", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); BandCarriedSum(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); BandCarriedSumJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				BandCarriedSumJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); BandCarriedSumVJP(y, x, w, g); return y }},
		{name: "BandCarriedMemory", m: 7, at: pts(p(0.9, 0.7, 0.4, 0.1, -0.2, 0.3, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 7); BandCarriedMemory(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(7); BandCarriedMemoryJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(7), garbage(7)
				BandCarriedMemoryJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 7); BandCarriedMemoryVJP(y, x, w, g); return y }},
		{name: "PointerInputs", m: 3, at: pts(p(0.4, -0.3, 1.5, 0.7), p(1.2, 0.5, -2, -0.6)),
			f: func(x []float64) []float64 {
				y, xs, k := make([]float64, 3), x[:3], x[3]
				pk := &k
				PointerInputs(y, &xs, &pk)
				return y
			},
			jac: func(x, jac []float64) []float64 {
				y, xs, k := garbage(3), x[:3], x[3]
				pk := &k
				PointerInputsJacobian(y, &xs, &pk, jac)
				return y
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty, xs, k, txs, tk := garbage(3), garbage(3), x[:3], x[3], v[:3], v[3]
				pk, ptk := &k, &tk
				PointerInputsJVP(y, &xs, &pk, &txs, &ptk, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 {
				y, xs, k := make([]float64, 3), x[:3], x[3]
				pk := &k
				gxs, gk := g[:3], g[3]
				pgk := &gk
				PointerInputsVJP(y, &xs, &pk, w, &gxs, &pgk)
				g[3] = gk
				return y
			}},
		{name: "StructTip", m: 5, at: pts(p(0.4, -0.3, 1.5), p(0.7, 0.2, -0.5, 0.3, 1.1, -0.8, 2)),
			f: func(x []float64) []float64 {
				q := Pose{Steps: 5}
				StructTip(&q, x[:len(x)-1], x[len(x)-1])
				return poseFloats(q)
			},
			jac: func(x, jac []float64) []float64 {
				q := Pose{X: 1e300, Steps: 5}
				StructTipJacobian(&q, x[:len(x)-1], x[len(x)-1], jac)
				return poseFloats(q)
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				q, tq := Pose{Y: 1e300, Steps: 5}, Pose{X: 1e300, Joint: [2]float64{1e300, 1e300}}
				StructTipJVP(&q, x[:len(x)-1], x[len(x)-1], v[:len(v)-1], v[len(v)-1], &tq)
				return poseFloats(q), poseFloats(tq)
			},
			vjp: func(x, w, g []float64) []float64 {
				q := Pose{Steps: 5}
				dq := Pose{X: w[0], Y: w[1], Angle: w[2], Joint: [2]float64{w[3], w[4]}}
				g[len(g)-1] += StructTipVJP(&q, x[:len(x)-1], x[len(x)-1], &dq, g[:len(g)-1])
				return poseFloats(q)
			}},
		{name: "IncomingRead", m: 3, at: pts(p(0.5, -1.5), p(2, 0.25)),
			f:   func(x []float64) []float64 { y := incoming(); IncomingRead(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := incoming(); IncomingReadJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := incoming(), garbage(3)
				IncomingReadJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := incoming(); IncomingReadVJP(y, x, w, g); return y }},
		{name: "IncomingRead (rows)", m: 3, at: pts(p(0.5, -1.5, 3, 0.7), p(2, 0.25, -1, 0.1)),
			f: func(x []float64) []float64 { y := incoming(); IncomingRead(y, x); return y },
			jac: func(x, jac []float64) []float64 {
				y := incoming()
				IncomingReadJacobian(y, x, jac)
				return y
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := incoming(), garbage(3)
				IncomingReadJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := incoming(); IncomingReadVJP(y, x, w, g); return y }},
		{name: "LeadingIf", m: 3, at: pts(p(0.5, 1, 2), p(1.5, -1, 0.5)),
			f:   func(x []float64) []float64 { y := make([]float64, 3); LeadingIf(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := make([]float64, 3); LeadingIfJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 3), garbage(3)
				LeadingIfJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 3); LeadingIfVJP(y, x, w, g); return y }},
		{name: "EarlyOut", m: 3, at: pts(p(1.5, -0.3, 0.7), p(0.5, -2, 0.7), p(0.5, 0.2, 0.7)),
			f:   func(x []float64) []float64 { y := make([]float64, 3); EarlyOut(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := garbage(3); EarlyOutJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := garbage(3), garbage(3)
				EarlyOutJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 3); EarlyOutVJP(y, x, w, g); return y }},
		{name: "PolarPair", m: 2, at: pts(p(1.2, -0.4), p(-3, 2)),
			f: func(x []float64) []float64 { a, b := PolarPair(x[0], x[1]); return []float64{a, b} },
			jac: func(x, jac []float64) []float64 {
				a, b := PolarPairJacobian(x[0], x[1], jac)
				return []float64{a, b}
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				a, b, ta, tb := PolarPairJVP(x[0], x[1], v[0], v[1])
				return []float64{a, b}, []float64{ta, tb}
			},
			vjp: func(x, w, g []float64) []float64 {
				a, b, dx, dy := PolarPairVJP(x[0], x[1], w[0], w[1])
				g[0] += dx
				g[1] += dy
				return []float64{a, b}
			}},
		{name: "Decay.Residuals", m: 4, at: pts(p(2, 0.5), p(1.5, 1.2)),
			f: func(x []float64) []float64 {
				y := make([]float64, 4)
				decay().Residuals(y, x)
				return y
			},
			jac: func(x, jac []float64) []float64 {
				y := make([]float64, 4)
				decay().ResidualsJacobian(y, x, jac)
				return y
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 4), garbage(4)
				decay().ResidualsJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 4); decay().ResidualsVJP(y, x, w, g); return y }},
		{name: "Spread", m: 4, at: pts(p(0.5, -1.5, 2), p(-0.7, 0.3, 1.1)),
			f:   func(x []float64) []float64 { y := make([]float64, 4); Spread(y, x...); return y },
			jac: func(x, jac []float64) []float64 { y := make([]float64, 4); SpreadJacobian(y, x, jac); return y },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 4), garbage(4)
				SpreadJVP(y, x, v, ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 4); SpreadVJP(y, x, w, g); return y }},
		{name: "ScaledPair", m: 2, at: pts(p(0.5, -1.5, 2), p(-0.7, 0.3, 1.1)),
			f:   func(x []float64) []float64 { y := make([]float64, 2); ScaledPair(y, x); return y },
			jac: func(x, jac []float64) []float64 { y := make([]float64, 2); ScaledPairJacobian(y, x, jac); return y },
			vjp: func(x, w, g []float64) []float64 { y := make([]float64, 2); ScaledPairVJP(y, x, w, g); return y }},
		{name: "Tip", m: 2, at: pts(p(0.3, -0.5, 1.1), p(1.2, 0.4, -0.9)),
			f:   func(x []float64) []float64 { var y [2]float64; Tip(&y, x); return y[:] },
			jac: func(x, jac []float64) []float64 { var y [2]float64; TipJacobian(&y, x, jac); return y[:] },
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := [2]float64{}, [2]float64{1e300, 1e300}
				TipJVP(&y, x, v, &ty)
				return y[:], ty[:]
			},
			vjp: func(x, w, g []float64) []float64 {
				var y [2]float64
				TipVJP(&y, x, (*[2]float64)(w), g)
				return y[:]
			}},
		{name: "Force", m: 3, at: pts(p(0.5, -1, 2), p(1.5, 0.3, -0.7)),
			f: func(x []float64) []float64 {
				y := make([]float64, 3)
				Force(y, Point{X: x[0], Y: x[1]}, x[2])
				return y
			},
			jac: func(x, jac []float64) []float64 {
				y := make([]float64, 3)
				ForceJacobian(y, Point{X: x[0], Y: x[1]}, x[2], jac)
				return y
			},
			jvp: func(x, v []float64) ([]float64, []float64) {
				y, ty := make([]float64, 3), garbage(3)
				ForceJVP(y, Point{X: x[0], Y: x[1]}, x[2], Point{X: v[0], Y: v[1]}, v[2], ty)
				return y, ty
			},
			vjp: func(x, w, g []float64) []float64 {
				y := make([]float64, 3)
				dp, dk := ForceVJP(y, Point{X: x[0], Y: x[1]}, x[2], w)
				g[0] += dp.X
				g[1] += dp.Y
				g[2] += dk
				return y
			}},
	}
}

func decay() *Decay {
	return &Decay{T: []float64{0, 0.5, 1, 2}, Y: []float64{2, 1.3, 0.8, 0.3}}
}

// TestJacobians checks every vector-valued case: the Jacobian against
// Richardson-extrapolated central differences of the source function,
// written (not added) and nothing past m·n; the outputs bit for bit; the
// JVP against the Jacobian's columns and the VJP against its rows, with
// buffers added into.
func TestJacobians(t *testing.T) {
	for _, c := range vectorCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, x := range c.at {
				n, m := len(x), c.m
				want := c.f(append([]float64(nil), x...))
				jac := make([]float64, m*n+2)
				for i := range jac {
					jac[i] = math.NaN() // written, not added into
				}
				jac[m*n], jac[m*n+1] = 42, 43
				y := c.jac(append([]float64(nil), x...), jac)
				sameOutputs(t, c.name+" Jacobian", x, y, want)
				if jac[m*n] != 42 || jac[m*n+1] != 43 {
					t.Errorf("%s%v: the Jacobian wrote past m*n: %v", c.name, x, jac[m*n:])
				}
				for j := range n {
					fd := outputDifference(c.f, x, j)
					for i := range m {
						if got := jac[i*n+j]; !(math.Abs(got-fd[i]) <= 1e-6*math.Max(1, math.Abs(fd[i]))) {
							t.Errorf("%s%v: J[%d,%d] = %.17g, differences give %.17g", c.name, x, i, j, got, fd[i])
						}
					}
				}
				v := direction(n)
				if c.jvp == nil { // forward mode does not take the function
					v = nil
				}
				var ty []float64
				if v != nil {
					y, ty = c.jvp(append([]float64(nil), x...), v)
				}
				sameOutputs(t, c.name+" JVP", x, y, want)
				for i := range m * min(len(v), 1) {
					jv, scale := 0.0, 0.0
					for j := range n {
						jv += jac[i*n+j] * v[j]
						scale += math.Abs(jac[i*n+j] * v[j])
					}
					if !(math.Abs(ty[i]-jv) <= 1e-12*math.Max(scale, 1e-300)) {
						t.Errorf("%s%v: JVP's tangent[%d] = %.17g, J·v = %.17g", c.name, x, i, ty[i], jv)
					}
				}
				w := direction(m)
				g := make([]float64, n)
				for j := range g {
					g[j] = 0.25 // added into
				}
				y = c.vjp(append([]float64(nil), x...), w, g)
				sameOutputs(t, c.name+" VJP", x, y, want)
				for j := range n {
					wj, scale := 0.25, 0.25
					for i := range m {
						wj += w[i] * jac[i*n+j]
						scale += math.Abs(w[i] * jac[i*n+j])
					}
					if !(math.Abs(g[j]-wj) <= 1e-12*scale) {
						t.Errorf("%s%v: VJP's gradient[%d] = %.17g, 0.25 + wᵀJ = %.17g", c.name, x, j, g[j], wj)
					}
				}
			}
		})
	}
}

// TestVectorCoverage requires a case for every function that asks for a
// VJP or a Jacobian.
func TestVectorCoverage(t *testing.T) {
	checked := map[string]bool{"Squares32": true}
	for _, c := range vectorCases() {
		checked[c.name] = true
	}
	for _, kind := range []string{"vjp", "jacobian"} {
		for _, name := range directiveFunctions(t, kind) {
			if !checked[name] {
				t.Errorf("%s has //gradgen:%s but no case checks it: add it to vectorCases", name, kind)
			}
		}
	}
}

// TestJacobianFloat32 checks float32 code, whose Jacobian is a []float32.
func TestJacobianFloat32(t *testing.T) {
	x := []float32{0.5, -1.5, 2}
	y := make([]float32, 3)
	jac := make([]float32, 9)
	Squares32Jacobian(y, x, jac)
	for i := range 3 {
		for j := range 3 {
			want := float32(0)
			if i == j {
				want = 2 * x[i] * float32(i+1)
			}
			if jac[i*3+j] != want {
				t.Errorf("J[%d,%d] = %v, want %v", i, j, jac[i*3+j], want)
			}
		}
		if want := x[i] * x[i] * float32(i+1); y[i] != want {
			t.Errorf("y[%d] = %v, want %v", i, y[i], want)
		}
	}
	ty := make([]float32, 3)
	Squares32JVP(y, x, []float32{1, 1, 1}, ty)
	dx := make([]float32, 3)
	Squares32VJP(y, x, []float32{1, 0, 1}, dx)
	for i := range 3 {
		if ty[i] != jac[i*3+i] {
			t.Errorf("JVP's tangent[%d] = %v, want %v", i, ty[i], jac[i*3+i])
		}
		if want := jac[i*3+i] * float32(1-i%2); dx[i] != want {
			t.Errorf("VJP's gradient[%d] = %v, want %v", i, dx[i], want)
		}
	}
}

func sameOutputs(t *testing.T, what string, x, got, want []float64) {
	t.Helper()
	for i := range want {
		if !same(got[i], want[i]) {
			t.Errorf("%s%v: output %d = %.17g, the function's %.17g", what, x, i, got[i], want[i])
		}
	}
}

// outputDifference is the Richardson-extrapolated central difference of
// f's outputs along input j.
func outputDifference(f func([]float64) []float64, x []float64, j int) []float64 {
	at := func(step float64) []float64 {
		h := step * math.Max(1, math.Abs(x[j]))
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[j] += h
		xm[j] -= h
		p, m := f(xp), f(xm)
		d := make([]float64, len(p))
		for i := range d {
			d[i] = (p[i] - m[i]) / (2 * h)
		}
		return d
	}
	d1, d2 := at(1e-3), at(5e-4)
	for i := range d1 {
		d1[i] = (4*d2[i] - d1[i]) / 3
	}
	return d1
}

// poseFloats is a Pose's output components in order.
func poseFloats(q Pose) []float64 { return []float64{q.X, q.Y, q.Angle, q.Joint[0], q.Joint[1]} }

// incoming is IncomingRead's output as the caller hands it in: y[0] is
// read before it is written.
func incoming() []float64 { return []float64{0.75, 9, 9} }
