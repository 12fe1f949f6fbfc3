package cases

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Second derivatives are checked in the components of SPEC §7 (receiver
// first, parameters in order, slices and arrays by index, structs by
// field), read and written through reflection, so that one harness serves
// every case: the Hessian against central differences of the generated
// gradient (Richardson-extrapolated) and for symmetry, its gradient
// against FGrad's, its value against F's bit for bit; the HVP against the
// Hessian times the direction, its gradient against FGrad's.

// A secondCase gives a case's second derivatives and how to call them.
type secondCase struct {
	hvp, hessian any
	// grad is the generated gradient when the case's own grad is a flat
	// adapter.
	grad any
	// args builds the arguments of the source function at the case's
	// point; nil when the point's coordinates are the arguments.
	args func(x []float64) []any
	// wrt are the indices of the arguments differentiated against (a
	// method's receiver is argument 0); nil: the case's wrtIndices for
	// flat cases, else every argument that holds floats.
	wrt []int
}

// TestHessians checks every case's FHessian and FHVP.
func TestHessians(t *testing.T) {
	checked := map[string]bool{}
	for _, c := range allCases() {
		s, ok := seconds[c.name]
		if !ok {
			continue
		}
		covers := c.covers
		if covers == "" {
			covers, _, _ = strings.Cut(c.name, "/")
		}
		checked[covers] = true
		t.Run(c.name, func(t *testing.T) {
			grad := s.grad
			if grad == nil {
				grad = c.grad
			}
			for _, x := range c.at {
				checkSecond(t, c, s, grad, x)
			}
		})
	}
	for _, kind := range []string{"hvp", "hessian"} {
		for _, name := range directiveFunctions(t, kind) {
			if !checked[name] && secondElsewhere[name] == "" {
				t.Errorf("%s has //gradgen:%s but no case checks it: add it to seconds", name, kind)
			}
		}
	}
}

// secondElsewhere are second derivatives a test of their own checks, and
// why.
var secondElsewhere = map[string]string{
	"RoundingResidual": "TestRoundingResidual: reverse mode's adjoints of 2^26 cancel there",
	"LinkSum":          "TestLinkSumHVP: a linked list has no fixed components to number",
	"PowCorner":        "TestHessianGradientAsFGrad: no //gradgen:grad on purpose (FHessian writes its gradient helper), so the harness has no FGrad to compare with",
	"PowCornerSlice":   "TestHessianGradientAsFGrad, as PowCorner",
}

func checkSecond(t *testing.T, c gradCase, s secondCase, grad any, x []float64) {
	t.Helper()
	gv := reflect.ValueOf(grad)
	var base []reflect.Value
	if s.args == nil {
		base = args(gv.Type(), x)
	} else {
		for i, a := range s.args(x) {
			v := reflect.ValueOf(a)
			if v.Type() != gv.Type().In(i) {
				v = v.Convert(gv.Type().In(i))
			}
			base = append(base, v)
		}
	}
	wrt := s.wrt
	if wrt == nil && s.args == nil {
		wrt = c.wrtIndices()
	}
	if wrt == nil {
		for i, a := range base {
			if holdsFloats(a.Type()) {
				wrt = append(wrt, i)
			}
		}
	}
	value, g := callGrad(gv, base, wrt)
	n := len(g)
	// Tolerances: of the differences, of two exact computations of the
	// same derivative in different orders, and of H·v against the rows.
	tol, same12, rows := 1e-5, 1e-12, 1e-10
	if c.tol != 0 { // float32
		tol, same12, rows = 100*c.tol, 1e-6, 1e-6
	}

	// The Hessian: value, gradient, central differences, symmetry.
	hv := reflect.ValueOf(s.hessian)
	in := deepCopies(base)
	var bufs []reflect.Value
	for _, i := range wrt {
		if byRef(base[i].Type()) {
			bufs = append(bufs, zeroLike(base[i], true))
		}
	}
	hessType := hv.Type().In(hv.Type().NumIn() - 1)
	hessBuf := reflect.MakeSlice(hessType, n*n, n*n)
	out := hv.Call(append(append(in, bufs...), hessBuf))
	hess := make([]float64, n*n)
	for i := range hess {
		hess[i] = hessBuf.Index(i).Float()
	}
	if got := toFloat(out[0]); !same(got, value) {
		t.Errorf("%s%v: Hessian's value %.17g, F's %.17g", c.name, x, got, value)
	}
	hg := collect(wrt, base, bufs, out[1:])
	for k := range g {
		if !close(hg[k], g[k], same12) {
			t.Errorf("%s%v: Hessian's gradient[%d] = %.17g, FGrad's %.17g", c.name, x, k, hg[k], g[k])
		}
	}
	for j := range n {
		fd := gradDifference(gv, base, wrt, j)
		for i := range n {
			if !close(hess[i*n+j], fd[i], tol) {
				t.Errorf("%s%v: H[%d,%d] = %.17g, differences of the gradient give %.17g", c.name, x, i, j, hess[i*n+j], fd[i])
			}
			if !close(hess[i*n+j], hess[j*n+i], 1e-9) {
				t.Errorf("%s%v: H[%d,%d] = %.17g but H[%d,%d] = %.17g", c.name, x, i, j, hess[i*n+j], j, i, hess[j*n+i])
			}
		}
	}

	// The HVP along a direction with components of both signs.
	if s.hvp == nil {
		return
	}
	v := direction(n)
	pv := reflect.ValueOf(s.hvp)
	in = deepCopies(base)
	var dirs, gbufs, hbufs []reflect.Value
	k := 0
	for _, i := range wrt {
		d := zeroLike(base[i], false)
		for _, comp := range components(d) {
			comp.SetFloat(v[k])
			k++
		}
		dirs = append(dirs, d)
		if byRef(base[i].Type()) {
			gbufs = append(gbufs, zeroLike(base[i], true))
			hbufs = append(hbufs, zeroLike(base[i], true))
		}
	}
	out = pv.Call(append(append(append(in, dirs...), gbufs...), hbufs...))
	if got := toFloat(out[0]); !same(got, value) {
		t.Errorf("%s%v: HVP's value %.17g, F's %.17g", c.name, x, got, value)
	}
	byVal := 0
	for _, i := range wrt {
		if !byRef(base[i].Type()) {
			byVal++
		}
	}
	pg := collect(wrt, base, gbufs, out[1:1+byVal])
	ph := collect(wrt, base, hbufs, out[1+byVal:])
	for i := range n {
		want, scale := 0.0, 0.0
		for j := range n {
			want += hess[i*n+j] * v[j]
			scale += math.Abs(hess[i*n+j] * v[j])
		}
		if !close(pg[i], g[i], same12) {
			t.Errorf("%s%v: HVP's gradient[%d] = %.17g, FGrad's %.17g", c.name, x, i, pg[i], g[i])
		}
		if !same(ph[i], want) && !(math.Abs(ph[i]-want) <= rows*math.Max(scale, 1e-300)) {
			t.Errorf("%s%v: (H·v)[%d] = %.17g, the Hessian's row times v = %.17g", c.name, x, i, ph[i], want)
		}
	}
}

// close is equality to a relative tolerance, NaN equal to NaN.
func close(a, b, tol float64) bool {
	return same(a, b) || math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// callGrad calls a generated gradient and returns F's value and the
// gradient's components.
func callGrad(gv reflect.Value, base []reflect.Value, wrt []int) (float64, []float64) {
	var bufs []reflect.Value
	for _, i := range wrt {
		if byRef(base[i].Type()) {
			bufs = append(bufs, zeroLike(base[i], true))
		}
	}
	out := gv.Call(append(deepCopies(base), bufs...))
	return toFloat(out[0]), collect(wrt, base, bufs, out[1:])
}

// collect reads a derivative's components: the wrt arguments' parts in
// order, from their buffers or from the by-value results.
func collect(wrt []int, base, bufs, results []reflect.Value) []float64 {
	var out []float64
	b, r := 0, 0
	for _, i := range wrt {
		var v reflect.Value
		if byRef(base[i].Type()) {
			v = bufs[b]
			b++
		} else {
			v = results[r]
			r++
		}
		for _, c := range components(v) {
			out = append(out, c.Float())
		}
	}
	return out
}

// gradDifference is the Richardson-extrapolated central difference of the
// gradient along component j.
func gradDifference(gv reflect.Value, base []reflect.Value, wrt []int, j int) []float64 {
	var comps []reflect.Value
	for _, i := range wrt {
		comps = append(comps, components(base[i])...)
	}
	x := comps[j].Float()
	at := func(step float64) []float64 {
		h := step * math.Max(1, math.Abs(x))
		shifted := func(delta float64) []float64 {
			in := deepCopies(base)
			var comps []reflect.Value
			for _, i := range wrt {
				comps = append(comps, components(in[i])...)
			}
			comps[j].SetFloat(x + delta)
			_, g := callGrad(gv, in, wrt)
			return g
		}
		p, m := shifted(h), shifted(-h)
		d := make([]float64, len(p))
		for k := range d {
			d[k] = (p[k] - m[k]) / (2 * h)
		}
		return d
	}
	d1, d2 := at(1e-3), at(5e-4)
	out := make([]float64, len(d1))
	for k := range out {
		out[k] = (4*d2[k] - d1[k]) / 3
	}
	return out
}

// components lists the settable float components of v in SPEC §7's order.
func components(v reflect.Value) []reflect.Value {
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		return []reflect.Value{v}
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return components(v.Elem())
	case reflect.Slice, reflect.Array:
		var out []reflect.Value
		for i := range v.Len() {
			out = append(out, components(v.Index(i))...)
		}
		return out
	case reflect.Struct:
		var out []reflect.Value
		for i := range v.NumField() {
			if v.Type().Field(i).Name != "_" {
				out = append(out, components(v.Field(i))...)
			}
		}
		return out
	}
	return nil
}

// deepCopies copies arguments with everything they reach, so that a call
// cannot change the point, and components can be set.
func deepCopies(vs []reflect.Value) []reflect.Value {
	out := make([]reflect.Value, len(vs))
	for i, v := range vs {
		c := reflect.New(v.Type()).Elem()
		deepCopy(c, v)
		out[i] = c
	}
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Struct:
		dst.Set(src) // unexported fields too; then the exported references deep
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// zeroLike is a value of v's type with v's shape and zero floats; with
// buffer, the buffer of such a parameter (a pointer for a struct holding
// slices).
func zeroLike(v reflect.Value, buffer bool) reflect.Value {
	z := reflect.New(v.Type()).Elem()
	deepCopy(z, v)
	for _, c := range components(z) {
		c.SetFloat(0)
	}
	if buffer && v.Kind() == reflect.Struct {
		p := reflect.New(v.Type())
		p.Elem().Set(z)
		return p
	}
	return z
}

// byRef mirrors the analyzer's byReference: slices, pointers, and values
// holding them get buffers.
func byRef(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
		return true
	case reflect.Array:
		return byRef(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if byRef(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// holdsFloats reports whether a value of type t has float components.
func holdsFloats(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Float64, reflect.Float32:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsFloats(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsFloats(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// directiveFunctions lists the functions of this package's source marked
// //gradgen:<kind>, methods as Type.Method.
func directiveFunctions(t *testing.T, kind string) []string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_grad.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Doc == nil {
				continue
			}
			for _, c := range fn.Doc.List {
				if c.Text == "//gradgen:"+kind || strings.HasPrefix(c.Text, "//gradgen:"+kind+" ") {
					name := fn.Name.Name
					if fn.Recv != nil {
						t := fn.Recv.List[0].Type
						if s, ok := t.(*ast.StarExpr); ok {
							t = s.X
						}
						name = t.(*ast.Ident).Name + "." + name
					}
					names = append(names, name)
				}
			}
		}
	}
	return names
}
