package bench

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// Inputs of the functions written the ordinary way (funcs.go's last
// three), as their writer chose them.
const (
	oscK, oscC, oscX0, oscV0 = 4.0, 0.3, 1.0, -0.5
	oscSteps                 = 300
	rmIn, rmHid, rmOut       = 4, 16, 3
)

var (
	rowMLP = func() (p struct{ W1, b1, W2, b2, x []float64 }) {
		rng := rand.New(rand.NewPCG(3, 4))
		fill := func(n int, s float64) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = s * rng.NormFloat64()
			}
			return v
		}
		p.W1, p.b1, p.W2, p.b2, p.x = fill(rmHid*rmIn, 0.5), fill(rmHid, 0.1), fill(rmOut*rmHid, 0.5), fill(rmOut, 0.1), fill(rmIn, 1)
		return p
	}()
	krr = func() (k struct {
		alpha, X, y   []float64
		gamma, lambda float64
	}) {
		rng := rand.New(rand.NewPCG(5, 6))
		const n, d = 40, 3
		k.alpha, k.X, k.y, k.gamma, k.lambda = make([]float64, n), make([]float64, n*d), make([]float64, n), 2, 0.1
		for i := range n {
			s := 0.0
			for c := range d {
				k.X[i*d+c] = rng.Float64()
				s += k.X[i*d+c]
			}
			k.y[i] = math.Sin(3*s) + 0.1*rng.NormFloat64()
			k.alpha[i] = 0.3 * rng.NormFloat64()
		}
		return k
	}()
	flatOsc    = func(p []float64) float64 { return Oscillator(p[0], p[1], p[2], p[3], oscSteps) }
	flatRowMLP = func(p []float64) float64 {
		a, b := rmHid*rmIn, rmHid*rmIn+rmHid
		c := b + rmOut*rmHid
		return RowMLPLoss(p[:a], p[a:b], p[b:c], p[c:], rowMLP.x, 1, rmIn, rmHid, rmOut)
	}
	flatKRR = func(p []float64) float64 {
		return KernelRidgeLoss(p[:len(p)-1], krr.X, krr.y, 3, p[len(p)-1], krr.lambda)
	}
)

func rowMLPParams() []float64 {
	return append(append(append(append([]float64(nil), rowMLP.W1...), rowMLP.b1...), rowMLP.W2...), rowMLP.b2...)
}

// rowMLPGrads runs a gradient of RowMLPLoss's form and returns it flat.
func rowMLPGrads(grad func(dW1, db1, dW2, db2 []float64) float64) (float64, []float64) {
	dW1, db1, dW2, db2 := make([]float64, rmHid*rmIn), make([]float64, rmHid), make([]float64, rmOut*rmHid), make([]float64, rmOut)
	v := grad(dW1, db1, dW2, db2)
	return v, append(append(append(append([]float64(nil), dW1...), db1...), dW2...), db2...)
}

// TestOrdinaryAgreement checks the three functions written the ordinary
// way as TestAgreement checks the others: the value bit for bit, the
// gradient against the hand-written one and finite differences, the JVP
// against the hand-written gradient's dot product.
func TestOrdinaryAgreement(t *testing.T) {
	// RK4 oscillator.
	_, hk, hc, hx, hv := oscillatorHand(oscK, oscC, oscX0, oscV0, oscSteps)
	v, gk, gc, gx, gv := OscillatorGrad(oscK, oscC, oscX0, oscV0, oscSteps)
	if v != Oscillator(oscK, oscC, oscX0, oscV0, oscSteps) {
		t.Errorf("oscillator: value %v not F's bit for bit", v)
	}
	hosc := []float64{hk, hc, hx, hv}
	near(t, "oscillator/generated", []float64{gk, gc, gx, gv}, hosc, 1e-10)
	near(t, "oscillator/fd", fd.Gradient(nil, flatOsc, []float64{oscK, oscC, oscX0, oscV0}, central), hosc, 1e-5)
	_, to := OscillatorJVP(oscK, oscC, oscX0, oscV0, oscSteps, 1, 0.5, -1, 0.25)
	nearJVP(t, "oscillator/jvp", to, hosc, []float64{1, 0.5, -1, 0.25})
	// Perceptron with row views.
	p := rowMLP
	_, hm := rowMLPGrads(func(dW1, db1, dW2, db2 []float64) float64 {
		return mlpLossHand(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dW1, db1, dW2, db2)
	})
	gmv, gm := rowMLPGrads(func(dW1, db1, dW2, db2 []float64) float64 {
		return RowMLPLossGrad(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dW1, db1, dW2, db2)
	})
	if gmv != RowMLPLoss(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut) {
		t.Errorf("rowmlp: value %v not F's bit for bit", gmv)
	}
	near(t, "rowmlp/generated", gm, hm, 1e-10)
	near(t, "rowmlp/fd", fd.Gradient(nil, flatRowMLP, rowMLPParams(), central), hm, 1e-5)
	dir := direction(len(hm))
	a, b := rmHid*rmIn, rmHid*rmIn+rmHid
	c := b + rmOut*rmHid
	_, tm := RowMLPLossJVP(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dir[:a], dir[a:b], dir[b:c], dir[c:])
	nearJVP(t, "rowmlp/jvp", tm, hm, dir)
	// Kernel ridge.
	ha := make([]float64, len(krr.alpha))
	_, hg := kernelRidgeLossHand(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, ha)
	ga := make([]float64, len(krr.alpha))
	kv, gg := KernelRidgeLossGrad(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, ga)
	if kv != KernelRidgeLoss(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda) {
		t.Errorf("kernelridge: value %v not F's bit for bit", kv)
	}
	hk2 := append(ha, hg)
	near(t, "kernelridge/generated", append(ga, gg), hk2, 1e-10)
	near(t, "kernelridge/fd", fd.Gradient(nil, flatKRR, append(append([]float64(nil), krr.alpha...), krr.gamma), central), hk2, 1e-5)
	kd := direction(len(hk2))
	_, tk := KernelRidgeLossJVP(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, kd[:len(kd)-1], kd[len(kd)-1])
	nearJVP(t, "kernelridge/jvp", tk, hk2, kd)
}

func BenchmarkOscillator(b *testing.B) {
	grad := make([]float64, 4)
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Oscillator(oscK, oscC, oscX0, oscV0, oscSteps)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _, _, _ = OscillatorGrad(oscK, oscC, oscX0, oscV0, oscSteps)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = OscillatorJVP(oscK, oscC, oscX0, oscV0, oscSteps, 1, 0.5, -1, 0.25)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _, _, _ = oscillatorHand(oscK, oscC, oscX0, oscV0, oscSteps)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatOsc, []float64{oscK, oscC, oscX0, oscV0}, central)
		}
	})
}

func BenchmarkRowMLP(b *testing.B) {
	p := rowMLP
	dW1, db1, dW2, db2 := make([]float64, rmHid*rmIn), make([]float64, rmHid), make([]float64, rmOut*rmHid), make([]float64, rmOut)
	dir := direction(rmHid*rmIn + rmHid + rmOut*rmHid + rmOut)
	a, bb := rmHid*rmIn, rmHid*rmIn+rmHid
	c := bb + rmOut*rmHid
	grad := make([]float64, len(dir))
	params := rowMLPParams()
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = RowMLPLoss(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = RowMLPLossGrad(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dW1, db1, dW2, db2)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = RowMLPLossJVP(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dir[:a], dir[a:bb], dir[bb:c], dir[c:])
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = mlpLossHand(p.W1, p.b1, p.W2, p.b2, p.x, 1, rmIn, rmHid, rmOut, dW1, db1, dW2, db2)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatRowMLP, params, central)
		}
	})
}

func BenchmarkKernelRidge(b *testing.B) {
	da := make([]float64, len(krr.alpha))
	kd := direction(len(krr.alpha) + 1)
	grad := make([]float64, len(kd))
	params := append(append([]float64(nil), krr.alpha...), krr.gamma)
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = KernelRidgeLoss(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = KernelRidgeLossGrad(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, da)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = KernelRidgeLossJVP(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, kd[:len(kd)-1], kd[len(kd)-1])
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = kernelRidgeLossHand(krr.alpha, krr.X, krr.y, 3, krr.gamma, krr.lambda, da)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatKRR, params, central)
		}
	})
}
