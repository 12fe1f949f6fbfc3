package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crossModule is a module of three packages that call each other: mathx
// offers a rule beside its target (by value and, for a slice, a
// pullback) and an exported gradient (Softplus, by x only); geom's Dist
// calls mathx.Sigmoid and is itself annotated, so that its gradient serves
// model; model imports mathx under another name. Its tests compare every
// gradient with central differences and the JVP with the gradient.
var crossModule = map[string]string{
	"go.mod": "module example.com/m\n\ngo 1.26\n",
	"mathx/mathx.go": `package mathx

import "math"

// Sigmoid is the logistic function.
func Sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

//gradgen:rule Sigmoid
func SigmoidRule(x float64) (float64, float64) {
	s := Sigmoid(x)
	return s, s * (1 - s)
}

// Norm2 is the squared length of w.
func Norm2(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	return s
}

//gradgen:rule Norm2
func Norm2Rule(w []float64, seed float64, dw []float64) float64 {
	for i, v := range w {
		dw[i] += 2 * v * seed
	}
	return Norm2(w)
}

// Softplus is a smooth ReLU of sharpness k.
//
//gradgen:grad wrt=x
func Softplus(x, k float64) float64 {
	return math.Log1p(math.Exp(k*x)) / k
}
`,
	"geom/geom.go": `package geom

import (
	"math"

	"example.com/m/mathx"
)

// Dist is a softened distance.
//
//gradgen:grad
func Dist(x, y float64) float64 {
	return math.Sqrt(x*x + y*y + mathx.Sigmoid(x*y))
}
`,
	"model/model.go": `package model

import (
	"example.com/m/geom"
	mx "example.com/m/mathx"
)

//gradgen:grad wrt=w
func Loss(w []float64, k float64) float64 {
	s := mx.Norm2(w) * 0.1
	for i := 1; i < len(w); i++ {
		s += geom.Dist(w[i-1], w[i]) + mx.Softplus(w[i], k)
	}
	return s
}

//gradgen:grad
//gradgen:jvp
func Edge(a, b float64) float64 {
	return geom.Dist(a, b)*mx.Sigmoid(a) + mx.Softplus(b, 2)
}

//gradgen:jacobian out=y
func Pair(x, y []float64) {
	y[0] = mx.Sigmoid(x[0] * x[1])
	y[1] = geom.Dist(x[0], x[1]) * x[0]
}
`,
	// clash names package-level variables after the packages the
	// generated files import, and a parameter after math: the imports
	// must take other names for the package to compile.
	"clash/clash.go": `package clash

import (
	m "math"

	mx "example.com/m/mathx"
)

var (
	math  = 0.5
	mathx = 2.0
	fmt   = 3.0
)

//gradgen:grad
//gradgen:jvp
func Scaled(x, y float64) float64 {
	return mx.Sigmoid(x*y)*mathx + m.Sin(x)*math + fmt
}

//gradgen:grad
func Shadow(math, x float64) float64 {
	return m.Sqrt(x) * math
}

//gradgen:jacobian out=y
func Field(y, x []float64) {
	y[0] = m.Exp(x[0]) * mathx
	y[1] = m.Cos(x[1]) * math
}

//gradgen:hessian
func Bowl(x []float64) float64 {
	return m.Exp(x[0])*mathx + m.Cos(x[1])*math*x[0]
}
`,
	"clash/clash_test.go": `package clash

import (
	gomath "math"
	"testing"
)

func TestClash(t *testing.T) {
	_, dx, dy := ScaledGrad(0.3, 0.7)
	h := 1e-6
	fx := (Scaled(0.3+h, 0.7) - Scaled(0.3-h, 0.7)) / (2 * h)
	fy := (Scaled(0.3, 0.7+h) - Scaled(0.3, 0.7-h)) / (2 * h)
	if gomath.Abs(dx-fx) > 1e-6 || gomath.Abs(dy-fy) > 1e-6 {
		t.Errorf("ScaledGrad = %v, %v; differences give %v, %v", dx, dy, fx, fy)
	}
	if _, dm, dxx := ShadowGrad(2, 0.49); gomath.Abs(dm-0.7) > 1e-12 || gomath.Abs(dxx-2/1.4) > 1e-12 {
		t.Errorf("ShadowGrad = %v, %v; want 0.7, %v", dm, dxx, 2/1.4)
	}
	jac := make([]float64, 4)
	FieldJacobian(make([]float64, 2), []float64{0.1, 0.2}, jac)
	if want := gomath.Exp(0.1) * 2; gomath.Abs(jac[0]-want) > 1e-12 || gomath.Abs(jac[3]+gomath.Sin(0.2)*0.5) > 1e-12 {
		t.Errorf("FieldJacobian = %v", jac)
	}
	hess := make([]float64, 4)
	BowlHessian([]float64{0.1, 0.2}, make([]float64, 2), hess)
	if want := gomath.Exp(0.1) * 2; gomath.Abs(hess[0]-want) > 1e-12 || gomath.Abs(hess[1]+gomath.Sin(0.2)*0.5) > 1e-12 {
		t.Errorf("BowlHessian = %v", hess)
	}
}
`,
	"model/model_test.go": `package model

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestLoss(t *testing.T) {
	w := []float64{0.3, -1.2, 0.8, 2.1}
	dw := make([]float64, len(w))
	v := LossGrad(w, 1.5, dw)
	if v != Loss(w, 1.5) {
		t.Errorf("value %v, want %v bit for bit", v, Loss(w, 1.5))
	}
	for i := range w {
		h := 1e-5
		p := append([]float64(nil), w...)
		m := append([]float64(nil), w...)
		p[i] += h
		m[i] -= h
		near(t, "dw", dw[i], (Loss(p, 1.5)-Loss(m, 1.5))/(2*h))
	}
}

func TestEdge(t *testing.T) {
	a, b, ta, tb := 0.7, -0.4, 0.3, -1.1
	v, da, db := EdgeGrad(a, b)
	if v != Edge(a, b) {
		t.Errorf("value %v, want %v bit for bit", v, Edge(a, b))
	}
	h := 1e-5
	near(t, "da", da, (Edge(a+h, b)-Edge(a-h, b))/(2*h))
	near(t, "db", db, (Edge(a, b+h)-Edge(a, b-h))/(2*h))
	jv, jt := EdgeJVP(a, b, ta, tb)
	if jv != v {
		t.Errorf("JVP value %v, want %v", jv, v)
	}
	near(t, "tangent", jt, da*ta+db*tb)
}

func TestPair(t *testing.T) {
	x := []float64{0.6, -1.3}
	jac := make([]float64, 4)
	PairJacobian(x, make([]float64, 2), jac)
	h := 1e-5
	for j := range x {
		p := append([]float64(nil), x...)
		m := append([]float64(nil), x...)
		p[j] += h
		m[j] -= h
		yp, ym := make([]float64, 2), make([]float64, 2)
		Pair(p, yp)
		Pair(m, ym)
		for i := range yp {
			near(t, "jac", jac[i*2+j], (yp[i]-ym[i])/(2*h))
		}
	}
}
`,
}

// TestCrossPackage generates a module of several packages calling each
// other (SPEC §5: rules and exported gradients serve other packages),
// runs their tests, and checks the analyzer (go vet -vettool, whose facts
// carry what each package offers) agrees that everything is fresh.
func TestCrossPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test and go vet")
	}
	dir := t.TempDir()
	for name, src := range crossModule {
		writeFile(t, filepath.Join(dir, name), src)
	}
	if code, _, stderr := gradgen(t, dir, "./..."); code != 0 {
		t.Fatalf("gradgen ./...: exit %d\n%s", code, stderr)
	}
	model, err := os.ReadFile(filepath.Join(dir, "model/model_grad.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range []string{"mathx.Norm2Rule(", "mathx.SoftplusGrad(", "mathx.SigmoidRule(", "geom.DistGrad("} {
		if !strings.Contains(string(model), call) {
			t.Errorf("model_grad.go does not call %s:\n%s", call, model)
		}
	}
	if code, out := goTool(t, dir, "test", "./..."); code != 0 {
		t.Errorf("go test ./...: exit %d\n%s", code, out)
	}
	if code, _, stderr := gradgen(t, dir, "-check", "./..."); code != 0 {
		t.Errorf("gradgen -check ./...: exit %d\n%s", code, stderr)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", "-vettool="+self, "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GRADGEN_AS_TOOL=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet -vettool: %v\n%s", err, out)
	}
	// Without the rule, the call is an error naming both ways out.
	writeFile(t, filepath.Join(dir, "mathx/mathx.go"), strings.Replace(crossModule["mathx/mathx.go"], "//gradgen:rule Sigmoid\n", "", 1))
	code, _, stderr := gradgen(t, dir, "./...")
	want := "geom.go:13:31: cannot differentiate the call mathx.Sigmoid(x * y): gradgen cannot see into example.com/m/mathx.Sigmoid; in package mathx, mark Sigmoid //gradgen:grad"
	if code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("without the rule: exit %d, stderr\n%s\nwant it to contain\n%s", code, stderr, want)
	}
}
