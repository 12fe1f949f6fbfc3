package lower

import (
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// A recorder holds one fact per execution of a statement: a bool, or an
// int. Outside loops it is a variable, inside loops a tape.
type recorder struct {
	name string
	typ  adjoint.Type
	tape bool
	site []*loopCtx // for a tape, the loops around its statement
}

// start records e for a new execution.
func (r *recorder) start(e adjoint.Expr) adjoint.Stmt {
	if r.tape {
		return (&tape{name: r.name}).push(asNumber(e))
	}
	return adjoint.Set(adjoint.Id(r.name), "=", e)
}

// set changes the record of the current execution.
func (r *recorder) set(e adjoint.Expr) adjoint.Stmt {
	if r.tape {
		return adjoint.Set(top(r.name), "=", asNumber(e))
	}
	return adjoint.Set(adjoint.Id(r.name), "=", e)
}

// asNumber writes a record's constant as a float64 for a tape: true is 1.
func asNumber(e adjoint.Expr) adjoint.Expr {
	switch {
	case adjoint.IsLit(e, "true"):
		return adjoint.Literal("1")
	case adjoint.IsLit(e, "false"):
		return adjoint.Literal("0")
	}
	return e
}

// storedAsFloat64 reports whether values of t survive a round trip
// through float64 exactly (for integers: those a loop counts with).
func storedAsFloat64(t types.Type) bool {
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		// A float type parameter: float32 and float64 both convert to
		// float64 and back exactly, and the tape needs no type of its own.
		return gotypes.FloatTypeSet(tp.Constraint())
	}
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return false
	}
	switch b.Kind() {
	case types.Float64, types.Float32, types.Int, types.Int8, types.Int16, types.Int32,
		types.Uint8, types.Uint16, types.Uint32:
		return true
	}
	return false
}

// inc adds one to the record of the current execution.
func (r *recorder) inc() adjoint.Stmt {
	if r.tape {
		return adjoint.IncDec{X: top(r.name), Inc: true}
	}
	return adjoint.IncDec{X: adjoint.Id(r.name), Inc: true}
}

// load reads the record back in the backward sweep: for a tape, it pops
// the top into a local.
func (l *Lowerer) load(r *recorder) ([]adjoint.Stmt, adjoint.Expr) {
	if !r.tape {
		return nil, adjoint.Id(r.name)
	}
	local := l.Names.Fresh(r.name[:len(r.name)-len("Tape")])
	var val adjoint.Expr = adjoint.Call{Fun: adjoint.Id("int"), Args: []adjoint.Expr{top(r.name)}}
	if adjoint.IsLit(adjoint.Id(r.typ.(adjoint.Named).Name), "bool") || r.typ.(adjoint.Named).Name == "bool" {
		val = adjoint.Bin("!=", top(r.name), adjoint.Literal("0"))
	}
	return []adjoint.Stmt{
		adjoint.Set(adjoint.Id(local), ":=", val),
		adjoint.Set(adjoint.Id(r.name), "=", adjoint.SliceExpr{X: adjoint.Id(r.name), Hi: adjoint.Bin("-", lenOf(r.name), adjoint.Literal("1"))}),
	}, adjoint.Id(local)
}
