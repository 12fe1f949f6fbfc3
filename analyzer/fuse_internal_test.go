package analyzer

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
			stmts(assign(elem("dx", "i"), "-=", id("db")), adjoint.Comment{Text: "a := ..."},
				assign(id("dt"), ":=", neg(id("da"))), assign(elem("dx", "i"), "+=", mul(elem("x", "i"), id("dt")))),
			"// a := ...; dt := -da; dx[i] += x[i] * dt - db"},
		{"past an accumulation into another element",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(elem("dx", "j"), "+=", id("c")), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[j] += c; dx[i] += b + a"},
		{"a share calling package math",
			stmts(assign(elem("dx", "i"), "+=", mul(cos("y"), id("a"))), assign(id("t"), ":=", id("a")), assign(elem("dx", "i"), "-=", id("b"))),
			"t := a; dx[i] += -b + math.Cos(y) * a"},
		{"the index changes",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(id("i"), "=", id("k")), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; i = k; dx[i] += b"},
		{"the share's variable changes",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(id("a"), "=", lit("0")), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; a = 0; dx[i] += b"},
		{"a slice the share reads is written",
			stmts(assign(elem("dx", "i"), "+=", mul(elem("x", "j"), id("a"))), assign(elem("x", "j"), "=", id("c")), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += x[j] * a; x[j] = c; dx[i] += b"},
		{"a store into the same slice",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(elem("dx", "j"), "=", id("c")), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; dx[j] = c; dx[i] += b"},
		{"a call that may write the buffer",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(id("u"), ":=", pullback), assign(elem("dx", "i"), "+=", id("b"))),
			"dx[i] += a; u := pullbackOfF(w, dx); dx[i] += b"},
		{"the second share reads the buffer",
			stmts(assign(elem("dx", "i"), "+=", id("a")), assign(elem("dx", "i"), "+=", elem("dx", "j"))),
			"dx[i] += a; dx[i] += dx[j]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range foldElementUpdates(tt.in) {
				got = append(got, strings.TrimSpace(adjoint.StmtString(s)))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}
