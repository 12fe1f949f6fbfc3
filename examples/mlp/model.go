package main

import "math"

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// The network's shape: Iris's four measurements in, a tanh hidden layer,
// one logit per species out.
const (
	nIn     = 4
	nHidden = 16
	nOut    = 3
)

// A Sample is one flower: its measurements, scaled, and its species.
type Sample struct {
	X     [nIn]float64
	Label int
}

// Model is a multi-layer perceptron. Each weight matrix is row-major in a
// flat slice: W1[j*nIn+k] connects input k to hidden unit j.
type Model struct {
	W1, B1 []float64 // nHidden×nIn, nHidden
	W2, B2 []float64 // nOut×nHidden, nOut
}

// Loss is the softmax cross-entropy of the model's predictions, averaged
// over the batch. gradgen generates LossGrad, which adds ∂Loss/∂m into a
// Model of buffers.
//
//gradgen:grad wrt=m
func (m *Model) Loss(batch []Sample) float64 {
	loss := 0.0
	for _, s := range batch {
		var h [nHidden]float64
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
			o[c] = z
			sum += math.Exp(z)
		}
		loss += math.Log(sum) - o[s.Label]
	}
	return loss / float64(len(batch))
}

// Predict returns the most likely species of x.
func (m *Model) Predict(x [nIn]float64) int {
	best, bestZ := 0, math.Inf(-1)
	for c := range nOut {
		z := m.B2[c]
		for j := range nHidden {
			a := m.B1[j]
			for k := range nIn {
				a += m.W1[j*nIn+k] * x[k]
			}
			z += m.W2[c*nHidden+j] * math.Tanh(a)
		}
		if z > bestZ {
			best, bestZ = c, z
		}
	}
	return best
}

// Accuracy is the fraction of the batch predicted right.
func (m *Model) Accuracy(batch []Sample) float64 {
	right := 0
	for _, s := range batch {
		if m.Predict(s.X) == s.Label {
			right++
		}
	}
	return float64(right) / float64(len(batch))
}
