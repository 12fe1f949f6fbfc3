package main

import (
	"math"
	"testing"
)

// TestGreeks compares the generated Greeks with the closed forms to 1e-12
// relative, over a grid of strikes, expiries and volatilities.
func TestGreeks(t *testing.T) {
	for _, put := range []bool{false, true} {
		for _, K := range []float64{60, 95, 100, 105, 150} {
			for _, T := range []float64{0.05, 0.5, 2} {
				for _, sigma := range []float64{0.1, 0.25, 0.6} {
					g, c := generated(put, 100, K, T, 0.03, sigma), closedForm(put, 100, K, T, 0.03, sigma)
					want := []float64{c.Price, c.Delta, c.DK, c.DT, c.Rho, c.Vega}
					for i, got := range []float64{g.Price, g.Delta, g.DK, g.DT, g.Rho, g.Vega} {
						scale := math.Max(math.Abs(want[i]), 1e-3)
						if math.Abs(got-want[i]) > 1e-12*scale {
							t.Errorf("put=%v K=%g T=%g σ=%g: component %d = %.17g, closed form %.17g", put, K, T, sigma, i, got, want[i])
						}
					}
					if p := Call(100, K, T, 0.03, sigma); !put && g.Price != p {
						t.Errorf("CallGrad's price %v, Call %v", g.Price, p)
					}
				}
			}
		}
	}
}

var sink Greeks

func BenchmarkCall(b *testing.B) {
	for b.Loop() {
		sink.Price = Call(100, 105, 0.5, 0.03, 0.25)
	}
}

func BenchmarkCallGrad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = generated(false, 100, 105, 0.5, 0.03, 0.25)
	}
}

func BenchmarkCallClosedForm(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = closedForm(false, 100, 105, 0.5, 0.03, 0.25)
	}
}
