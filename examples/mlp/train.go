package main

import (
	"math"
	"math/rand/v2"
)

func sqrt(x float64) float64 { return math.Sqrt(x) }

// NewModel initialises the weights from a fixed seed (Glorot-uniform), the
// biases at zero.
func NewModel(seed uint64) *Model {
	rng := rand.New(rand.NewPCG(seed, 0))
	m := &Model{
		W1: make([]float64, nHidden*nIn), B1: make([]float64, nHidden),
		W2: make([]float64, nOut*nHidden), B2: make([]float64, nOut),
	}
	fill := func(w []float64, fanIn, fanOut int) {
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		for i := range w {
			w[i] = a * (2*rng.Float64() - 1)
		}
	}
	fill(m.W1, nIn, nHidden)
	fill(m.W2, nHidden, nOut)
	return m
}

// zeros returns a model of the same shape with every parameter zero: the
// buffer LossGrad adds into.
func (m *Model) zeros() *Model {
	return &Model{
		W1: make([]float64, len(m.W1)), B1: make([]float64, len(m.B1)),
		W2: make([]float64, len(m.W2)), B2: make([]float64, len(m.B2)),
	}
}

func (m *Model) params() [][]float64 { return [][]float64{m.W1, m.B1, m.W2, m.B2} }

// train runs Adam over the whole batch for the given epochs, calling
// report after each.
func train(m *Model, data []Sample, epochs int, lr float64, report func(epoch int, loss, acc float64)) {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	grad, mom, vel := m.zeros(), m.zeros(), m.zeros()
	for epoch := 1; epoch <= epochs; epoch++ {
		for _, g := range grad.params() {
			clear(g) // LossGrad adds into its buffers
		}
		loss := m.LossGrad(data, grad)
		c1 := 1 - math.Pow(beta1, float64(epoch))
		c2 := 1 - math.Pow(beta2, float64(epoch))
		for p, w := range m.params() {
			g, mo, ve := grad.params()[p], mom.params()[p], vel.params()[p]
			for i := range w {
				mo[i] = beta1*mo[i] + (1-beta1)*g[i]
				ve[i] = beta2*ve[i] + (1-beta2)*g[i]*g[i]
				w[i] -= lr * (mo[i] / c1) / (math.Sqrt(ve[i]/c2) + eps)
			}
		}
		report(epoch, loss, m.Accuracy(data))
	}
}

// lossHand is Loss's gradient written by hand: backpropagation through
// the same network, sample by sample, as a careful person writes it. The
// benchmarks compare the generated gradient with it.
func (m *Model) lossHand(batch []Sample, dm *Model) float64 {
	loss := 0.0
	scale := 1 / float64(len(batch))
	for _, s := range batch {
		var h, dh [nHidden]float64
		for j := range h {
			z := m.B1[j]
			for k := range s.X {
				z += m.W1[j*nIn+k] * s.X[k]
			}
			h[j] = math.Tanh(z)
		}
		var o [nOut]float64
		sum := 0.0
		for c := range o {
			z := m.B2[c]
			for j := range h {
				z += m.W2[c*nHidden+j] * h[j]
			}
			o[c] = math.Exp(z)
			sum += o[c]
		}
		loss += math.Log(sum) - math.Log(o[s.Label])
		for c := range o {
			dz := o[c] / sum * scale
			if c == s.Label {
				dz -= scale
			}
			dm.B2[c] += dz
			for j := range h {
				dm.W2[c*nHidden+j] += dz * h[j]
				dh[j] += dz * m.W2[c*nHidden+j]
			}
		}
		for j := range h {
			dz := dh[j] * (1 - h[j]*h[j])
			dm.B1[j] += dz
			for k := range s.X {
				dm.W1[j*nIn+k] += dz * s.X[k]
			}
		}
	}
	return loss * scale
}
