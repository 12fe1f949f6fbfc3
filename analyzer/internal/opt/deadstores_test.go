package opt

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// TestDropDeadStores checks which stores the liveness analysis finds
// dead, through branches, loops, jumps and calls, and each thing that
// keeps a store alive.
func TestDropDeadStores(t *testing.T) {
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	ret := func(names ...string) adjoint.Stmt {
		var rs []adjoint.Expr
		for _, n := range names {
			rs = append(rs, id(n))
		}
		return adjoint.Return{Results: rs}
	}
	pop := adjoint.Index{X: id("tTape"), Index: adjoint.Bin("-", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("tTape")}}, lit("1"))}
	call := func(f string, args ...adjoint.Expr) adjoint.Expr { return adjoint.Call{Fun: id(f), Args: args} }
	loop := func(body ...adjoint.Stmt) adjoint.Stmt {
		return adjoint.For{Cond: adjoint.Bin(">", id("n"), lit("0")), Post: adjoint.IncDec{X: id("n"), Inc: true}, Body: body}
	}
	tests := []struct {
		name string
		in   []adjoint.Stmt
		want string
	}{
		{"a value overwritten before any read",
			adjoint.Stmts(set(id("x"), "=", id("a")), set(id("x"), "=", id("b")), ret("x")),
			"x = b; return x"},
		{"an accumulation after the last read",
			adjoint.Stmts(set(id("y"), "=", id("x")), set(id("x"), "+=", lit("1")), ret("y")),
			"y = x; return y"},
		{"read on one path of a branch",
			adjoint.Stmts(set(id("x"), "=", id("a")), adjoint.If{Cond: id("c"), Then: adjoint.Stmts(set(id("y"), "=", id("x")))}, ret("y")),
			"x = a; if c {\n\ty = x\n}; return y"},
		{"written on both paths of a branch",
			adjoint.Stmts(set(id("x"), "=", id("a")), adjoint.If{Cond: id("c"), Then: adjoint.Stmts(set(id("x"), "=", id("b"))), Else: adjoint.Stmts(set(id("x"), "=", id("d")))}, ret("x")),
			"if c {\n\tx = b\n} else {\n\tx = d\n}; return x"},
		{"read by the next trip of a loop",
			adjoint.Stmts(loop(set(id("y"), "+=", id("x")), set(id("x"), "=", id("a"))), ret("y")),
			"for ; n > 0; n++ {\n\ty += x\n\tx = a\n}; return y"},
		{"dead on every trip",
			adjoint.Stmts(loop(set(id("x"), "=", id("a")), set(id("y"), "+=", lit("1"))), ret("y")),
			"for ; n > 0; n++ {\n\ty += 1\n}; return y"},
		{"read at the head after a continue",
			adjoint.Stmts(loop(set(id("n"), "=", id("a")), adjoint.Branch{Tok: "continue"}), ret("y")),
			"for ; n > 0; n++ {\n\tn = a\n\tcontinue\n}; return y"},
		{"read after the label a goto jumps to",
			adjoint.Stmts(set(id("x"), "=", id("a")), adjoint.If{Cond: id("c"), Then: adjoint.Stmts(adjoint.Goto{Label: "reverse"})}, set(id("x"), "=", id("b")), adjoint.Labeled{Label: "reverse"}, ret("x")),
			"x = a; if c {\n\tgoto reverse\n}; x = b; reverse:; return x"},
		{"a backward jump leaves the program alone",
			adjoint.Stmts(adjoint.Labeled{Label: "top"}, set(id("x"), "=", id("a")), adjoint.Goto{Label: "top"}),
			"top:; x = a; goto top"},
		{"a parallel assignment loses its dead target",
			adjoint.Stmts(adjoint.Assign{Lhs: []adjoint.Expr{id("s"), id("tapes")}, Op: "=", Rhs: []adjoint.Expr{id("a"), id("b")}}, ret("s")),
			"s = a; return s"},
		{"a call's dead result is blanked, the call stays",
			adjoint.Stmts(adjoint.Assign{Lhs: []adjoint.Expr{id("v"), id("d")}, Op: "=", Rhs: []adjoint.Expr{call("grad", id("w"))}}, ret("d")),
			"_, d = grad(w); return d"},
		{"a call with effects stays",
			adjoint.Stmts(set(id("x"), "=", call("next", id("k"))), ret("y")),
			"x = next(k); return y"},
		{"a pure helper's unread call goes",
			adjoint.Stmts(adjoint.ExprStmt{X: call("pullbackOfH", id("a"))}, adjoint.Assign{Lhs: []adjoint.Expr{id("_"), id("_")}, Op: "=", Rhs: []adjoint.Expr{call("pullbackOfH", id("a"))}}, ret("y")),
			"return y"},
		{"a tape's pop stays",
			adjoint.Stmts(set(id("t"), "=", pop), set(id("tTape"), "=", adjoint.SliceExpr{X: id("tTape"), Hi: lit("0")}), ret("y")),
			"tTape = tTape[:0]; return y"},
		{"a declaration nothing reads again goes, keeping its call",
			adjoint.Stmts(set(id("x"), ":=", id("a")), set(id("v"), ":=", call("next", id("k"))), set(id("z"), ":=", id("c")), ret("z")),
			"_ = next(k); z := c; return z"},
		{"a declaration written again later stays",
			adjoint.Stmts(set(id("x"), ":=", id("a")), set(id("x"), "=", id("b")), ret("x")),
			"x := a; x = b; return x"},
		{"a dead make keeps its declaration",
			adjoint.Stmts(set(id("s"), ":=", adjoint.Call{Fun: id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: adjoint.Named{Name: "float64"}}}, id("n")}}),
				adjoint.If{Cond: id("c"), Then: adjoint.Stmts(set(id("s"), "=", id("a"))), Else: adjoint.Stmts(set(id("s"), "=", id("b")))}, ret("s")),
			"var s []float64; if c {\n\ts = a\n} else {\n\ts = b\n}; return s"},
		{"an address taken keeps every store",
			adjoint.Stmts(set(id("k"), "=", id("a")), set(id("p"), ":=", adjoint.Unary{Op: "&", X: id("k")}), set(id("k"), "=", id("b")), ret("p")),
			"k = a; p := &k; k = b; return p"},
		{"a break leaves for what follows the loop",
			adjoint.Stmts(loop(set(id("x"), "=", id("a")), adjoint.If{Cond: id("c"), Then: adjoint.Stmts(adjoint.Branch{Tok: "break"})}, set(id("x"), "=", id("b"))), ret("x")),
			"for ; n > 0; n++ {\n\tx = a\n\tif c {\n\t\tbreak\n\t}\n\tx = b\n}; return x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range DropDeadStores(tt.in, map[string]bool{"tTape": true}, map[string]bool{"pullbackOfH": true}) {
				got = append(got, strings.TrimSpace(adjoint.StmtString(s)))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}
