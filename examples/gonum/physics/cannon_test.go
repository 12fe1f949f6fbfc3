package main

import (
	"math"
	"testing"
)

// richardson is the derivative of f at x by central differences with
// Richardson extrapolation (error O(h⁴)).
func richardson(f func(float64) float64, x float64) float64 {
	h := 1e-3 * math.Max(1, math.Abs(x))
	central := func(h float64) float64 { return (f(x+h) - f(x-h)) / (2 * h) }
	return (4*central(h/2) - central(h)) / 3
}

func TestMissGradient(t *testing.T) {
	for _, c := range []struct {
		vx, vy, k float64
		steps     int
	}{{20, 20, drag, steps}, {35, 12, 0.02, 150}, {5, 40, 0, 300}, {30, 25, drag, 0}} {
		v, dvx, dvy := MissGrad(c.vx, c.vy, c.k, targetX, targetY, c.steps)
		if want := Miss(c.vx, c.vy, c.k, targetX, targetY, c.steps); v != want {
			t.Errorf("%+v: value %v, Miss gives %v", c, v, want)
		}
		fx := richardson(func(vx float64) float64 { return Miss(vx, c.vy, c.k, targetX, targetY, c.steps) }, c.vx)
		fy := richardson(func(vy float64) float64 { return Miss(c.vx, vy, c.k, targetX, targetY, c.steps) }, c.vy)
		for _, p := range []struct{ got, want float64 }{{dvx, fx}, {dvy, fy}} {
			if math.Abs(p.got-p.want) > 1e-6*math.Max(1, math.Abs(p.want)) {
				t.Errorf("%+v: gradient (%v, %v), finite differences (%v, %v)", c, dvx, dvy, fx, fy)
				break
			}
		}
	}
}

func TestHitsTarget(t *testing.T) {
	a, err := search(missGrad)
	if a.v == nil {
		t.Fatal(err)
	}
	if d := math.Sqrt(miss(a.v)); d > 1e-6 {
		t.Errorf("the shot at %v misses by %v m", a.v, d)
	}
}

// The tape of 300 steps (900 values) fits on the stack.
func TestNoAllocation(t *testing.T) {
	if n := testing.AllocsPerRun(20, func() { sink, sinkX, sinkY = MissGrad(20, 20, drag, targetX, targetY, steps) }); n != 0 {
		t.Errorf("MissGrad allocates %v times per call, want none", n)
	}
}

var sink, sinkX, sinkY float64

func BenchmarkMiss(b *testing.B) {
	for b.Loop() {
		sink = Miss(20, 20, drag, targetX, targetY, steps)
	}
}

func BenchmarkMissGrad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink, sinkX, sinkY = MissGrad(20, 20, drag, targetX, targetY, steps)
	}
}

func BenchmarkMissFiniteDifferences(b *testing.B) {
	g, v := make([]float64, 2), []float64{20, 20}
	b.ReportAllocs()
	for b.Loop() {
		finiteDiffGrad(g, v)
	}
}
