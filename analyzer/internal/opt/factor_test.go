package opt

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// TestFactorSeeds checks when one statement's reversal in a loop is
// rewritten as multiples of its seed, and each thing that prevents it.
func TestFactorSeeds(t *testing.T) {
	id := adjoint.Id
	cos := func(x string) adjoint.Expr {
		return adjoint.Call{Fun: adjoint.Qual{Path: "math", Name: "Cos"}, Args: []adjoint.Expr{id(x)}}
	}
	adj := map[string]bool{"dx": true, "dy": true, "dr": true, "dt": true, "dt1": true, "dt2": true}
	// The reversal of x = r * x * (1 - x), as the lowering writes it.
	logistic := adjoint.Stmts(
		adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")),
		adjoint.Set(id("x"), "=", id("p")), adjoint.Set(id("t"), "=", adjoint.Mul(id("r"), id("x"))), adjoint.Set(id("t1"), "=", adjoint.Bin("-", adjoint.Literal("1"), id("x"))),
		adjoint.Set(id("dt"), "=", adjoint.Mul(id("t1"), id("dt2"))), adjoint.Set(id("dt1"), "=", adjoint.Mul(id("t"), id("dt2"))),
		adjoint.Set(id("dx"), "=", adjoint.Neg(id("dt1"))), adjoint.Set(id("dr"), "+=", adjoint.Mul(id("x"), id("dt"))), adjoint.Set(id("dx"), "+=", adjoint.Mul(id("r"), id("dt"))))
	const logisticIn = "dt2 = dx; dx = 0; x = p; t = r * x; t1 = 1 - x; dt = t1 * dt2; dt1 = t * dt2; dx = -dt1; dr += x * dt; dx += r * dt"
	tests := []struct {
		name   string
		in     []adjoint.Stmt
		inLoop bool
		extra  string // a name also read outside the statement
		want   string
	}{
		{"the logistic map", logistic, true, "",
			"x = p; t = r * x; t1 = 1 - x; dt2 = dx; dx = (r * t1 - t) * dt2; dr += x * t1 * dt2"},
		{"a temporary read elsewhere is kept", logistic, true, "dt",
			"x = p; t = r * x; t1 = 1 - x; dt2 = dx; dx = (r * t1 - t) * dt2; dt = t1 * dt2; dr += x * t1 * dt2"},
		{"outside loops", logistic, false, "", logisticIn},
		{"math calls in coefficients",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Mul(cos("x"), id("dt2"))),
				adjoint.Set(id("dx"), "+=", id("dt")), adjoint.Set(id("dx"), "+=", adjoint.Mul(id("r"), id("dt2")))),
			true, "", "dt2 = dx; dx = (math.Cos(x) + r) * dt2"},
		{"a call two coefficients would share",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Mul(cos("x"), id("dt2"))),
				adjoint.Set(id("dx"), "=", adjoint.Mul(id("r"), id("dt"))), adjoint.Set(id("dr"), "+=", adjoint.Mul(id("q"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = math.Cos(x) * dt2; dx = r * dt; dr += q * dt"},
		{"the statement passes its adjoint through",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dx"), "=", id("dt2")),
				adjoint.Set(id("dt"), "=", id("dt2")), adjoint.Set(id("dr"), "+=", adjoint.Mul(id("r"), id("dt")))),
			true, "", "dt2 = dx; dr += r * dt2"},
		{"a primal value replaced after an adjoint reads it",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dr"), "+=", adjoint.Mul(id("x"), id("dt2"))),
				adjoint.Set(id("x"), "=", id("p")), adjoint.Set(id("dt"), "=", id("dt2")), adjoint.Set(id("dx"), "=", adjoint.Mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dr += x * dt2; x = p; dt = dt2; dx = x * dt"},
		{"a second seed",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Bin("+", id("dt2"), id("dy"))),
				adjoint.Set(id("dx"), "=", adjoint.Mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 + dy; dx = x * dt"},
		{"an adjoint not linear in the seed",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Bin("+", id("dt2"), adjoint.Literal("1"))),
				adjoint.Set(id("dx"), "=", adjoint.Mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 + 1; dx = x * dt"},
		{"a product of adjoints",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Mul(id("dt2"), id("dt2"))),
				adjoint.Set(id("dx"), "=", adjoint.Mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 * dt2; dx = x * dt"},
		{"the seed passes into another adjoint",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dt"), "=", adjoint.Neg(id("dt2"))), adjoint.Set(id("dt1"), "=", adjoint.Mul(id("h"), id("dt"))),
				adjoint.Set(id("dr"), "+=", adjoint.Mul(cos("x"), id("dt1")))),
			true, "", "dt2 = dx; dr -= math.Cos(x) * h * dt2"},
		{"nothing to shorten",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dr"), "+=", adjoint.Mul(id("x"), id("dt2")))),
			true, "", "dt2 = dx; dr += x * dt2"},
		{"the seed's copy is overwritten",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt2"), "=", adjoint.Mul(id("x"), id("dt2"))),
				adjoint.Set(id("dx"), "=", id("dt2"))),
			true, "", "dt2 = dx; dx = 0; dt2 = x * dt2; dx = dt2"},
		{"a call that is not package math's",
			adjoint.Stmts(adjoint.Set(id("dt2"), "=", id("dx")), adjoint.Set(id("dx"), "=", adjoint.Literal("0")), adjoint.Set(id("dt"), "=", adjoint.Mul(adjoint.Call{Fun: id("f"), Args: []adjoint.Expr{id("x")}}, id("dt2"))),
				adjoint.Set(id("dx"), "=", adjoint.Mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = f(x) * dt2; dx = x * dt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := CountReads(tt.in)
			if tt.extra != "" {
				reads[tt.extra]++
			}
			var got []string
			for _, s := range FactorSeeds(tt.in, adj, reads, tt.inLoop) {
				got = append(got, strings.TrimSpace(adjoint.StmtString(s)))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}
