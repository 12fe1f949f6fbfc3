package opt

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// TestDropUnusedRange: a range whose key goes in one round and whose value
// goes in the next keeps neither (for _ := range is no Go); random
// programs, seed 346527511, R90.
func TestDropUnusedRange(t *testing.T) {
	id := adjoint.Id
	loop := adjoint.Range{Key: id("i"), Value: id("v"), Define: true, X: id("a"),
		Body: adjoint.Stmts(adjoint.Set(id("t"), ":=", id("v")), adjoint.Set(id("s"), "+=", adjoint.Literal("1")))}
	body := adjoint.Stmts(adjoint.VarDecl{Names: []string{"s"}, Type: adjoint.Named{Name: "float64"}}, loop, adjoint.Return{Results: []adjoint.Expr{id("s")}})
	var got []string
	for _, s := range DropUnused(body, nil) {
		got = append(got, strings.Join(strings.Fields(adjoint.StmtString(s)), " "))
	}
	if g := strings.Join(got, "; "); strings.Contains(g, "for _ :=") || !strings.Contains(g, "for range a") {
		t.Errorf("got %s\nwant the range without key or value: for range a { ... }", g)
	}
}
