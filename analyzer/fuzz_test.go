package analyzer_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradgen/gradgen/analyzer"
	"github.com/gradgen/gradgen/emit"
)

// FuzzGenerate feeds arbitrary source text to gradgen. Whatever the input,
// gradgen must not crash (an internal error is a crash it caught), and
// when it accepts a package, the code it generates must type-check with
// the source: gradgen never writes code that does not compile. The
// adjoint program is checked after every pass (Options.Sanity): a pass
// that breaks it is an internal error too. Seeds are the test packages'
// files and a few small functions; go test -fuzz=FuzzGenerate ./analyzer
// explores further.
func FuzzGenerate(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/cases/*.go")
	for _, s := range seeds {
		if strings.HasSuffix(s, "_grad.go") || strings.HasSuffix(s, "_test.go") {
			continue
		}
		if data, err := os.ReadFile(s); err == nil {
			f.Add(string(data))
		}
	}
	for _, src := range []string{
		"package p\n\n//gradgen:grad\nfunc F(x float64) float64 { return x * x }\n",
		"package p\n\nimport \"math\"\n\n//gradgen:grad\nfunc F(x, y float64) float64 {\n\tfor i := 0; i < 3; i++ {\n\t\tif x > y {\n\t\t\tx = math.Sin(x) * y\n\t\t} else {\n\t\t\tbreak\n\t\t}\n\t}\n\treturn x\n}\n",
		"package p\n\n//gradgen:grad\nfunc F(w []float64) float64 {\n\ts := 0.0\n\tfor _, v := range w {\n\t\ts += v * v\n\t}\n\treturn s\n}\n",
		"package p\n\n//gradgen:grad\nfunc F(x float64) float64 {\n\tswitch {\n\tcase x > 1:\n\t\treturn x\n\t}\n\treturn -x\n}\n",
	} {
		f.Add(src)
	}
	imp := importer.Default()
	f.Fuzz(func(t *testing.T, src string) {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return
		}
		for _, imp := range file.Imports {
			if path := strings.Trim(imp.Path.Value, `"`); path != "math" && path != "strings" {
				return // keep the fuzzer on gradgen, not on the importer
			}
		}
		info := newInfo()
		conf := types.Config{Importer: imp, Error: func(error) {}}
		pkg, err := conf.Check("example.com/p", fset, []*ast.File{file}, info)
		if err != nil {
			return // gradgen's command reports such errors before it starts
		}
		done := make(chan *analyzer.Result, 1)
		go func() { done <- analyzer.Generate(fset, []*ast.File{file}, pkg, info, analyzer.Options{Sanity: true}) }()
		var res *analyzer.Result
		select {
		case res = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("gradgen did not finish in 20s on:\n%s", src)
		}
		for _, d := range res.Diagnostics {
			if strings.Contains(d.Message, "internal error") {
				t.Fatalf("%s: %s\nsource:\n%s", fset.Position(d.Pos), d.Message, src)
			}
		}
		if len(res.Diagnostics) > 0 {
			return
		}
		files := []*ast.File{file}
		for _, out := range res.Outputs {
			code, err := emit.File(out.File)
			if err != nil {
				t.Fatalf("emit: %v\nsource:\n%s", err, src)
			}
			gen, err := parser.ParseFile(fset, "p_grad.go", code, 0)
			if err != nil {
				t.Fatalf("generated code does not parse: %v\n%s\nsource:\n%s", err, code, src)
			}
			files = append(files, gen)
		}
		var errs []string
		conf2 := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.Error()) }}
		conf2.Check("example.com/p", fset, files, newInfo())
		if len(errs) > 0 {
			t.Fatalf("generated code does not type-check: %s\nsource:\n%s", strings.Join(errs, "\n"), src)
		}
	})
}

func newInfo() *types.Info {
	return &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Implicits:  map[ast.Node]types.Object{},
		Scopes:     map[ast.Node]*types.Scope{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
}
