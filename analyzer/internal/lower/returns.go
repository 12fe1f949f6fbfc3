package lower

import (
	"go/ast"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Returns: where the function's value comes from, and where the backward
// sweep starts (the result's adjoint, ∂R/∂R = 1).

// lowerReturn lowers a return. The last statement of a function without
// early returns computes the result into a variable of its own (or returns
// a variable as it is); any other return stores into the shared result
// variable, marks the loops it leaves as left early, and jumps to the
// backward sweep. Either way the result's adjoint is seeded with
// ∂R/∂R = 1.
func (l *Lowerer) lowerReturn(ret *ast.ReturnStmt) *lowered {
	l.fwd, l.ops = nil, nil
	rec := &lowered{src: ret, pend: map[string]bool{}, inLoop: l.loopDepth > 0, exits: true, loops: l.loopStmts()}
	g := l.Target
	if len(ret.Results) != len(g.Results) {
		if len(ret.Results) == 1 {
			l.Errorf(ret.Pos(), "cannot differentiate %s, which returns the %d results of a call at once: assign them to variables and return those", l.Source(ret), len(g.Results))
		} else {
			l.Errorf(ret.Pos(), "gradgen needs return to name its results: named results are not supported")
		}
		return rec
	}
	if !l.early && len(ret.Results) > 1 {
		// A helper with several results: each gets a variable of its own,
		// seeded with its adjoint.
		for k, e := range ret.Results {
			res := l.NewTemp(LowerFirst(g.Decl.Name.Name), g.Results[k])
			if seed := l.seedValue(k); seed != nil {
				l.seed[res] = seed
			}
			if l.ExprVaried(e) {
				l.intoResult(e, res)
			} else {
				l.fwd = append(l.fwd, adjoint.VarDecl{Names: []string{res.Name}, Type: gotypes.MustIR(g.Results[k]), Values: []adjoint.Expr{l.Conv(e)}})
			}
			l.resultVals = append(l.resultVals, adjoint.Id(res.Name))
		}
		rec.fwd, rec.ops = l.fwd, l.ops
		rec.exits = false
		return rec
	}
	e := ret.Results[0]
	if !l.early {
		base := LowerFirst(g.Decl.Name.Name)
		switch id, ok := ast.Unparen(e).(*ast.Ident); {
		case !l.ExprVaried(e):
			res := l.NewTemp(base, g.Result)
			l.fwd = append(l.fwd, adjoint.VarDecl{Names: []string{res.Name}, Type: gotypes.MustIR(g.Result), Values: []adjoint.Expr{l.Conv(e)}})
			l.resultVals = []adjoint.Expr{adjoint.Id(res.Name)}
		case ok && l.vars[l.Info.Uses[id]].singleDefOrUnchanged():
			v := l.vars[l.Info.Uses[id]]
			rec.seed = v // return x: the seed goes straight to x
			l.resultVals = []adjoint.Expr{adjoint.Id(v.Name)}
			l.markOutput(v)
		default:
			// The result gets a variable of its own, which nothing overwrites
			// or restores: its adjoint is the constant 1.
			res := l.NewTemp(base, g.Result)
			l.seed[res] = l.seedValue(0)
			l.intoResult(e, res)
			l.resultVals = []adjoint.Expr{adjoint.Id(res.Name)}
		}
		rec.fwd, rec.ops = l.fwd, l.ops
		rec.exits = false
		return rec
	}
	l.resultVals = nil
	for k, e := range ret.Results {
		res := l.resultVars[k]
		l.resultVals = append(l.resultVals, adjoint.Id(res.Name))
		if l.ExprVaried(e) {
			l.intoResult(e, res)
		} else {
			l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(res.Name), "=", l.Conv(e)))
		}
	}
	for _, ctx := range l.loops {
		l.fwd = append(l.fwd, l.brokeRecorder(ctx).set(adjoint.Literal("true")))
	}
	if ret != l.final {
		l.fwd = append(l.fwd, adjoint.Goto{Label: l.exitLabel})
	}
	rec.fwd, rec.ops = l.fwd, l.ops
	return rec
}

// intoResult computes e into the result variable res.
func (l *Lowerer) intoResult(e ast.Expr, res *Variable) {
	result := l.lowerExpr(e, res)
	if result.v != res {
		l.writeForward(res, result.Val)
		l.addCopy(result, res)
	}
	l.markOutput(res)
}

func (l *Lowerer) markOutput(v *Variable) {
	node := v.Name
	if current, ok := l.graphValues[v.Name]; ok {
		node = current // its value at this return
	}
	for i := range l.graph.Nodes {
		if l.graph.Nodes[i].Name == node {
			l.graph.Nodes[i].Output = true
		}
	}
}

// seedValue is ∂R/∂R: 1, or for a pullback the adjoint its caller passes;
// nil for a result that is not differentiated.
func (l *Lowerer) seedValue(k int) adjoint.Expr {
	if s := l.Target.Seeded; s != nil && !s[k] {
		return nil
	}
	if k < len(l.seedNames) {
		return adjoint.Id(l.seedNames[k])
	}
	return adjoint.Literal("1")
}
