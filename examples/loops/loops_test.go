package loops

import (
	"math"
	"testing"
)

func TestLogisticMatchesHand(t *testing.T) {
	for _, c := range []struct {
		r, x  float64
		steps int
	}{{3.2, 0.3, 1000}, {2.5, 0.6, 10}, {3.9, 0.1, 0}} {
		v, dr, dx := LogisticGrad(c.r, c.x, c.steps)
		hv, hdr, hdx := logisticHand(c.r, c.x, c.steps)
		if v != Logistic(c.r, c.x, c.steps) || v != hv {
			t.Errorf("value %v, want %v", v, hv)
		}
		if math.Abs(dr-hdr) > 1e-9*math.Max(1, math.Abs(hdr)) || math.Abs(dx-hdx) > 1e-9*math.Max(1, math.Abs(hdx)) {
			t.Errorf("%+v: gradient (%v, %v), hand-written (%v, %v)", c, dr, dx, hdr, hdx)
		}
	}
}

func TestLogisticAllocatesOnce(t *testing.T) {
	if n := testing.AllocsPerRun(20, func() { sink, sinkR, sinkX = LogisticGrad(3.2, 0.3, 1000) }); n > 1 {
		t.Errorf("LogisticGrad allocates %v times per call, want at most 1", n)
	}
}

var (
	inR, inX           = 3.2, 0.3
	steps              = 1000
	sink, sinkR, sinkX float64
)

func BenchmarkLogistic(b *testing.B) {
	for b.Loop() {
		sink = Logistic(inR, inX, steps)
	}
}

func BenchmarkLogisticGrad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink, sinkR, sinkX = LogisticGrad(inR, inX, steps)
	}
}

func BenchmarkLogisticHand(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink, sinkR, sinkX = logisticHand(inR, inX, steps)
	}
}
