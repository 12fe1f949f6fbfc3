package lower

import (
	"go/ast"
	"go/token"
	"maps"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Control flow is reversed structurally. The forward sweep records what
// the backward sweep cannot recompute — which branch an if took, how many
// times a loop ran, whether a statement ran to its end or left early — and
// the backward sweep replays the same structure in reverse: an if on the
// recorded branch, a loop counting the recorded trips down. Outside loops a
// record is a local variable; inside loops, where each iteration records
// again, it is a stack (a tape) pushed going forward and popped going back.

// A branchRec is an if or a switch: its branches and how the taken one is
// recorded.
type branchRec struct {
	branches [][]*lowered
	record   *recorder // nil when no branch has backward code
	isSwitch bool
	clauses  []*ast.CaseClause // a switch's clauses, one per branch
}

// A loopRec is a for or range loop.
type loopRec struct {
	pre   []*lowered // the init statement, run once before the loop
	post  *lowered   // the post statement, or nil
	body  []*lowered
	count *recorder // iterations started
	// constTrips is the trip count of a loop that always runs a constant
	// number of times, which needs no record.
	constTrips adjoint.Expr
	broke      *recorder // whether the last iteration left early (break, return)
	// rangeIndex and rangeValue are set again from the recorded count in
	// the backward sweep, when backward code reads them.
	rangeIndex *Variable
	rangeValue *Variable
	rangeX     adjoint.Expr
	// replay is a replayed loop's forward code, run again at the start of
	// each backward trip after the values in entryVars come back from the
	// tapes entry (replay.go).
	// counter is set to its exit value before the backward trips, when
	// that replaces saving it (counter.go).
	counter   *counterReset
	views     []adjoint.Stmt // views the backward trips take again first (views.go)
	replay    []adjoint.Stmt
	replayed  bool
	entry     []*tape
	entryVars []*Variable
}

// loopCtx is what a loop being lowered tells the statements inside it.
type loopCtx struct {
	stmt  ast.Stmt // the for or range statement
	label string
	broke *recorder // created on the first break or return out of this loop
	rec   *lowered
	// trip is the loop's trip count as an expression that can be
	// evaluated before its outermost enclosing loop starts, or nil.
	trip adjoint.Expr
	// index is the variable that only the loop itself advances (a range
	// key, a counting loop's counter), "" if none.
	index string
}

// lowerBlock lowers a list of statements, and decides which of them must
// record whether they ran to their end.
func (l *Lowerer) lowerBlock(list []ast.Stmt) []*lowered {
	var out []*lowered
	for _, s := range list {
		out = append(out, l.lowerAny(s, "")...)
	}
	return out
}

// forward assembles the forward code of lowered statements, with the
// completion records that statements leaving early need.
func (l *Lowerer) forward(recs []*lowered) []adjoint.Stmt {
	var out []adjoint.Stmt
	for i, r := range recs {
		if r.exits && r.done == nil && hasBackward(recs[i+1:]) {
			r.done = l.newRecorderAt("done", "bool", r.inLoop)
		}
		if r.done != nil {
			out = append(out, r.done.start(adjoint.Literal("false")))
		}
		out = append(out, r.fwd...)
		if r.done != nil {
			out = append(out, r.done.set(adjoint.Literal("true")))
		}
	}
	return out
}

// newRecorderAt makes a record of one fact per execution of a statement:
// a variable, or inside a loop a tape.
func (l *Lowerer) newRecorderAt(base, typ string, inLoop bool) *recorder {
	r := &recorder{typ: adjoint.Named{Name: typ}, tape: inLoop}
	if inLoop {
		r.site = append([]*loopCtx(nil), l.loops...)
		r.name = l.Names.Fresh(base + "Tape")
	} else {
		r.name = l.Names.Fresh(base)
	}
	l.recorders = append(l.recorders, r)
	return r
}

// hasBackward reports whether any of recs has backward code.
func hasBackward(recs []*lowered) bool {
	for _, r := range recs {
		if r.hasBackward() {
			return true
		}
	}
	return false
}

func (r *lowered) hasBackward() bool {
	switch {
	case len(r.ops) > 0 || len(r.zeroes) > 0 || len(r.saves) > 0 || len(r.undo) > 0 || r.seed != nil:
		return true
	case r.branch != nil:
		for _, b := range r.branch.branches {
			if hasBackward(b) {
				return true
			}
		}
	case r.loop != nil:
		return hasBackward(r.loop.pre) || hasBackward(r.loop.body) || r.loop.post != nil && r.loop.post.hasBackward()
	}
	return false
}

// lowerAny lowers one statement of any kind.
func (l *Lowerer) lowerAny(s ast.Stmt, label string) []*lowered {
	switch s := s.(type) {
	case *ast.BlockStmt:
		return l.lowerBlock(s.List)
	case *ast.EmptyStmt:
		return nil
	case *ast.LabeledStmt:
		switch s.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt:
			return l.lowerAny(s.Stmt, s.Label.Name)
		}
		l.Errorf(s.Pos(), "labels are supported on loops and switches only: gradgen does not support goto")
		return nil
	case *ast.IfStmt:
		return l.lowerIf(s)
	case *ast.SwitchStmt:
		return l.lowerSwitch(s, label)
	case *ast.ForStmt:
		if s == l.fused {
			return l.lowerFused(s, label)
		}
		return l.lowerFor(s, label)
	case *ast.RangeStmt:
		if s == l.fused {
			return l.lowerFused(s, label)
		}
		return l.lowerRange(s, label)
	case *ast.BranchStmt:
		return l.lowerBranch(s)
	case *ast.ReturnStmt:
		return []*lowered{l.lowerReturn(s)}
	case *ast.GoStmt:
		l.Errorf(s.Pos(), "%s", goStmtRefusal)
	case *ast.DeferStmt:
		l.Errorf(s.Pos(), "%s", deferRefusal)
	case *ast.SelectStmt, *ast.SendStmt:
		l.Errorf(s.Pos(), "cannot differentiate channel operations: move them out of the annotated function")
	case *ast.TypeSwitchStmt:
		l.Errorf(s.Pos(), "cannot differentiate a type switch: gradgen does not follow interfaces; switch outside the annotated function")
	default:
		return []*lowered{l.lowerStmt(s)}
	}
	return nil
}

// lowerIf lowers if/else if/else. The init statement runs before, as its
// own statement (local names are unique, so widening its scope is safe).
func (l *Lowerer) lowerIf(s *ast.IfStmt) []*lowered {
	var out []*lowered
	if s.Init != nil {
		out = append(out, l.lowerAny(s.Init, "")...)
	}
	cond := l.Conv(s.Cond)
	inLoop := l.loopDepth > 0
	l.depth++
	before := maps.Clone(l.graphValues)
	then := l.lowerBlock(s.Body.List)
	afterThen := l.graphValues
	l.graphValues = maps.Clone(before)
	var els []*lowered
	if s.Else != nil {
		els = l.lowerAny(s.Else, "")
	}
	l.graphValues = l.joinGraphValues(before, []map[string]string{afterThen, l.graphValues}, [][]*lowered{then, els})
	l.depth--
	rec := &lowered{src: &ast.IfStmt{If: s.If, Cond: s.Cond, Body: &ast.BlockStmt{}}, inLoop: inLoop,
		branch: &branchRec{branches: [][]*lowered{then, els}}}
	rec.exits = exitsAny(then) || exitsAny(els)
	thenFwd, elseFwd := l.forward(then), l.forward(els)
	if hasBackward(then) || hasBackward(els) {
		r := l.newRecorderAt("cond", "bool", inLoop)
		rec.branch.record = r
		thenFwd = append([]adjoint.Stmt{r.start(adjoint.Literal("true"))}, thenFwd...)
		elseFwd = append([]adjoint.Stmt{r.start(adjoint.Literal("false"))}, elseFwd...)
	}
	rec.fwd = []adjoint.Stmt{adjoint.If{Cond: cond, Then: thenFwd, Else: elseFwd}}
	return append(out, rec)
}

func exitsAny(recs []*lowered) bool {
	for _, r := range recs {
		if r.exits {
			return true
		}
	}
	return false
}

// lowerSwitch lowers a tagged or tagless switch, recording the case taken.
func (l *Lowerer) lowerSwitch(s *ast.SwitchStmt, label string) []*lowered {
	var out []*lowered
	if s.Init != nil {
		out = append(out, l.lowerAny(s.Init, "")...)
	}
	var tag adjoint.Expr
	if s.Tag != nil {
		tag = l.Conv(s.Tag)
	}
	inLoop := l.loopDepth > 0
	l.depth++
	l.switches = append(l.switches, s)
	before := maps.Clone(l.graphValues)
	var afters []map[string]string
	var bodies [][]*lowered
	var lists [][]adjoint.Expr
	var clauses []*ast.CaseClause
	hasDefault := false
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		clauses = append(clauses, cc)
		if cc.List == nil {
			hasDefault = true
		}
		if n := len(cc.Body); n > 0 {
			if b, ok := cc.Body[n-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				l.Errorf(b.Pos(), "fallthrough is not supported: repeat the code of the next case, or use if/else")
			}
		}
		l.graphValues = maps.Clone(before)
		bodies = append(bodies, l.lowerBlock(cc.Body))
		afters = append(afters, l.graphValues)
		lists = append(lists, l.ConvAll(cc.List))
	}
	if !hasDefault {
		afters, bodies = append(afters, before), append(bodies, nil) // no case taken
	}
	l.graphValues = l.joinGraphValues(before, afters, bodies)
	if !hasDefault {
		bodies = bodies[:len(bodies)-1]
	}
	l.switches = l.switches[:len(l.switches)-1]
	l.depth--
	rec := &lowered{src: &ast.SwitchStmt{Switch: s.Switch, Tag: s.Tag, Body: &ast.BlockStmt{}}, inLoop: inLoop,
		branch: &branchRec{branches: bodies, isSwitch: true, clauses: clauses}}
	for _, b := range bodies {
		rec.exits = rec.exits || exitsAny(b)
	}
	var r *recorder
	for _, b := range bodies {
		if hasBackward(b) {
			r = l.newRecorderAt("taken", "int", inLoop)
			rec.branch.record = r
			break
		}
	}
	sw := adjoint.Switch{Label: label, Tag: tag}
	for i, b := range bodies {
		body := l.forward(b)
		if r != nil {
			body = append([]adjoint.Stmt{r.start(adjoint.Literal(itoa(i)))}, body...)
		}
		sw.Cases = append(sw.Cases, adjoint.Case{List: lists[i], Body: body})
	}
	if r != nil && !hasDefault {
		sw.Cases = append(sw.Cases, adjoint.Case{Body: []adjoint.Stmt{r.start(adjoint.Literal("-1"))}})
	}
	rec.fwd = []adjoint.Stmt{sw}
	return append(out, rec)
}

// lowerBranch lowers break and continue. A break records that its loop
// was left early, so that the backward sweep skips the post statement the
// last iteration never ran.
func (l *Lowerer) lowerBranch(s *ast.BranchStmt) []*lowered {
	rec := &lowered{src: s, inLoop: l.loopDepth > 0, pend: map[string]bool{}}
	label := ""
	if s.Label != nil {
		label = s.Label.Name
	}
	// The loops this jump leaves skip their post statement on this trip:
	// for a break, the loops inside its target and the target itself; for
	// a continue, only the loops inside its target.
	leaves := func(includeTarget bool) {
		target := l.targets[s]
		for i := len(l.loops) - 1; i >= 0; i-- {
			ctx := l.loops[i]
			if ctx.stmt == target && !includeTarget {
				break
			}
			rec.fwd = append(rec.fwd, l.brokeRecorder(ctx).set(adjoint.Literal("true")))
			if ctx.stmt == target {
				break
			}
		}
	}
	switch s.Tok {
	case token.BREAK:
		if isLoop(l.targets[s]) {
			leaves(true)
		} else {
			// A break out of a switch leaves the loops inside the switch.
			for i := len(l.loops) - 1; i >= 0 && inside(l.loops[i].stmt, l.targets[s]); i-- {
				rec.fwd = append(rec.fwd, l.brokeRecorder(l.loops[i]).set(adjoint.Literal("true")))
			}
		}
	case token.CONTINUE:
		leaves(false)
	case token.GOTO:
		l.Errorf(s.Pos(), "cannot differentiate goto: rewrite it with loops, break and continue")
		return nil
	case token.FALLTHROUGH:
		return nil // reported by lowerSwitch
	}
	rec.fwd = append(rec.fwd, adjoint.Branch{Tok: s.Tok.String(), Label: label})
	rec.exits = true
	return []*lowered{rec}
}

// resolveTargets maps every break and continue of the body to the
// statement it leaves or continues.
func (l *Lowerer) resolveTargets(body *ast.BlockStmt) {
	l.targets = map[*ast.BranchStmt]ast.Stmt{}
	labels := map[string]ast.Stmt{}
	var walk func(n ast.Node, loops, breakables []ast.Stmt)
	walk = func(n ast.Node, loops, breakables []ast.Stmt) {
		ast.Inspect(n, func(m ast.Node) bool {
			if m == n {
				return true
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.LabeledStmt:
				labels[m.Label.Name] = m.Stmt
			case *ast.ForStmt, *ast.RangeStmt:
				s := m.(ast.Stmt)
				walk(m, append(loops, s), append(breakables, s))
				return false
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				s := m.(ast.Stmt)
				walk(m, loops, append(breakables, s))
				return false
			case *ast.BranchStmt:
				switch {
				case m.Label != nil:
					l.targets[m] = labels[m.Label.Name]
				case m.Tok == token.BREAK && len(breakables) > 0:
					l.targets[m] = breakables[len(breakables)-1]
				case m.Tok == token.CONTINUE && len(loops) > 0:
					l.targets[m] = loops[len(loops)-1]
				}
			}
			return true
		})
	}
	walk(body, nil, nil)
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}
