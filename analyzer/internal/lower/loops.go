package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Loops: lowering for and range statements, their trip counts and the
// records of trips that left early.

// enterLoop and leaveLoop bracket the lowering of a loop's body.
func (l *Lowerer) enterLoop(s ast.Stmt, label string, rec *lowered) *loopCtx {
	ctx := &loopCtx{stmt: s, label: label, rec: rec}
	l.loops = append(l.loops, ctx)
	l.loopDepth++
	l.depth++
	return ctx
}

func (l *Lowerer) leaveLoop() {
	l.loops = l.loops[:len(l.loops)-1]
	l.loopDepth--
	l.depth--
}

// lowerFor lowers a three-clause or condition-only for loop.
func (l *Lowerer) lowerFor(s *ast.ForStmt, label string) []*lowered {
	rec := &lowered{src: &ast.ForStmt{For: s.For, Cond: s.Cond, Body: &ast.BlockStmt{}}, inLoop: l.loopDepth > 0, loop: &loopRec{}}
	trip := l.tripCount(s)
	if s.Init != nil {
		// A counter set from the trip count going back needs no save.
		rec.loop.counter = l.resettableCounter(s, trip)
		if rec.loop.counter != nil {
			l.unsaveDefs(map[ast.Stmt]bool{s.Init: true})
			l.noteReaders(rec, []adjoint.Stmt{adjoint.ExprStmt{X: rec.loop.counter.init}}, false)
		}
		rec.loop.pre = l.lowerAny(s.Init, "")
	}
	var cond adjoint.Expr
	if s.Cond != nil {
		cond = l.Conv(s.Cond)
	}
	ctx := l.enterLoop(s, label, rec)
	ctx.trip = trip
	if trip != nil {
		ctx.index = l.VariableOf(l.Info.ObjectOf(s.Init.(*ast.AssignStmt).Lhs[0].(*ast.Ident))).Name
	}
	if s.Post != nil {
		rec.loop.post = l.lowerStmt(s.Post)
	}
	var counter types.Object
	if ctx.index != "" {
		counter = l.Info.ObjectOf(s.Init.(*ast.AssignStmt).Lhs[0].(*ast.Ident))
	}
	views := l.recomputedViews(s, s.Body, counter)
	l.unsaveDefs(views)
	rec.loop.body = l.lowerBlock(s.Body.List)
	l.takeViewsAgain(rec.loop, views)
	l.replayTrips(rec, ctx, s.Body)
	l.leaveLoop()
	rec.exits = l.loopExits(s)

	var post adjoint.Stmt
	var postCode []adjoint.Stmt
	if p := rec.loop.post; p != nil {
		if post = singleStmt(p.fwd); post == nil {
			postCode = p.fwd
		}
	}
	rec.fwd = append(l.forward(rec.loop.pre), l.loopForward(rec, ctx, func(body []adjoint.Stmt) adjoint.Stmt {
		if postCode == nil {
			return adjoint.For{Label: label, Cond: cond, Post: post, Body: body}
		}
		// A post statement that takes several statements (it saves old
		// values) runs at the top of every trip but the first, which keeps
		// continue's meaning.
		first := l.Names.Fresh("first")
		head := adjoint.IfElse(adjoint.Unary{Op: "!", X: adjoint.Id(first)}, postCode, nil)
		if cond != nil {
			head = append(head, adjoint.If{Cond: adjoint.Unary{Op: "!", X: adjoint.Paren{X: cond}}, Then: []adjoint.Stmt{adjoint.Branch{Tok: "break"}}})
		}
		return adjoint.For{Label: label, Init: adjoint.Set(adjoint.Id(first), ":=", adjoint.Literal("true")),
			Post: adjoint.Set(adjoint.Id(first), "=", adjoint.Literal("false")), Body: append(head, body...)}
	})...)
	return []*lowered{rec}
}

// recomputable reports whether the backward sweep may evaluate the trip
// count e again and get the value the loop ran with: e reads only
// constants, variables and the lengths of variables (whose overwrites
// the lowering saves and restores for the backward sweep's readers), with
// arithmetic, min, max and conversions. Not memory: b[0] or p.n may
// change through an alias (clear(b), c := b; c[0] = 0) that nothing saves,
// so such a count is recorded.
func (l *Lowerer) recomputable(e adjoint.Expr) bool {
	switch x := e.(type) {
	case adjoint.Lit:
		return true
	case adjoint.Ident:
		// A local or a parameter: a package-level variable may change
		// in a call that nothing saves.
		return l.byName[x.Name] != nil
	case adjoint.Paren:
		return l.recomputable(x.X)
	case adjoint.Unary:
		return x.Op == "-" && l.recomputable(x.X)
	case adjoint.Binary:
		switch x.Op {
		case "+", "-", "*", "/", "%":
			return l.recomputable(x.X) && l.recomputable(x.Y)
		}
	case adjoint.SliceExpr:
		// len(xs[1:]): the bounds, and the variable sliced.
		for _, b := range []adjoint.Expr{x.Lo, x.Hi, x.Max} {
			if b != nil && !l.recomputable(b) {
				return false
			}
		}
		id, ok := x.X.(adjoint.Ident)
		return ok && l.recomputable(id)
	case adjoint.Call:
		if _, conv := x.Fun.(adjoint.TypeExpr); conv && len(x.Args) == 1 {
			return l.recomputable(x.Args[0])
		}
		switch adjoint.ExprString(x.Fun) {
		case "len":
			if id, ok := x.Args[0].(adjoint.Ident); ok {
				return l.recomputable(id)
			}
			if sl, ok := x.Args[0].(adjoint.SliceExpr); ok {
				return l.recomputable(sl)
			}
		case "max", "min":
			for _, a := range x.Args {
				if !l.recomputable(a) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// singleStmt turns forward code into one simple statement for a for
// clause: "x = ..." alone, or a push onto a tape followed by "x = ..."
// merged into one parallel assignment.
func singleStmt(code []adjoint.Stmt) adjoint.Stmt {
	switch len(code) {
	case 1:
		return code[0]
	case 2:
		a, ok1 := code[0].(adjoint.Assign)
		if !ok1 || a.Op != "=" || len(a.Lhs) != 1 {
			return nil
		}
		var lhs, rhs adjoint.Expr
		switch b := code[1].(type) {
		case adjoint.Assign:
			if len(b.Lhs) != 1 || b.Op == ":=" {
				return nil
			}
			lhs, rhs = b.Lhs[0], b.Rhs[0]
			if b.Op != "=" { // x op= y is x = x op (y)
				rhs = adjoint.Bin(strings.TrimSuffix(b.Op, "="), b.Lhs[0], adjoint.Paren{X: b.Rhs[0]})
			}
		case adjoint.IncDec:
			op := "-"
			if b.Inc {
				op = "+"
			}
			lhs, rhs = b.X, adjoint.Bin(op, b.X, adjoint.Literal("1"))
		default:
			return nil
		}
		return adjoint.Assign{Lhs: []adjoint.Expr{a.Lhs[0], lhs}, Op: "=", Rhs: []adjoint.Expr{a.Rhs[0], rhs}}
	}
	return nil
}

// loopForward wraps a loop's body with the records of its trips.
func (l *Lowerer) loopForward(rec *lowered, ctx *loopCtx, build func([]adjoint.Stmt) adjoint.Stmt) []adjoint.Stmt {
	body := l.forwardInLoop(ctx, rec.loop.body)
	lp := rec.loop
	if !hasBackward([]*lowered{rec}) {
		if ctx.broke != nil {
			// Nothing goes back through the loop: whether it was left
			// early is recorded nowhere, and set nowhere.
			set := adjoint.StmtString(ctx.broke.set(adjoint.Literal("true")))
			body, _ = opt.RemoveStmts(body, func(s adjoint.Stmt) bool { return adjoint.StmtString(s) == set })
		}
		return []adjoint.Stmt{build(body)}
	}
	lp.broke = ctx.broke
	var out []adjoint.Stmt
	if ctx.trip != nil && lp.broke == nil && l.recomputable(ctx.trip) {
		// A loop that always runs trip times, trip an expression nothing in
		// its nest assigns (len(xs), n - a, the length of an array), runs
		// as many times backward: nothing to record, and no count kept per
		// trip of an inner loop. The backward sweep evaluates trip again,
		// so its variables are read back there as they were.
		lp.constTrips = ctx.trip
		l.noteReaders(rec, []adjoint.Stmt{adjoint.ExprStmt{X: ctx.trip}}, false)
		if len(l.loops) == 0 {
			out = l.allocateTapes(ctx)
		}
		return append(out, build(body))
	}
	lp.count = l.newRecorderAt("trips", "int", rec.inLoop)
	if len(l.loops) == 0 {
		out = l.allocateTapes(ctx)
	}
	out = append(out, lp.count.start(adjoint.Literal("0")))
	if lp.broke != nil {
		out = append(out, lp.broke.start(adjoint.Literal("false")))
	}
	return append(out, build(append([]adjoint.Stmt{lp.count.inc()}, body...)))
}

// tripCount returns the number of trips of a counting loop, as an
// expression that can be evaluated before the loop nest it belongs to
// starts, or nil. It knows range over integers, slices and arrays, and
// for i := a; i < b; i++ (and <=, and the mirror loops counting down),
// when nothing in the loop nest assigns the variables of a and b.
func (l *Lowerer) tripCount(s ast.Stmt) adjoint.Expr {
	nest := s
	if len(l.loops) > 0 {
		nest = l.loops[0].stmt
	}
	invariant := func(es ...ast.Expr) bool {
		assigned := l.AssignedIn(nest)
		ok := true
		for _, e := range es {
			ast.Inspect(e, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Ident:
					if assigned[l.Info.Uses[n]] {
						ok = false
					}
				case *ast.CallExpr:
					if tv := l.Info.Types[n.Fun]; !tv.IsType() && !tv.IsBuiltin() {
						ok = false // a call may have side effects
					}
				}
				return true
			})
		}
		return ok
	}
	switch s := s.(type) {
	case *ast.RangeStmt:
		if u, ok := l.Info.TypeOf(s.X).Underlying().(*types.Array); ok {
			return adjoint.Literal(itoa(int(u.Len())))
		}
		if id, ok := ast.Unparen(s.X).(*ast.Ident); ok && l.lengthFixed(id, nest) {
			// for i := range h { h[i] = ... }: writes to elements leave
			// the length alone.
			return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{l.Conv(s.X)}}
		}
		if !invariant(s.X) {
			return nil
		}
		switch u := l.Info.TypeOf(s.X).Underlying().(type) {
		case *types.Basic:
			// An int: the counts are ints, and n - a of an unsigned type
			// would wrap where max(0, ...) expects a negative.
			if u.Kind() == types.Int {
				return adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{adjoint.Literal("0"), l.Conv(s.X)}}
			}
		case *types.Array:
			return adjoint.Literal(itoa(int(u.Len())))
		case *types.Slice:
			return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{l.Conv(s.X)}}
		}
	case *ast.ForStmt:
		init, ok := s.Init.(*ast.AssignStmt)
		if !ok || len(init.Lhs) != 1 || len(init.Rhs) != 1 || s.Cond == nil || s.Post == nil {
			return nil
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		post, ok2 := s.Post.(*ast.IncDecStmt)
		cond, ok3 := s.Cond.(*ast.BinaryExpr)
		if !ok || !ok2 || !ok3 || gotypes.IdentOf(post.X) == nil || l.Info.ObjectOf(gotypes.IdentOf(post.X)) != l.Info.ObjectOf(id) ||
			gotypes.IdentOf(cond.X) == nil || l.Info.ObjectOf(gotypes.IdentOf(cond.X)) != l.Info.ObjectOf(id) {
			return nil
		}
		if b, ok := l.Info.ObjectOf(id).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Int {
			return nil // as for a range over an integer
		}
		// The counter itself may change only in the post statement.
		counter := l.Info.ObjectOf(id)
		changed := false
		ast.Inspect(s.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, x := range n.Lhs {
					if l.RootVar(x) == counter {
						changed = true
					}
				}
			case *ast.IncDecStmt:
				if l.RootVar(n.X) == counter {
					changed = true
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND && l.RootVar(n.X) == counter {
					changed = true
				}
			}
			return true
		})
		if changed || !invariant(init.Rhs[0], cond.Y) {
			return nil
		}
		a, b := l.Conv(init.Rhs[0]), l.Conv(cond.Y)
		minus := func(x, y adjoint.Expr) adjoint.Expr {
			if adjoint.IsLit(y, "0") {
				return x
			}
			return adjoint.Bin("-", x, adjoint.Operand(y, "-", true))
		}
		var n adjoint.Expr
		switch {
		case post.Tok == token.INC && cond.Op == token.LSS:
			n = minus(b, a)
		case post.Tok == token.INC && cond.Op == token.LEQ:
			n = adjoint.Bin("+", minus(b, a), adjoint.Literal("1"))
		case post.Tok == token.DEC && cond.Op == token.GTR:
			n = minus(a, b)
		case post.Tok == token.DEC && cond.Op == token.GEQ:
			n = adjoint.Bin("+", minus(a, b), adjoint.Literal("1"))
		default:
			return nil
		}
		return adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{adjoint.Literal("0"), n}}
	}
	return nil
}

// forwardInLoop assembles a loop body's forward code; completion records
// inside it are tapes.
func (l *Lowerer) forwardInLoop(ctx *loopCtx, recs []*lowered) []adjoint.Stmt {
	l.loopDepth++
	l.loops = append(l.loops, ctx)
	defer func() {
		l.loopDepth--
		l.loops = l.loops[:len(l.loops)-1]
	}()
	return l.forward(recs)
}

// brokeRecorder returns the record of a loop left early, creating it.
func (l *Lowerer) brokeRecorder(ctx *loopCtx) *recorder {
	if ctx.broke == nil {
		// It is recorded once per run of its loop: its site is the loops
		// around that loop.
		saved := l.loops
		for i, c := range l.loops {
			if c == ctx {
				l.loops = l.loops[:i]
				break
			}
		}
		ctx.broke = l.newRecorderAt("broke", "bool", ctx.rec.inLoop)
		l.loops = saved
	}
	return ctx.broke
}

// lowerRange lowers a range loop over an integer, a slice or an array.
// usedOutside reports whether obj is read or written anywhere in the
// function but in the range statement s.
func (l *Lowerer) usedOutside(obj types.Object, s *ast.RangeStmt) bool {
	found := false
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		if n == s {
			return false
		}
		if id, ok := n.(*ast.Ident); ok && l.Info.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

func (l *Lowerer) lowerRange(s *ast.RangeStmt, label string) []*lowered {
	rec := &lowered{src: &ast.RangeStmt{For: s.For, Key: s.Key, Value: s.Value, Tok: s.Tok, X: s.X, Body: &ast.BlockStmt{}},
		inLoop: l.loopDepth > 0, loop: &loopRec{}, loops: l.loopStmts()}
	l.checkRangeOperand(s)
	x := l.Conv(s.X)
	aliasKey := l.rangeValueAlias(s)
	trip := l.tripCount(s)
	ctx := l.enterLoop(s, label, rec)
	ctx.trip = trip
	var key types.Object
	if id, ok := s.Key.(*ast.Ident); ok && id.Name != "_" && !l.AssignedIn(s.Body)[l.Info.ObjectOf(id)] {
		ctx.index = l.VariableOf(l.Info.ObjectOf(id)).Name
		key = l.Info.ObjectOf(id)
	}
	views := l.recomputedViews(s, s.Body, key)
	l.unsaveDefs(views)
	rec.loop.body = l.lowerBlock(s.Body.List)
	l.takeViewsAgain(rec.loop, views)
	l.replayTrips(rec, ctx, s.Body)
	l.leaveLoop()
	rec.exits = l.loopExits(s)
	keyIR, valueIR, define := l.rangeHeaderVars(s, rec, x, aliasKey)
	rec.fwd = l.loopForward(rec, ctx, func(body []adjoint.Stmt) adjoint.Stmt {
		return adjoint.Range{Label: label, Key: keyIR, Value: valueIR, Define: define && keyIR != nil, X: x, Body: body}
	})
	return []*lowered{rec}
}

// checkRangeOperand refuses a range over what gradgen cannot reverse: it
// reverses loops over integers, slices and arrays (and pointers to them).
func (l *Lowerer) checkRangeOperand(s *ast.RangeStmt) {
	xt := l.Info.TypeOf(s.X)
	switch u := xt.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsInteger == 0 && u.Info()&types.IsString == 0 {
			l.Errorf(s.X.Pos(), "cannot range over %s here", xt)
		}
	case *types.Slice, *types.Array:
	case *types.Pointer:
		if _, ok := u.Elem().Underlying().(*types.Array); !ok {
			l.Errorf(s.X.Pos(), "cannot range over %s here", xt)
		}
	default:
		l.Errorf(s.X.Pos(), "cannot differentiate a loop over %s: gradgen reverses loops over integers, slices and arrays; loop over a slice of keys instead", xt)
	}
}

// rangeValueAlias makes the value of a range over an active slice an alias
// of its element: its adjoint is the element's, dxs[i] for xs[i], which
// needs the index even where the source names none. It returns that index
// (nil when the value is no alias), and refuses writes to the value and,
// for a range with =, its use after the loop.
func (l *Lowerer) rangeValueAlias(s *ast.RangeStmt) *Variable {
	id, ok := s.Value.(*ast.Ident)
	if !ok || id.Name == "_" || !l.ExprVaried(s.X) {
		return nil
	}
	var aliasKey *Variable
	if kid, ok := s.Key.(*ast.Ident); ok && kid.Name != "_" {
		aliasKey = l.VariableOf(l.Info.ObjectOf(kid))
	} else {
		aliasKey = l.NewTemp("i", types.Typ[types.Int])
	}
	vv := l.VariableOf(l.Info.ObjectOf(id))
	vv.alias = adjoint.Index{X: l.adjPath(s.X), Index: adjoint.Id(aliasKey.Name)}
	if s.Tok == token.ASSIGN && l.usedOutside(l.Info.ObjectOf(id), s) {
		// After the loop the variable holds the last element, whose
		// index the backward sweep of an enclosing loop no longer has.
		l.Errorf(s.Value.Pos(), "cannot differentiate %s, a variable the range over the active %s assigns and the function uses elsewhere: range with a variable of the loop's own (for _, %s := range ...) and copy it into %s where it is needed after the loop", id.Name, l.Source(s.X), id.Name, id.Name)
	}
	ast.Inspect(s.Body, func(m ast.Node) bool {
		if as, ok := m.(*ast.AssignStmt); ok {
			for _, lhs := range as.Lhs {
				if l.RootVar(lhs) == l.Info.ObjectOf(id) {
					way := fmt.Sprintf("assign the new value to a new variable (%s2 := ...)", id.Name)
					if !gotypes.IsFloat(l.Info.TypeOf(id)) {
						way = "copy the float fields or elements you change into local variables"
					}
					l.Errorf(lhs.Pos(), "cannot assign to %s, the value of a range over an active slice: gradgen reads it as the element going back; %s", l.Source(lhs), way)
				}
			}
		}
		return true
	})
	return aliasKey
}

// rangeHeaderVars chooses the forward loop's key and value and whether it
// declares them. Backward code that reads the index or the value gets
// them back from the trip count, so the forward loop must leave them
// visible: they are then hoisted to the function's variables.
func (l *Lowerer) rangeHeaderVars(s *ast.RangeStmt, rec *lowered, x adjoint.Expr, aliasKey *Variable) (keyIR, valueIR adjoint.Expr, define bool) {
	var keyVar, valueVar *Variable
	if id, ok := s.Key.(*ast.Ident); ok && id.Name != "_" {
		keyVar = l.VariableOf(l.Info.ObjectOf(id))
	}
	if aliasKey != nil {
		keyVar = aliasKey
	}
	if id, ok := s.Value.(*ast.Ident); ok && id.Name != "_" {
		valueVar = l.VariableOf(l.Info.ObjectOf(id))
	}
	needValue := valueVar != nil && l.needed[valueVar.Name] && hasBackward([]*lowered{rec})
	needKey := keyVar != nil && (l.needed[keyVar.Name] || aliasKey != nil) && hasBackward([]*lowered{rec})
	if needValue {
		// The value comes back from its index, which comes back too.
		if keyVar == nil {
			keyVar = l.NewTemp("i", types.Typ[types.Int])
		}
		needKey = true
	}
	define = s.Tok == token.DEFINE
	if needKey || needValue || l.hoistAll {
		define = false
		for _, v := range []*Variable{keyVar, valueVar} {
			// A variable the range assigns with = is declared by the user,
			// where it is visible already (or hoisted with its declaration).
			if v != nil && (s.Tok == token.DEFINE || v.temp) {
				l.hoist(v)
			}
		}
	}
	if needKey {
		rec.loop.rangeIndex = keyVar
	}
	if needValue {
		rec.loop.rangeValue = valueVar
		rec.loop.rangeX = x
	}
	if keyVar != nil {
		keyIR = adjoint.Id(keyVar.Name)
	} else if valueVar != nil {
		keyIR = adjoint.Id("_")
	}
	if valueVar != nil {
		valueIR = adjoint.Id(valueVar.Name)
	}
	return keyIR, valueIR, define
}

// loopExits reports whether control can leave the loop s other than by
// its condition: a return, or a break or continue aimed at an outer loop.
func (l *Lowerer) loopExits(s ast.Stmt) bool {
	return l.leavesStmt(s)
}

// leavesStmt reports whether a return, or a branch whose target lies
// outside s, occurs inside s.
func (l *Lowerer) leavesStmt(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		case *ast.BranchStmt:
			if t := l.targets[n]; t != nil && (t.Pos() < s.Pos() || t.End() > s.End()) {
				found = true
			}
		}
		return true
	})
	return found
}
