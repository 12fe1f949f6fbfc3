package analyzer_test

import (
	"flag"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer"
)

var update = flag.Bool("update", false, "rewrite testdata/linear/linear.golden")

// TestLinearForm prints the linear form of testdata/linear's functions —
// three-address operations with their partials, in the source's control
// flow — and compares it with linear.golden (-update rewrites it): a
// change to the lowering shows as a readable diff here first.
func TestLinearForm(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join("testdata", "linear", "linear.go"), nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{},
		Instances: map[*ast.Ident]types.Instance{}, FileVersions: map[*ast.File]string{},
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("linear", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	res := analyzer.Generate(fset, []*ast.File{f}, pkg, info, analyzer.Options{Linear: true})
	for _, d := range res.Diagnostics {
		t.Errorf("%s: %s", fset.Position(d.Pos), d.Message)
	}
	var b strings.Builder
	for _, out := range res.Outputs {
		for _, fn := range out.Functions {
			b.WriteString("== " + fn.Name + "\n" + fn.Graph.Linear + "\n")
		}
	}
	golden := filepath.Join("testdata", "linear", "linear.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("linear form differs from %s (go test ./analyzer -run TestLinearForm -update to accept):\n%s", golden, b.String())
	}
}
