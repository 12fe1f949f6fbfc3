package main

import (
	"math"
	"os"
	"testing"
)

func iris(t testing.TB) []Sample {
	f, err := os.Open("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := readIris(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 150 {
		t.Fatalf("read %d samples, want 150", len(data))
	}
	return data
}

// TestTrains: trained with the generated gradient, the network classifies
// at least 95% of the training set right.
func TestTrains(t *testing.T) {
	data := iris(t)
	m := NewModel(1)
	var last float64
	train(m, data, 300, 0.01, func(_ int, _, acc float64) { last = acc })
	if last < 0.95 {
		t.Errorf("training accuracy %.1f%%, want at least 95%%", 100*last)
	}
}

// TestGradient checks LossGrad against central differences with
// Richardson extrapolation on every parameter, and against the
// hand-written backpropagation; its value must be Loss's bit for bit.
func TestGradient(t *testing.T) {
	data := iris(t)[:40]
	m := NewModel(7)
	grad := m.zeros()
	v := m.LossGrad(data, grad)
	if v != m.Loss(data) {
		t.Fatalf("LossGrad value %v, Loss %v", v, m.Loss(data))
	}
	hand := m.zeros()
	m.lossHand(data, hand)
	for p, w := range m.params() {
		g, hg := grad.params()[p], hand.params()[p]
		for i := range w {
			old := w[i]
			at := func(h float64) float64 { w[i] = old + h; defer func() { w[i] = old }(); return m.Loss(data) }
			const h = 1e-3
			d1 := (at(h) - at(-h)) / (2 * h)
			d2 := (at(h/2) - at(-h/2)) / h
			fd := (4*d2 - d1) / 3
			if math.Abs(g[i]-fd) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("param %d[%d]: gradient %.12g, finite differences %.12g", p, i, g[i], fd)
			}
			if math.Abs(g[i]-hg[i]) > 1e-12*math.Max(1, math.Abs(hg[i])) {
				t.Errorf("param %d[%d]: gradient %.15g, hand-written %.15g", p, i, g[i], hg[i])
			}
		}
	}
}

func TestLossGradAllocatesNothing(t *testing.T) {
	data := iris(t)
	m := NewModel(1)
	grad := m.zeros()
	if n := testing.AllocsPerRun(10, func() { m.LossGrad(data, grad) }); n != 0 {
		t.Errorf("LossGrad allocates %v times per call", n)
	}
}

var sink float64

func BenchmarkLoss(b *testing.B) {
	data, m := iris(b), NewModel(1)
	b.ReportAllocs()
	for b.Loop() {
		sink = m.Loss(data)
	}
}

func BenchmarkLossGrad(b *testing.B) {
	data, m := iris(b), NewModel(1)
	grad := m.zeros()
	b.ReportAllocs()
	for b.Loop() {
		sink = m.LossGrad(data, grad)
	}
}

func BenchmarkLossHand(b *testing.B) {
	data, m := iris(b), NewModel(1)
	grad := m.zeros()
	b.ReportAllocs()
	for b.Loop() {
		sink = m.lossHand(data, grad)
	}
}
