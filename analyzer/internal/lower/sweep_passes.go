package lower

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// The passes over the backward sweep after lowering, in order, and the
// clean-up that declares adjoints and drops dead code.

// backwardPasses are the rewrites of l's backward sweep, in order: the
// rewrites themselves live in package opt; the lowering contributes what
// only it knows (which names are adjoints, and their declarations).
func (l *Lowerer) backwardPasses() []opt.Pass {
	return []opt.Pass{
		{Name: "peephole", Run: func(sw *opt.Sweeps) { sw.Bwd = opt.Peephole(sw.Bwd) }},
		{Name: "declareAdjoints (declareIn)", Run: func(sw *opt.Sweeps) { sw.Bwd = l.declareAdjoints(sw.Bwd, sw.Final) }},
		{Name: "propagateCopies", Run: func(sw *opt.Sweeps) {
			all := opt.PropagateCopies(append(sw.Bwd, sw.Final), l.copyableAdjoints())
			sw.Bwd, sw.Final = all[:len(all)-1], all[len(all)-1].(adjoint.Return)
		}},
		{Name: "factorSeeds", SpeedOnly: true, Run: func(sw *opt.Sweeps) {
			adjNames := l.copyableAdjoints()
			for _, v := range l.byName {
				if v.Adj != "" {
					adjNames[v.Adj] = true
				}
			}
			reads := opt.CountReads(append(append(append([]adjoint.Stmt(nil), sw.Fwd...), sw.Bwd...), sw.Final))
			sw.Bwd = opt.FactorSeeds(sw.Bwd, adjNames, reads, false)
		}},
	}
}

// copyableAdjoints are the adjoints that copy propagation may replace:
// those of source variables and of the sum loop's locals.
func (l *Lowerer) copyableAdjoints() map[string]bool {
	copyable := map[string]bool{}
	for _, v := range l.adjOrd {
		copyable[v.Adj] = true
	}
	for v := range l.fusedLocal {
		if v.Adj != "" {
			copyable[v.Adj] = true
		}
	}
	return copyable
}

// declareAdjoints declares the adjoint variables the backward code uses:
// those first set by a plain top-level assignment become ":=" there, the
// rest are declared, zero, at the top of the backward sweep. Resets of
// adjoints that nothing reads afterwards are dropped first.
func (l *Lowerer) declareAdjoints(bwd []adjoint.Stmt, final adjoint.Return) []adjoint.Stmt {
	isAdj := map[string]*Variable{}
	for _, v := range l.adjOrd {
		isAdj[v.Adj] = v
	}
	// Drop "dx = 0" when nothing after it reads dx.
	var kept []adjoint.Stmt
	for i, s := range bwd {
		if a, ok := s.(adjoint.Assign); ok && a.Op == "=" && len(a.Lhs) == 1 && adjoint.IsLit(a.Rhs[0], "0") {
			if id, ok := a.Lhs[0].(adjoint.Ident); ok && isAdj[id.Name] != nil {
				used := opt.Mentions(final, id.Name)
				for _, later := range bwd[i+1:] {
					used = used || opt.Mentions(later, id.Name)
				}
				if !used {
					continue
				}
			}
		}
		kept = append(kept, s)
	}
	l.checkBackward("declareAdjoints (dropping unread resets)", kept, final)
	adjNames := map[string]bool{}
	for name := range isAdj {
		adjNames[name] = true
	}
	bwd = opt.PruneDead(kept, final, adjNames)
	l.checkBackward("pruneDead", bwd, final)
	var vars []*Variable
	for _, v := range l.adjOrd {
		if !v.adjDeclared {
			vars = append(vars, v)
		}
	}
	return l.declareIn(bwd, vars, &final)
}

// declareIn declares the adjoints of vars in a block of backward code:
// those first set by a plain assignment at the block's top level become
// ":=" there, the rest are declared, zero, at the block's start. An
// adjoint the block never mentions is declared only if final reads it.
func (l *Lowerer) declareIn(bwd []adjoint.Stmt, vars []*Variable, final *adjoint.Return) []adjoint.Stmt {
	var declared []*Variable
	for _, v := range vars {
		v.adjDeclared = true
		first := -1
		for i, s := range bwd {
			if opt.Mentions(s, v.Adj) {
				first = i
				break
			}
		}
		if first >= 0 {
			if a, ok := bwd[first].(adjoint.Assign); ok && a.Op == "=" && len(a.Lhs) == 1 && !opt.MentionsExpr(a.Rhs[0], v.Adj) && !adjoint.UntypedConst(a.Rhs[0]) {
				if id, ok := a.Lhs[0].(adjoint.Ident); ok && id.Name == v.Adj {
					a.Op = ":="
					bwd[first] = a
					continue
				}
			}
		} else if final == nil || !opt.Mentions(*final, v.Adj) {
			continue
		}
		declared = append(declared, v)
	}
	if len(declared) == 0 {
		return bwd
	}
	// adjoint.One var line per type, in order of first use.
	var decls []adjoint.Stmt
	byType := map[string]int{}
	for _, v := range declared {
		key := adjoint.TypeString(v.IR)
		if i, ok := byType[key]; ok {
			d := decls[i].(adjoint.VarDecl)
			d.Names = append(d.Names, v.Adj)
			decls[i] = d
			continue
		}
		byType[key] = len(decls)
		decls = append(decls, adjoint.VarDecl{Names: []string{v.Adj}, Type: v.IR})
	}
	return append(decls, bwd...)
}
