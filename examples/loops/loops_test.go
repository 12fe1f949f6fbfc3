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

// The tape of 1000 steps fits the stack array of 1024 values; 2000 steps
// take their storage from the gradient's pool, so a gradient called again
// and again allocates nothing either.
func TestLogisticAllocations(t *testing.T) {
	for _, c := range []struct {
		steps int
		want  float64
	}{{1000, 0}, {2000, 0}, {50000, 0}} {
		if n := testing.AllocsPerRun(20, func() { sink, sinkR, sinkX = LogisticGrad(3.2, 0.3, c.steps) }); n != c.want {
			t.Errorf("LogisticGrad(%d steps) allocates %v times per call, want %v", c.steps, n, c.want)
		}
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

func softplusData() (w, x []float64) {
	w, x = make([]float64, 1000), make([]float64, 1000)
	for i := range w {
		w[i] = math.Sin(float64(i)) * 0.5
		x[i] = math.Cos(float64(i) * 0.7)
	}
	return w, x
}

func TestSoftplusMatchesHand(t *testing.T) {
	w, x := softplusData()
	dw, hdw := make([]float64, len(w)), make([]float64, len(w))
	v := SoftplusGrad(w, x, dw)
	hv := softplusHand(w, x, hdw)
	if v != Softplus(w, x) || math.Abs(v-hv) > 1e-12*math.Abs(hv) {
		t.Errorf("value %v, Softplus %v, hand-written %v", v, Softplus(w, x), hv)
	}
	for i := range dw {
		if math.Abs(dw[i]-hdw[i]) > 1e-15 {
			t.Fatalf("dw[%d] = %v, hand-written %v", i, dw[i], hdw[i])
		}
	}
	if n := testing.AllocsPerRun(20, func() { SoftplusGrad(w, x, dw) }); n != 0 {
		t.Errorf("SoftplusGrad allocates %v times per call", n)
	}
}

func BenchmarkSoftplus(b *testing.B) {
	w, x := softplusData()
	for b.Loop() {
		sink = Softplus(w, x)
	}
}

func BenchmarkSoftplusGrad(b *testing.B) {
	w, x := softplusData()
	dw := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		sink = SoftplusGrad(w, x, dw)
	}
}

func BenchmarkSoftplusHand(b *testing.B) {
	w, x := softplusData()
	dw := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		sink = softplusHand(w, x, dw)
	}
}
