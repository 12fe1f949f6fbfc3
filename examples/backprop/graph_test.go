package main

import (
	"math"
	"testing"
)

// TestGradients checks every node's value and every edge's gradient
// against the chain rule worked by hand, at several inputs.
func TestGradients(t *testing.T) {
	for _, in := range [][2]float64{{3, 4}, {1, 1}, {-2, 0.5}, {1e-3, 7}} {
		forward, backward := rows(in[0], in[1])
		for _, r := range append(forward, backward...) {
			if math.Abs(r.generated-r.hand) > 1e-15*math.Max(1, math.Abs(r.hand)) {
				t.Errorf("at %v: %s = %g, by hand %g", in, r.name, r.generated, r.hand)
			}
		}
	}
	// At (3, 4) the numbers are the tutorial's: R = 5, ∂R/∂x = 3/5, ∂R/∂y = 4/5.
	v, dx, dy := RGrad(3, 4)
	if v != 5 || math.Abs(dx-0.6) > 1e-15 || math.Abs(dy-0.8) > 1e-15 {
		t.Errorf("RGrad(3, 4) = %v, %v, %v; want 5, 0.6, 0.8", v, dx, dy)
	}
}

func TestHypotMatchesHand(t *testing.T) {
	for _, in := range [][2]float64{{3, 4}, {-1, 2.5}, {1e-8, 1}} {
		v, dx, dy := HypotGrad(in[0], in[1])
		hv, hdx, hdy := hypotHand(in[0], in[1])
		if v != Hypot(in[0], in[1]) || math.Abs(dx-hdx) > 1e-15 || math.Abs(dy-hdy) > 1e-15 || v != hv {
			t.Errorf("HypotGrad%v = %v %v %v, hand-written %v %v %v", in, v, dx, dy, hv, hdx, hdy)
		}
	}
}

// Inputs come from variables and results go to package-level sinks, so
// that the compiler can neither fold nor discard the work.
var (
	inX, inY           = 3.0, 4.0
	sink, sinkX, sinkY float64
)

func BenchmarkHypot(b *testing.B) {
	for b.Loop() {
		sink = Hypot(inX, inY)
	}
}

func BenchmarkHypotGrad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink, sinkX, sinkY = HypotGrad(inX, inY)
	}
}

func BenchmarkHypotHand(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink, sinkX, sinkY = hypotHand(inX, inY)
	}
}

func TestHypotGradAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { sink, sinkX, sinkY = HypotGrad(inX, inY) }); n != 0 {
		t.Errorf("HypotGrad allocates %v times per call", n)
	}
}
