package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goTool runs the go command in dir with this test binary standing in
// for gradgen (TestMain), and returns its exit status and output.
func goTool(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GRADGEN_AS_TOOL=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestGoGenerateRemovesOrphan: removing the last annotation of a file and
// running go generate once leaves no generated file behind and exits 0,
// wherever the //go:generate line lives — in the file itself (go generate
// has listed the generated file, which sorts after it, and has yet to read
// it), in a file that sorts after the generated one, or in one that sorts
// after a test file's generated file.
func TestGoGenerateRemovesOrphan(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go generate")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	directive := "//go:generate " + strconv.Quote(self) + "\n\n"
	const cubeTest = "package p\n\n//gradgen:grad\nfunc cube(x float64) float64 { return x * x * x }\n"
	plainSquare := "package p\n\nfunc Square(x float64) float64 { return x * x }\n"
	for _, tt := range []struct {
		name, directiveIn string
		// src loses its annotation; grad is its generated file.
		src, annotated, plain, grad string
	}{
		{"directive in the source", "p.go", "p.go", square, plainSquare, "p_grad.go"},
		{"directive in a later file", "z.go", "p.go", square, plainSquare, "p_grad.go"},
		// go generate reads in-package test files in one list with the
		// others, by name: a_grad_test.go was read before p.go ran gradgen.
		{"a test file's, read before", "p.go", "a_test.go", cubeTest, "package p\n", "a_grad_test.go"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := newPackage(t, square)
			// z.go's misspelled directive is warned about once per go
			// generate, the tombstone's run of gradgen aside (it was
			// printed twice).
			const z = "package p\n\n// gradgen:grad\nfunc Z(x float64) float64 { return x }\n"
			files := map[string]string{"p.go": square, "z.go": z, tt.src: tt.annotated}
			plain := map[string]string{"p.go": square, "z.go": z, tt.src: tt.plain}
			for name := range files {
				for _, m := range []map[string]string{files, plain} {
					if name == tt.directiveIn {
						m[name] = strings.Replace(m[name], "package p\n", directive+"package p\n", 1)
					}
				}
				writeFile(t, filepath.Join(dir, name), files[name])
			}
			if code, out := goTool(t, dir, "generate"); code != 0 {
				t.Fatalf("go generate: exit %d\n%s", code, out)
			}
			grad := filepath.Join(dir, tt.grad)
			if _, err := os.Stat(grad); err != nil {
				t.Fatalf("go generate wrote no %s: %v", tt.grad, err)
			}
			for name, content := range plain {
				writeFile(t, filepath.Join(dir, name), content)
			}
			if code, out := goTool(t, dir, "generate"); code != 0 {
				t.Errorf("go generate after removing the annotation: exit %d\n%s", code, out)
			} else if n := strings.Count(out, "warning:"); n != 1 {
				t.Errorf("go generate after removing the annotation warned %d times, want once:\n%s", n, out)
			}
			if _, err := os.Stat(grad); err == nil {
				data, _ := os.ReadFile(grad)
				t.Errorf("%s is still there after go generate:\n%s", tt.grad, data)
			}
			if code, _, stderr := gradgen(t, dir, "-check"); code != 0 {
				t.Errorf("gradgen -check after go generate: exit %d\n%s", code, stderr)
			}
			if code, out := goTool(t, dir, "vet", "."); code != 0 {
				t.Errorf("go vet: exit %d\n%s", code, out)
			}
		})
	}
}

// TestMisspelledDirective: a comment that looks meant as a directive but
// is not one gets a warning at its position; nothing else changes (exit
// 0, the package's real directives are served).
func TestMisspelledDirective(t *testing.T) {
	dir := newPackage(t, square+"\n// gradgen:grad\nfunc Cube(x float64) float64 { return x * x * x }\n")
	code, _, stderr := gradgen(t, dir)
	want := `p.go:6:1: warning: "// gradgen:grad" is not a gradgen directive, and is ignored: write "//gradgen:grad"`
	if code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr\n%s\nwant it to contain\n%s", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "p_grad.go")); err != nil {
		t.Errorf("Square's gradient was not written: %v", err)
	}
	// An unknown name after //gradgen: and a directive where gradgen does
	// not look are warnings too (SPEC §5): they were errors that stopped
	// the package.
	dir = newPackage(t, square+"\n//gradgen:hesian\nfunc Cube(x float64) float64 {\n\t//gradgen:grad\n\treturn x * x * x\n}\n")
	code, _, stderr = gradgen(t, dir)
	for _, want := range []string{
		"p.go:6:1: warning: unknown directive //gradgen:hesian is ignored",
		"p.go:8:2: warning: //gradgen:grad is ignored here: it must be in the doc comment of a function",
	} {
		if code != 0 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr\n%s\nwant it to contain\n%s", code, stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "p_grad.go")); err != nil {
		t.Errorf("Square's gradient was not written: %v", err)
	}
}

// TestToolModule follows the README's set-up as a user's module would:
// gradgen as a module tool (go get -tool, pointed at this checkout), go
// tool gradgen to generate, and the analyzer recipe
// go vet -vettool=$(go tool -n gradgen). The tool's module must bring
// nothing but what the tool needs into the user's go.mod (no gonum).
func TestToolModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gradgen as a module tool")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := newPackage(t, square)
	sh := func(script string) (int, string) {
		t.Helper()
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	// The README's go get -tool, pinned to the replaced version; GOPROXY=off
	// since this checkout is not published (every module it needs is in
	// the module cache: building this package's tests put it there).
	// The tool module's go.sum goes along, so that go get checks the
	// modules it brings against those sums rather than asking the checksum
	// database (off the network, as a user's proxy-only CI may be).
	setup := "go mod edit -replace=github.com/gradgen/gradgen=" + root +
		" && cat " + filepath.Join(root, "go.sum") + " >> go.sum" +
		" && GOPROXY=off go get -tool github.com/gradgen/gradgen/cmd/gradgen@v0.0.0"
	if code, out := sh(setup); code != 0 {
		t.Fatalf("%s: exit %d\n%s", setup, code, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(gomod), "gonum") {
		t.Errorf("the user's go.mod requires gonum through gradgen's module:\n%s", gomod)
	}
	// The tool's own module requires what the tool needs and no more:
	// examples with heavier dependencies live in modules of their own.
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = root
	js, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var mod struct{ Require []struct{ Path string } }
	if err := json.Unmarshal(js, &mod); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"golang.org/x/tools": true, "github.com/dave/jennifer": true, "golang.org/x/mod": true, "golang.org/x/sync": true}
	for _, r := range mod.Require {
		if !allowed[r.Path] {
			t.Errorf("gradgen's go.mod requires %s, which the tool does not need", r.Path)
		}
	}
	const vet = "go vet -vettool=$(go tool -n gradgen) ./..."
	if code, out := sh(vet); code == 0 || !strings.Contains(out, "Square: p_grad.go is missing: run go generate") {
		t.Errorf("%s before generating: exit %d\n%s", vet, code, out)
	}
	if code, out := sh("go tool gradgen"); code != 0 {
		t.Fatalf("go tool gradgen: exit %d\n%s", code, out)
	}
	if code, out := sh(vet); code != 0 {
		t.Errorf("%s after generating: exit %d\n%s", vet, code, out)
	}
}

// TestVetMessages: gradgen vet says what is wrong, once, at a path
// relative to the working directory, as the go command does: a generated
// file that does not compile is stale (regenerating it is the way out),
// not a type error repeated by every checker; a hand-written file in the
// generated file's place is the clash go generate would report.
func TestVetMessages(t *testing.T) {
	const stale = "p.go:4:1: Square: p_grad.go is stale: run go generate\n"
	for _, tt := range []struct {
		name, grad, want string
		extra            string // source after square's
		edit             bool   // generate, then append a comment to p_grad.go
	}{
		{"missing", "", "p.go:4:1: Square: p_grad.go is missing: run go generate\n", "", false},
		{"does not compile", "// Code generated by gradgen. DO NOT EDIT.\n\npackage p\n\nfunc SquareGrad(x float64) (float64, float64) { return x * x, 2 * y }\n", stale, "", false},
		{"hand-written", "package p\n\nfunc SquareGrad(x float64) (float64, float64) { return x * x, 2 * x }\n",
			"p.go:4:1: Square: p_grad.go exists and was not written by gradgen (its first line is not \"// Code generated by gradgen. DO NOT EDIT.\"): gradgen will not overwrite it; rename it, or rename p.go\n", "", false},
		{"in order of position, not of text (line 4 before 11)", "",
			"p.go:4:1: Square: p_grad.go is missing: run go generate\n" +
				"p.go:11:1: \"// gradgen:grad\" is not a gradgen directive, and is ignored: write \"//gradgen:grad\" (no space after //, none around the colon, lower case)\n",
			"\n\n\n\n\n\n// gradgen:grad\nfunc Other() {}\n", false},
		// Every function's code is intact, the file is not: -check calls
		// it stale, so must vet.
		{"edited outside every function", "", stale, "", true},
		// Two directives, one function: one report.
		{"once per function", "", "p.go:4:1: Square: p_grad.go is missing: run go generate\np.go:8:1: Cube: p_grad.go is missing: run go generate\n",
			"\n//gradgen:grad\n//gradgen:jvp\nfunc Cube(x float64) float64 { return x * x * x }\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := newPackage(t, square+tt.extra)
			if tt.grad != "" {
				writeFile(t, filepath.Join(dir, "p_grad.go"), tt.grad)
			}
			if tt.edit {
				if code, _, stderr := gradgen(t, dir, "./..."); code != 0 {
					t.Fatalf("gradgen: exit %d\n%s", code, stderr)
				}
				old, err := os.ReadFile(filepath.Join(dir, "p_grad.go"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, "p_grad.go"), string(old)+"// edited\n")
			}
			code, _, stderr := gradgen(t, dir, "vet", "./...")
			if code != 3 || stderr != tt.want {
				t.Errorf("gradgen vet: exit %d, stderr\n%s\nwant exit 3 and\n%s", code, stderr, tt.want)
			}
		})
	}
}

// TestTestFiles: an annotated function in a _test.go file, of the package
// or of its external test package, gets foo_grad_test.go beside it, which
// its tests can call; removing the annotation removes that file only.
func TestTestFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	dir := newPackage(t, square+"\nfunc cube(x float64) float64 { return x * x * x }\n\nconst Two = 2.0\n")
	inPkg := `package p

import (
	"math"
	"testing"
)

//gradgen:grad
func loss(x float64) float64 { return math.Sin(x) * cube(x) }

func TestLoss(t *testing.T) {
	v, d := lossGrad(0.5)
	want := math.Cos(0.5)*0.125 + math.Sin(0.5)*3*0.25
	if v != loss(0.5) || math.Abs(d-want) > 1e-12 {
		t.Fatal(v, d, want)
	}
}
`
	writeFile(t, filepath.Join(dir, "p_test.go"), inPkg)
	writeFile(t, filepath.Join(dir, "x_test.go"), `package p_test

import (
	"testing"

	"example.com/p"
)

//gradgen:grad
func twice(x float64) float64 { return p.Two * x * x }

func TestTwice(t *testing.T) {
	if _, d := twiceGrad(3); d != 12 {
		t.Fatal(d)
	}
}
`)
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("gradgen: exit %d\n%s", code, stderr)
	}
	for _, name := range []string{"p_grad.go", "p_grad_test.go", "x_grad_test.go"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not written: %v", name, err)
		}
	}
	if code, out := goTool(t, dir, "test", "."); code != 0 {
		t.Errorf("go test: exit %d\n%s", code, out)
	}
	if code, _, stderr := gradgen(t, dir, "-check"); code != 0 {
		t.Errorf("gradgen -check: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := gradgen(t, dir, "vet"); code != 0 {
		t.Errorf("gradgen vet: exit %d\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(dir, "p_test.go"), strings.Replace(strings.Replace(inPkg, "//gradgen:grad\n", "", 1), "lossGrad(0.5)", "loss(0.5), 0.0", 1))
	if code, _, stderr := gradgen(t, dir); code != 0 {
		t.Fatalf("gradgen after removing the annotation: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "p_grad_test.go")); err == nil {
		t.Error("p_grad_test.go, orphaned, was not removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "x_grad_test.go")); err != nil {
		t.Errorf("x_grad_test.go was removed: %v", err)
	}
}
