package lower

import (
	"go/ast"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Trip replay: a loop whose body only computes values (a Kalman filter's
// step, an integrator's stage) can keep, per trip, the few values the
// trip starts from instead of every value it overwrites. The backward
// trip puts those back and runs the trip's forward code again, which
// recomputes the rest; what the trip overwrote is then kept in locals of
// that one trip, not on tapes. DESIGN.md's trade-off: recompute what is
// cheap from values already restored, store what is not.

// replayPlan is what replaying a loop's trips needs.
type replayPlan struct {
	code  []adjoint.Stmt   // the trip's forward code, saving into locals
	entry []*Variable      // the values each trip starts from, pushed in this order
	tapes map[*tape]bool   // the tapes the trip no longer pushes
	fwd   [][]adjoint.Stmt // each body statement's forward code without its pushes
	saves []*save          // the saves kept in locals of the trip, in forward order
	drop  []dropped        // the saves no longer made at all
	local []*Variable      // those locals
	recOf map[*save]*lowered
}

// dropped is a save that a replayed trip does not make: of a variable of
// the body, before the trip first sets it, so of the last trip's value,
// which the replay computes again when it is needed.
type dropped struct {
	rec *lowered
	lv  adjoint.Expr
}

// replayTrips decides, once the body of the outermost loop rec is
// lowered, whether its trips are replayed going backward, and if so
// rewrites its saves and records the plan in rec.loop. It changes only
// how values come back, never which: under the test switch that saves
// everything (SaveAll) it is off, and the tests compare both.
func (l *Lowerer) replayTrips(rec *lowered, ctx *loopCtx, body *ast.BlockStmt) {
	if l.needed == nil || l.saveAll || l.noReplay || l.fusing || l.loopDepth != 1 || l.fused == ctx.stmt {
		return
	}
	plan := l.planReplay(rec, ctx, body)
	if plan == nil {
		return
	}
	lp := rec.loop
	for i, r := range lp.body {
		r.fwd = plan.fwd[i]
	}
	for i, s := range plan.saves {
		s.name, s.tape = plan.local[i].Name, nil
	}
	for _, d := range plan.drop {
		key := adjoint.ExprString(d.lv)
		delete(d.rec.pend, key)
		d.rec.saves = slices.DeleteFunc(d.rec.saves, func(s save) bool { return adjoint.ExprString(s.lv) == key })
	}
	// What the replay reads, backward code reads: an overwrite after the
	// loop must be undone before the backward trips run.
	l.noteReaders(lp.body[0], plan.code, false)
	// A variable the trip starts from keeps its tape, pushed once per trip
	// now; the other tapes go.
	for _, v := range plan.entry {
		if t := l.tapeOf[tapeKey{v, adjoint.TypeString(v.IR), ctx}]; t != nil && plan.tapes[t] {
			t.sites = nil
			delete(plan.tapes, t)
		}
	}
	l.tapes = slices.DeleteFunc(l.tapes, func(t *tape) bool { return plan.tapes[t] })
	maps.DeleteFunc(l.tapeOf, func(_ tapeKey, t *tape) bool { return plan.tapes[t] })
	var pushes []adjoint.Stmt
	for _, v := range plan.entry {
		t := l.tapeFor(v, adjoint.Id(v.Name), v.Typ, v.IR)
		lp.entry = append(lp.entry, t)
		pushes = append(pushes, t.push(adjoint.Id(v.Name)))
	}
	lp.body[0].fwd = append(pushes, lp.body[0].fwd...)
	lp.replay, lp.replayed = plan.code, true
	lp.entryVars = plan.entry
}

// planReplay returns the plan of replaying rec's trips, or nil when its
// body does more than compute values into variables, or when replaying
// would not push fewer values per trip.
func (l *Lowerer) planReplay(rec *lowered, ctx *loopCtx, body *ast.BlockStmt) *replayPlan {
	lp := rec.loop
	if len(lp.body) == 0 || lp.post != nil && len(lp.post.saves) > 0 {
		return nil
	}
	plan, code, assigned, pushes := l.scanTrip(lp, body)
	if plan == nil {
		return nil
	}
	if lp.post != nil && readsAnyOf(lp.post.fwd, assigned) {
		return nil // the post statement's reversal reads what the trip left
	}
	for _, t := range l.tapes {
		if plan.tapes[t] && len(t.sites) != countSaves(lp.body, t) {
			return nil // the tape is pushed elsewhere too
		}
	}
	final := finalValuesRead(lp.body, plan.saves, plan.recOf)
	// finalValuesRead knows backward code reads a value when forward code
	// does; an adjoint view (dr = dm[1][1:] beside r = m[1][1:]) is the
	// exception: forward code never reads it, backward code writes
	// through it wherever the view's own value is read.
	shadowOf := map[string]*Variable{}
	for _, v := range l.byName {
		if v.shadow != nil {
			shadowOf[v.shadow.Name] = v
		}
	}
	live := maps.Clone(l.needed)
	maps.DeleteFunc(live, func(name string, _ bool) bool {
		if v := shadowOf[name]; v != nil && final(v.Name) {
			return false
		}
		return !final(name)
	})
	for i := range plan.saves {
		live[savePlaceholder(i)] = true
	}
	code = dropDeadReplay(code, live)
	entry := map[string]bool{}
	// A variable that outlives the loop must be back at its value before
	// the loop when the backward sweep leaves it: code before the loop may
	// read it.
	for _, s := range plan.saves {
		obj := s.v.obj
		if v := shadowOf[s.v.Name]; v != nil {
			obj = v.obj // an adjoint view lives as long as the view
		}
		if obj == nil || obj.Pos() < ctx.stmt.Pos() || obj.Pos() >= ctx.stmt.End() {
			entry[s.v.Name] = true
		}
	}
	// No second pass for dead code once identities go: a dropped save was
	// what made the writes before it live, and backward code, no longer
	// restoring the variable there, reads the value those writes leave.
	code = plan.dropIdentities(code)
	for name := range upwardExposed(code) {
		if assigned[name] {
			entry[name] = true
		}
	}
	if len(entry) >= pushes {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(entry)) {
		v := l.byName[name]
		if v == nil || v.IR == nil {
			return nil
		}
		plan.entry = append(plan.entry, v)
	}
	l.nameSaves(plan, code)
	return plan
}

// scanTrip reads the forward code of the loop's body: the trip's code to
// replay, with each save a placeholder local, the variables it assigns,
// and the number of pushes per trip it replaces. The plan is nil when a
// statement cannot be replayed.
func (l *Lowerer) scanTrip(lp *loopRec, body *ast.BlockStmt) (plan *replayPlan, code []adjoint.Stmt, assigned map[string]bool, pushes int) {
	plan = &replayPlan{tapes: map[*tape]bool{}, recOf: map[*save]*lowered{}}
	assigned, written := map[string]bool{}, map[string]bool{}
	pure := l.PureHelpers()
	for _, r := range lp.body {
		if r.branch != nil || r.loop != nil || r.fused || r.done != nil || r.exits || len(r.body) > 0 {
			return nil, nil, nil, 0
		}
		for _, o := range r.ops {
			if o.store != nil {
				return nil, nil, nil, 0 // a write into memory: running it again is not a replay
			}
		}
		pushAt := map[string]*save{}
		for k := range r.saves {
			s := &r.saves[k]
			if _, whole := s.lv.(adjoint.Ident); !whole || s.tape == nil {
				return nil, nil, nil, 0
			}
			pushAt[adjoint.StmtString(s.tape.push(s.lv))] = s
		}
		var fwd []adjoint.Stmt
		for _, st := range r.fwd {
			s := pushAt[adjoint.StmtString(st)]
			switch {
			case s != nil && !written[s.v.Name] && s.v.obj != nil && body.Pos() <= s.v.obj.Pos() && s.v.obj.Pos() < body.End():
				// A variable of the body, saved before the trip sets it:
				// the last trip's value, which the replay computes again.
				plan.drop = append(plan.drop, dropped{r, s.lv})
				plan.tapes[s.tape] = true
				pushes++
			case s != nil:
				// Named once the plan is taken: a name taken for a plan
				// dropped would rename the rest of the function.
				plan.saves = append(plan.saves, s)
				plan.recOf[s] = r
				plan.tapes[s.tape] = true
				code = append(code, adjoint.Set(adjoint.Id(savePlaceholder(len(plan.saves)-1)), "=", s.lv))
				pushes++
			case !replayable(st, assigned, pure):
				return nil, nil, nil, 0
			default:
				fwd = append(fwd, st)
				code = append(code, st)
				for _, w := range namesWritten(st) {
					written[w] = true
				}
			}
		}
		plan.fwd = append(plan.fwd, fwd)
	}
	return plan, code, assigned, pushes
}

// nameSaves names the locals of the plan's saves and puts the names in
// the replayed code.
func (l *Lowerer) nameSaves(plan *replayPlan, code []adjoint.Stmt) {
	rename := map[string]string{}
	for i, s := range plan.saves {
		sv := &Variable{Name: l.Names.Fresh(s.v.Name + "Prev"), Typ: s.v.Typ, IR: s.v.IR, temp: true}
		l.hoist(sv)
		plan.local = append(plan.local, sv)
		rename[savePlaceholder(i)] = sv.Name
	}
	for _, st := range code {
		if a, ok := st.(adjoint.Assign); ok {
			if id, ok := a.Lhs[0].(adjoint.Ident); ok && rename[id.Name] != "" {
				st = adjoint.Set(adjoint.Id(rename[id.Name]), "=", a.Rhs[0])
			}
		}
		plan.code = append(plan.code, st)
	}
}

// finalValuesRead returns, of the names backward code may read, those
// whose value at the end of a trip it may read: all but the variables
// saved in the trip that no statement after the last save reads or
// writes, and that the statement of the last save does not compute with
// a rule reading its result (math.Exp's adjoint reads the value it
// wrote, before the save puts the older one back). Inside loops the
// lowering gives such results temporaries today, so that last test is a
// guard for a lowering that writes them into the variable.
func finalValuesRead(body []*lowered, saves []*save, recOf map[*save]*lowered) func(string) bool {
	last := map[string]int{}
	for _, s := range saves {
		last[s.v.Name] = slices.Index(body, recOf[s])
	}
	readsOwnResult := func(r *lowered, name string) bool {
		for _, o := range r.ops {
			for _, res := range o.results {
				if res != nil && res.Name == name && (o.rule == nil || o.rule.Piecewise() || o.rule.UsesResult(len(o.args))) {
					return true
				}
			}
		}
		return false
	}
	return func(name string) bool {
		i, saved := last[name]
		if !saved || readsOwnResult(body[i], name) {
			return true
		}
		for _, r := range body[i+1:] {
			if readsAnyOf(r.fwd, map[string]bool{name: true}) || writesLater(r.fwd, name) {
				return true
			}
		}
		return false
	}
}

// dropIdentities drops the saves of variables that code, after the save,
// no longer writes: restoring one would put back the value it holds.
func (p *replayPlan) dropIdentities(code []adjoint.Stmt) []adjoint.Stmt {
	var saves []*save
	index := map[string]int{}
	for i := range p.saves {
		index[savePlaceholder(i)] = i
	}
	var out []adjoint.Stmt
	for i, st := range code {
		if a, ok := st.(adjoint.Assign); ok {
			if id, ok := a.Lhs[0].(adjoint.Ident); ok {
				if k, ok := index[id.Name]; ok {
					s := p.saves[k]
					if !writesLater(code[i+1:], s.v.Name) {
						p.drop = append(p.drop, dropped{p.recOf[s], s.lv})
						continue
					}
					st = adjoint.Set(adjoint.Id(savePlaceholder(len(saves))), "=", a.Rhs[0])
					saves = append(saves, s)
				}
			}
		}
		out = append(out, st)
	}
	p.saves = saves
	return out
}

// writesLater reports whether code assigns name.
func writesLater(code []adjoint.Stmt, name string) bool {
	for _, st := range code {
		if slices.Contains(namesWritten(st), name) {
			return true
		}
	}
	return false
}

// replayable reports whether the forward statement st can run again in
// the backward sweep: it assigns variables (noting them in assigned) and
// calls nothing but package math, the builtins that neither allocate nor
// write, and the functions in pure (the package's functions that compute
// values only).
func replayable(st adjoint.Stmt, assigned, pure map[string]bool) bool {
	switch s := st.(type) {
	case adjoint.Assign:
		for _, x := range s.Lhs {
			id, ok := x.(adjoint.Ident)
			if !ok {
				return false
			}
			if id.Name != "_" {
				assigned[id.Name] = true
			}
		}
		for _, x := range s.Rhs {
			if !opt.PureArithmetic(x, pure) {
				return false
			}
		}
		return true
	case adjoint.IncDec:
		id, ok := s.X.(adjoint.Ident)
		if ok {
			assigned[id.Name] = true
		}
		return ok
	}
	return false
}

// namesRead returns the names st reads, an op-assignment's target included.
func namesRead(st adjoint.Stmt) []string {
	var out []string
	add := func(e adjoint.Expr) {
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				out = append(out, id.Name)
			}
		})
	}
	switch s := st.(type) {
	case adjoint.Assign:
		for _, x := range s.Rhs {
			add(x)
		}
		if s.Op != "=" && s.Op != ":=" {
			for _, x := range s.Lhs {
				add(x)
			}
		}
	case adjoint.IncDec:
		add(s.X)
	default:
		opt.WalkReads(st, add)
	}
	return out
}

// namesWritten returns the names the replayable statement st assigns.
func namesWritten(st adjoint.Stmt) []string {
	var out []string
	switch s := st.(type) {
	case adjoint.Assign:
		for _, x := range s.Lhs {
			if id, ok := x.(adjoint.Ident); ok && id.Name != "_" {
				out = append(out, id.Name)
			}
		}
	case adjoint.IncDec:
		out = append(out, s.X.(adjoint.Ident).Name)
	}
	return out
}

// dropDeadReplay removes the straight-line statements of code whose
// results nothing after them reads, given the names live at its end.
func dropDeadReplay(code []adjoint.Stmt, live map[string]bool) []adjoint.Stmt {
	keep := make([]bool, len(code))
	for i := len(code) - 1; i >= 0; i-- {
		writes := namesWritten(code[i])
		for _, w := range writes {
			keep[i] = keep[i] || live[w]
		}
		if !keep[i] {
			continue
		}
		for _, w := range writes {
			delete(live, w)
		}
		for _, r := range namesRead(code[i]) {
			live[r] = true
		}
	}
	var out []adjoint.Stmt
	for i, st := range code {
		if keep[i] {
			out = append(out, st)
		}
	}
	return out
}

// upwardExposed returns the names code reads before it assigns them.
func upwardExposed(code []adjoint.Stmt) map[string]bool {
	written, out := map[string]bool{}, map[string]bool{}
	for _, st := range code {
		for _, r := range namesRead(st) {
			if !written[r] {
				out[r] = true
			}
		}
		for _, w := range namesWritten(st) {
			written[w] = true
		}
	}
	return out
}

// readsAnyOf reports whether code reads one of names.
func readsAnyOf(code []adjoint.Stmt, names map[string]bool) bool {
	for _, st := range code {
		for _, r := range namesRead(st) {
			if names[r] {
				return true
			}
		}
	}
	return false
}

// countSaves counts the saves of recs that push onto t.
func countSaves(recs []*lowered, t *tape) int {
	n := 0
	for _, r := range recs {
		for _, s := range r.saves {
			if s.tape == t {
				n++
			}
		}
	}
	return n
}

// replayBackward is the start of a replayed loop's backward trip: the
// values the trip started from come back, and its forward code runs again.
func (l *Lowerer) replayBackward(lp *loopRec) []adjoint.Stmt {
	if !lp.replayed {
		return nil
	}
	var names []string
	for _, v := range lp.entryVars {
		names = append(names, v.Name)
	}
	text := "the trip again"
	if len(names) > 0 {
		text += ", from " + strings.Join(names, ", ")
	}
	out := []adjoint.Stmt{adjoint.Comment{Text: text}}
	for i := len(lp.entry) - 1; i >= 0; i-- {
		out = append(out, lp.entry[i].pop(adjoint.Id(lp.entryVars[i].Name))...)
	}
	return append(out, lp.replay...)
}

// savePlaceholder names the i-th local of a plan not yet taken; no Go
// identifier has a space.
func savePlaceholder(i int) string { return "save " + strconv.Itoa(i) }
