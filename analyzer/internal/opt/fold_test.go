package opt

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// TestFoldElementUpdates checks when two accumulations into one element
// become one, and each thing between them that must keep them apart.
func TestFoldElementUpdates(t *testing.T) {
	id := adjoint.Id
	elem := func(x, i string) adjoint.Expr { return adjoint.Index{X: id(x), Index: id(i)} }
	cos := func(x string) adjoint.Expr {
		return adjoint.Call{Fun: adjoint.Qual{Path: "math", Name: "Cos"}, Args: []adjoint.Expr{id(x)}}
	}
	pullback := adjoint.Call{Fun: id("pullbackOfF"), Args: []adjoint.Expr{id("w"), id("dx")}}
	tests := []struct {
		name string
		in   []adjoint.Stmt
		want string
	}{
		{"folded past a comment and a temporary",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "-=", id("db")), adjoint.Comment{Text: "a := ..."},
				adjoint.Set(id("dt"), ":=", adjoint.Neg(id("da"))), adjoint.Set(elem("dx", "i"), "+=", adjoint.Mul(elem("x", "i"), id("dt")))),
			"// a := ...; dt := -da; dx[i] += x[i] * dt - db"},
		{"past an accumulation into another element",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(elem("dx", "j"), "+=", id("c")), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[j] += c; dx[i] += b + a"},
		{"a share calling package math",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", adjoint.Mul(cos("y"), id("a"))), adjoint.Set(id("t"), ":=", id("a")), adjoint.Set(elem("dx", "i"), "-=", id("b"))),
			"t := a; dx[i] += -b + math.Cos(y) * a"},
		{"the index changes",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(id("i"), "=", id("k")), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; i = k; dx[i] += b"},
		{"the share's variable changes",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(id("a"), "=", adjoint.Literal("0")), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; a = 0; dx[i] += b"},
		{"a slice the share reads is written",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", adjoint.Mul(elem("x", "j"), id("a"))), adjoint.Set(elem("x", "j"), "=", id("c")), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += x[j] * a; x[j] = c; dx[i] += b"},
		{"a store into the same slice",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(elem("dx", "j"), "=", id("c")), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; dx[j] = c; dx[i] += b"},
		{"a call that may write the buffer",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(id("u"), ":=", pullback), adjoint.Set(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; u := pullbackOfF(w, dx); dx[i] += b"},
		{"the second share reads the buffer",
			adjoint.Stmts(adjoint.Set(elem("dx", "i"), "+=", id("a")), adjoint.Set(elem("dx", "i"), "+=", elem("dx", "j"))),
			"dx[i] += a; dx[i] += dx[j]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range FoldElementUpdates(tt.in) {
				got = append(got, strings.TrimSpace(adjoint.StmtString(s)))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}
