package main

import (
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
// it) or in a file that sorts after the generated one.
func TestGoGenerateRemovesOrphan(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go generate")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	directive := "//go:generate " + strconv.Quote(self) + "\n\n"
	for _, tt := range []struct {
		name, directiveIn string
	}{
		{"directive in the source", "p.go"},
		{"directive in a later file", "z.go"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := newPackage(t, square)
			files := map[string]string{"p.go": square, "z.go": "package p\n"}
			plain := map[string]string{"p.go": "package p\n\nfunc Square(x float64) float64 { return x * x }\n", "z.go": "package p\n"}
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
			grad := filepath.Join(dir, "p_grad.go")
			if _, err := os.Stat(grad); err != nil {
				t.Fatalf("go generate wrote no p_grad.go: %v", err)
			}
			for name, content := range plain {
				writeFile(t, filepath.Join(dir, name), content)
			}
			if code, out := goTool(t, dir, "generate"); code != 0 {
				t.Errorf("go generate after removing the annotation: exit %d\n%s", code, out)
			}
			if _, err := os.Stat(grad); err == nil {
				data, _ := os.ReadFile(grad)
				t.Errorf("p_grad.go is still there after go generate:\n%s", data)
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
}
