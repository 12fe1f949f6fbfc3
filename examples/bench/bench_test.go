package bench

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// The inputs of the six functions, shared by the checks and benchmarks.
var (
	hypotX, hypotY = 3.0, 4.0
	rosenX         = func() []float64 {
		x := make([]float64, 100)
		for i := range x {
			x[i] = 0.5 + 0.3*math.Sin(float64(i))
		}
		return x
	}()
	batch = func() []Sample {
		b := make([]Sample, 150)
		for i := range b {
			for k := range nIn {
				b[i].X[k] = math.Sin(float64(3*i + 7*k))
			}
			b[i].Label = i % nOut
		}
		return b
	}()
	model = func() *Model {
		m := &Model{W1: make([]float64, nHidden*nIn), B1: make([]float64, nHidden), W2: make([]float64, nOut*nHidden), B2: make([]float64, nOut)}
		for i, p := range [][]float64{m.W1, m.B1, m.W2, m.B2} {
			for j := range p {
				p[j] = 0.4 * math.Cos(float64(5*i+j))
			}
		}
		return m
	}()
	bs               = [5]float64{100, 105, 0.5, 0.03, 0.25}
	logR, logX0      = 3.2, 0.3
	steps            = 1000
	kalmanQ, kalmanR = 0.05, 0.4
	kalmanYs         = func() []float64 {
		ys := make([]float64, 500)
		level := 0.0
		for i := range ys {
			level += 0.2 * math.Sin(1.3*float64(i))
			ys[i] = level + 0.6*math.Cos(2.9*float64(i))
		}
		return ys
	}()
	spW, spX = func() ([]float64, []float64) {
		w, x := make([]float64, 1000), make([]float64, 1000)
		for i := range w {
			w[i], x[i] = 0.5*math.Sin(float64(i)), math.Cos(0.7*float64(i))
		}
		return w, x
	}()
)

// Directions for the forward-mode benchmarks and checks.
var (
	rosenV = direction(len(rosenX))
	spV    = direction(len(spW))
	modelV = flatModel(direction(131))
)

// direction is a fixed direction with components of both signs.
func direction(n int) []float64 {
	v := make([]float64, n)
	for k := range v {
		v[k] = (0.5 + 0.37*float64(k%7)) * float64(1-2*(k%2))
	}
	return v
}

// dot is ⟨a, b⟩.
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// nearJVP checks a JVP's tangent against ⟨hand-written gradient, v⟩.
func nearJVP(t *testing.T, what string, tangent float64, grad, v []float64) {
	t.Helper()
	want := dot(grad, v)
	if !(math.Abs(tangent-want) <= 1e-10*math.Max(1, math.Abs(want))) {
		t.Errorf("%s: JVP tangent %.15g, ⟨hand-written gradient, v⟩ = %.15g", what, tangent, want)
	}
}

// Flat forms for finite differences: f of one vector.
func flatModel(p []float64) *Model {
	return &Model{W1: p[:64], B1: p[64:80], W2: p[80:128], B2: p[128:131]}
}

func modelParams(m *Model) []float64 {
	return append(append(append(append([]float64(nil), m.W1...), m.B1...), m.W2...), m.B2...)
}

var (
	flatHypot    = func(p []float64) float64 { return Hypot(p[0], p[1]) }
	flatMLP      = func(p []float64) float64 { return flatModel(p).Loss(batch) }
	flatCall     = func(p []float64) float64 { return Call(p[0], p[1], p[2], p[3], p[4]) }
	flatLogistic = func(p []float64) float64 { return Logistic(p[0], p[1], steps) }
	flatKalman   = func(p []float64) float64 { return KalmanNLL(p[0], p[1], kalmanYs) }
	flatSoftplus = func(p []float64) float64 { return Softplus(p, spX) }
	central      = &fd.Settings{Formula: fd.Central}
)

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.15g, hand-written %.15g", what, i, got[i], want[i])
			return
		}
	}
}

// TestAgreement checks every method's gradient against the hand-written
// one before anything is timed: exact methods to 1e-10, finite
// differences to 1e-5.
func TestAgreement(t *testing.T) {
	// Hypot.
	_, hx, hy := hypotHand(hypotX, hypotY)
	_, gx, gy := HypotGrad(hypotX, hypotY)
	near(t, "hypot/generated", []float64{gx, gy}, []float64{hx, hy}, 1e-10)
	near(t, "hypot/fd", fd.Gradient(nil, flatHypot, []float64{hypotX, hypotY}, central), []float64{hx, hy}, 1e-5)
	// Rosenbrock.
	hr := make([]float64, 100)
	rosenbrockHand(rosenX, hr)
	gr := make([]float64, 100)
	RosenbrockGrad(rosenX, gr)
	near(t, "rosenbrock/generated", gr, hr, 1e-10)
	near(t, "rosenbrock/fd", fd.Gradient(nil, Rosenbrock, rosenX, central), hr, 1e-5)
	// MLP.
	hm := flatModel(make([]float64, 131))
	model.lossHand(batch, hm)
	gm := flatModel(make([]float64, 131))
	model.LossGrad(batch, gm)
	near(t, "mlp/generated", modelParams(gm), modelParams(hm), 1e-10)
	near(t, "mlp/fd", fd.Gradient(nil, flatMLP, modelParams(model), central), modelParams(hm), 1e-5)
	// Black-Scholes.
	_, d1, d2, d3, d4, d5 := callHand(bs[0], bs[1], bs[2], bs[3], bs[4])
	_, g1, g2, g3, g4, g5 := CallGrad(bs[0], bs[1], bs[2], bs[3], bs[4])
	near(t, "call/generated", []float64{g1, g2, g3, g4, g5}, []float64{d1, d2, d3, d4, d5}, 1e-10)
	near(t, "call/fd", fd.Gradient(nil, flatCall, bs[:], central), []float64{d1, d2, d3, d4, d5}, 1e-5)
	// Logistic map.
	_, lr, lx := logisticHand(logR, logX0, steps)
	_, glr, glx := LogisticGrad(logR, logX0, steps)
	near(t, "logistic/generated", []float64{glr, glx}, []float64{lr, lx}, 1e-10)
	// Softplus.
	hs := make([]float64, len(spW))
	softplusHand(spW, spX, hs)
	gs := make([]float64, len(spW))
	SoftplusGrad(spW, spX, gs)
	near(t, "softplus/generated", gs, hs, 1e-10)
	near(t, "softplus/fd", fd.Gradient(nil, flatSoftplus, spW, central), hs, 1e-5)
	// Kalman filter.
	_, kq, kr := kalmanHand(kalmanQ, kalmanR, kalmanYs)
	kv, gkq, gkr := KalmanNLLGrad(kalmanQ, kalmanR, kalmanYs)
	if kv != KalmanNLL(kalmanQ, kalmanR, kalmanYs) {
		t.Errorf("kalman/generated value %v, want %v bit for bit", kv, KalmanNLL(kalmanQ, kalmanR, kalmanYs))
	}
	near(t, "kalman/generated", []float64{gkq, gkr}, []float64{kq, kr}, 1e-10)
	near(t, "kalman/fd", fd.Gradient(nil, flatKalman, []float64{kalmanQ, kalmanR}, central), []float64{kq, kr}, 1e-5)
	_, tk := KalmanNLLJVP(kalmanQ, kalmanR, kalmanYs, 1, 0.5)
	nearJVP(t, "kalman/jvp", tk, []float64{kq, kr}, []float64{1, 0.5})
	// Forward mode, along the benchmarks' directions.
	_, th := HypotJVP(hypotX, hypotY, 1, 0.5)
	nearJVP(t, "hypot/jvp", th, []float64{hx, hy}, []float64{1, 0.5})
	_, tr := RosenbrockJVP(rosenX, rosenV)
	nearJVP(t, "rosenbrock/jvp", tr, hr, rosenV)
	_, tm := model.LossJVP(batch, modelV)
	nearJVP(t, "mlp/jvp", tm, modelParams(hm), modelParams(modelV))
	_, tc := CallJVP(bs[0], bs[1], bs[2], bs[3], bs[4], 1, 0, 0, 0, 0)
	nearJVP(t, "call/jvp", tc, []float64{d1, d2, d3, d4, d5}, []float64{1, 0, 0, 0, 0})
	_, tl := LogisticJVP(logR, logX0, steps, 1, 0.5)
	nearJVP(t, "logistic/jvp", tl, []float64{lr, lx}, []float64{1, 0.5})
	_, ts := SoftplusJVP(spW, spX, spV)
	nearJVP(t, "softplus/jvp", ts, hs, spV)
	// Gorgonia.
	checkGraph(t, "hypot", func() (*graphGrad, error) { return gorgoniaHypot() }, []any{hypotX, hypotY}, [][]float64{{0}, {0}}, []float64{hx, hy})
	checkGraph(t, "rosenbrock", func() (*graphGrad, error) { return gorgoniaRosenbrock(100) }, []any{tensorOf(rosenX)}, [][]float64{make([]float64, 100)}, hr)
	checkGraph(t, "logistic", func() (*graphGrad, error) { return gorgoniaLogistic(steps) }, []any{logR, logX0}, [][]float64{{0}, {0}}, []float64{lr, lx})
	checkGraph(t, "softplus", func() (*graphGrad, error) { return gorgoniaSoftplus(spX) }, []any{tensorOf(spW)}, [][]float64{make([]float64, 1000)}, hs)
	checkGraph(t, "mlp", func() (*graphGrad, error) { return gorgoniaMLP(batch) }, mlpValues(model),
		[][]float64{make([]float64, 64), make([]float64, 16), make([]float64, 48), make([]float64, 3)}, modelParams(hm))
}

func checkGraph(t *testing.T, name string, build func() (*graphGrad, error), values []any, grads [][]float64, want []float64) {
	t.Helper()
	g, err := build()
	if err != nil {
		t.Errorf("gorgonia %s: %v", name, err)
		return
	}
	if _, err := g.eval(values, grads); err != nil {
		t.Errorf("gorgonia %s: %v", name, err)
		return
	}
	var flat []float64
	for _, gr := range grads {
		flat = append(flat, gr...)
	}
	near(t, name+"/gorgonia", flat, want, 1e-9)
}
