package opt

import (
	"maps"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Dead stores: assignments whose value nothing reads. The lowering writes
// some as a matter of course — a value restored from a tape that the
// statement's reversal turns out not to need, an adjoint accumulated
// after its last reader, the carving of tape storage whose last piece
// leaves the rest unused — and staticcheck rightly flags them in
// generated code as it would in hand-written code (SA4006).
//
// DropDeadStores removes them with a liveness analysis over the
// structured program: backward through statement lists, both ways
// through branches, to a fixed point around loops, break and continue to
// their targets, goto to its label (the only jumps gradgen writes go
// forward to one label; a backward jump makes the pass leave the program
// alone). A store is removed when it is a plain or op-assignment (or ++,
// --) to a local variable that no path reads before the next write, and
// its right side has no effect beyond its value (arithmetic, math calls,
// pure builtins, indexing). Declarations (:=, var) stay, as do stores
// into memory (elements and fields) and to the names in keep (tapes,
// whose pushes and pops must balance). In a parallel assignment only the
// dead targets go, with their values; of a call's several results, the
// dead ones are blanked. A declaration none of whose variables is read
// again goes (keeping its calls), one whose value alone is dead keeps
// only its declaration when the value shows its type (x := make([]T, n)
// becomes var x []T), and a call statement to one of pureFuncs (generated
// helpers that only return values) whose results are dropped goes.
// Variables left unread are then dropped by DropUnused.
func DropDeadStores(body []adjoint.Stmt, keep, pureFuncs map[string]bool) []adjoint.Stmt {
	// A variable whose address is taken may be read through the pointer.
	keep = maps.Clone(keep)
	if keep == nil {
		keep = map[string]bool{}
	}
	for _, s := range body {
		adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
			if u, ok := e.(adjoint.Unary); ok && u.Op == "&" {
				if id, ok := u.X.(adjoint.Ident); ok {
					keep[id.Name] = true
				}
			}
		})
	}
	d := &deadStores{keep: keep, pureFuncs: pureFuncs, labels: map[string]liveSet{}, ids: &nameIDs{ids: map[string]int{}}, heads: map[*adjoint.Stmt]liveSet{}}

	out, _ := d.list(body, d.empty(), true)
	if d.backwardJump {
		return body
	}
	return out
}

// A target is where break and continue inside a loop or switch go.
type target struct {
	label          string
	loop           bool
	brk, continue_ liveSet
}

type deadStores struct {
	ids *nameIDs
	// heads are the live sets at loop heads found so far, by the loop's
	// first statement: an enclosing loop's next round starts an inner
	// loop's iteration from them instead of from nothing, so nested loops
	// cost the sum of their rounds, not the product.
	heads        map[*adjoint.Stmt]liveSet
	keep         map[string]bool
	pureFuncs    map[string]bool    // functions called for their value alone
	labels       map[string]liveSet // live sets at labels, as the backward walk meets them
	targets      []target
	backwardJump bool
}

// list computes the live set before list given the one after it; with
// rewrite it also drops the dead stores (only once the sets of the
// enclosing loops are settled).
func (d *deadStores) list(list []adjoint.Stmt, out liveSet, rewrite bool) ([]adjoint.Stmt, liveSet) {
	live := out
	kept := make([]adjoint.Stmt, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		if rewrite {
			if s, ok := d.deadDefine(list[i], live, kept[i+1:]); ok {
				kept[i] = s // live is unchanged: the value was dead, its reads (if any) go with it
				if s != nil {
					_, live = d.stmt(s, live, false)
				}
				continue
			}
		}
		s, in := d.stmt(list[i], live, rewrite)
		live = in
		kept[i] = s
	}
	var res []adjoint.Stmt
	for _, s := range kept {
		if s != nil {
			res = append(res, s)
		}
	}
	return res, live
}

// deadDefine rewrites a declaration (x := e) none of whose variables is
// read: when nothing later in its block mentions them, it goes (or keeps
// only e's calls, for their effects); the pass must do it, since removing
// the stores that read a variable can leave it unused, which Go rejects.
// It reports false when it leaves s to the other rules.
func (d *deadStores) deadDefine(s adjoint.Stmt, out liveSet, later []adjoint.Stmt) (adjoint.Stmt, bool) {
	if v, ok := s.(adjoint.VarDecl); ok && !v.Const && len(v.Values) > 0 {
		return d.deadVarDecl(v, out, later)
	}
	a, ok := s.(adjoint.Assign)
	if !ok || a.Op != ":=" {
		return nil, false
	}
	lhs, alive := d.blankDeadNames(a.Lhs, out, later)
	if alive > 0 {
		return d.keepLiveNames(a, lhs, alive)
	}
	return d.deadValuesEffects(a)
}

// deadVarDecl is deadDefine for var a, b = e1, e2, handled as
// a, b := e1, e2 with the names blanked rather than dropped, so that the
// type stays written; it returns the rewritten statement and whether
// deadDefine's rules applied.
func (d *deadStores) deadVarDecl(v adjoint.VarDecl, out liveSet, later []adjoint.Stmt) (adjoint.Stmt, bool) {
	var names []adjoint.Expr
	for _, n := range v.Names {
		names = append(names, adjoint.Id(n))
	}
	rs, ok := d.deadDefine(adjoint.Assign{Lhs: names, Op: ":=", Rhs: v.Values}, out, later)
	if !ok {
		return nil, false
	}
	if a, isAssign := rs.(adjoint.Assign); isAssign && a.Op == ":=" {
		v.Names, v.Values = nil, a.Rhs
		for _, x := range a.Lhs {
			v.Names = append(v.Names, x.(adjoint.Ident).Name)
		}
		return v, true
	}
	return rs, true
}

// blankDeadNames returns lhs with _ for each name that is dead (not live
// after the declaration, not kept, and not mentioned by the statements
// later in its block), and how many are left alive. Any target other than
// a name counts as alive.
func (d *deadStores) blankDeadNames(lhs []adjoint.Expr, out liveSet, later []adjoint.Stmt) ([]adjoint.Expr, int) {
	dead := func(x adjoint.Expr) bool {
		id, ok := x.(adjoint.Ident)
		if !ok || id.Name == "_" {
			return ok
		}
		if out.has(id.Name) || d.keep[id.Name] {
			return false
		}
		for _, next := range later {
			if next != nil && Mentions(next, id.Name) {
				return false
			}
		}
		return true
	}
	alive := 0
	blanked := make([]adjoint.Expr, len(lhs))
	for i, x := range lhs {
		blanked[i] = x
		if dead(x) {
			blanked[i] = adjoint.Id("_")
		} else {
			alive++
		}
	}
	return blanked, alive
}

// keepLiveNames rewrites the declaration a, some of whose names (alive of
// them) are still read, given its targets lhs with the dead ones blanked:
// a call's several results keep their blanks, and in a parallel
// declaration a dead name goes with its value if the value is pure. It
// reports false when every name is alive, leaving a to the other rules.
func (d *deadStores) keepLiveNames(a adjoint.Assign, lhs []adjoint.Expr, alive int) (adjoint.Stmt, bool) {
	if alive == len(lhs) || len(a.Lhs) != len(a.Rhs) {
		if alive < len(lhs) {
			a.Lhs = lhs // v, _ := f(): the call stays
			return a, true
		}
		return nil, false
	}
	// v3, v4 := e3, e4 with v3 dead: v4 := e4, if e3 is pure.
	var keptL, keptR []adjoint.Expr
	for i, x := range lhs {
		if id, ok := x.(adjoint.Ident); ok && id.Name == "_" && d.isPure(a.Rhs[i]) {
			continue
		}
		keptL, keptR = append(keptL, x), append(keptR, a.Rhs[i])
	}
	a.Lhs, a.Rhs = keptL, keptR
	return a, true
}

// deadValuesEffects returns what is left of the declaration a when none
// of its names is read: nothing when its values are pure, else an
// assignment to _ of the values with effects, which keeps them evaluated.
func (d *deadStores) deadValuesEffects(a adjoint.Assign) (adjoint.Stmt, bool) {
	pure := true
	for _, r := range a.Rhs {
		pure = pure && d.isPure(r)
	}
	if pure {
		return nil, true
	}
	// _ = e, not e alone: e may be a conversion, which is no statement.
	// Of several values only those with effects stay.
	rhs := a.Rhs
	if len(a.Rhs) == len(a.Lhs) {
		rhs = nil
		for _, r := range a.Rhs {
			if !d.isPure(r) {
				rhs = append(rhs, r)
			}
		}
	}
	n := len(rhs)
	if len(a.Rhs) == 1 && len(a.Lhs) > 1 {
		n = len(a.Lhs) // one call's several results
	}
	var blanks []adjoint.Expr
	for range n {
		blanks = append(blanks, adjoint.Id("_"))
	}
	return adjoint.Assign{Lhs: blanks, Op: "=", Rhs: rhs}, true
}

// stmt returns s rewritten (nil when it goes) and the live set before it.
func (d *deadStores) stmt(s adjoint.Stmt, out liveSet, rewrite bool) (adjoint.Stmt, liveSet) {
	switch s := s.(type) {
	case adjoint.Assign:
		return d.assign(s, out, rewrite)
	case adjoint.IncDec:
		if id, ok := s.X.(adjoint.Ident); ok {
			if !out.has(id.Name) && !d.keep[id.Name] && rewrite {
				return nil, out
			}
			return s, out.reads(s.X)
		}
		return s, out.reads(s.X)
	case adjoint.VarDecl:
		in := out.clone()
		for _, n := range s.Names {
			in.del(n)
		}
		return s, in.reads(s.Values...)
	case adjoint.ExprStmt:
		if rewrite && d.isPure(s.X) {
			return nil, out // a value computed for nothing
		}
		return s, out.reads(s.X)
	case adjoint.Return:
		return s, d.empty().reads(s.Results...)
	case adjoint.Block:
		body, in := d.list(s.Body, out, rewrite)
		s.Body = body
		return s, in
	case adjoint.If:
		then, in1 := d.list(s.Then, out, rewrite)
		els, in2 := d.list(s.Else, out, rewrite)
		s.Then, s.Else = then, els
		in := in1.union(in2).reads(s.Cond)
		if s.Init != nil {
			var init adjoint.Stmt
			init, in = d.stmt(s.Init, in, false)
			s.Init = init
		}
		return s, in
	case adjoint.Switch:
		return d.switchStmt(s, out, rewrite)
	case adjoint.For:
		return d.forStmt(s, out, rewrite)
	case adjoint.Range:
		return d.rangeStmt(s, out, rewrite)
	case adjoint.Branch:
		t := d.targetOf(s)
		if t == nil {
			d.backwardJump = true // a jump this pass does not model
			return s, out
		}
		if s.Tok == "continue" {
			return s, t.continue_
		}
		return s, t.brk
	case adjoint.Labeled:
		d.labels[s.Label] = out
		return s, out
	case adjoint.Goto:
		live, ok := d.labels[s.Label]
		if !ok {
			d.backwardJump = true
			return s, out
		}
		return s, live
	}
	return s, out // comments, blank lines
}

func (d *deadStores) targetOf(b adjoint.Branch) *target {
	for i := len(d.targets) - 1; i >= 0; i-- {
		t := &d.targets[i]
		switch {
		case b.Label != "" && t.label != b.Label:
		case b.Tok == "continue" && !t.loop:
		case b.Tok == "break" || b.Tok == "continue":
			return t
		}
	}
	return nil
}

func (d *deadStores) assign(s adjoint.Assign, out liveSet, rewrite bool) (adjoint.Stmt, liveSet) {
	if s.Op == ":=" {
		// A declaration whose value nothing reads keeps only its
		// declaration, when the value shows its type (make([]T, n)).
		if id, ok := s.Lhs[0].(adjoint.Ident); rewrite && ok && len(s.Lhs) == 1 && len(s.Rhs) == 1 && !out.has(id.Name) && !d.keep[id.Name] && d.isPure(s.Rhs[0]) {
			if t := evidentType(s.Rhs[0]); t != nil {
				return adjoint.VarDecl{Names: []string{id.Name}, Type: t}, d.assignLive(adjoint.Assign{Lhs: s.Lhs, Op: ":=", Rhs: []adjoint.Expr{adjoint.Literal("0")}}, out)
			}
		}
		return s, d.assignLive(s, out)
	}
	if len(s.Lhs) != len(s.Rhs) {
		// The results of one call: the call stays, its dead targets are
		// blanked (_, dw = grad(w)), unless every one is dead and the
		// call is pure.
		if rewrite {
			lhs := append([]adjoint.Expr(nil), s.Lhs...)
			dead := 0
			for i, x := range lhs {
				if id, ok := x.(adjoint.Ident); ok && (id.Name == "_" || !out.has(id.Name) && !d.keep[id.Name]) {
					lhs[i] = adjoint.Id("_")
					dead++
				}
			}
			if dead == len(lhs) && d.isPure(s.Rhs[0]) {
				return nil, out
			}
			if dead < len(lhs) {
				s.Lhs = lhs
			}
		}
		return s, d.assignLive(s, out)
	}
	pure := true
	for _, r := range s.Rhs {
		pure = pure && d.isPure(r)
	}
	if rewrite && pure {
		var lhs, rhs []adjoint.Expr
		for i, x := range s.Lhs {
			id, ok := x.(adjoint.Ident)
			if ok && id.Name != "_" && !out.has(id.Name) && !d.keep[id.Name] {
				continue // dead: the target and its value go
			}
			lhs = append(lhs, x)
			if s.Op == "=" {
				rhs = append(rhs, s.Rhs[i])
			}
		}
		if len(lhs) == 0 {
			return nil, out
		}
		if len(lhs) < len(s.Lhs) {
			s.Lhs = lhs
			if s.Op == "=" {
				s.Rhs = rhs
			}
		}
	}
	return s, d.assignLive(s, out)
}

// assignLive is the live set before an assignment.
func (d *deadStores) assignLive(s adjoint.Assign, out liveSet) liveSet {
	in := out.clone()
	if s.Op == "=" || s.Op == ":=" {
		for _, x := range s.Lhs {
			if id, ok := x.(adjoint.Ident); ok {
				in.del(id.Name)
			}
		}
	}
	for _, x := range s.Lhs {
		if _, ok := x.(adjoint.Ident); !ok || s.Op != "=" && s.Op != ":=" {
			in.addReads(x) // an element's index and base, or an op-assignment's old value
		}
	}
	in.addReads(s.Rhs...)
	return in
}

func (d *deadStores) switchStmt(s adjoint.Switch, out liveSet, rewrite bool) (adjoint.Stmt, liveSet) {
	d.targets = append(d.targets, target{label: s.Label, brk: out})
	in := d.empty()
	hasDefault := false
	for i, c := range s.Cases {
		body, cin := d.list(c.Body, out, rewrite)
		s.Cases[i].Body = body
		in = in.union(cin).reads(c.List...)
		hasDefault = hasDefault || len(c.List) == 0
	}
	d.targets = d.targets[:len(d.targets)-1]
	if !hasDefault {
		in = in.union(out)
	}
	in = in.reads(s.Tag)
	if s.Init != nil {
		_, in = d.stmt(s.Init, in, false)
	}
	return s, in
}

func (d *deadStores) forStmt(s adjoint.For, out liveSet, rewrite bool) (adjoint.Stmt, liveSet) {
	// head is live at the condition: after the loop, or another trip.
	head := d.seed(s.Body, out.reads(s.Cond))
	var post adjoint.Stmt
	for range 100 {
		postIn := head
		if s.Post != nil {
			_, postIn = d.stmt(s.Post, head, false)
		}
		d.targets = append(d.targets, target{label: s.Label, loop: true, brk: out, continue_: postIn})
		_, bodyIn := d.list(s.Body, postIn, false)
		d.targets = d.targets[:len(d.targets)-1]
		next := out.union(bodyIn).reads(s.Cond).union(head)
		if next.equal(head) {
			break
		}
		head = next
	}
	d.remember(s.Body, head)
	postIn := head
	if s.Post != nil {
		post, postIn = d.stmt(s.Post, head, false)
		s.Post = post
	}
	d.targets = append(d.targets, target{label: s.Label, loop: true, brk: out, continue_: postIn})
	body, _ := d.list(s.Body, postIn, rewrite)
	d.targets = d.targets[:len(d.targets)-1]
	s.Body = body
	in := head
	if s.Init != nil {
		_, in = d.stmt(s.Init, in, false)
	}
	return s, in
}

func (d *deadStores) rangeStmt(s adjoint.Range, out liveSet, rewrite bool) (adjoint.Stmt, liveSet) {
	// head is live before each trip's key and value are assigned.
	kill := func(l liveSet) liveSet {
		c := l.clone()
		for _, x := range []adjoint.Expr{s.Key, s.Value} {
			if id, ok := x.(adjoint.Ident); ok {
				c.del(id.Name)
			} else if x != nil {
				c = c.reads(x)
			}
		}
		return c
	}
	head := d.seed(s.Body, out)
	for range 100 {
		d.targets = append(d.targets, target{label: s.Label, loop: true, brk: out, continue_: head})
		_, bodyIn := d.list(s.Body, head, false)
		d.targets = d.targets[:len(d.targets)-1]
		next := out.union(kill(bodyIn)).union(head)
		if next.equal(head) {
			break
		}
		head = next
	}
	d.remember(s.Body, head)
	d.targets = append(d.targets, target{label: s.Label, loop: true, brk: out, continue_: head})
	body, _ := d.list(s.Body, head, rewrite)
	d.targets = d.targets[:len(d.targets)-1]
	s.Body = body
	return s, head.reads(s.X)
}

// isPure reports whether evaluating e has no effect beyond its value: no
// call but to package math, the pure builtins and d.pureFuncs.
func (d *deadStores) isPure(e adjoint.Expr) bool {
	return !callsOtherThan(e, func(c adjoint.Call) bool { return pureCall(c, d.pureFuncs) })
}

// pureCall reports whether the call c, its arguments aside, has no effect
// beyond its value: package math, the pure builtins and pureFuncs.
func pureCall(c adjoint.Call, pureFuncs map[string]bool) bool {
	switch fun := c.Fun.(type) {
	case adjoint.Qual:
		return fun.Path == "math" || pureFuncs[fun.Name] // a function of the package is qualified
	case adjoint.Ident:
		return pureFuncs[fun.Name] || IsPureBuiltin(c)
	case adjoint.Selector:
		return pureFuncs["."+fun.Sel] // a pure method: q.jvpOfSplit(...)
	case adjoint.Index:
		id, ok := fun.X.(adjoint.Ident) // a generic helper: jvpOfDot[float64](...)
		return ok && pureFuncs[id.Name]
	}
	return IsPureBuiltin(c)
}

// evidentType is the type a value shows on its face: make's, or a
// composite literal's; nil otherwise.
func evidentType(e adjoint.Expr) adjoint.Type {
	switch e := e.(type) {
	case adjoint.Call:
		if id, ok := e.Fun.(adjoint.Ident); ok && id.Name == "make" && len(e.Args) > 0 {
			if t, ok := e.Args[0].(adjoint.TypeExpr); ok {
				return t.Type
			}
		}
	case adjoint.Composite:
		return e.Type
	}
	return nil
}

// seed is where a loop's iteration starts: from set, and from what the
// loop's head held the last time (liveness only grows as an enclosing
// loop iterates, so that is still below the fixed point).
func (d *deadStores) seed(body []adjoint.Stmt, set liveSet) liveSet {
	if len(body) > 0 {
		if prev, ok := d.heads[&body[0]]; ok {
			return set.union(prev)
		}
	}
	return set
}

// remember notes a loop head's live set for the next round.
func (d *deadStores) remember(body []adjoint.Stmt, set liveSet) {
	if len(body) > 0 {
		d.heads[&body[0]] = set
	}
}
