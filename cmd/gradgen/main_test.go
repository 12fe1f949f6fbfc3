package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing them")

// casesDir is the package of functions, one per rule and construct, whose
// generated files are the golden files.
const casesDir = "../../testdata/cases"

// gradgen runs the command in-process in dir and returns its exit status
// and output.
func gradgen(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestGolden compares the generated files of testdata/cases with the
// committed ones; -update rewrites them.
func TestGolden(t *testing.T) {
	if *update {
		if code, _, stderr := gradgen(t, "", casesDir); code != 0 {
			t.Fatalf("gradgen %s: exit %d\n%s", casesDir, code, stderr)
		}
		return
	}
	code, _, stderr := gradgen(t, "", "-check", "-internal.sanity", casesDir)
	if code != 0 {
		t.Fatalf("generated files differ from the golden files (run go test ./cmd/gradgen -update to accept):\n%s", stderr)
	}
}

// scratchModule copies the source files of dir (not the generated ones)
// into a new module, so that gradgen and go test run on them afresh.
func scratchModule(t *testing.T, dir string) string {
	t.Helper()
	tmp := t.TempDir()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_grad.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(tmp, filepath.Base(f)), string(data))
	}
	writeFile(t, filepath.Join(tmp, "go.mod"), "module example.com/scratch\n\ngo 1.26\n")
	return tmp
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNumeric generates testdata/cases afresh and runs its tests, which
// check every gradient against finite differences and every value bit for
// bit; then again with activity analysis and the to-be-recorded analysis
// switched off. Both runs must give the same gradients: the optimizations
// change only speed. Both check the adjoint program after every pass
// (-internal.sanity).
func TestNumeric(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a package")
	}
	var dumps []string
	for _, mode := range [][]string{nil, {"-internal.noactivity", "-internal.saveall"}} {
		dir := scratchModule(t, casesDir)
		if code, _, stderr := gradgen(t, dir, append([]string{"-internal.sanity"}, mode...)...); code != 0 {
			t.Fatalf("gradgen %v: exit %d\n%s", mode, code, stderr)
		}
		dump := filepath.Join(dir, "gradients.txt")
		cmd := exec.Command("go", "test", "-count=1", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GRADGEN_DUMP="+dump)
		if mode != nil {
			// Saving every value makes tapes longer than the optimized
			// code's, which TestTapeAllocations sizes its cases for.
			cmd.Env = append(cmd.Env, "GRADGEN_UNOPTIMIZED=1")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go test with gradgen %v: %v\n%s", mode, err, out)
		}
		if mode == nil {
			// Generated code passes go vet's every check, not only the
			// few go test runs (a self-assignment is not among those).
			vet := exec.Command("go", "vet", ".")
			vet.Dir = dir
			if out, err := vet.CombinedOutput(); err != nil {
				t.Errorf("go vet: %v\n%s", err, out)
			}
		}
		data, err := os.ReadFile(dump)
		if err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, string(data))
	}
	compareDumps(t, dumps[0], dumps[1])
}

// compareDumps requires the gradients computed with the optimizations on
// and off to agree. Not bit for bit: a sum loop adds a buffer's shares in
// the forward order of its trips where the reversed loop adds them in the
// reverse order, which can change the last bits of a sum. 1e-12 relative
// is far below any real difference, far above rounding.
func compareDumps(t *testing.T, on, off string) {
	t.Helper()
	a, b := strings.Split(strings.TrimSpace(on), "\n"), strings.Split(strings.TrimSpace(off), "\n")
	if len(a) != len(b) {
		t.Fatalf("%d gradients with optimizations on, %d off", len(a), len(b))
	}
	for i := range a {
		fa, fb := strings.Fields(a[i]), strings.Fields(b[i])
		if len(fa) != len(fb) || fa[0] != fb[0] {
			t.Errorf("gradients differ with optimizations off:\non:  %s\noff: %s", a[i], b[i])
			continue
		}
		for k := 1; k < len(fa); k++ {
			x, _ := strconv.ParseFloat(fa[k], 64)
			y, _ := strconv.ParseFloat(fb[k], 64)
			if fa[k] != fb[k] && !(math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(x))) {
				t.Errorf("gradients differ with optimizations off:\non:  %s\noff: %s", a[i], b[i])
				break
			}
		}
	}
}

// TestGraph prints the adjoint graph of a function as DOT.
func TestGraph(t *testing.T) {
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"Hypot", []string{
			`digraph "Hypot"`,
			`"hypot" [label="hypot = math.Hypot(x, y)\n∂R/∂R = 1"`,
			// A piecewise rule's partial, piece by piece.
			`"hypot" -> "x" [label="∂hypot/∂x = x / hypot if hypot != 0; else 0"]`,
		}},
		{"Abs", []string{`"abs" -> "x" [label="∂abs/∂x = 1 if x > 0; -1 if x < 0; else 0"]`}},
		{"Max", []string{`"max1" -> "y" [label="∂max1/∂y = 1.0 / 2 if x == y; 1 if x != max1; else 0"]`}},
		{"Sin", []string{`"sin" -> "x" [label="∂sin/∂x = math.Cos(x)"]`}},
	} {
		code, stdout, stderr := gradgen(t, "", "-graph", tt.name, casesDir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("graph lacks %s:\n%s", want, stdout)
			}
		}
	}
	code, _, stderr := gradgen(t, "", "-graph", "NoSuchFunction", casesDir)
	if code != 2 || !strings.Contains(stderr, "no such annotated function") {
		t.Errorf("-graph of an unknown function: exit %d, %q", code, stderr)
	}
	// A function that asks for forward mode only has a graph too.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/p\n\ngo 1.26\n")
	writeFile(t, filepath.Join(dir, "p.go"), "package p\n\nimport \"math\"\n\n//gradgen:jvp\nfunc F(x float64) float64 { return math.Sin(x) }\n")
	code, stdout, stderr := gradgen(t, dir, "-graph", "F", ".")
	if code != 0 || !strings.Contains(stdout, `∂f/∂x = math.Cos(x)`) {
		t.Errorf("-graph of a forward-mode function: exit %d, %s%s", code, stdout, stderr)
	}
	// A vector-valued function has none (it crashed -graph), and is named
	// once in the list of functions whatever its directives.
	writeFile(t, filepath.Join(dir, "p.go"), "package p\n\n//gradgen:jacobian out=y\n//gradgen:jvp out=y\nfunc V(y, x []float64) { y[0] = x[0] * x[1] }\n")
	code, _, stderr = gradgen(t, dir, "-graph", "V", ".")
	if code != 2 || !strings.Contains(stderr, "V is vector-valued") {
		t.Errorf("-graph of a vector-valued function: exit %d, %s", code, stderr)
	}
	code, _, stderr = gradgen(t, dir, "-graph", "W", ".")
	if code != 2 || !strings.Contains(stderr, "(annotated: V)\n") {
		t.Errorf("-graph of an unknown function: exit %d, %s", code, stderr)
	}
}

// TestErrors feeds bad input and checks that every error is reported at
// its position, with exit status 1, and that nothing is written.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // regexps, one per line of stderr, in order
	}{
		{
			name: "errors in out= functions at their statements, every one",
			src: `package p

import "math"

//gradgen:vjp out=y
func B(y, x []float64) {
	y[0] = math.Gamma(x[0])
}

//gradgen:grad
func WritesParam(x []float64) float64 { x[0] = x[0] * 2; return x[0] }

//gradgen:jvp out=y
func WritesInput(y, x []float64) { x[0] = 1; y[0] = x[0] }
`,
			want: []string{
				`^p\.go:7:9: cannot differentiate math\.Gamma\(x\[0\]\): math\.Gamma has no elementary derivative`,
				`^p\.go:11:41: cannot differentiate a write into x\[0\], which is memory the caller passed`,
				`^p\.go:14:36: cannot differentiate a write into x\[0\], which is memory the caller passed`,
			},
		},
		{
			name: "errors in out= functions at their statements, in a file whose other functions' helpers gradgen expanded",
			src: `package p

type Pt struct{ X, Y float64 }
type Out struct{ C Pt }

func put(y []float64, i int, v float64) { y[i] = v }

//gradgen:jvp out=y
func ViaHelper(y, x []float64) {
	for i := range x {
		put(y, i, x[i])
	}
}

//gradgen:jvp out=o
func Sum(o *Out, ps []Pt) {
	o.C = Pt{}
	for _, p := range ps {
		o.C.X += p.X
	}
}
`,
			want: []string{
				`^p\.go:17:2: cannot assign a whole Pt inside an active value`,
			},
		},
		{
			name: "methods reached through an embedded field or a pointer",
			src: `package p

import "math"

type Base struct{ X, Y float64 }

func (b Base) Len() float64 { return math.Hypot(b.X, b.Y) }

type Derived struct {
	Base
	Z float64
}

//gradgen:grad
func Embedded(d Derived) float64 { l := d.Len(); return l * d.Z }

type Pt struct{ X, Y float64 }

func (p Pt) N2() float64 { return p.X*p.X + p.Y*p.Y }

//gradgen:grad
func ViaPtr(p *Pt) float64 { s := p.N2(); return s * 2 }
`,
			want: []string{
				`^p\.go:15:41: cannot differentiate the call d\.Len\(\): Go reaches Len's receiver implicitly \(a method promoted from the embedded Base\), which gradgen does not follow; write the call as d\.Base\.Len\(\)`,
				`^p\.go:22:35: cannot differentiate the call p\.N2\(\): Go reaches N2's receiver implicitly \(a value method called on a pointer\), which gradgen does not follow; write the call as \(\*p\)\.N2\(\)`,
			},
		},
		{
			name: "changes to index slices the gradient reads again, other than element writes",
			src: `package p

//gradgen:grad
func Built(x []float64) float64 {
	var ks []int
	for i := range x {
		if x[i] > 0 {
			ks = append(ks, i)
		}
	}
	s := 0.0
	for _, k := range ks {
		s += x[k] * x[k]
	}
	ks[0] = 0
	return s
}

//gradgen:grad
func Reused(x []float64) float64 {
	ks := []int{1}
	s := x[ks[0]] * x[ks[0]]
	ks = ks[:0]
	ks = append(ks, 0)
	return s
}

//gradgen:grad
func Aliased(x []float64) float64 {
	ks := []int{1}
	s := x[ks[0]] * x[ks[0]]
	c := ks
	c[0] = 0
	copy(ks, []int{0})
	clear(ks)
	return s
}
`,
			want: []string{
				`^p\.go:24:7: cannot differentiate append\(ks, 0\): the gradient reads the elements of ks again after it, and append writes into their memory`,
				`^p\.go:33:2: cannot differentiate the write into c\[0\]: the gradient reads the elements of ks again after it, and c shares their memory; gradgen saves the old elements only for writes into ks itself`,
				`^p\.go:34:2: cannot differentiate copy\(ks, \[\]int\{0\}\): the gradient reads the elements of ks again after it, and copy changes them`,
				`^p\.go:35:2: cannot differentiate clear\(ks\): the gradient reads the elements of ks again after it, and clear changes them`,
			},
		},
		{
			name: "a write into a by-value struct whose gradient is a buffer",
			src: `package p

type Box struct {
	D [2]float64
	C []float64
}

//gradgen:grad
func W(b Box) float64 {
	b.D[0] = b.D[1] * b.D[1]
	return b.D[0] + b.C[0]
}
`,
			want: []string{
				`^p\.go:10:2: cannot differentiate a write into b\.D\[0\]: b is a copy, but Box holds slices, so its gradient goes into a buffer the caller passes \(added into\)`,
			},
		},
		{
			name: "a parallel declaration of structs names itself as written",
			src: `package p

type Particle struct{ X, Y float64 }

//gradgen:grad
func E(ps []Particle) float64 {
	s := 0.0
	for i := 1; i < len(ps); i++ {
		p, q := ps[i-1], ps[i]
		s += (p.X - q.X) * (p.Y - q.Y)
	}
	return s
}
`,
			want: []string{
				`^p\.go:9:3: cannot differentiate p := ps\[i-1\] in a parallel declaration: .*assign p in a statement of its own$`,
			},
		},
		{
			name: "hidden writes and nested slice literals",
			src: `package p

type window struct{ w []float64 }

func bumpHeld(x []float64, s float64) {
	var h window
	h = window{w: x}
	h.w[0] *= s
}

//gradgen:grad
func F(a float64) float64 {
	x := []float64{a, 2}
	bumpHeld(x, a)
	return x[0]
}

//gradgen:grad
func G(a float64) float64 {
	m := [][]float64{{a, 2}, {3 * a, 4}}
	return m[0][0] * m[1][0]
}

func halve(buf []float64) {
	rows := [][]float64{buf[:1], buf[1:]}
	rows[1][0] *= 0.5
}

//gradgen:grad
func H(a float64) float64 {
	x := []float64{a, a * a}
	halve(x)
	return x[1]
}
`,
			want: []string{
				`^p\.go:7:6: cannot assign a whole \[\]float64 inside an active value: `,
				`^p\.go:20:7: cannot differentiate the composite literal \[\]\[\]float64\{\{a, 2\}, \{3 \* a, 4\}\}: its inner slices depend on the parameters, .* one flat slice indexed by i\*n\+j$`,
				`^p\.go:25:2: cannot assign a whole \[\]float64 inside an active value: `,
			},
		},
		{
			name: "unsupported",
			src: `package p

import "math"

//gradgen:grad
func F(x float64) float64 {
	return math.Gamma(x) + x
}

//gradgen:grad wrt=y
func G(x float64) float64 { return x }

//gradgen:grad
func H(x float64) int { return int(x) }

//gradgen:grad bogus=1
func K(x float64) float64 { return x }

//gradgen:grad
func L(x float64) float64 {
	go func() {}()
	return x
}
`,
			want: []string{
				`^p\.go:7:9: cannot differentiate math\.Gamma\(x\): math\.Gamma has no elementary derivative .*//gradgen:rule`,
				`^p\.go:10:16: wrt=y: G has no parameter named y \(parameters: x\)$`,
				`^p\.go:14:19: H must return a single float .* it returns \(int\): for a vector-valued function use //gradgen:vjp or //gradgen:jacobian \(with out=y for an output parameter it fills\)$`,
				`^p\.go:16:16: unknown option "bogus" in //gradgen:grad`,
				`^p\.go:21:2: cannot differentiate a go statement: .*start goroutines outside it$`,
			},
		},
		{
			name: "control flow and data",
			src: `package p

var total float64

//gradgen:grad
func A(x float64, m map[string]float64) float64 {
	for k := range m {
		x += m[k]
	}
	defer func() {}()
	goto end
end:
	return x
}

//gradgen:grad
func B(w []float64) float64 {
	w = append(w, 1)
	p := &w[0]
	total = w[0]
	return *p
}

//gradgen:grad
func C(x float64, n int) float64 {
	switch n {
	case 1:
		x *= 2
		fallthrough
	default:
		x += 1
	}
	return x
}
`,
			want: []string{
				`^p\.go:7:17: cannot differentiate a loop over map\[string\]float64: .*loop over a slice of keys instead$`,
				`^p\.go:10:2: cannot differentiate a defer statement: move the deferred work out of the annotated function$`,
				`^p\.go:11:2: cannot differentiate goto: rewrite it with loops, break and continue$`,
				`^p\.go:12:1: labels are supported on loops and switches only: gradgen does not support goto$`,
				`^p\.go:18:6: cannot differentiate append on an active slice: make the slice with its final length and assign its elements$`,
				`^p\.go:19:7: cannot differentiate through &w\[0\]: a pointer to an active value could change it unseen; pass the value, or index it$`,
				`^p\.go:20:2: cannot write to the package-level variable total in code gradgen differentiates: .*use a local variable$`,
				`^p\.go:29:3: fallthrough is not supported: repeat the code of the next case, or use if/else$`,
			},
		},
		{
			name: "calls",
			src: `package p

import (
	"math"
	"strconv"
)

func fact(x float64) float64 {
	if x < 1 {
		return 1
	}
	return x * fact(x-1)
}

//gradgen:grad
func A(x float64) float64 { return fact(x) }

//gradgen:grad
func B(x float64) float64 {
	f, _ := strconv.ParseFloat("2", 64)
	return math.Float64frombits(math.Float64bits(x)) * f
}

//gradgen:rule fact
func badRule(x float64) float64 { return x }

//gradgen:grad
func C(w []float64) float64 {
	w[0] = 2 * w[1]
	return w[0]
}

type P struct{ X, Y float64 }

//gradgen:grad
func D(p *P) float64 {
	p.X = 2 * p.Y
	return p.X
}

func norm2(v P) float64 { return v.X*v.X + v.Y*v.Y }

// A struct partial by value would be an aggregate the call cannot scale.
//
//gradgen:rule norm2
func norm2Rule(v P) (float64, P) { return norm2(v), P{2 * v.X, 2 * v.Y} }
`,
			want: []string{
				`^p\.go:12:13: cannot differentiate the recursive call fact\(x - 1\): .*write the recursion as a loop, or give fact a //gradgen:rule$`,
				`^p\.go:16:36: the call fact\(x\) cannot be differentiated: see the errors in fact$`,
				`^p\.go:21:9: cannot differentiate math\.Float64frombits\(math\.Float64bits\(x\)\): a bit-level float conversion \(math\.Float64bits, math\.Float64frombits\) .*use math\.Abs, math\.Copysign or math\.Signbit$`,
				`^p\.go:25:6: badRule cannot be the rule of .*fact: its signature is func\(x float64\) float64; a rule for fact must be func\(float64\) \(float64, float64\)$`,
				`^p\.go:29:2: cannot differentiate a write into w\[0\], which is memory the caller passed .*copy the elements into it in a loop, and write into that$`,
				`^p\.go:37:2: cannot differentiate a write into p\.X, which is memory the caller passed .*copy the fields you change into local float variables and work on those$`,
				`^p\.go:46:6: norm2Rule cannot be the rule of .*norm2: norm2 takes v by value, a P: a rule's parameters must be floats, slices or pointers; take a slice or a pointer \(a pullback rule adds into its buffer\)$`,
			},
		},
		{
			// Fail closed: constructs whose value depends on a parameter and
			// that gradgen does not model are refused, never taken as
			// constants.
			name: "fail closed",
			src: `package p

import (
	"math"
	"sort"
)

type Point struct{ X, Y float64 }

func (p Point) Norm() float64 { return math.Hypot(p.X, p.Y) }

func (p Point) dot(v float64) float64 { return p.X * v }

func mid(a, b float64) Point { return Point{(a + b) / 2, b} }

func sq[T ~float64 | ~int](x T) T { return x * x }

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

type Shape interface{ Area(s float64) float64 }

var scale = func(x float64) float64 { return 2 * x }

//gradgen:grad
func A(x, y float64) float64 {
	p := 0.5 * Point{X: x, Y: pv}.X * float64(sort.SearchFloat64s(nil, 1))
	return p
}

//gradgen:grad
func B(p Point) float64 {
	q := []Point{p, p}
	q[1] = q[0]
	return q[1].X * mid(p.X, 1).Y
}

//gradgen:grad
func C(x float64) float64 { return sq(x) }

//gradgen:grad wrt=x
func D(x []float64) float64 {
	h := make([]float64, len(x))
	axpy(2, x, h)
	g := x[1:]
	copy(g, x)
	sort.Float64s(h)
	return h[0] + g[0]
}

//gradgen:grad
func E(x float64) float64 {
	c := complex(x, 1)
	return real(c * c)
}

//gradgen:grad
func F(x float64, f func(float64) float64, s Shape) float64 {
	p := Point{1, 2}
	g := p.dot
	return f(x) + s.Area(x) + scale(x) + g(x)
}

//gradgen:grad
func G(x float64, m map[string]float64) float64 {
	m["a"] = x
	h := func(t float64) float64 { u := t * x; return u }
	return m["a"] + h(2)
}

var gain = 2.0

//gradgen:grad
func H(x, a float64) float64 {
	f := func(t float64) float64 { return a * t * gain }
	s := 0.0
	for i := 0; i < 2; i++ {
		a := x * 3
		s += f(x) + a
	}
	{
		gain := x
		s += f(x) * gain
	}
	return s
}

// pv is read beside a call with effects, which might change it.
var pv = 2.0
`,
			want: []string{
				`^p\.go:30:13: cannot differentiate the composite literal Point\{X: x, Y: pv\} here: its elements depend on the parameters, and gradgen declares such a literal first only in an assignment, declaration, return or call statement whose other calls write nothing \(not in a condition, nor right of && or \|\|\); declare one before \(v := Point\{X: x, Y: pv\}\) and use v$`,
				`^p\.go:30:44: cannot differentiate through sort\.SearchFloat64s\(nil, 1\) here: the backward sweep would call it again`,
				`^p\.go:37:9: cannot differentiate the copy of the whole struct \(Point\) q\[0\] here: .*does not read the variable written, .*one by one$`,
				`^p\.go:42:36: cannot differentiate the call sq\(x\) of a generic function: its type parameter is not constrained to float types \(~float32 \| ~float64\); write the helper for the float type it is called with$`,
				`^p\.go:49:2: cannot differentiate copy on an active slice: gradgen writes copy\(dst, src\) as a loop only as a statement of its own .* and only when the two cannot overlap: `,
				`^p\.go:50:2: cannot differentiate the call sort\.Float64s\(h\), made for its effects `,
				`^p\.go:56:7: cannot differentiate complex\(x, 1\): gradgen does not differentiate complex numbers`,
				`^p\.go:64:9: cannot differentiate the call f\(x\) through a function value: `,
				`^p\.go:64:16: cannot differentiate the interface method call s\.Area\(x\): `,
				`^p\.go:64:28: cannot differentiate the call scale\(x\) through a function value: `,
				`^p\.go:64:39: cannot differentiate the call g\(x\) through a function value: `,
				`^p\.go:69:2: cannot differentiate a write into the map element m\["a"\]: `,
				`^p\.go:78:7: cannot differentiate a function literal that reads values depending on the parameters here: .* and it reads a, which at its call at p\.go:82:8 names another a \(declared at p\.go:81:3\); rename one of them$`,
				`^p\.go:82:8: cannot differentiate the call f\(x\) of a function literal: .* and it reads a, which at its call at p\.go:82:8 names another a`,
				`^p\.go:86:8: cannot differentiate the call f\(x\) of a function literal: `,
			},
		},
		{
			name: "effects and copies",
			src: `package p

import (
	"math"
	"math/rand/v2"
	"strconv"
)

func next(k *int) float64 { *k++; return float64(*k) }

//gradgen:grad wrt=x
func Noise(x float64, r *rand.Rand) float64 { return x * r.Float64() * pk }

//gradgen:grad
func Count(x float64) float64 {
	k := 0
	s := 0.0
	for i := 0; i < 3; i++ {
		s += math.Sin(x * next(&k))
	}
	return s
}

//gradgen:grad
func Arr(x float64) float64 {
	var a [3]float64
	a[0], a[1] = x, 2*x
	s := 0.0
	L: for i, v := range a {
		a[(i+1)%3] += v * x; continue L
		s += v
	}
	return s
}

//gradgen:grad
func Text(x float64) float64 {
	s := strconv.FormatFloat(x*x, 'g', -1, 64)
	y, _ := strconv.ParseFloat(s, 64)
	h := []float64{0, 0}
	h[0] = x
	for i, v := range h {
		h[(i+1)%2] += v
	}
	return y + h[0]
}

//gradgen:grad
func View(x float64) float64 {
	h := make([]float64, 2)
	h[0] = x
	s := 0.0
	for _, v := range h {
		r := h[0:1]
		r[0] += v
		s += v
	}
	return s
}

// pk is read beside r.Float64(), which might change it: Go leaves the
// order open, so the call is not computed first.
var pk = 1.5
`,
			want: []string{
				`^p\.go:12:58: cannot differentiate through r\.Float64\(\) here: the backward sweep would call it again.*\(c := r\.Float64\(\)\)`,
				`^p\.go:29:23: cannot differentiate this range over the array a, which the loop writes: Go ranges over a copy`,
				`^p\.go:38:7: cannot differentiate the call strconv\.FormatFloat\(x\*x, 'g', -1, 64\): gradgen cannot see into strconv\.FormatFloat, and its result \(string\) carries no derivative`,
				`^p\.go:42:9: cannot differentiate the range value v of h, which the loop writes: range over the indexes`,
				`^p\.go:53:9: cannot differentiate the range value v of h, which the loop writes: range over the indexes`,
			},
		},
		{
			name: "memory and counters",
			src: `package p

var pos int

func draw() float64 { pos++; return float64(pos) }

//gradgen:grad
func Draw(x float64) float64 { return x * x * draw() }

//gradgen:grad
func Swap(a, b []float64) float64 {
	a, b = b, a
	return a[0] * b[0] * b[0]
}

//gradgen:grad
func Buffers(x []float64) float64 {
	a := make([]float64, 1)
	b := make([]float64, 1)
	a[0] = x[0]
	for s := 0; s < 2; s++ {
		b[0] = a[0] * a[0]
		tmp := a
		a = b
		b = tmp
	}
	return a[0]
}

//gradgen:grad
func Locals(a, b []float64) float64 {
	u, v := a, b
	u, v = v, u
	return u[0] * v[0] * v[0]
}

//gradgen:grad
func Fresh(x []float64) float64 {
	w := x[1:]
	s := w[0] * x[0]
	w = make([]float64, 2)
	w[0] = s * s
	return w[0]
}
`,
			want: []string{
				`^p\.go:8:47: cannot differentiate through draw\(\) here: the backward sweep would call it again`,
				`^p\.go:12:2: cannot differentiate a = b: a is a parameter, whose gradient goes into its own buffer`,
				`^p\.go:12:5: cannot differentiate b = a: b is a parameter`,
				`^p\.go:24:3: cannot differentiate a = b: a already refers to memory made for it, and gradgen follows each slice or pointer variable to one piece of memory`,
				`^p\.go:25:3: cannot differentiate b = tmp: b already refers to memory made for it`,
				`^p\.go:33:2: cannot differentiate u = v: u already refers to the memory of a`,
				`^p\.go:33:5: cannot differentiate v = u: v already refers to the memory of b`,
				`^p\.go:41:2: cannot differentiate w = make\(\[\]float64, 2\): w already refers to the memory of x.*use a new variable for the new memory$`,
			},
		},
		{
			name: "ways out",
			src: `package p

import "math"

type Quad struct{ A float64 }

func (q Quad) Eval(x float64) float64 { return q.A * x * x }

type S struct{ V float64 }

func scaled(v []float64, a float64) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		if v[i] == 0 {
			return out
		}
		out[i] = v[i] * a
	}
	return out
}

//gradgen:grad
func Method(q Quad, x float64) float64 { return Quad.Eval(q, x) }

//gradgen:grad
func New(x float64) float64 {
	s := new(S)
	s.V = x
	return s.V * s.V
}

//gradgen:grad
func Grid(x []float64, n int) float64 {
	g := make([][]float64, n)
	for i := range g {
		g[i%1] = make([]float64, n)
		g[i][0] = x[i]
	}
	return g[0][0]
}

//gradgen:grad
func Lgamma(x float64) float64 {
	l, _ := math.Lgamma(x + 3)
	return l
}

//gradgen:grad
func Scaled(x, y float64) float64 {
	v := make([]float64, 2)
	v[0], v[1] = x, y
	w := scaled(v, x)
	return w[0] + w[1]
}

//gradgen:grad wrt=x
func Switch(v any, x float64) float64 {
	switch t := v.(type) {
	case int:
		return x * float64(t)
	}
	return x
}
`,
			want: []string{
				`^p\.go:23:49: cannot differentiate the method expression Quad\.Eval\(q, x\): .*write q\.Eval\(\.\.\.\)$`,
				`^p\.go:27:7: gradgen cannot follow the adjoint of new\(S\): an active pointer must be`,
				`^p\.go:36:3: cannot assign a whole \[\]float64 inside an active value: gradgen follows a local \[\]\[\]float64 built row by row only as m\[i\] = make\(\.\.\.\) in the one loop over its rows .*; otherwise keep the values in one flat slice`,
				`^p\.go:44:10: cannot differentiate math\.Lgamma\(x \+ 3\): math\.Lgamma has no elementary derivative`,
				`^p\.go:52:7: cannot differentiate the call scaled\(v, x\): scaled returns a slice \(\[\]float64\): gradgen expands such a helper where it is called, but not this one: it returns from inside a loop, a switch or a select; write its loop in the annotated function$`,
				`^p\.go:58:2: cannot differentiate a type switch: `,
			},
		},
		{
			name: "evaluated again going back",
			src: `package p

var k int

func next() int { k++; return k }

func step(x float64) float64 { return x * float64(next()) }

var gain = 1.0

func advance() float64 { gain *= 2; return 0 }

func features(work []float64, t float64) { work[0] = t }

//gradgen:grad
func Index(x []float64) float64 { return x[next()] * 2 }

//gradgen:grad
func Tie(x float64) float64 { return max(x, float64(next())) }

//gradgen:grad
func Store(x float64) float64 {
	h := make([]float64, 4)
	h[next()] += x
	return h[1]
}

//gradgen:grad
func Helper(x float64) float64 { return step(x) }

//gradgen:grad
func Window(x []float64, k int) float64 {
	s := 1.0
	for _, v := range x[k : k+2] {
		s = s*v + 1
		k++
	}
	return s
}

//gradgen:grad
func Key(x []float64) float64 {
	s := 1.0
	for i := range 2 {
		i += 2
		s = s*x[i] + 1
	}
	return s
}

//gradgen:grad
func Gain(x float64) float64 {
	y := x * gain
	z := advance()
	return y + z
}

//gradgen:grad wrt=a
func Work(a float64, work []float64) float64 {
	s := 0.0
	for k := range 3 {
		features(work, float64(k+1))
		s = s*a + work[0]*a
	}
	return s
}
`,
			want: []string{
				`^p\.go:16:44: cannot differentiate through next\(\) here: the backward sweep would evaluate it again`,
				`^p\.go:19:53: cannot differentiate through next\(\) here: the backward sweep would call it again`,
				`^p\.go:24:4: cannot differentiate through next\(\) here: the backward sweep would evaluate it again`,
				`^p\.go:29:41: cannot differentiate the call step\(x\): step has effects`,
				`^p\.go:36:3: cannot differentiate this write to k: the range over x\[k : k\+2\] was evaluated once`,
				`^p\.go:45:3: cannot differentiate this write to i, the key of a range`,
				`^p\.go:54:7: cannot differentiate around the call advance\(\): it changes the package-level variable gain`,
			},
		},
		{
			// Found by a new user's trial of forward mode: f(g(x)) with g's
			// results as f's arguments was taken as a constant; the rest
			// had misleading words.
			name: "results passed on",
			src: `package p

import "math"

func mix(a, b float64) float64 { return a*b + a }

//gradgen:grad
func Spread(x float64) float64 { return mix(math.Sincos(x)) }

func polar(x, y float64) (float64, float64) { return math.Hypot(x, y), math.Atan2(y, x) }

func scaled(x, y, k float64) (float64, float64) { return polar(x*k, y*k) }

//gradgen:grad
func Scaled(x, y float64) float64 {
	r, th := scaled(x, y, 2)
	return r * th
}

//gradgen:grad
func Shift(w []float64, k float64) float64 {
	s := 0.0
	for len(w) > 0 {
		s += w[0] * k
		w, k = w[1:], k*0.5
	}
	return s
}

//gradgen:grad
func Last(w []float64) float64 {
	s := 0.0
	var v float64
	for _, v = range w {
		s += v * v
	}
	return s + v
}
`,
			want: []string{
				`^p\.go:8:41: cannot differentiate mix\(math\.Sincos\(x\)\), which passes the results of math\.Sincos\(x\) as its arguments: assign them to variables first`,
				`^p\.go:12:51: cannot differentiate return polar\(x\*k, y\*k\), which returns the 2 results of a call at once: assign them to variables and return those$`,
				`^p\.go:16:11: the call scaled\(x, y, 2\) cannot be differentiated: see the errors in scaled$`,
				`^p\.go:25:3: cannot differentiate w = w\[1:\] in a parallel assignment: .*assign w in a statement of its own$`,
				`^p\.go:34:9: cannot differentiate v, a variable the range over the active w assigns and the function uses elsewhere: range with a variable of the loop's own`,
			},
		},
		{
			// Conversions of whole arrays and structs lost the gradient
			// (b := Arr(a)) or crashed gradgen (Arr(a)[0]).
			name: "conversions of aggregates",
			src: `package p

type Arr [2]float64

type P2 struct{ X, Y float64 }

type Q2 P2

//gradgen:grad
func T(a [2]float64) float64 {
	b := Arr(a)
	return b[0]
}

//gradgen:jvp
func D(a [2]float64) float64 { return Arr(a)[0] }

//gradgen:grad
func Place(x float64) float64 {
	var h [2]float64
	i := 0
	i, h[i] = 1, x
	return h[0] + 2*h[1]
}

//gradgen:grad
func S(p P2) float64 { return Q2(p).X * p.Y }
`,
			want: []string{
				`^p\.go:11:7: cannot differentiate the conversion Arr\(a\) of an array \(\[2\]float64\), which depends on the parameters: .*assign its float elements or fields one by one$`,
				`^p\.go:16:39: cannot differentiate the conversion Arr\(a\) of an array`,
				`^p\.go:22:5: cannot differentiate the parallel assignment to h\[i\], whose place depends on a variable the same statement assigns`,
				`^p\.go:27:31: cannot differentiate the conversion Q2\(p\) of a struct \(P2\)`,
			},
		},
		{
			// A variadic function is differentiated (its slice is the
			// parameter); a call passing it separate active values is
			// refused with a way out that works (case VarScaled).
			name: "variadic calls",
			src: `package p

func norm(xs ...float64) float64 { return xs[0] * xs[1] }

//gradgen:grad
func Pair(a, b float64) float64 { return norm(a, b) }

//gradgen:jvp
func Three(k, a float64) float64 { return norm(k, a, 2) }

func scale(k float64, xs ...float64) float64 { return k * float64(len(xs)+1) }

//gradgen:grad
func None(k float64) float64 { return scale(k) }
`,
			want: []string{
				`^p\.go:6:42: cannot differentiate the call norm\(a, b\), which passes separate values to a variadic parameter: pass them as a slice, xs := \[\]float64\{a, b\}; then norm\(xs\.\.\.\)$`,
				`^p\.go:9:43: cannot differentiate the call norm\(k, a, 2\), which passes separate values to a variadic parameter: pass them as a slice, xs := \[\]float64\{k, a, 2\}; then norm\(xs\.\.\.\)$`,
				`^p\.go:14:39: cannot differentiate the call scale\(k\), which passes no values to its variadic parameter: pass an empty slice, xs := \[\]float64\{\}; then scale\(k, xs\.\.\.\)$`,
			},
		},
		{
			// Forward mode takes what reverse mode takes, except a
			// pullback rule (it has no partials to multiply by tangents)
			// and a post statement it cannot write in one statement when
			// a continue skips to it.
			name: "forward mode",
			src: `package p

import "math"

func scale(w []float64, k float64) float64 { return w[0] * k }

//gradgen:rule scale
func scaleRule(w []float64, k float64, seed float64, dw []float64) (float64, float64) {
	if dw != nil {
		dw[0] += k * seed
	}
	return w[0] * k, w[0] * seed
}

//gradgen:jvp
func Rule(w []float64, k float64) float64 { return scale(w, k) + k }

func inner(w []float64, k float64) float64 { return scale(w, k*k) }

//gradgen:jvp
func ViaHelper(w []float64, k float64) float64 { return inner(w, k) }

//gradgen:jvp
func Post(x float64) float64 {
	s := 0.0
	for t := x; t < 4; t = math.Max(t*2, t+1) {
		if s > 100 {
			continue
		}
		s += t
	}
	return s
}

//gradgen:jvp wrt=z
func Wrt(x float64) float64 { return x }

//gradgen:jvp
//gradgen:jvp
func Twice(x float64) float64 { return x }

//gradgen:jvp bogus=1
func Bogus(x float64) float64 { return x }

func Stray(x float64) float64 {
	//gradgen:jvp
	return x
}

//gradgen:hvp
func Curv(w []float64, k float64) float64 { return scale(w, k) * k }
`,
			want: []string{
				`^p\.go:46:2: warning: //gradgen:jvp is ignored here: it must be in the doc comment of a function`,
				`^p\.go:16:52: forward mode \(//gradgen:jvp\) cannot use the //gradgen:rule scaleRule of scale: it is a pullback .*serves reverse mode only`,
				`^p\.go:18:53: forward mode \(//gradgen:jvp\) cannot use the //gradgen:rule scaleRule of scale`,
				`^p\.go:21:57: the call inner\(w, k\) cannot be differentiated: see the errors in inner$`,
				`^p\.go:26:21: forward mode \(//gradgen:jvp\) cannot write the tangent of this loop's post statement \(t = math\.Max\(t\*2, t\+1\)\) in one statement, and continue statements skip to it: declare a variable before the loop`,
				`^p\.go:35:15: wrt=z: Wrt has no parameter named z \(parameters: x\)$`,
				`^p\.go:39:1: duplicate //gradgen:jvp directive on Twice`,
				`^p\.go:42:15: unknown option "bogus" in //gradgen:jvp: options are wrt=a,b, name=Other and out=y$`,
				`^p\.go:51:52: second derivatives \(//gradgen:hvp and //gradgen:hessian run forward mode over the gradient\) cannot use the //gradgen:rule scaleRule of scale: it is a pullback`,
			},
		},
		{
			// A view of a local array: its adjoint array is declared for
			// the backward sweep only, and the view came before it (code
			// that did not compile; a new user's trial).
			name: "local array views",
			src: `package p

//gradgen:grad
func G(x float64) float64 {
	var a [3]float64
	a[0] = x
	v := a[1:]
	v[0] = x * x
	return a[0] * a[1]
}
`,
			want: []string{
				`^p\.go:7:7: gradgen cannot follow the adjoint of a\[1:\]: it is a view of a local array, `,
			},
		},
		{
			// A call with effects is computed first only when no call
			// comes before it: scale reads k, which next changes, and Go
			// calls scale first.
			name: "effects after a call",
			src: `package p

var k = 1.0

func next() float64 { k++; return k }

func scale(x float64) float64 { return x * k }

//gradgen:grad
func A(x float64) float64 {
	return scale(x) + x*next()
}
`,
			want: []string{
				`^p\.go:11:22: cannot differentiate through next\(\) here: the backward sweep would call it again`,
			},
		},
		{
			// Another module's function: the way out is a rule in this
			// package, not an annotation there (a new user's trial was
			// told to mark strconv.ParseFloat //gradgen:grad).
			name: "another module",
			src: `package p

import "strconv"

//gradgen:grad
func A(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 64), 64)
	return v * x
}
`,
			want: []string{
				`^p\.go:7:10: cannot differentiate the call strconv\.ParseFloat\(.*\): gradgen cannot see into strconv\.ParseFloat, of another module, and a rule needs a single float result; wrap the call in a function of this package with one float result and mark its derivative //gradgen:rule, `,
				`^p\.go:7:29: cannot differentiate the call strconv\.FormatFloat\(`,
			},
		},
		{
			// An early return is rewritten only when the statements after
			// its if can move into the if's other branch: not when one of
			// them names a variable the if declares (it would mean that).
			name: "early return beside a shadowing declaration",
			src: `package p

type V struct{ X, Y float64 }

func clip(p V) float64 {
	y := p.Y
	if p.X > 0 {
		y := 2 * p.X
		if y > 1 {
			return y
		}
	}
	return y * p.X
}

//gradgen:grad
func A(x float64) float64 {
	return clip(V{X: x, Y: 2})
}
`,
			want: []string{
				`^p\.go:18:14: cannot differentiate passing V\{X: x, Y: 2\} by value to clip: gradgen expands such a helper where it is called, but not this one: a statement after an if or a block that returns names a variable declared inside it; `,
			},
		},
		{
			// A helper's new slice into a variable that has memory already:
			// refused at the call, in the user's names (the message named
			// the expansion's locals).
			name: "new slice into a variable with memory",
			src: `package p

func cumsum(v []float64) []float64 {
	out := make([]float64, len(v))
	s := 0.0
	for i := range v {
		s += v[i]
		out[i] = s
	}
	return out
}

//gradgen:grad
func A(x []float64) float64 {
	v := make([]float64, len(x))
	v[0] = x[0] * x[1]
	v = cumsum(v)
	return v[0]
}
`,
			want: []string{
				`^p\.go:17:6: cannot differentiate the call cumsum\(v\): cumsum returns a slice \(\[\]float64\): gradgen expands such a helper where it is called, but not this one: its result is a new slice or pointer, and v already refers to other memory, .*assign the result to a new variable \(v2 := cumsum\(v\)\)`,
			},
		},
		{
			// Channels: named, with a way out (a new user's trial: "cannot
			// handle the expression chan float64 here", nothing more).
			name: "channels",
			src: `package p

//gradgen:grad
func C(x float64) float64 {
	ch := make(chan float64, 1)
	ch <- x
	y := <-ch
	return y * x
}
`,
			want: []string{
				`^p\.go:5:13: cannot differentiate code that uses the channel type chan float64: gradgen does not follow values through channels; receive the values before calling the annotated function and pass them as parameters$`,
				`^p\.go:6:2: cannot differentiate channel operations: `,
			},
		},
		{
			// Unnamed struct types are written as source in the generated
			// file; one naming another package's type cannot be (an
			// internal error at the package's first file before).
			name: "unnamed struct of another package's types",
			src: `package p

import "time"

//gradgen:grad
func G(x float64) float64 {
	var s struct {
		A float64
		D time.Duration
	}
	s.A = x * x
	s.D = 3
	return s.A * float64(s.D)
}
`,
			want: []string{
				`^p\.go:7:6: gradgen cannot write the type struct\{A float64; D time\.Duration\} of s in the generated file: give the struct type a name in this package$`,
			},
		},
		{
			// Generic types: refused with what to write instead (the
			// message said "give the type a name", which it has).
			name: "generic types",
			src: `package p

type P[T ~float64] struct{ X, Y T }

func (p P[T]) Norm() T { return p.X*p.X + p.Y*p.Y }

//gradgen:grad
func F(p P[float64]) float64 { return p.X * p.Y }

//gradgen:grad
func G(x, y float64) float64 {
	p := P[float64]{X: x, Y: y}
	return p.Norm()
}
`,
			want: []string{
				`^p\.go:8:8: gradgen cannot write the type P\[float64\] of parameter p in the generated file: gradgen does not differentiate values of generic types yet; `,
				`^p\.go:13:9: cannot differentiate the call p\.Norm\(\): it is a method of the generic type P\[float64\], `,
			},
		},
		{
			// Writing helpers gradgen does not expand say why, once: the
			// &a they are passed is no second error.
			name: "writing helpers not expanded",
			src: `package p

type Acc struct{ S, Q float64 }

func early(p *Acc, v float64) {
	for v < 0 {
		return
	}
	p.S += v
}

func twoResults(p *Acc, v float64) (float64, float64) {
	p.S += v
	return p.S, v
}

func feat(t float64, buf []float64) float64 {
	buf[0] = t * t
	return buf[0]
}

//gradgen:grad
func F(x float64) float64 {
	var a Acc
	early(&a, x)
	u, v := twoResults(&a, x)
	buf := make([]float64, 1)
	y := buf[0] * feat(x, buf)
	return a.S + y + u + v
}

//gradgen:grad
func Cond(x float64) float64 {
	buf := make([]float64, 2)
	if feat(x, buf) > 0.1 {
		return buf[0]
	}
	view := buf[1:]
	return view[0] + feat(x, buf)
}
`,
			want: []string{
				`^p\.go:25:2: cannot differentiate the call early\(&a, x\), made for its effects .*but not this one: it returns from inside a loop, a switch or a select; `,
				`^p\.go:26:10: cannot differentiate the call twoResults\(&a, x\): .*`,
				`^p\.go:26:21: cannot differentiate through &a: `,
				`^p\.go:28:16: cannot differentiate the call feat\(x, buf\): feat writes into memory it is passed, and gradgen expands such a helper where it is called, but not this one: the statement it is in reads buf, which the call may write \(Go may read it before or after the call\); call it as a statement of its own first \(r := feat\(x, buf\)\) and use r; `,
				`^p\.go:35:5: cannot differentiate the call feat\(x, buf\) in a condition: feat writes into memory it is passed`,
				`^p\.go:39:19: cannot differentiate the call feat\(x, buf\): feat writes into memory it is passed`,
			},
		},
		{
			name: "vector-valued functions",
			src: `package p

//gradgen:grad out=y
func Grad(y, x []float64) { y[0] = x[0] }

//gradgen:jacobian out=z
func NoSuch(y, x []float64) { y[0] = x[0] }

//gradgen:jacobian out=y
func Both(y, x []float64) float64 { y[0] = x[0]; return x[0] }

//gradgen:vjp out=y wrt=x,y
func InWrt(y, x []float64) { y[0] = x[0] }

//gradgen:jvp out=k
func NotSlice(k int, x []float64) {}

//gradgen:jacobian
func Nothing(y, x []float64) { y[0] = x[0] }

//gradgen:grad
func Two(x float64) (float64, float64) { return x, x }

type Body struct {
	X float64
	W []float64
}

//gradgen:jacobian out=b
func SliceField(b *Body, x []float64) { b.X = x[0] }

//gradgen:jvp out=y
//gradgen:vjp out=y
func Printed(y, x []float64) {
	y[0] = x[0]
	println(y[0])
	y[0] = max(y[0], 1)
	sink(y)
}

func sink(y []float64) {
	for len(y) < 2 {
		return
	}
	y[1] = 0
}

`,
			want: []string{
				`^p\.go:3:16: out=y: out= names the output of a vector-valued function, for //gradgen:jvp, vjp and jacobian; //gradgen:grad differentiates a function.s single float result$`,
				`^p\.go:6:20: out=z: NoSuch has no parameter named z \(parameters: y, x\)$`,
				`^p\.go:10:27: Both has the output parameter y \(out=y\) and returns \(float64\) too`,
				`^p\.go:12:21: wrt=x,y: y is the output \(out=y\), not an input`,
				`^p\.go:15:15: out=k: the output parameter must be a float slice`,
				`^p\.go:19:1: Nothing returns nothing: name the output parameter it fills with out= \(//gradgen:jacobian out=y\)$`,
				`^p\.go:22:21: Two must return a single float .* it returns \(float64, float64\): for a vector-valued function use //gradgen:vjp or //gradgen:jacobian`,
				`^p\.go:29:20: out=b: the output parameter must be a float slice, or a pointer to a float array or to a struct of floats .*; b has type \*Body \(a struct must hold floats of one type, arrays of them and such structs, no slices or pointers\)$`,
				`^p\.go:36:2: //gradgen:vjp runs Printed's body twice .* println\(y\[0\]\)`,
				`^p\.go:38:2: cannot differentiate the call sink\(y\), made for its effects`,
			},
		},
		{
			name: "adversarial trial",
			src: `package p

type S struct {
	X []float64
	Y float64
}

//gradgen:grad
func Addressed(x []float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(x); i++ {
		p := &i
		*p += 1
		s += x[i]
		*p -= 1
	}
	return s
}

//gradgen:grad
func VarIndex(b []S) float64 {
	var k int
	c := b[k]
	k = 1
	return c.Y * c.Y * float64(k)
}

//gradgen:grad
func SliceIndex(b []S) float64 {
	idx := []int{0}
	c := b[idx[0]]
	return c.Y * c.Y
}

`,
			want: []string{
				`^p\.go:12:8: cannot differentiate through &i: i indexes memory or counts a loop`,
				`^p\.go:23:7: gradgen cannot follow the adjoint of the copy b\[k\]`,
				`^p\.go:31:7: gradgen cannot follow the adjoint of the copy b\[idx\[0\]\]`,
			},
		},
		{
			name: "pointers kept to locals also used by name",
			src: `package p

type sched struct{ rate float64 }

func (s *sched) step() { s.rate *= 0.5 }

//gradgen:grad
func Scale(x []float64) float64 {
	out, scale := 0.0, 1.0
	p := &scale
	for i := range x {
		*p *= 0.5
		out += x[i] * x[i] * scale
	}
	return out
}

//gradgen:grad
func Method(x []float64) float64 {
	s := sched{rate: 1}
	p := &s
	out := 0.0
	for i := range x {
		p.step()
		out += x[i] * s.rate
	}
	return out
}

//gradgen:grad
func OnlyPointer(x []float64) float64 {
	out, scale := 0.0, 1.0
	p := &scale
	for i := range x {
		*p *= 0.5
		out += x[i] * x[i] * *p
	}
	return out
}
`,
			want: []string{
				`^p\.go:10:7: cannot differentiate through &scale kept in a variable while scale is also used by name`,
				`^p\.go:21:7: cannot differentiate through &s kept in a variable while s is also used by name`,
			},
		},
		{
			name: "values of types without derivatives",
			src: `package p

//gradgen:grad
func Map(x float64) float64 {
	m := map[string]float64{"a": x}
	return m["a"]
}

//gradgen:grad
func Iface(x float64) float64 {
	var e any = x
	return e.(float64)
}

//gradgen:grad
func IntScratch(x []float64) float64 {
	perm := make([]int, len(x))
	for i := range perm {
		perm[i] = len(x) - 1 - i
	}
	return x[perm[0]] * x[0]
}
`,
			want: []string{
				`^p\.go:5:7: cannot differentiate the map literal map\[string\]float64\{"a": x\}: gradgen gives maps no derivative; use a slice indexed by an integer, or a struct with a field per key$`,
				`^p\.go:11:6: cannot differentiate storing x in e, an interface: gradgen gives no derivative to values of that type; keep the value in a float variable$`,
			},
		},
		{
			name: "directives that run the body again name what no mode follows",
			src: `package p

type Shape interface{ Area(s float64) float64 }

//gradgen:jacobian out=y wrt=x
func Iface(y, x []float64, s Shape) {
	y[0] = s.Area(x[0])
}

//gradgen:hessian wrt=x
func Value(x []float64, f func(float64) float64) float64 {
	return f(x[0]) * x[1]
}

//gradgen:vjp out=y
func Deferred(y, x []float64) {
	defer func() { y[0] *= 2 }()
	y[0] = x[0] * x[1]
}

type Counter interface{ Next() int }

//gradgen:jacobian out=y wrt=x
func Passive(y, x []float64, c Counter) {
	y[0] = x[0] * float64(c.Next())
}
`,
			want: []string{
				`^p\.go:7:9: cannot differentiate the interface method call s\.Area\(x\[0\]\): gradgen cannot know which method runs`,
				`^p\.go:12:9: cannot differentiate the call f\(x\[0\]\) through a function value`,
				`^p\.go:17:2: cannot differentiate a defer statement`,
				`^p\.go:25:24: //gradgen:jacobian runs Passive's body once per input or output component, and the call c\.Next\(\), which has effects`,
			},
		},
		{
			name: "out= with two names",
			src: `package p

//gradgen:jacobian out=y,z
func Two(y, z, x []float64) { y[0], z[0] = x[0], x[1] }
`,
			want: []string{
				`^p\.go:3:20: out=y,z: out= names one output parameter, and this names 2; write the outputs into one slice \(y\[0:m\] and y\[m:\]\) or a struct, or give each its own function$`,
			},
		},
		{
			name: "early return whose moved statements would read another variable",
			src: `package p

func shadowing(h []float64, y float64) {
	if len(h) > 1 {
		y := 2.0
		if h[0] > 5 {
			return
		}
		h[0] *= y
	}
	h[1] *= y
}

//gradgen:grad
func F(x []float64) float64 {
	h := []float64{x[0], x[1]}
	shadowing(h, x[2])
	return h[0] + h[1]
}
`,
			want: []string{
				`^p\.go:17:2: cannot differentiate the call shadowing\(h, x\[2\]\), made for its effects .*a statement after an if or a block that returns names a variable declared inside it`,
			},
		},
		{
			name: "one error each",
			src: `package p

//gradgen:grad name=Same
//gradgen:jvp name=Same
func Dup(x float64) float64 { return x * x }

//gradgen:hessian
func Gen[T ~float64](x T) T { return x * x }

//gradgen:grad
func Mixed[T ~float64 | int](x T) T { return x * x }
`,
			want: []string{
				`^p\.go:5:1: Same would be generated twice \(by two directives of Dup\): give one of them another name with name=$`,
				`^p\.go:8:6: Gen is generic: gradgen writes //gradgen:grad and //gradgen:jvp of generic functions with one result, not yet //gradgen:hessian of this one; write a non-generic function for the float type you need and annotate it$`,
				`^p\.go:11:6: Mixed's type parameter T is constrained by ~float64 \| int: gradgen differentiates generic functions whose type parameters are floats \(~float32 \| ~float64\); for other type parameters, write the function for its float type$`,
			},
		},
		{
			name: "effects run again",
			src: `package p

import "math/rand"

//gradgen:vjp out=y
//gradgen:jacobian out=y
func Noisy(y, x []float64, r *rand.Rand) {
	for i := range x {
		e := r.Float64()
		y[i] = x[i] * x[i] * (1 + e)
	}
}

//gradgen:hessian
//gradgen:hvp
func Count(x []float64, evals *int) float64 {
	*evals++
	return x[0] * x[1]
}

var calls int

//gradgen:hessian
func Pkg(x float64) float64 {
	calls++
	return x * x
}
`,
			want: []string{
				`^p\.go:9:8: //gradgen:vjp runs Noisy's body twice \(to fill y, then for its vector-Jacobian product\), and the call r\.Float64\(\), which has effects or writes memory it is passed, would happen each time: keep effects out of the function \(pass the values in\), or use //gradgen:jvp, which runs it once$`,
				`^p\.go:17:2: //gradgen:hessian runs Count's body once per input component, and the write into \*evals would happen each time: .* or use //gradgen:hvp, which runs it once$`,
				`^p\.go:25:2: //gradgen:hessian runs Pkg's body once per input component, and the write into calls would happen each time`,
			},
		},
		{
			name: "second derivatives",
			src: `package p

type Sample struct {
	X []float64
	Y float64
}

//gradgen:grad
func Copy(b []Sample, k int) float64 {
	c := b[k]
	k++
	return c.Y * c.X[0] * float64(k)
}

type Link struct {
	V    float64
	Next *Link
}

//gradgen:hessian
func Linked(l *Link) float64 { return l.V * l.V }

//gradgen:hvp
//gradgen:hessian
//gradgen:hessian
func Twice(x float64) float64 { return x * x }

//gradgen:hvp bogus=1
func Bogus(x float64) float64 { return x }

//gradgen:hvp
func Wrong(x float64) int { return int(x) }
`,
			want: []string{
				`^p\.go:10:7: gradgen cannot follow the adjoint of the copy b\[k\]: Sample holds floats by value beside slices or pointers, and the copy's floats would lose their derivatives; read the fields you need into variables \(y := b\[k\]\.Y\)`,
				`^p\.go:20:1: LinkedHessian cannot number the components of Link, which contains itself: the Hessian of a linked structure has no fixed size; differentiate it with //gradgen:hvp$`,
				`^p\.go:25:1: duplicate //gradgen:hessian directive on Twice`,
				`^p\.go:28:15: unknown option "bogus" in //gradgen:hvp`,
				`^p\.go:32:23: Wrong must return a single float`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/p\n\ngo 1.26\n")
			writeFile(t, filepath.Join(dir, "p.go"), tc.src)
			code, _, stderr := gradgen(t, dir)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(lines), len(tc.want), stderr)
			}
			for i, re := range tc.want {
				if !regexp.MustCompile(re).MatchString(lines[i]) {
					t.Errorf("error %d:\n got %s\nwant %s", i, lines[i], re)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "p_grad.go")); err == nil {
				t.Errorf("p_grad.go was written for a package with errors")
			}
		})
	}
}

// newPackage writes a module with one file p.go holding src.
func newPackage(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/p\n\ngo 1.26\n")
	writeFile(t, filepath.Join(dir, "p.go"), src)
	return dir
}

const square = `package p

//gradgen:grad
func Square(x float64) float64 { return x * x }
`

// TestCheck covers -check on missing, fresh, stale and orphaned files.
func TestCheck(t *testing.T) {
	dir := newPackage(t, square)
	out := filepath.Join(dir, "p_grad.go")

	code, _, stderr := gradgen(t, dir, "-check")
	if code != 1 || !strings.Contains(stderr, "p_grad.go: missing") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("-check wrote a file")
	}
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if code, _, stderr := gradgen(t, dir, "-check"); code != 0 {
		t.Errorf("fresh file: exit %d, %q", code, stderr)
	}

	writeFile(t, filepath.Join(dir, "p.go"), strings.Replace(square, "x * x", "x * x * x", 1))
	code, _, stderr = gradgen(t, dir, "-check")
	if code != 1 || !strings.Contains(stderr, "p_grad.go: stale") || !strings.Contains(stderr, "+") {
		t.Errorf("stale file: exit %d, %q", code, stderr)
	}

	writeFile(t, filepath.Join(dir, "p.go"), "package p\n\nfunc Square(x float64) float64 { return x * x }\n")
	code, _, stderr = gradgen(t, dir, "-check")
	if code != 1 || !strings.Contains(stderr, "p_grad.go: orphaned") {
		t.Errorf("orphaned file: exit %d, %q", code, stderr)
	}
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the orphaned generated file was not removed")
	}
}

// TestNoClobber: a file named like the output but without gradgen's
// header is never overwritten.
func TestNoClobber(t *testing.T) {
	dir := newPackage(t, square)
	mine := "package p\n\n// Mine is hand-written.\nfunc Mine() {}\n"
	writeFile(t, filepath.Join(dir, "p_grad.go"), mine)
	code, _, stderr := gradgen(t, dir)
	if code != 1 || !strings.Contains(stderr, "p_grad.go:1:1: p_grad.go exists and was not written by gradgen") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "p_grad.go"))
	if string(data) != mine {
		t.Errorf("p_grad.go was changed:\n%s", data)
	}
}

// TestDeterministicAndConstraint: the same input gives the same bytes,
// and a source's build constraint is carried over.
func TestDeterministicAndConstraint(t *testing.T) {
	dir := newPackage(t, "//go:build !nope\n\n"+square)
	var outputs []string
	for range 2 {
		if code, _, stderr := gradgen(t, dir); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, "p_grad.go"))
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
	}
	if outputs[0] != outputs[1] {
		t.Error("two runs wrote different bytes")
	}
	want := "// Code generated by gradgen. DO NOT EDIT.\n\n//go:build !nope\n\npackage p\n"
	if !strings.HasPrefix(outputs[0], want) {
		t.Errorf("generated file starts\n%s\nwant\n%s", outputs[0][:min(len(outputs[0]), 120)], want)
	}
}

// TestCallersOfMissingGradient: gradgen works on a package whose other
// files already call the function it is about to generate.
func TestCallersOfMissingGradient(t *testing.T) {
	dir := newPackage(t, square)
	writeFile(t, filepath.Join(dir, "use.go"), "package p\n\nfunc Use() float64 { v, _ := SquareGrad(3); return v }\n")
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet after generating: %v\n%s", err, out)
	}
}

// TestMain turns the test binary into gradgen when GRADGEN_AS_TOOL is set,
// so that tests can run the real command, as go vet does.
func TestMain(m *testing.M) {
	if os.Getenv("GRADGEN_AS_TOOL") != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestVet runs the analyzer through "gradgen vet" and "go vet -vettool":
// both report a missing generated file at the annotated function, and
// nothing once it is generated.
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	dir := newPackage(t, square)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tool := func(args ...string) (int, string) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GRADGEN_AS_TOOL=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	for _, args := range [][]string{{self, "vet", "./..."}, {"go", "vet", "-vettool=" + self, "./..."}} {
		code, out := tool(args...)
		if code == 0 || !strings.Contains(out, "p.go:4:1: Square: p_grad.go is missing: run go generate") {
			t.Errorf("%v before generating: exit %d\n%s", args[1:], code, out)
		}
	}
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	for _, args := range [][]string{{self, "vet", "./..."}, {"go", "vet", "-vettool=" + self, "./..."}} {
		if code, out := tool(args...); code != 0 {
			t.Errorf("%v after generating: exit %d\n%s", args[1:], code, out)
		}
	}
}
