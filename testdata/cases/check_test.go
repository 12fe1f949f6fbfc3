package cases

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// A gradCase pairs a function with its generated gradient.
type gradCase struct {
	name string
	f    any // the source function
	grad any // its generated gradient
	// wrt are the indices of the arguments the gradient is taken with
	// respect to; nil means every float argument.
	wrt []int
	// at are points checked against finite differences.
	at [][]float64
	// exact are points where the gradient is fixed by convention (a
	// non-smooth point, an infinite derivative), with the expected
	// gradient; finite differences say nothing useful there.
	exact []exactPoint
	// tol overrides the relative tolerance (float32 functions).
	tol float64
	// jvp is the case's JVP, for cases whose source function does not
	// take plain floats (a flatJVP); see jvps.
	jvp any
	// covers names the function whose JVP the case checks, when the
	// case's name is not the function's (Type.Method for a method).
	covers string
}

type exactPoint struct {
	x, grad []float64
}

// dump collects every computed gradient when GRADGEN_DUMP names a file,
// so that runs with gradgen's optimizations on and off can be compared.
var dump = map[string][]float64{}

func TestMain(m *testing.M) {
	code := m.Run()
	if path := os.Getenv("GRADGEN_DUMP"); path != "" {
		var b strings.Builder
		keys := make([]string, 0, len(dump))
		for k := range dump {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s", strings.ReplaceAll(k, " ", "_"))
			for _, v := range dump[k] {
				fmt.Fprintf(&b, " %v", v)
			}
			b.WriteString("\n")
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			fmt.Println(err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestGradients(t *testing.T) {
	for _, c := range allCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, x := range c.at {
				value, grad := c.call(t, x)
				c.checkValue(t, x, value)
				for k, i := range c.wrtIndices() {
					fd := c.richardson(x, i)
					tol := c.tol
					if tol == 0 {
						tol = 1e-6
					}
					if !(math.Abs(grad[k]-fd) <= tol*math.Max(1, math.Abs(fd))) {
						t.Errorf("%s%v: ∂/∂arg%d = %.17g, finite differences give %.17g", c.name, x, i, grad[k], fd)
					}
				}
				dump[fmt.Sprint(c.name, x)] = grad
			}
			for _, p := range c.exact {
				value, grad := c.call(t, p.x)
				c.checkValue(t, p.x, value)
				for k := range p.grad {
					if !same(grad[k], p.grad[k]) {
						t.Errorf("%s%v: gradient %v, want %v by convention", c.name, p.x, grad, p.grad)
						break
					}
				}
				dump[fmt.Sprint(c.name, p.x)] = grad
			}
		})
	}
}

// same is equality that also holds between two NaNs.
func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func (c gradCase) wrtIndices() []int {
	if c.wrt != nil {
		return c.wrt
	}
	var idx []int
	if _, ok := c.f.(flatF); ok {
		for i := range c.at[0] {
			idx = append(idx, i)
		}
		return idx
	}
	ft := reflect.TypeOf(c.f)
	for i := range ft.NumIn() {
		if k := ft.In(i).Kind(); k == reflect.Float64 || k == reflect.Float32 {
			idx = append(idx, i)
		}
	}
	return idx
}

func args(ft reflect.Type, x []float64) []reflect.Value {
	in := make([]reflect.Value, len(x))
	for i, v := range x {
		in[i] = reflect.ValueOf(v).Convert(ft.In(i))
	}
	return in
}

func toFloat(v reflect.Value) float64 {
	return v.Convert(reflect.TypeOf(0.0)).Float()
}

// flat is the form of cases over slices, arrays and structs: the case
// packs the point into its arguments itself.
type (
	flatF    = func(x []float64) float64
	flatGrad = func(x []float64) (float64, []float64)
)

// eval calls the source function.
func (c gradCase) eval(x []float64) float64 {
	if f, ok := c.f.(flatF); ok {
		return f(append([]float64(nil), x...))
	}
	fv := reflect.ValueOf(c.f)
	return toFloat(fv.Call(args(fv.Type(), x))[0])
}

// call calls the gradient and checks its shape.
func (c gradCase) call(t *testing.T, x []float64) (float64, []float64) {
	t.Helper()
	if g, ok := c.grad.(flatGrad); ok {
		v, grad := g(append([]float64(nil), x...))
		if len(grad) != len(c.wrtIndices()) {
			t.Fatalf("gradient has %d elements, want %d", len(grad), len(c.wrtIndices()))
		}
		return v, grad
	}
	gv := reflect.ValueOf(c.grad)
	out := gv.Call(args(gv.Type(), x))
	if len(out) != 1+len(c.wrtIndices()) {
		t.Fatalf("%s returns %d values, want the value and %d gradients", gv.Type(), len(out), len(c.wrtIndices()))
	}
	grad := make([]float64, len(out)-1)
	for i := range grad {
		grad[i] = toFloat(out[i+1])
	}
	return toFloat(out[0]), grad
}

// checkValue requires the gradient's value to be the function's, bit for bit.
func (c gradCase) checkValue(t *testing.T, x []float64, value float64) {
	t.Helper()
	want := c.eval(x)
	if math.Float64bits(value) != math.Float64bits(want) && !(math.IsNaN(value) && math.IsNaN(want)) {
		t.Errorf("%s%v: value %.17g, want %.17g bit for bit", c.name, x, value, want)
	}
}

// richardson estimates ∂f/∂x_i by central differences with Richardson
// extrapolation: (4·D(h/2) − D(h))/3 cancels the h² error term.
func (c gradCase) richardson(x []float64, i int) float64 {
	h := 1e-3 * math.Max(1, math.Abs(x[i]))
	if c.tol != 0 {
		h = 1e-2 * math.Max(1, math.Abs(x[i]))
	}
	central := func(h float64) float64 {
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		return (c.eval(xp) - c.eval(xm)) / (2 * h)
	}
	return (4*central(h/2) - central(h)) / 3
}

var inf = math.Inf(1)

func p(x ...float64) []float64 { return x }

func pts(xs ...[]float64) [][]float64 { return xs }
