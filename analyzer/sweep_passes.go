package analyzer

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// The passes over the backward sweep after lowering, in order, and the
// clean-up that declares adjoints and drops dead code.

// sweeps is the function's code between the passes: the forward sweep,
// the backward sweep and the return that ends it.
type sweeps struct {
	fwd, bwd []adjoint.Stmt
	final    adjoint.Return
}

// A backwardPass rewrites the backward sweep after lowering. The passes
// run in order, each followed by the IR sanity check in tests.
type backwardPass struct {
	name string
	// speedOnly marks a pass that only makes code faster: the test
	// switches that compare against unoptimised code turn it off.
	speedOnly bool
	run       func(l *lowerer, sw *sweeps)
}

// backwardPasses are the rewrites of the backward sweep, in order.
var backwardPasses = []backwardPass{
	{name: "peephole", run: func(l *lowerer, sw *sweeps) { sw.bwd = peephole(sw.bwd) }},
	{name: "declareAdjoints (declareIn)", run: func(l *lowerer, sw *sweeps) { sw.bwd = l.declareAdjoints(sw.bwd, sw.final) }},
	{name: "propagateCopies", run: func(l *lowerer, sw *sweeps) {
		all := propagateCopies(append(sw.bwd, sw.final), l.copyableAdjoints())
		sw.bwd, sw.final = all[:len(all)-1], all[len(all)-1].(adjoint.Return)
	}},
	{name: "factorSeeds", speedOnly: true, run: func(l *lowerer, sw *sweeps) {
		adjNames := l.copyableAdjoints()
		for _, v := range l.byName {
			if v.adj != "" {
				adjNames[v.adj] = true
			}
		}
		reads := countReads(append(append(append([]adjoint.Stmt(nil), sw.fwd...), sw.bwd...), sw.final))
		sw.bwd = factorSeeds(sw.bwd, adjNames, reads, false)
	}},
}

// copyableAdjoints are the adjoints that copy propagation may replace:
// those of source variables and of the sum loop's locals.
func (l *lowerer) copyableAdjoints() map[string]bool {
	copyable := map[string]bool{}
	for _, v := range l.adjOrd {
		copyable[v.adj] = true
	}
	for v := range l.fusedLocal {
		if v.adj != "" {
			copyable[v.adj] = true
		}
	}
	return copyable
}

// declareAdjoints declares the adjoint variables the backward code uses:
// those first set by a plain top-level assignment become ":=" there, the
// rest are declared, zero, at the top of the backward sweep. Resets of
// adjoints that nothing reads afterwards are dropped first.
func (l *lowerer) declareAdjoints(bwd []adjoint.Stmt, final adjoint.Return) []adjoint.Stmt {
	isAdj := map[string]*variable{}
	for _, v := range l.adjOrd {
		isAdj[v.adj] = v
	}
	// Drop "dx = 0" when nothing after it reads dx.
	var kept []adjoint.Stmt
	for i, s := range bwd {
		if a, ok := s.(adjoint.Assign); ok && a.Op == "=" && len(a.Lhs) == 1 && adjoint.IsLit(a.Rhs[0], "0") {
			if id, ok := a.Lhs[0].(adjoint.Ident); ok && isAdj[id.Name] != nil {
				used := mentions(final, id.Name)
				for _, later := range bwd[i+1:] {
					used = used || mentions(later, id.Name)
				}
				if !used {
					continue
				}
			}
		}
		kept = append(kept, s)
	}
	l.checkBackward("declareAdjoints (dropping unread resets)", kept, final)
	bwd = pruneDead(kept, final, isAdj)
	l.checkBackward("pruneDead", bwd, final)
	var vars []*variable
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
func (l *lowerer) declareIn(bwd []adjoint.Stmt, vars []*variable, final *adjoint.Return) []adjoint.Stmt {
	var declared []*variable
	for _, v := range vars {
		v.adjDeclared = true
		first := -1
		for i, s := range bwd {
			if mentions(s, v.adj) {
				first = i
				break
			}
		}
		if first >= 0 {
			if a, ok := bwd[first].(adjoint.Assign); ok && a.Op == "=" && len(a.Lhs) == 1 && !mentionsExpr(a.Rhs[0], v.adj) && !adjoint.UntypedConst(a.Rhs[0]) {
				if id, ok := a.Lhs[0].(adjoint.Ident); ok && id.Name == v.adj {
					a.Op = ":="
					bwd[first] = a
					continue
				}
			}
		} else if final == nil || !mentions(*final, v.adj) {
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
		key := adjoint.TypeString(v.ir)
		if i, ok := byType[key]; ok {
			d := decls[i].(adjoint.VarDecl)
			d.Names = append(d.Names, v.adj)
			decls[i] = d
			continue
		}
		byType[key] = len(decls)
		decls = append(decls, adjoint.VarDecl{Names: []string{v.adj}, Type: v.ir})
	}
	return append(decls, bwd...)
}

// mentions reports whether s names the variable name anywhere.
func mentions(s adjoint.Stmt, name string) bool {
	found := false
	adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
		if id, ok := e.(adjoint.Ident); ok && id.Name == name {
			found = true
		}
	})
	return found
}

func mentionsExpr(e adjoint.Expr, name string) bool {
	found := false
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		if id, ok := x.(adjoint.Ident); ok && id.Name == name {
			found = true
		}
	})
	return found
}

// pruneDead removes the backward code that computes values nothing reads:
// adjoints of values whose own reversal needs no adjoint (the whole part
// of Modf), and the temporaries of rules whose results went unused. Go
// rejects variables that are only ever assigned, so this is required, not
// cosmetic. It repeats until nothing changes, since each removal can leave
// another value unread.
func pruneDead(bwd []adjoint.Stmt, final adjoint.Return, adjoints map[string]*variable) []adjoint.Stmt {
	prunable := map[string]bool{}
	for name := range adjoints {
		prunable[name] = true
	}
	for _, s := range bwd {
		adjoint.WalkStmt(s, func(s adjoint.Stmt) {
			if a, ok := s.(adjoint.Assign); ok && a.Op == ":=" {
				for _, x := range a.Lhs {
					if id, ok := x.(adjoint.Ident); ok {
						prunable[id.Name] = true
					}
				}
			}
		})
	}
	for {
		reads := map[string]int{}
		count := func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok {
					reads[id.Name]++
				}
			})
		}
		walkReads(adjoint.Stmt(final), count)
		for _, s := range bwd {
			walkReads(s, count)
		}
		dead := func(s adjoint.Stmt) bool {
			var target adjoint.Expr
			switch s := s.(type) {
			case adjoint.Assign:
				if len(s.Lhs) != 1 {
					return false
				}
				target = s.Lhs[0]
			case adjoint.IncDec:
				target = s.X
			default:
				return false
			}
			id, ok := target.(adjoint.Ident)
			return ok && prunable[id.Name] && reads[id.Name] == 0
		}
		next, changed := removeStmts(bwd, dead)
		bwd = next
		if !changed {
			return bwd
		}
	}
}

// walkReads calls f on every expression s reads: everything but the
// targets of assignments (an op-assignment's target does not count as a
// use in Go either).
func walkReads(s adjoint.Stmt, f func(adjoint.Expr)) {
	adjoint.WalkStmt(s, func(s adjoint.Stmt) {
		switch s := s.(type) {
		case adjoint.Assign:
			for _, x := range s.Lhs {
				if _, ok := x.(adjoint.Ident); !ok {
					f(x)
				}
			}
			for _, x := range s.Rhs {
				f(x)
			}
		case adjoint.IncDec:
		case adjoint.VarDecl:
			for _, x := range s.Values {
				f(x)
			}
		case adjoint.ExprStmt:
			f(s.X)
		case adjoint.If:
			f(s.Cond)
		case adjoint.For:
			f(s.Cond)
		case adjoint.Range:
			f(s.X)
		case adjoint.Switch:
			f(s.Tag)
			for _, c := range s.Cases {
				for _, x := range c.List {
					f(x)
				}
			}
		case adjoint.Return:
			for _, x := range s.Results {
				f(x)
			}
		}
	})
}

// removeStmts deletes the statements dead reports, at any depth, and the
// if statements and comments left with nothing to do.
func removeStmts(list []adjoint.Stmt, dead func(adjoint.Stmt) bool) ([]adjoint.Stmt, bool) {
	var out []adjoint.Stmt
	changed := false
	for _, s := range list {
		if dead(s) {
			changed = true
			continue
		}
		switch x := s.(type) {
		case adjoint.If:
			var c1, c2 bool
			x.Then, c1 = removeStmts(x.Then, dead)
			x.Else, c2 = removeStmts(x.Else, dead)
			changed = changed || c1 || c2
			if len(x.Then) == 0 && len(x.Else) == 0 {
				changed = true
				continue
			}
			if len(x.Then) == 0 {
				x.Cond = adjoint.Unary{Op: "!", X: adjoint.Paren{X: x.Cond}}
				x.Then, x.Else = x.Else, nil
			}
			s = x
		case adjoint.Block:
			var c bool
			x.Body, c = removeStmts(x.Body, dead)
			changed = changed || c
			s = x
		}
		out = append(out, s)
	}
	// A comment followed by nothing but another comment reverses nothing.
	var kept []adjoint.Stmt
	for i, s := range out {
		if _, ok := s.(adjoint.Comment); ok {
			if i+1 == len(out) {
				continue
			}
			if _, next := out[i+1].(adjoint.Comment); next {
				continue
			}
		}
		kept = append(kept, s)
	}
	return kept, changed
}
