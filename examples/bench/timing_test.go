package bench

import (
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// Benchmarks are named Benchmark<Function>/<method>, the methods being f
// (the function alone), generated, jvp (the generated forward mode, one
// direction), hand, fd and gorgonia. run.sh runs them
// in interleaved rounds and writes BENCHMARKS.md.

var sink float64

func BenchmarkHypot(b *testing.B) {
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Hypot(hypotX, hypotY)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = HypotGrad(hypotX, hypotY)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = HypotJVP(hypotX, hypotY, 1, 0.5)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = hypotHand(hypotX, hypotY)
		}
	})
	grad := make([]float64, 2)
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatHypot, []float64{hypotX, hypotY}, central)
		}
	})
	benchGraph(b, func() (*graphGrad, error) { return gorgoniaHypot() }, []any{hypotX, hypotY}, [][]float64{{0}, {0}})
}

func BenchmarkRosenbrock(b *testing.B) {
	grad := make([]float64, len(rosenX))
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Rosenbrock(rosenX)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = RosenbrockGrad(rosenX, grad)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = RosenbrockJVP(rosenX, rosenV)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = rosenbrockHand(rosenX, grad)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, Rosenbrock, rosenX, central)
		}
	})
	benchGraph(b, func() (*graphGrad, error) { return gorgoniaRosenbrock(len(rosenX)) }, []any{tensorOf(rosenX)}, [][]float64{grad})
}

func BenchmarkMLP(b *testing.B) {
	dm := flatModel(make([]float64, 131))
	params := modelParams(model)
	grad := make([]float64, len(params))
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = model.Loss(batch)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = model.LossGrad(batch, dm)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = model.LossJVP(batch, modelV)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = model.lossHand(batch, dm)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatMLP, params, central)
		}
	})
	benchGraph(b, func() (*graphGrad, error) { return gorgoniaMLP(batch) }, mlpValues(model),
		[][]float64{make([]float64, 64), make([]float64, 16), make([]float64, 48), make([]float64, 3)})
}

func BenchmarkBlackScholes(b *testing.B) {
	grad := make([]float64, 5)
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Call(bs[0], bs[1], bs[2], bs[3], bs[4])
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _, _, _, _ = CallGrad(bs[0], bs[1], bs[2], bs[3], bs[4])
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = CallJVP(bs[0], bs[1], bs[2], bs[3], bs[4], 1, 0, 0, 0, 0)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _, _, _, _ = callHand(bs[0], bs[1], bs[2], bs[3], bs[4])
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatCall, bs[:], central)
		}
	})
	// gorgonia has no erf or erfc: the normal CDF cannot be written in it.
}

func BenchmarkLogistic(b *testing.B) {
	grad := make([]float64, 2)
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Logistic(logR, logX0, steps)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = LogisticGrad(logR, logX0, steps)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = LogisticJVP(logR, logX0, steps, 1, 0.5)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = logisticHand(logR, logX0, steps)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatLogistic, []float64{logR, logX0}, central)
		}
	})
	benchGraph(b, func() (*graphGrad, error) { return gorgoniaLogistic(steps) }, []any{logR, logX0}, [][]float64{{0}, {0}})
}

func BenchmarkSoftplus(b *testing.B) {
	grad := make([]float64, len(spW))
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = Softplus(spW, spX)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = SoftplusGrad(spW, spX, grad)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = SoftplusJVP(spW, spX, spV)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = softplusHand(spW, spX, grad)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatSoftplus, spW, central)
		}
	})
	benchGraph(b, func() (*graphGrad, error) { return gorgoniaSoftplus(spX) }, []any{tensorOf(spW)}, [][]float64{grad})
}

// benchGraph times gorgonia's tape machine, built once outside the loop.
func benchGraph(b *testing.B, build func() (*graphGrad, error), values []any, grads [][]float64) {
	g, err := build()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gorgonia", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sink, err = g.eval(values, grads); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkKalman(b *testing.B) {
	grad := make([]float64, 2)
	b.Run("f", func(b *testing.B) {
		for b.Loop() {
			sink = KalmanNLL(kalmanQ, kalmanR, kalmanYs)
		}
	})
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = KalmanNLLGrad(kalmanQ, kalmanR, kalmanYs)
		}
	})
	b.Run("jvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = KalmanNLLJVP(kalmanQ, kalmanR, kalmanYs, 1, 0.5)
		}
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _, _ = kalmanHand(kalmanQ, kalmanR, kalmanYs)
		}
	})
	b.Run("fd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fd.Gradient(grad, flatKalman, []float64{kalmanQ, kalmanR}, central)
		}
	})
	// gorgonia: not written (a loop of scalar nodes, as Logistic's).
}
