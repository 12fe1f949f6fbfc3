package calls

import (
	"math"
	"os"
	"strings"
	"testing"
)

var xs = func() []float64 {
	out := make([]float64, 1000)
	for i := range out {
		out[i] = math.Sin(float64(i))
	}
	return out
}()

func TestSameGradient(t *testing.T) {
	v1, dw1, db1 := WithHelpersGrad(0.7, -0.2, xs)
	v2, dw2, db2 := InlineGrad(0.7, -0.2, xs)
	if v1 != WithHelpers(0.7, -0.2, xs) || math.Abs(v1-v2) > 1e-12*math.Abs(v2) {
		t.Errorf("values %v, %v", v1, v2)
	}
	if math.Abs(dw1-dw2) > 1e-12*math.Abs(dw2) || math.Abs(db1-db2) > 1e-12*math.Abs(db2) {
		t.Errorf("gradients (%v, %v) with helpers, (%v, %v) inline", dw1, db1, dw2, db2)
	}
}

// TestHelpersExpanded: sigmoid, neuron and sq are single-expression
// helpers, which gradgen expands in place — the generated gradient calls
// no helper of theirs — so the gradient costs no call, inlined or not.
func TestHelpersExpanded(t *testing.T) {
	src, err := os.ReadFile("calls_grad.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gradOfSigmoid", "gradOfNeuron", "gradOfSq", "pullbackOf"} {
		if strings.Contains(string(src), name) {
			t.Errorf("calls_grad.go still calls or declares %s", name)
		}
	}
}

var sink, sinkW, sinkB float64

func BenchmarkWithHelpersGrad(b *testing.B) {
	for b.Loop() {
		sink, sinkW, sinkB = WithHelpersGrad(0.7, -0.2, xs)
	}
}

func BenchmarkInlineGrad(b *testing.B) {
	for b.Loop() {
		sink, sinkW, sinkB = InlineGrad(0.7, -0.2, xs)
	}
}
