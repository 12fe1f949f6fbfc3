package emit

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

func id(n string) adjoint.Expr  { return adjoint.Ident{Name: n} }
func lit(t string) adjoint.Expr { return adjoint.Lit{Text: t} }
func bin(op string, x, y adjoint.Expr) adjoint.Expr {
	return adjoint.Binary{Op: op, X: x, Y: y}
}

// TestFragments renders statements through a whole file and compares the
// function body, after gofmt, with what Go source must say: in particular
// the parentheses that the tree implies.
func TestFragments(t *testing.T) {
	for _, tc := range []struct {
		desc string
		body []adjoint.Stmt
		want string
	}{
		{"precedence adds parentheses", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("y")}, Op: "=", Rhs: []adjoint.Expr{bin("*", id("a"), bin("+", id("b"), id("c")))}},
		}, "y = a * (b + c)"},
		{"left associativity", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("y")}, Op: "=", Rhs: []adjoint.Expr{bin("-", id("a"), bin("-", id("b"), id("c")))}},
		}, "y = a - (b - c)"},
		{"no needless parentheses", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("y")}, Op: "=", Rhs: []adjoint.Expr{bin("+", bin("*", id("a"), id("b")), id("c"))}},
		}, "y = a*b + c"},
		{"double negation is not a decrement", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("y")}, Op: "=", Rhs: []adjoint.Expr{adjoint.Unary{Op: "-", X: adjoint.Unary{Op: "-", X: id("x")}}}},
		}, "y = -(-x)"},
		{"qualified call", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("y")}, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: adjoint.Qual{Path: "math", Name: "Sqrt"}, Args: []adjoint.Expr{id("x")}}}},
		}, "y := math.Sqrt(x)"},
		{"label and goto", []adjoint.Stmt{
			adjoint.Goto{Label: "reverse"}, adjoint.Labeled{Label: "reverse"}, adjoint.Return{},
		}, "goto reverse\nreverse:\n\treturn"},
		{"slice with max", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("t"), id("buf")}, Op: "=", Rhs: []adjoint.Expr{
				adjoint.SliceExpr{X: id("buf"), Hi: lit("0"), Max: id("n")}, adjoint.SliceExpr{X: id("buf"), Lo: id("n")}}},
		}, "t, buf = buf[:0:n], buf[n:]"},
		{"comma-ok type assertion", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("b"), id("_")}, Op: ":=", Rhs: []adjoint.Expr{adjoint.TypeAssert{
				X: adjoint.Call{Fun: adjoint.Selector{X: id("pool"), Sel: "Get"}}, Type: adjoint.Pointer{Elem: adjoint.Slice{Elem: adjoint.Named{Name: "float64"}}}}}},
		}, "b, _ := pool.Get().(*[]float64)"},
		{"deferred call", []adjoint.Stmt{
			adjoint.Defer{Call: adjoint.Call{Fun: adjoint.Selector{X: id("pool"), Sel: "Put"}, Args: []adjoint.Expr{id("b")}}},
		}, "defer pool.Put(b)"},
		{"dereference sliced", []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id("t")}, Op: "=", Rhs: []adjoint.Expr{adjoint.SliceExpr{X: adjoint.Unary{Op: "*", X: id("b")}, Hi: lit("0"), Max: id("n")}}},
		}, "t = (*b)[:0:n]"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			f := &adjoint.File{Package: "p", Path: "example.com/p", Funcs: []*adjoint.Func{{Name: "F", Body: tc.body}}}
			src, err := File(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), tc.want) {
				t.Errorf("rendered\n%s\nwant it to contain\n%s", src, tc.want)
			}
			// The printer used for messages and graphs agrees.
			if s, ok := tc.body[0].(adjoint.Assign); ok {
				if got := adjoint.ExprString(s.Rhs[0]); !strings.Contains(strings.ReplaceAll(tc.want, " ", ""), strings.ReplaceAll(got, " ", "")) {
					t.Errorf("ExprString = %s, want the same expression as %s", got, tc.want)
				}
			}
		})
	}
}

// TestGlobals: a function's package-level variables are declared just
// before it, with a comment, and their package imported.
func TestGlobals(t *testing.T) {
	f := &adjoint.File{Package: "p", Path: "example.com/p", Funcs: []*adjoint.Func{{Name: "FGrad",
		Globals: []adjoint.Param{{Name: "fGradTapes", Type: adjoint.Named{Path: "sync", Name: "Pool"}}}}}}
	src, err := File(f)
	if err != nil {
		t.Fatal(err)
	}
	want := "// fGradTapes keeps FGrad's tape storage between calls.\nvar fGradTapes sync.Pool\n\nfunc FGrad() {}"
	if !strings.Contains(string(src), want) || !strings.Contains(string(src), `import "sync"`) {
		t.Errorf("rendered\n%s\nwant it to contain\n%s", src, want)
	}
}

// TestHeaderAndConstraint: the first line is the generated-code marker;
// a build constraint follows after a blank line.
func TestHeaderAndConstraint(t *testing.T) {
	src, err := File(&adjoint.File{Package: "p", Path: "example.com/p", Constraint: "linux && !purego"})
	if err != nil {
		t.Fatal(err)
	}
	want := Header + "\n\n//go:build linux && !purego\n\npackage p\n"
	if string(src) != want {
		t.Errorf("got\n%q\nwant\n%q", src, want)
	}
}
