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

// TestDropUnusedKeepsCalls: an assignment whose names are all unused goes,
// but the calls with effects it makes stay, in order, whether it assigns
// one value or several (a, b := next(), next2() lost both calls once).
func TestDropUnusedKeepsCalls(t *testing.T) {
	id := adjoint.Id
	call := func(name string) adjoint.Expr { return adjoint.Call{Fun: adjoint.Selector{X: id("r"), Sel: name}} }
	for _, tc := range []struct {
		name string
		stmt adjoint.Stmt
		want string
	}{
		{"one value", adjoint.Set(id("a"), ":=", call("Float64")), "r.Float64()"},
		{"two values", adjoint.Assign{Lhs: []adjoint.Expr{id("a"), id("b")}, Op: ":=", Rhs: []adjoint.Expr{call("Float64"), call("NormFloat64")}},
			"r.Float64(); r.NormFloat64()"},
		{"a pure builtin goes", adjoint.Assign{Lhs: []adjoint.Expr{id("a"), id("b")}, Op: ":=", Rhs: []adjoint.Expr{
			adjoint.Call{Fun: id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: adjoint.Named{Name: "float64"}}}, id("n")}}, call("Float64")}},
			"r.Float64()"},
	} {
		body := adjoint.Stmts(tc.stmt, adjoint.Return{Results: []adjoint.Expr{adjoint.Literal("0")}})
		var got []string
		for _, s := range DropUnused(body, nil) {
			if _, ret := s.(adjoint.Return); !ret {
				got = append(got, strings.Join(strings.Fields(adjoint.StmtString(s)), " "))
			}
		}
		if g := strings.Join(got, "; "); g != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, g, tc.want)
		}
	}
}
