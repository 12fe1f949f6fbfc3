package lower

import (
	"go/ast"
	"go/token"
	"reflect"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// Reversal of simple statements: each operation's vector-Jacobian
// product, the guards of untaken paths, and the values put back.

// reverse writes the backward code of one simple statement.
func (l *Lowerer) reverse(rec *lowered) []adjoint.Stmt {
	zeroes := l.resetsFirst(rec)
	var seed []adjoint.Stmt
	if rec.seed != nil {
		seed = append(seed, l.accumulate(rec.seed, l.seedValue(0)))
	}
	// A value whose adjoint only a path the call may not have taken adds
	// into is used on no path when that adjoint is zero: its backward code
	// then must not run, or an Inf or NaN in the value (Exp(1000·x) meant
	// for x < 0) would leak into the gradient as Inf·0.
	guard := l.pathGuard(rec)
	var restored []adjoint.Stmt
	if guard != nil {
		l.revDepth++
		l.restoreLog = &restored
	}
	// The statement's temporaries start with no share of the adjoint.
	for _, o := range rec.ops {
		for _, r := range o.results {
			if r.temp {
				l.logicalZero[r] = true
			}
		}
	}
	readBack, ops := l.reverseOps(rec)
	out := append(append(readBack[:len(readBack):len(readBack)], seed...), ops...)
	ownReads := len(readBack)
	if guard != nil {
		// When the guard fails the values the statement overwrote still
		// come back.
		l.revDepth--
		l.restoreLog = nil
		if len(out) > 0 && (l.readsPrimal(out) || mayBeNonFinite(out)) {
			// Values read back from tapes come off them either way.
			out = []adjoint.Stmt{adjoint.If{Cond: guard, Then: out, Else: append(append([]adjoint.Stmt(nil), readBack...), restored...)}}
			ownReads = 0 // inside the guard: counted with the rest, conservatively
		}
	}
	for _, o := range rec.ops {
		for _, r := range o.results {
			delete(l.logicalZero, r)
		}
	}
	out = append(out, rec.undo...)
	for i := len(rec.saves) - 1; i >= 0; i-- {
		out = append(out, l.restore(rec, rec.saves[i].lv)...)
	}
	if len(out)+len(zeroes) == 0 {
		return nil
	}
	l.noteReadBacks(rec, out, ownReads, readBack)
	return append(append([]adjoint.Stmt{adjoint.Comment{Text: l.Source(rec.src)}}, zeroes...), out...)
}

// resetsFirst is what the backward code of rec does before anything else.
// Variables the statement gave a passive value lose their adjoint first:
// the statement wrote them after every read of their old value (x, y =
// 0.5, x+y), so going back the reset comes before those reads add into it.
// Variables the statement wrote without an operation (a passive value, or
// a value nothing reads) get their old values back first too:
// recomputing the statement's temporaries reads them (x, y = 0.5, f(x)).
func (l *Lowerer) resetsFirst(rec *lowered) []adjoint.Stmt {
	var zeroes []adjoint.Stmt
	for _, v := range rec.zeroes {
		if !l.isZeroAdj(v) && v.shadow == nil {
			zeroes = append(zeroes, adjoint.Set(l.AdjOf(v), "=", l.zeroOf(v)))
			l.zero[v.Adj] = true
		}
	}
	written := map[*Variable]bool{}
	for _, o := range rec.ops {
		for _, r := range o.results {
			written[r] = true
		}
	}
	for _, sv := range rec.saves {
		if _, whole := sv.lv.(adjoint.Ident); whole && !written[sv.v] && sv.v.shadow == nil {
			zeroes = append(zeroes, l.restoreVar(rec, sv.v)...)
		}
	}
	return zeroes
}

// reverseOps writes the operations' backward code, last first. Inside a
// loop, the operations that write the statement's variables come last and
// are reversed first, restoring the variables' old values; then the
// temporaries that the rest needs are recomputed from those values, where
// a straight-line function still has them. readBack are the statements
// that read stored temporaries back, which go first; out is the rest.
func (l *Lowerer) reverseOps(rec *lowered) (readBack, out []adjoint.Stmt) {
	split := len(rec.ops)
	if rec.inLoop {
		for split > 0 && rec.ops[split-1].writes() {
			split--
		}
	}
	for i := len(rec.ops) - 1; i >= split; i-- {
		out = append(out, l.reverseOp(rec, rec.ops[i])...)
	}
	var rest []adjoint.Stmt
	for i := split - 1; i >= 0; i-- {
		rest = append(rest, l.reverseOp(rec, rec.ops[i])...)
	}
	if rec.inLoop {
		var recomputed []adjoint.Stmt
		readBack, recomputed = l.recompute(rec.ops[:split], append(append([]adjoint.Stmt(nil), out...), rest...), storedTemps(rec, split))
		out = append(out, recomputed...)
	}
	return readBack, append(out, rest...)
}

// storedTemps maps each temporary that the statement stores into an
// element to that element: it still sits there until the store is
// reversed, so it is read back then rather than recomputed.
func storedTemps(rec *lowered, split int) map[*Variable]adjoint.Expr {
	stored := map[*Variable]adjoint.Expr{}
	if !rec.inLoop {
		return stored
	}
	for _, o := range rec.ops[split:] {
		if o.store != nil && o.store.opAssign == "" && o.args[0].v != nil && o.args[0].v.temp && o.args[0].path == nil {
			stored[o.args[0].v] = o.store.lv
		}
	}
	for r, into := range copiedTemps(rec, rec.ops[split:]) {
		stored[r] = into
	}
	// Only a temporary that is its operation's sole result can be read
	// back: a call's partials come from the same call and need it redone.
	for _, o := range rec.ops {
		if len(o.results) > 1 {
			for _, r := range o.results {
				delete(stored, r)
			}
		}
	}
	return stored
}

// copiedTemps maps each temporary that one of ops copies into a whole
// variable (kij = exp, after exp = math.Exp(t1)) to that variable, when
// the statement saves the variable's old value: going back the variable
// holds the temporary until its restore, which comes after the read-back.
// (Without the save, a later trip's write would have overwritten it.)
func copiedTemps(rec *lowered, ops []*op) map[*Variable]adjoint.Expr {
	copied := map[*Variable]adjoint.Expr{}
	for _, o := range ops {
		if o.rule != rules.Operators["copy"] || o.store != nil || o.results[0].temp || o.args[0].v == nil || !o.args[0].v.temp || o.args[0].path != nil {
			continue
		}
		into := o.results[0]
		for _, sv := range rec.saves {
			if id, whole := sv.lv.(adjoint.Ident); whole && sv.v == into && id.Name == into.Name && gotypes.IsFloat(into.Typ) {
				copied[o.args[0].v] = adjoint.Id(into.Name)
			}
		}
	}
	return copied
}

// noteReadBacks records the readers of the statement's backward code out,
// whose first ownReads statements read back what the statement itself
// stored (readBack): those read its output, not a value it overwrote, so
// they do not count for the saves.
func (l *Lowerer) noteReadBacks(rec *lowered, out []adjoint.Stmt, ownReads int, readBack []adjoint.Stmt) {
	l.noteReaders(rec, out[ownReads:], false)
	// Reading back what the statement stored needs that value still there
	// when its reversal runs: later writes to it must restore it. Its own
	// write on a later trip of a loop need not, when each trip writes
	// another element (h[j] with j the loop's index).
	// Only in a loop of its own: inside an outer loop the next outer trip
	// writes the same elements again (an RNN's new-state buffer).
	var elems, copies []adjoint.Stmt
	for _, s := range readBack {
		if a, ok := s.(adjoint.Assign); ok && len(a.Rhs) == 1 {
			if _, whole := a.Rhs[0].(adjoint.Ident); whole {
				copies = append(copies, s)
				continue
			}
		}
		elems = append(elems, s)
	}
	l.noteReaders(rec, elems, indexedBy(elems, rec.loopIndex) && len(rec.loops) == 1)
	// A temporary read back from the variable it was copied into reads the
	// statement's own output, which the statement's save keeps for it; that
	// save is made for other readers (copiedTemps), not for this one.
	l.noteReadersAs(rec, copies, reader{ownCopy: true})
}

// A reader is a statement whose backward code reads a variable.
type reader struct {
	pos   token.Pos
	src   ast.Stmt   // the statement: expanded helpers' statements share positions
	loops []ast.Stmt // the loops around it (a sum loop does not count)
	// ownOutput marks a statement reading back the element it stored,
	// indexed by index, its innermost loop's own index: a different one on
	// each trip.
	ownOutput bool
	index     string
	// ownCopy marks a statement reading back the value it copied into a
	// whole variable (copiedTemps).
	ownCopy bool
}

// noteReaders records which variables a statement's backward code reads,
// for the to-be-recorded analysis of the second lowering.
func (l *Lowerer) noteReaders(rec *lowered, code []adjoint.Stmt, distinct bool) {
	r := reader{ownOutput: distinct}
	if distinct {
		r.index = rec.loopIndex
	}
	l.noteReadersAs(rec, code, r)
}

// noteReadersAs is noteReaders with the marks of kind.
func (l *Lowerer) noteReadersAs(rec *lowered, code []adjoint.Stmt, kind reader) {
	if l.readersOut == nil {
		l.readersOut = map[string][]reader{}
	}
	seen := map[string]bool{}
	for _, s := range code {
		opt.WalkReads(s, func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok && !seen[id.Name] && l.byName[id.Name] != nil {
					seen[id.Name] = true
					r := kind
					r.pos, r.src, r.loops = rec.src.Pos(), rec.src, rec.loops
					l.readersOut[id.Name] = append(l.readersOut[id.Name], r)
				}
			})
		})
	}
}

// indexedBy reports whether every read-back reads an element indexed by
// the variable idx (the innermost loop's own index).
func indexedBy(code []adjoint.Stmt, idx string) bool {
	if len(code) == 0 || idx == "" {
		return false
	}
	for _, s := range code {
		a, ok := s.(adjoint.Assign)
		if !ok || len(a.Rhs) != 1 {
			return false
		}
		ix, ok := a.Rhs[0].(adjoint.Index)
		if !ok {
			return false
		}
		if id, ok := ix.Index.(adjoint.Ident); !ok || id.Name != idx {
			return false
		}
	}
	return true
}

// readBefore reports whether backward code may read the value a statement
// overwrites: a reader at or before the statement in forward order (its
// backward code runs after the statement's), or a reader in a loop that
// also holds the statement (an earlier trip reads it).
func (l *Lowerer) readBefore(name string, rec *lowered, lv adjoint.Expr) bool {
	if l.readers == nil {
		return true
	}
	for _, r := range l.readers[name] {
		if r.ownOutput && r.pos == rec.src.Pos() {
			continue // its own write, to another element on each trip
		}
		if r.ownCopy && r.src == rec.src {
			continue // its own output, kept by a save made for the others
		}
		if r.pos <= rec.src.Pos() {
			return true
		}
		if r.ownOutput && rec.loopIndex == r.index && indexedBy([]adjoint.Stmt{adjoint.Set(adjoint.Id("_"), "=", lv)}, r.index) {
			continue // this write, too, is to another element on each trip
		}
		for _, a := range r.loops {
			for _, b := range rec.loops {
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

// recompute writes again the forward operations whose results code reads,
// and those they read in turn, in their forward order.
// recompute returns the statements that read back stored temporaries and
// those that recompute the others.
func (l *Lowerer) recompute(ops []*op, code []adjoint.Stmt, stored map[*Variable]adjoint.Expr) (readBack, recomputed []adjoint.Stmt) {
	reads := map[string]bool{}
	mark := func(e adjoint.Expr) {
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				reads[id.Name] = true
			}
		})
	}
	for _, s := range code {
		adjoint.WalkStmtExprs(s, mark)
	}
	need := make([]bool, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		for _, r := range ops[i].results {
			if reads[r.Name] && ops[i].fwd != nil {
				need[i] = true
			}
		}
		if need[i] && stored[ops[i].results[0]] == nil && ops[i].taped == nil {
			mark(ops[i].fwd)
		}
	}
	// Taped results come off their tapes in the reverse order of their
	// pushes.
	for i := len(ops) - 1; i >= 0; i-- {
		if o := ops[i]; o.taped != nil {
			readBack = append(readBack, o.taped.pop(adjoint.Id(o.results[0].Name))...)
		}
	}
	for i, o := range ops {
		if need[i] && o.taped == nil {
			if lv := stored[o.results[0]]; lv != nil {
				readBack = append(readBack, adjoint.Set(adjoint.Id(o.results[0].Name), "=", lv))
				continue
			}
			lhs := make([]adjoint.Expr, len(o.results))
			for k, r := range o.results {
				lhs[k] = adjoint.Id(r.Name)
			}
			recomputed = append(recomputed, adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{o.fwd}})
		}
	}
	return readBack, recomputed
}

// restore puts back the saved old value of lv, once.
func (l *Lowerer) restore(rec *lowered, lv adjoint.Expr) []adjoint.Stmt {
	key := adjoint.ExprString(lv)
	if !rec.pend[key] {
		return nil
	}
	delete(rec.pend, key)
	for _, s := range rec.saves {
		if adjoint.ExprString(s.lv) == key {
			out := []adjoint.Stmt{adjoint.Set(s.lv, "=", adjoint.Id(s.name))}
			if s.tape != nil {
				out = s.tape.pop(s.lv)
			}
			if l.restoreLog != nil {
				*l.restoreLog = append(*l.restoreLog, out...)
			}
			return out
		}
	}
	return nil
}

// restoreVar restores v's saved value, and its adjoint view's.
func (l *Lowerer) restoreVar(rec *lowered, v *Variable) []adjoint.Stmt {
	out := l.restore(rec, adjoint.Id(v.Name))
	if v.shadow != nil {
		out = append(out, l.restore(rec, adjoint.Id(v.shadow.Name))...)
	}
	return out
}

// contribution is one operand's share of an operation's adjoint.
type contribution struct {
	to   *Variable
	path adjoint.Expr // an element of to's adjoint, or nil
	e    adjoint.Expr
}

// reverseOp applies the chain rule to one operation: each active operand's
// adjoint receives its vector-Jacobian product.
func (l *Lowerer) reverseOp(rec *lowered, o *op) []adjoint.Stmt {
	if o.store != nil {
		return l.reverseStore(rec, o)
	}
	c := &rules.Ctx{T: gotypes.MustIR(o.resType)}
	live := false
	for _, r := range o.results {
		c.R = append(c.R, adjoint.Id(r.Name))
		var d adjoint.Expr
		switch {
		case r == nil:
		case l.seed[r] != nil:
			d = l.seed[r]
		case !l.isZeroAdj(r):
			d = l.AdjOf(r)
		}
		c.D = append(c.D, d)
		live = live || d != nil
	}
	if !live {
		var out []adjoint.Stmt
		for _, r := range o.results {
			out = append(out, l.restoreVar(rec, r)...)
		}
		return out
	}
	for _, a := range o.args {
		c.A = append(c.A, a.Bval)
	}
	c.Fresh = l.Names.Fresh
	if o.rule.Piecewise() {
		return l.reversePiecewise(rec, o, c)
	}
	var contribs []contribution
	for i, a := range o.args {
		if a.v == nil || i >= len(o.rule.VJP) || o.rule.VJP[i] == nil {
			continue
		}
		if o.rule == rules.Conversion {
			c.T = gotypes.MustIR(a.Typ)
		}
		if e := o.rule.VJP[i](c); e != nil {
			contribs = append(contribs, contribution{a.v, a.path, e})
		}
	}
	if len(o.results) == 1 && readsWhole(o.args, o.results[0]) {
		return l.reverseSelfUpdate(rec, o.results[0], contribs)
	}
	var out []adjoint.Stmt
	for _, ct := range sumContributions(contribs) {
		out = append(out, l.accumulateTo(ct.to, ct.path, ct.e))
	}
	return append(out, l.resetResults(rec, o)...)
}

// reversePiecewise writes the backward code of an operation whose rule
// adds into adjoints inside branches of its own (abs, max, pow at zero).
func (l *Lowerer) reversePiecewise(rec *lowered, o *op, c *rules.Ctx) []adjoint.Stmt {
	// A temporary's adjoint must really hold zero first (in a loop it
	// holds the last trip's value).
	var out []adjoint.Stmt
	for _, a := range o.args {
		if a.v != nil && l.logicalZero[a.v] && l.revDepth > 0 {
			out = append(out, adjoint.Set(l.AdjOf(a.v), "=", adjoint.Literal("0")))
		}
	}
	c.Add = func(i int, e adjoint.Expr) adjoint.Stmt {
		a := o.args[i]
		if a.v == nil || e == nil {
			return nil
		}
		if a.path != nil {
			return l.accumulateTo(a.v, a.path, e)
		}
		d := l.AdjOf(a.v)
		l.zero[a.v.Adj] = false
		l.noteAdd(a.v)
		delete(l.logicalZero, a.v)
		if m, ok := adjoint.Negated(e); ok {
			return adjoint.Set(d, "-=", m)
		}
		return adjoint.Set(d, "+=", e)
	}
	out = append(out, o.rule.Statements(c)...)
	return append(out, l.resetResults(rec, o)...)
}

// reverseSelfUpdate writes the backward code of x = f(x, y): the old x is
// back before its share is computed, and x's own adjoint is replaced
// rather than added to.
func (l *Lowerer) reverseSelfUpdate(rec *lowered, self *Variable, contribs []contribution) []adjoint.Stmt {
	out := l.restoreVar(rec, self)
	var selfSum adjoint.Expr
	for _, ct := range sumContributions(contribs) {
		if ct.to == self && ct.path == nil {
			selfSum = ct.e
			continue
		}
		out = append(out, l.accumulateTo(ct.to, ct.path, ct.e))
	}
	if d := l.AdjOf(self); !reflect.DeepEqual(selfSum, d) {
		if selfSum == nil {
			selfSum = adjoint.Literal("0")
		}
		out = append(out, adjoint.Set(d, "=", selfSum))
	}
	l.zero[self.Adj] = false
	l.noteAdd(self)
	return out
}

// resetResults clears the adjoints of variables an operation overwrote (the
// values they held before have their own, separate adjoints) and restores
// their old values.
func (l *Lowerer) resetResults(rec *lowered, o *op) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, r := range o.results {
		if r != nil && !r.singleDef() && !l.isZeroAdj(r) && l.seed[r] == nil {
			out = append(out, adjoint.Set(l.AdjOf(r), "=", adjoint.Literal("0")))
			l.zero[r.Adj] = true
		}
		if r != nil {
			out = append(out, l.restoreVar(rec, r)...)
		}
	}
	return out
}

// sumContributions merges the shares that go to the same variable (x*x
// gives x two), in order of first appearance.
func sumContributions(cs []contribution) []contribution {
	var out []contribution
	for _, c := range cs {
		merged := false
		for i := range out {
			if out[i].to == c.to && reflect.DeepEqual(out[i].path, c.path) {
				if reflect.DeepEqual(out[i].e, c.e) {
					out[i].e = double(c.e)
				} else {
					out[i].e = adjoint.Add(out[i].e, c.e)
				}
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, c)
		}
	}
	return out
}

// double is 2·e, written 2 * p * d rather than 2 * (p * d): the same
// value, since doubling is exact.
func double(e adjoint.Expr) adjoint.Expr {
	if b, ok := e.(adjoint.Binary); ok && b.Op == "*" {
		return adjoint.Bin("*", adjoint.Mul(adjoint.Literal("2"), b.X), b.Y)
	}
	return adjoint.Mul(adjoint.Literal("2"), e)
}

// zeroOf is the zero value of v's adjoint: 0, or T{} for an array or struct.
func (l *Lowerer) zeroOf(v *Variable) adjoint.Expr {
	if gotypes.IsFloat(v.Typ) {
		return adjoint.Literal("0")
	}
	return adjoint.Composite{Type: v.IR}
}

// readsWhole reports whether an operation reads the whole variable v (not
// an element of it).
func readsWhole(args []Operand, v *Variable) bool {
	for _, a := range args {
		if a.v == v && a.path == nil {
			return true
		}
		// A passive operand computed from v (x = q.energy(math.Ceil(2*x)))
		// reads the old value too when backward code recomputes it.
		if a.v == nil && a.Bval != nil && opt.MentionsExpr(a.Bval, v.Name) {
			return true
		}
	}
	return false
}
