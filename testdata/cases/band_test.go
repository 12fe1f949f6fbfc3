package cases

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// bandCases are the banded-Hessian cases and their dense lookalikes.
func bandCases() []gradCase {
	slice := func(name string, f func([]float64) float64, grad func(x, dx []float64) float64, at ...[]float64) gradCase {
		return gradCase{name: name, f: f, at: at, grad: func(x []float64) (float64, []float64) {
			g := make([]float64, len(x))
			return grad(x, g), g
		}}
	}
	return []gradCase{
		slice("BandThree", BandThree, BandThreeGrad, p(0.3, -0.7, 1.1, 0.4, 2, -1.3, 0.8)),
		slice("BandRange", BandRange, BandRangeGrad, p(0.3, -0.7, 1.1, 0.4, 2, -1.3, 0.8), p(1, 2, 3, 4, 5, 6, -0.5)),
		slice("BandAnchored", BandAnchored, BandAnchoredGrad, p(0.3, -0.7, 1.1, 0.4, 2)),
		slice("BandCarried", BandCarried, BandCarriedGrad, p(0.3, -0.7, 1.1, 0.4, 2)),
		slice("BandUint8", BandUint8, BandUint8Grad, p(0.3, -0.7, 1.1, 0.4, 2)),
		slice("SumOuterCounter", SumOuterCounter, SumOuterCounterGrad, p(1, 2, 3, 4, 0.5), p(0.3, -0.7, 1.1, 0.4, 2)),
		slice("SumCounterInBody", SumCounterInBody, SumCounterInBodyGrad, p(1, 2, 3, 4, 0.5, 1.5), p(0.3, -0.7, 1.1, 0.4, 2, 0.6)),
		slice("SumWhile", SumWhile, SumWhileGrad, p(1, 2, 3, 4, 0.5, 1.5), p(0.3, -0.7, 1.1, 0.4, 2, 0.6)),
	}
}

// TestBandDetected: the banded functions' Hessians and Jacobians are
// compressed, the lookalikes' are not (a lookalike compressed would be
// wrong, which TestHessians and TestJacobians would catch; a band not
// found would only be slow). The generated doc comment says which.
func TestBandDetected(t *testing.T) {
	if os.Getenv("GRADGEN_UNOPTIMIZED") != "" {
		t.Skip("the switches that turn gradgen's optimizations off turn compression off too")
	}
	src := readGenerated(t, "band_grad.go")
	for _, c := range []struct {
		suffix, says string
		banded       map[string]bool
	}{
		{"Hessian returns", "The Hessian is banded", map[string]bool{"BandThree": true, "BandRange": true,
			"BandAnchored": false, "BandCarried": false, "BandUint8": false}},
		{"Jacobian writes", "The Jacobian is banded", map[string]bool{"HeatResidual": true, "StencilShift": true, "BandRows": true,
			"BandPeriodic": false, "BandCarriedSum": false, "BandCarriedMemory": false}},
	} {
		for name, banded := range c.banded {
			i := strings.Index(src, "// "+name+c.suffix)
			if i < 0 {
				t.Fatalf("no doc comment %q in band_grad.go", name+c.suffix)
			}
			doc, _, _ := strings.Cut(src[i:], "\n")
			if got := strings.Contains(doc, c.says); got != banded {
				t.Errorf("%s: banded %v, want %v (%s)", name+c.suffix, got, banded, doc)
			}
		}
	}
}

func readGenerated(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSecondDerivativeAllocations: Hessians, HVPs and Jacobians of small
// problems keep their scratch on the stack and allocate nothing.
func TestSecondDerivativeAllocations(t *testing.T) {
	x := []float64{0.3, -0.7, 1.1, 0.4, 2, -1.3, 0.8}
	g, hess := make([]float64, 7), make([]float64, 49)
	v, hv := direction(7), make([]float64, 7)
	y, jac := make([]float64, 3), make([]float64, 9)
	theta, lens, p2, jac2 := []float64{0.3, -0.5, 1.1}, []float64{1, 0.7, 0.4}, make([]float64, 2), make([]float64, 12)
	bs, dbs := bodies(x), make([]Body, 2)
	m, dm := [][]float64{x[:3], x[3:4], x[4:7]}, [][]float64{make([]float64, 3), make([]float64, 1), make([]float64, 3)}
	noAllocations(t, "", map[string]func(){
		"BandThreeHessian (banded)":   func() { BandThreeHessian(x, g, hess) },
		"BandAnchoredHessian (dense)": func() { BandAnchoredHessian(x[:5], g, hess) },
		"DotHVP":                      func() { DotHVP(x[:3], x[3:6], v[:3], v[3:6], g[:3], g[3:6], hv[:3], hv[3:6]) },
		"RobertsonJacobian (columns)": func() { RobertsonJacobian(y, x[:3], jac) },
		"ArmJacobian (rows)":          func() { ArmJacobian(p2, theta, lens, jac2) },
		"RobertsonVJP (escape analysis keeps its copy of y on the stack)": func() { RobertsonVJP(y, x[:3], v[:3], g[:3]) },
		"BodiesEnergyHessian (a struct tape on the stack)":                func() { BodiesEnergyHessian(bs, x[6], dbs, hess) },
		"MatrixHessian (rows of scratch cut from one pooled buffer)":      func() { MatrixHessian(m, dm, hess) },
	})
	// Beyond the stack arrays (64 values) the scratch comes from the
	// function's pool, cleared: none in the steady state (the unoptimized
	// code's inner products allocate), and the same Hessian bit for bit
	// whatever a reused buffer held.
	big := make([]float64, 150)
	for i := range big {
		big[i] = 0.5 + 0.01*float64(i%7)
	}
	gb, hb := make([]float64, len(big)), make([]float64, len(big)*len(big))
	BandThreeHessian(big, gb, hb)
	want := slices.Clone(hb)
	if n := testing.AllocsPerRun(5, func() { BandThreeHessian(big, gb, hb) }); n != 0 && os.Getenv("GRADGEN_UNOPTIMIZED") == "" {
		t.Errorf("BandThreeHessian over %d: %v allocations per call, want 0", len(big), n)
	}
	poison := make([]float64, 400)
	for i := range poison {
		poison[i] = math.NaN()
	}
	bandThreeHessianTapes.Put(&poison)
	clear(gb)
	clear(hb)
	BandThreeHessian(big, gb, hb)
	if !slices.Equal(hb, want) {
		t.Errorf("BandThreeHessian over %d with a reused, NaN-filled scratch buffer: the Hessian changed", len(big))
	}
	// A matrix's scratch rows: a reused flat buffer full of NaN, and
	// reused row headers still pointing into it, change nothing.
	clear(dm[0])
	clear(hess)
	MatrixHessian(m, dm, hess)
	wantM := slices.Clone(hess)
	rows := [][]float64{poison[:3], poison[3:10], poison[10:11], poison[11:40]}
	matrixHessianTapes.Put(&poison)
	matrixHessianTapesFloat64.Put(&rows)
	clear(hess)
	MatrixHessian(m, dm, hess)
	if !slices.Equal(hess, wantM) {
		t.Errorf("MatrixHessian with reused, NaN-filled scratch rows: the Hessian changed\n got %v\nwant %v", hess, wantM)
	}
}
