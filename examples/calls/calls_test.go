package calls

import (
	"math"
	"os/exec"
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

// TestHelpersInline checks with the compiler's -m output which generated
// helpers the compiler inlines. A small helper's gradient inlines like the
// helper. A helper near the compiler's budget does not: sigmoid costs 70
// of the budget of 80 (math.Exp inlined is most of it), its gradient 112;
// BenchmarkWithHelpersGrad measures what the call costs.
func TestHelpersInline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	out, err := exec.Command("go", "build", "-gcflags=-m=2", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, want := range []string{"can inline sq", "can inline gradOfSq", "can inline sigmoid", "cannot inline gradOfSigmoid: function too complex"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("compiler output lacks %q:\n%s", want, out)
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
