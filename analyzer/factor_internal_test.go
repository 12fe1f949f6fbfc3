package analyzer

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
	logistic := stmts(
		assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")),
		assign(id("x"), "=", id("p")), assign(id("t"), "=", mul(id("r"), id("x"))), assign(id("t1"), "=", bin("-", lit("1"), id("x"))),
		assign(id("dt"), "=", mul(id("t1"), id("dt2"))), assign(id("dt1"), "=", mul(id("t"), id("dt2"))),
		assign(id("dx"), "=", neg(id("dt1"))), assign(id("dr"), "+=", mul(id("x"), id("dt"))), assign(id("dx"), "+=", mul(id("r"), id("dt"))))
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
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", mul(cos("x"), id("dt2"))),
				assign(id("dx"), "+=", id("dt")), assign(id("dx"), "+=", mul(id("r"), id("dt2")))),
			true, "", "dt2 = dx; dx = (math.Cos(x) + r) * dt2"},
		{"a call two coefficients would share",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", mul(cos("x"), id("dt2"))),
				assign(id("dx"), "=", mul(id("r"), id("dt"))), assign(id("dr"), "+=", mul(id("q"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = math.Cos(x) * dt2; dx = r * dt; dr += q * dt"},
		{"the statement passes its adjoint through",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dx"), "=", id("dt2")),
				assign(id("dt"), "=", id("dt2")), assign(id("dr"), "+=", mul(id("r"), id("dt")))),
			true, "", "dt2 = dx; dr += r * dt2"},
		{"a primal value replaced after an adjoint reads it",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dr"), "+=", mul(id("x"), id("dt2"))),
				assign(id("x"), "=", id("p")), assign(id("dt"), "=", id("dt2")), assign(id("dx"), "=", mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dr += x * dt2; x = p; dt = dt2; dx = x * dt"},
		{"a second seed",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", bin("+", id("dt2"), id("dy"))),
				assign(id("dx"), "=", mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 + dy; dx = x * dt"},
		{"an adjoint not linear in the seed",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", bin("+", id("dt2"), lit("1"))),
				assign(id("dx"), "=", mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 + 1; dx = x * dt"},
		{"a product of adjoints",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", mul(id("dt2"), id("dt2"))),
				assign(id("dx"), "=", mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = dt2 * dt2; dx = x * dt"},
		{"the seed passes into another adjoint",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dt"), "=", neg(id("dt2"))), assign(id("dt1"), "=", mul(id("h"), id("dt"))),
				assign(id("dr"), "+=", mul(cos("x"), id("dt1")))),
			true, "", "dt2 = dx; dr -= math.Cos(x) * h * dt2"},
		{"nothing to shorten",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dr"), "+=", mul(id("x"), id("dt2")))),
			true, "", "dt2 = dx; dr += x * dt2"},
		{"the seed's copy is overwritten",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt2"), "=", mul(id("x"), id("dt2"))),
				assign(id("dx"), "=", id("dt2"))),
			true, "", "dt2 = dx; dx = 0; dt2 = x * dt2; dx = dt2"},
		{"a call that is not package math's",
			stmts(assign(id("dt2"), "=", id("dx")), assign(id("dx"), "=", lit("0")), assign(id("dt"), "=", mul(adjoint.Call{Fun: id("f"), Args: []adjoint.Expr{id("x")}}, id("dt2"))),
				assign(id("dx"), "=", mul(id("x"), id("dt")))),
			true, "", "dt2 = dx; dx = 0; dt = f(x) * dt2; dx = x * dt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := countReads(tt.in)
			if tt.extra != "" {
				reads[tt.extra]++
			}
			var got []string
			for _, s := range factorSeeds(tt.in, adj, reads, tt.inLoop) {
				got = append(got, strings.TrimSpace(adjoint.StmtString(s)))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}
