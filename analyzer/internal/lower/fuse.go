package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Sum loops. When a loop's only active state carried from one trip to the
// next is accumulators it adds into (a loss summed over samples), and the
// function returns right after it a value linear in those accumulators
// with passive coefficients (loss / float64(len(batch))), then the
// accumulators' adjoints are known before the loop starts and are the same
// on every trip. Each trip's backward code can then run right after its
// forward code, in the same loop: nothing is stored from one trip to the
// next, and the loop runs once. This is how a careful person writes the
// gradient of a minibatch loss.

// SumLoop reports whether the loop s, followed by the final return ret,
// can be fused.
func (l *Lowerer) SumLoop(s ast.Stmt, ret *ast.ReturnStmt) bool {
	// The results differentiated (all but those a second derivative's
	// inner function only returns, such as its JVP's value).
	var seeded []ast.Expr
	for k, r := range ret.Results {
		if l.seedValue(k) != nil {
			seeded = append(seeded, r)
		}
	}
	if len(seeded) != 1 || len(ret.Results) != len(l.Target.Results) {
		return false
	}
	body := l.sumLoopBody(s)
	if body == nil || l.leavesStmt(s) {
		return false
	}
	written := l.AssignedIn(s)
	// The loop's own variables (its counter, a range's key and value) are
	// set by its header alone, and no variable from outside but the
	// accumulators changes in the body: the fused trip runs backward code
	// right after forward code, and that code would undo the change
	// (j += 2 then j -= 2) before the next trip reads it.
	own := l.loopOwnVars(s)
	for obj := range l.AssignedIn(body) {
		if own[obj] || !declaredIn(s, obj) && !l.Varied[obj] {
			return false
		}
	}
	accs, ok := l.accumulators(s, body)
	if !ok || len(accs) == 0 || !l.onlyUpdatesRead(body, accs) {
		return false
	}
	if l.linearIn(seeded[0], accs, written) {
		l.fusedAccs = accs
		return true
	}
	return false
}

// sumLoopBody is the body of a loop whose header allows fusing, nil for a
// header that does not.
func (l *Lowerer) sumLoopBody(s ast.Stmt) *ast.BlockStmt {
	switch s := s.(type) {
	case *ast.ForStmt:
		// A varied counter (for t := x; t < 4; t += x) carries its
		// adjoint from trip to trip: the loop is not a sum.
		for _, h := range []ast.Stmt{s.Init, s.Post} {
			if h != nil && l.mentionsVaried(h) {
				return nil
			}
		}
		return s.Body
	case *ast.RangeStmt:
		// for _, v = range xs assigns a variable of the function: the
		// fused header would need an index of its own, declared outside.
		if s.Tok == token.ASSIGN {
			return nil
		}
		return s.Body
	}
	return nil
}

// declaredIn reports whether obj is declared inside the statement s.
func declaredIn(s ast.Stmt, obj types.Object) bool {
	return obj.Pos() >= s.Pos() && obj.Pos() < s.End()
}

// loopOwnVars are the variables the loop's header declares: a for loop's
// init, a range's key and value.
func (l *Lowerer) loopOwnVars(s ast.Stmt) map[types.Object]bool {
	own := map[types.Object]bool{}
	switch s := s.(type) {
	case *ast.ForStmt:
		if s.Init != nil {
			for obj := range l.AssignedIn(s.Init) {
				own[obj] = true
			}
		}
	case *ast.RangeStmt:
		for _, x := range []ast.Expr{s.Key, s.Value} {
			if id, isID := x.(*ast.Ident); isID && l.Info.Defs[id] != nil {
				own[l.Info.Defs[id]] = true
			}
		}
	}
	return own
}

// madeInBody are the variables the body declares from make: slices made
// on each trip are the trip's own.
func (l *Lowerer) madeInBody(body *ast.BlockStmt) map[types.Object]bool {
	made := map[types.Object]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		as, isAssign := n.(*ast.AssignStmt)
		if !isAssign || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, x := range as.Lhs {
			if call, isCall := ast.Unparen(as.Rhs[i]).(*ast.CallExpr); isCall {
				if b, isBuiltin := l.Info.Uses[gotypes.IdentOf(call.Fun)].(*types.Builtin); isBuiltin && b.Name() == "make" {
					if id, isID := x.(*ast.Ident); isID {
						made[l.Info.Defs[id]] = true
					}
				}
			}
		}
		return true
	})
	return made
}

// accumulators are the varied variables from outside the loop that its
// body adds into (acc += e, acc -= e with e not reading acc). ok is false
// when the body changes carried state any other way: a break or continue
// of the loop, another update of a varied outside variable, or a write
// through a slice or pointer the trip did not make (w := buf[0:1] views
// memory that outlives the trip, so writes through it carry values from
// trip to trip).
func (l *Lowerer) accumulators(s ast.Stmt, body *ast.BlockStmt) (accs map[types.Object]bool, ok bool) {
	made := l.madeInBody(body)
	accs = map[types.Object]bool{}
	ok = true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BranchStmt:
			if l.targets[n] == s {
				ok = false // break or continue of the fused loop
			}
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				v := l.RootVar(x)
				_, whole := ast.Unparen(x).(*ast.Ident)
				if v != nil && declaredIn(s, v) && !whole && gotypes.RefVar(v.Type()) && !made[v] {
					ok = false
				}
				if v == nil || declaredIn(s, v) || !l.Varied[v] {
					continue
				}
				if !whole || !gotypes.IsFloat(v.Type()) || (n.Tok != token.ADD_ASSIGN && n.Tok != token.SUB_ASSIGN) || readsObject(l.Info, n.Rhs[0], v) {
					ok = false
				}
				accs[v] = true
			}
		case *ast.IncDecStmt:
			if v := l.RootVar(n.X); v != nil && !declaredIn(s, v) && l.Varied[v] {
				ok = false
			}
		}
		return true
	})
	return accs, ok
}

// onlyUpdatesRead reports whether the accumulators are read nowhere in the
// loop but by their own updates.
func (l *Lowerer) onlyUpdatesRead(body *ast.BlockStmt, accs map[types.Object]bool) bool {
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		if as, isAssign := n.(*ast.AssignStmt); isAssign && (as.Tok == token.ADD_ASSIGN || as.Tok == token.SUB_ASSIGN) {
			for _, r := range as.Rhs {
				ast.Inspect(r, func(m ast.Node) bool {
					if id, isID := m.(*ast.Ident); isID && accs[l.Info.Uses[id]] {
						ok = false
					}
					return true
				})
			}
			return false
		}
		if id, isID := n.(*ast.Ident); isID && accs[l.Info.Uses[id]] {
			ok = false
		}
		return true
	})
	return ok
}

// readsObject reports whether e reads v.
func readsObject(info *types.Info, e ast.Expr, v types.Object) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == v {
			found = true
		}
		return true
	})
	return found
}

// linearIn reports whether e is a linear combination of the accumulators
// with passive coefficients that the loop does not change: its backward
// code then reads nothing the loop computes.
func (l *Lowerer) linearIn(e ast.Expr, accs, written map[types.Object]bool) bool {
	passive := func(x ast.Expr) bool {
		if l.ExprVaried(x) {
			return false
		}
		clean := true
		ast.Inspect(x, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (written[l.Info.Uses[id]] || accs[l.Info.Uses[id]]) {
				clean = false
			}
			if _, ok := n.(*ast.CallExpr); ok {
				if tv := l.Info.Types[n.(*ast.CallExpr).Fun]; !tv.IsType() && !tv.IsBuiltin() {
					clean = false
				}
			}
			return true
		})
		return clean
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return l.linearIn(e.X, accs, written)
	case *ast.Ident:
		return accs[l.Info.Uses[e]] || passive(e)
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD) && l.linearIn(e.X, accs, written)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB:
			return l.linearIn(e.X, accs, written) && l.linearIn(e.Y, accs, written)
		case token.MUL:
			return passive(e.X) && l.linearIn(e.Y, accs, written) || passive(e.Y) && l.linearIn(e.X, accs, written)
		case token.QUO:
			return passive(e.Y) && l.linearIn(e.X, accs, written)
		}
	}
	return passive(e)
}

// lowerFused lowers a sum loop. Its body is lowered as straight-line code
// of one trip; fusedCode later puts each trip's backward code after its
// forward code.
func (l *Lowerer) lowerFused(s ast.Stmt, label string) []*lowered {
	rec := &lowered{src: s, fused: true, pend: map[string]bool{}}
	l.fusing = true
	defer func() { l.fusing = false }()
	var body *ast.BlockStmt
	switch s := s.(type) {
	case *ast.ForStmt:
		body = s.Body
		rec.header = adjoint.For{Label: label, Init: l.ConvSimple(s.Init), Cond: l.convOpt(s.Cond), Post: l.ConvSimple(s.Post)}
	case *ast.RangeStmt:
		body = s.Body
		r := adjoint.Range{Label: label, X: l.Conv(s.X), Define: s.Tok == token.DEFINE}
		if s.Key != nil {
			r.Key = l.Conv(s.Key)
		}
		if s.Value != nil {
			r.Value = l.Conv(s.Value)
		}
		if id, ok := s.Value.(*ast.Ident); ok && id.Name != "_" && l.ExprVaried(s.X) {
			// A range value over an active slice is the element: its
			// adjoint is the element's, which needs the index.
			key := "_"
			if kid, ok := s.Key.(*ast.Ident); ok && kid.Name != "_" {
				key = l.VariableOf(l.Info.ObjectOf(kid)).Name
			} else {
				key = l.Names.Fresh("i")
				r.Key, r.Define = adjoint.Id(key), true
			}
			l.VariableOf(l.Info.ObjectOf(id)).alias = adjoint.Index{X: l.adjPath(s.X), Index: adjoint.Id(key)}
		}
		rec.header = r
	}
	for id, obj := range l.Info.Defs {
		if obj != nil && id.Pos() >= s.Pos() && id.Pos() < s.End() {
			if v, ok := obj.(*types.Var); ok {
				l.local(l.VariableOf(v))
			}
		}
	}
	rec.body = l.lowerBlock(body.List)
	return []*lowered{rec}
}

// ConvSimple converts a passive simple statement (a loop's init or post).
func (l *Lowerer) ConvSimple(s ast.Stmt) adjoint.Stmt {
	switch s := s.(type) {
	case nil:
		return nil
	case *ast.AssignStmt:
		return adjoint.Assign{Lhs: l.ConvAll(s.Lhs), Op: s.Tok.String(), Rhs: l.ConvAll(s.Rhs)}
	case *ast.IncDecStmt:
		return adjoint.IncDec{X: l.Conv(s.X), Inc: s.Tok == token.INC}
	case *ast.ExprStmt:
		return adjoint.ExprStmt{X: l.Conv(s.X)}
	}
	l.Errorf(s.Pos(), "gradgen cannot handle %s in a loop header", l.Source(s))
	return nil
}

func (l *Lowerer) convOpt(e ast.Expr) adjoint.Expr {
	if e == nil {
		return nil
	}
	return l.Conv(e)
}

// fusedCode writes the sum loop: each trip runs its forward code, then its
// backward code, with the accumulators' adjoints already known.
func (l *Lowerer) fusedCode(rec *lowered) []adjoint.Stmt {
	fwd := l.forward(rec.body)
	savedZero, savedDepth := l.zero, l.revDepth
	l.zero, l.revDepth, l.fusing = map[string]bool{}, 0, true
	bwd := l.backward(rec.body)
	l.zero, l.revDepth, l.fusing = savedZero, savedDepth, false
	l.forgetZeros(bwd)
	l.revCode = append(l.revCode, bwd...)
	l.checkSumLoop("lowering the sum loop", rec, fwd, bwd)
	bwd, local := l.declareLocalAdjoints(bwd)
	l.checkSumLoop("declareLocalAdjoints", rec, fwd, bwd)
	sw := &opt.Sweeps{Fwd: fwd, Bwd: bwd}
	opt.Run([]opt.Pass{
		{Name: "dropDeadZeros", Run: func(sw *opt.Sweeps) { sw.Bwd = opt.DropDeadZeros(sw.Bwd, local) }},
		{Name: "foldElementUpdates", Run: func(sw *opt.Sweeps) { sw.Bwd = opt.FoldElementUpdates(sw.Bwd) }},
		{Name: "dropBareComments", Run: func(sw *opt.Sweeps) { sw.Bwd = opt.DropBareComments(sw.Bwd) }},
	}, sw, true, func(pass string, sw *opt.Sweeps) { l.checkSumLoop(pass, rec, sw.Fwd, sw.Bwd) })
	body := append(sw.Fwd, sw.Bwd...)
	switch h := rec.header.(type) {
	case adjoint.For:
		h.Body = body
		return []adjoint.Stmt{adjoint.Comment{Text: l.header(rec.src) + " (forward and backward in one pass: a sum)"}, h}
	case adjoint.Range:
		h.Body = body
		return []adjoint.Stmt{adjoint.Comment{Text: l.header(rec.src) + " (forward and backward in one pass: a sum)"}, h}
	}
	return nil
}

// declareLocalAdjoints declares, inside the sum loop's body, the adjoints
// of the trip's own values, so that each trip starts them at zero; it
// returns their names too.
func (l *Lowerer) declareLocalAdjoints(bwd []adjoint.Stmt) ([]adjoint.Stmt, map[string]bool) {
	var local []*Variable
	var rest []*Variable
	names := map[string]bool{}
	for _, v := range l.adjOrd {
		if l.fusedLocal[v] && !v.adjDeclared {
			local = append(local, v)
			names[v.Adj] = true
		} else {
			rest = append(rest, v)
		}
	}
	l.adjOrd = rest
	return l.declareIn(bwd, local, nil), names
}
