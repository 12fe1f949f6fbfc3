package opt

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// TestPoolStorage checks which storage is taken from pools and how: each
// storage its own buffer (two tapes grown in one loop are alive
// together), heap storage made in a loop left alone, scratch cleared, a
// pool per element type, and a program the sanity check accepts.
func TestPoolStorage(t *testing.T) {
	id := adjoint.Id
	f64s := adjoint.Slice{Elem: adjoint.Named{Name: "float64"}}
	ints := adjoint.Slice{Elem: adjoint.Named{Name: "int"}}
	mk := func(name string, typ adjoint.Type, n adjoint.Expr, empty bool) adjoint.Stmt {
		args := []adjoint.Expr{adjoint.TypeExpr{Type: typ}, n}
		if empty {
			args = []adjoint.Expr{args[0], adjoint.Literal("0"), n}
		}
		return adjoint.Set(id(name), "=", adjoint.Call{Fun: id("make"), Args: args})
	}
	n := id("n")
	fn := &adjoint.Func{Name: "FGrad", Params: []adjoint.Param{{Name: "n", Type: adjoint.Named{Name: "int"}}},
		Results: []adjoint.Param{{Type: adjoint.Named{Name: "int"}}}, Body: []adjoint.Stmt{
			adjoint.If{Cond: adjoint.Bin("<", n, adjoint.Literal("0")), Then: []adjoint.Stmt{adjoint.ExprStmt{X: adjoint.Call{Fun: id("panic"), Args: []adjoint.Expr{adjoint.Literal(`"n"`)}}}}},
			adjoint.VarDecl{Names: []string{"aTape", "bTape", "cTape", "scratch", "inLoop"}, Type: f64s},
			adjoint.VarDecl{Names: []string{"kTape"}, Type: ints},
			mk("aTape", f64s, n, true),
			mk("kTape", ints, n, true),
			mk("scratch", f64s, n, false),
			adjoint.For{Init: adjoint.Set(id("i"), ":=", adjoint.Literal("0")), Cond: adjoint.Bin("<", id("i"), n), Post: adjoint.IncDec{X: id("i"), Inc: true}, Body: []adjoint.Stmt{
				mk("bTape", f64s, n, true),
				mk("cTape", f64s, n, true),
				mk("inLoop", f64s, n, true),
			}},
			adjoint.Return{Results: []adjoint.Expr{adjoint.Bin("+", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("aTape")}},
				adjoint.Bin("+", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("kTape")}}, adjoint.Bin("+", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("bTape")}},
					adjoint.Bin("+", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("cTape")}}, adjoint.Bin("+", adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("scratch")}}, adjoint.Call{Fun: id("len"), Args: []adjoint.Expr{id("inLoop")}})))))}},
		}}
	used := map[string]int{}
	fresh := func(base string) string {
		used[base]++
		if used[base] == 1 {
			return base
		}
		return fmt.Sprint(base, used[base]-1)
	}
	PoolStorage(fn, Storage{
		Heap:   map[string]bool{"aTape": true, "kTape": true, "scratch": true, "inLoop": true},
		Grown:  map[string]bool{"bTape": true, "cTape": true},
		Zeroed: map[string]bool{"scratch": true},
	}, fresh, fresh)
	got := adjoint.FuncString(fn)
	for _, want := range []string{
		"var fGradTapes sync.Pool",
		"var fGradTapesInt sync.Pool",
		// The grown storages' buffers, one each, taken after the length
		// check.
		"panic(\"n\")\n\t}\n\ttapeBuf3, _ := fGradTapes.Get().(*[]float64)",
		"defer fGradTapes.Put(tapeBuf4)\n\tvar aTape",
		"bTape = (*tapeBuf3)[:0:n]",
		"cTape = (*tapeBuf4)[:0:n]",
		// Nest-start storage: a buffer each, in a block (a goto may pass).
		"{\n\t\ttapeBuf, _ := fGradTapes.Get().(*[]float64)",
		"aTape = (*tapeBuf)[:0:n]",
		"tapeBuf1, _ := fGradTapesInt.Get().(*[]int)",
		"kTape = (*tapeBuf1)[:0:n]",
		"scratch = (*tapeBuf2)[:n]\n\t\tclear(scratch)",
		"inLoop = make([]float64, 0, n)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("PoolStorage wrote\n%s\nwant it to contain\n%s", got, want)
		}
	}
	if errs := adjoint.Check(fn, &adjoint.Env{Outer: map[string]bool{}, Final: true}); len(errs) > 0 {
		t.Errorf("the pooled function fails the check: %v\n%s", errs, got)
	}
}
