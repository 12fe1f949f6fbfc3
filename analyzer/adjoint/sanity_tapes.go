package adjoint

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
)

// The parts of the sanity check that look at the whole function at once:
// what it declares and assigns anywhere, its adjoint views, its tapes.

// collect walks the whole function once for what the other checks look
// up: names declared anywhere, the values each name is assigned, and how
// each tape is used. Generated names are unique in a function, so one map
// per function serves.
func (c *checker) collect() {
	c.declared = map[string]bool{}
	c.declTypes = map[string]Type{}
	c.assigned = map[string]map[string]bool{}
	c.assignedExprs = map[string][]Expr{}
	c.rangeElems = map[string]Expr{}
	c.pushedTo = map[string]map[string]bool{}
	c.popped = map[string]bool{}
	c.peeked = map[string]bool{}
	if c.f.Recv != nil {
		c.declared[c.f.Recv.Name] = true
	}
	for _, p := range append(append([]Param(nil), c.f.Params...), c.f.Results...) {
		c.declared[p.Name] = true
	}
	WalkStmts(c.f.Body, c.collectStmt)
}

// collectStmt records what s declares and assigns, and the tapes whose top
// it reads or writes; collect calls it for every statement of the
// function, nested ones included.
func (c *checker) collectStmt(s Stmt) {
	switch s := s.(type) {
	case VarDecl:
		for i, name := range s.Names {
			c.declared[name] = true
			if len(s.Values) == len(s.Names) {
				c.noteAssign(Ident{Name: name}, s.Values[i])
			}
		}
	case Assign:
		for i, x := range s.Lhs {
			if id, ok := x.(Ident); ok && s.Op == ":=" {
				c.declared[id.Name] = true
			}
			if len(s.Lhs) == len(s.Rhs) && (s.Op == "=" || s.Op == ":=") {
				c.noteAssign(x, s.Rhs[i])
			}
		}
	case Range:
		if s.Define {
			for _, x := range []Expr{s.Key, s.Value} {
				if name := identName(x); name != "" {
					c.declared[name] = true
				}
			}
		}
		// The value of a range over a slice is its element: v is xs[i].
		if identName(s.Key) != "" && identName(s.Value) != "" {
			c.noteAssign(s.Value, Index{X: s.X, Index: s.Key})
			c.rangeElems[identName(s.Value)] = Index{X: s.X, Index: s.Key}
		}
	}
	StmtExprs(s, func(e Expr) {
		WalkExpr(e, func(e Expr) {
			if t := topOf(e); t != "" {
				c.peeked[t] = true
			}
		})
	})
}

// noteAssign records that lhs, when it is a name, is assigned rhs, and,
// when it is a tape, what the assignment pushes on it or whether it pops
// it: the checks of copies, views and tapes look these up later.
func (c *checker) noteAssign(lhs, rhs Expr) {
	name := identName(lhs)
	if name == "" || rhs == nil {
		return
	}
	addToSet(c.assigned, name, ExprString(rhs))
	c.assignedExprs[name] = append(c.assignedExprs[name], rhs)
	if !c.env.Tapes[name] {
		return
	}
	if t, vals := pushOf(rhs); t == name {
		for _, v := range vals {
			addToSet(c.pushedTo, name, ExprString(v))
		}
	}
	if popOf(rhs) == name {
		c.popped[name] = true
	}
}

// addToSet adds v to the set m[k], making the set on first use.
func addToSet(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

// assignedVia reports whether val was assigned want through a copy or a
// range value (t := v, or r := v[0:2], with v ranging over xs: xs[i]).
func (c *checker) assignedVia(val, want string) bool {
	for src := range c.assigned[val] {
		if c.assigned[src][want] {
			return true
		}
	}
	elem := func(name string) (Expr, bool) {
		e, ok := c.rangeElems[name]
		return e, ok
	}
	for _, e := range c.assignedExprs[val] {
		if ExprString(substitute(e, elem)) == want {
			return true
		}
		if m, ok := zeroMirror(e); ok && ExprString(m) == want {
			return true
		}
	}
	return false
}

// zeroMirror is the fresh storage that mirrors a slice literal of
// constants: make of its type and length, the adjoint starting zero.
func zeroMirror(e Expr) (Expr, bool) {
	lit, ok := e.(Composite)
	if !ok {
		return nil, false
	}
	if _, ok := lit.Type.(Slice); !ok {
		return nil, false
	}
	n, next := 0, 0
	for _, el := range lit.Elts {
		if kv, ok := el.(KeyValue); ok {
			k, err := strconv.Atoi(ExprString(kv.Key))
			if err != nil {
				return nil, false
			}
			next = k
		}
		next++
		n = max(n, next)
	}
	return Call{Fun: Id("make"), Args: []Expr{TypeExpr{Type: lit.Type}, Lit{Text: strconv.Itoa(n)}}}, true
}

func identName(e Expr) string {
	if id, ok := e.(Ident); ok {
		return id.Name
	}
	return ""
}

// lenMinusOne reports whether e is len(name)-1.
func lenMinusOne(e Expr, name string) bool {
	b, ok := e.(Binary)
	if !ok || b.Op != "-" || literal(b.Y) != "1" {
		return false
	}
	if _, neg := b.Y.(Unary); neg {
		return false
	}
	call, ok := b.X.(Call)
	return ok && identName(call.Fun) == "len" && len(call.Args) == 1 && identName(call.Args[0]) == name
}

// topOf returns t when e is t[len(t)-1], the top of a tape.
func topOf(e Expr) string {
	ix, ok := e.(Index)
	if !ok {
		return ""
	}
	if t := identName(ix.X); t != "" && lenMinusOne(ix.Index, t) {
		return t
	}
	return ""
}

// popOf returns t when e is t[:len(t)-1], a tape without its top.
func popOf(e Expr) string {
	s, ok := e.(SliceExpr)
	if !ok || s.Lo != nil || s.Max != nil {
		return ""
	}
	if t := identName(s.X); t != "" && lenMinusOne(s.Hi, t) {
		return t
	}
	return ""
}

// pushOf returns t and the values when e is append(t, values...).
func pushOf(e Expr) (string, []Expr) {
	call, ok := e.(Call)
	if !ok || identName(call.Fun) != "append" || len(call.Args) < 2 || call.Ellipsis {
		return "", nil
	}
	return identName(call.Args[0]), call.Args[1:]
}

// rootOf is the variable an element, field, view or dereference of e
// belongs to: W for W[a:b], dm for dm.W[i].
func rootOf(e Expr) string {
	for {
		switch x := e.(type) {
		case Ident:
			return x.Name
		case Index:
			e = x.X
		case SliceExpr:
			e = x.X
		case Selector:
			e = x.X
		case Paren:
			e = x.X
		case Unary:
			if x.Op != "*" {
				return ""
			}
			e = x.X
		default:
			return ""
		}
	}
}

// Views.

// checkViews checks that each adjoint of a reference value is only ever a
// view of an adjoint buffer: what its value is assigned, with every value
// replaced by its adjoint (drow = dW[a:b] for row = W[a:b]), fresh storage
// as its value's (make, or a buffer from a pool), or a saved copy of itself
// put back.
func (c *checker) checkViews() {
	if len(c.env.Views) == 0 {
		return
	}
	for _, adj := range sortedKeys(c.env.Views) {
		val := c.env.Views[adj]
		at, vt := c.declTypes[adj], c.declTypes[val]
		if at != nil && vt != nil && !identical(at, vt) && !identical(at, Pointer{Elem: vt}) {
			c.errorf("%s, the adjoint of %s, has type %s, not %s's type %s", adj, val, typeName(at), val, typeName(vt))
		}
	}
	check := func(s Stmt, lhs, rhs Expr) {
		adj := identName(lhs)
		val, ok := c.env.Views[adj]
		if !ok || rhs == nil {
			return
		}
		c.where = s
		defer func() { c.where = nil }()
		if t := topOf(rhs); t != "" && c.env.Tapes[t] && c.pushedTo[t][adj] {
			return // put back from the tape it was saved on
		}
		if src := identName(rhs); src != "" && c.assigned[src][adj] {
			return // put back from the copy it was saved in
		}
		if sl, ok := rhs.(SliceExpr); ok {
			if u, ok := sl.X.(Unary); ok && u.Op == "*" && identName(u.X) != "" {
				return // fresh storage from a pool, as make's (opt.PoolStorage)
			}
		}
		if call, ok := rhs.(Call); ok && identName(call.Fun) == "make" && len(call.Args) >= 2 && ExprString(call.Args[1]) == "len("+val+")" {
			return // fresh storage as long as its value
		}
		mirror := ExprString(replaceNames(rhs, c.env.Views))
		root := rootOf(rhs)
		_, rootIsView := c.env.Views[root]
		fresh := false
		switch x := rhs.(type) {
		case Call:
			fresh = identName(x.Fun) == "make" || identName(x.Fun) == "new"
		case Composite:
			fresh = true
		case Lit:
			fresh = x.Text == "nil"
		case Ident:
			fresh = x.Name == "nil"
		}
		switch {
		case !rootIsView && !fresh:
			c.errorf("%s, the adjoint of the reference value %s, is assigned %s, which is not a view of an adjoint buffer", adj, val, ExprString(rhs))
		case !c.assigned[val][mirror] && !c.assignedVia(val, mirror):
			c.errorf("%s, the adjoint of the reference value %s, is assigned %s, but %s is never assigned %s: the view does not mirror its value's", adj, val, ExprString(rhs), val, mirror)
		}
	}
	WalkStmts(c.f.Body, func(s Stmt) {
		switch s := s.(type) {
		case Assign:
			if len(s.Lhs) == len(s.Rhs) && (s.Op == "=" || s.Op == ":=") {
				for i := range s.Lhs {
					check(s, s.Lhs[i], s.Rhs[i])
				}
			} else if len(s.Lhs) != len(s.Rhs) {
				for _, x := range s.Lhs {
					if _, ok := c.env.Views[identName(x)]; ok {
						c.where = s
						c.errorf("%s, the adjoint of a reference value, is assigned a call's result, which is not a view of an adjoint buffer", identName(x))
						c.where = nil
					}
				}
			}
		case VarDecl:
			if len(s.Values) == len(s.Names) {
				for i, name := range s.Names {
					check(s, Ident{Name: name}, s.Values[i])
				}
			}
		}
	})
}

// replaceNames renames the variables of e by m.
func replaceNames(e Expr, m map[string]string) Expr {
	return substitute(e, func(name string) (Expr, bool) {
		to, ok := m[name]
		return Ident{Name: to}, ok
	})
}

// substitute replaces each identifier that to knows.
func substitute(e Expr, to func(string) (Expr, bool)) Expr {
	re := func(e Expr) Expr { return substitute(e, to) }
	switch e := e.(type) {
	case Ident:
		if x, ok := to(e.Name); ok {
			return x
		}
	case Binary:
		return Binary{Op: e.Op, X: re(e.X), Y: re(e.Y)}
	case Unary:
		return Unary{Op: e.Op, X: re(e.X)}
	case Paren:
		return Paren{X: re(e.X)}
	case Call:
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = re(a)
		}
		return Call{Fun: re(e.Fun), Args: args, Ellipsis: e.Ellipsis}
	case Index:
		return Index{X: re(e.X), Index: re(e.Index)}
	case SliceExpr:
		out := SliceExpr{X: re(e.X)}
		if e.Lo != nil {
			out.Lo = re(e.Lo)
		}
		if e.Hi != nil {
			out.Hi = re(e.Hi)
		}
		if e.Max != nil {
			out.Max = re(e.Max)
		}
		return out
	case Selector:
		return Selector{X: re(e.X), Sel: e.Sel}
	}
	return e
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Tapes.

// The bounds of the abstract execution of checkTapes: runs per check,
// statements per run and per check, and trips of a loop whose trip count
// is not known.
const (
	simRuns     = 16
	simRunSteps = 20000
	simSteps    = 100000
	simMaxTrips = 3
)

// checkTapes checks that the tapes balance. Statically: a tape pushed is
// popped somewhere, and a tape popped (or its top read) is pushed
// somewhere. Then by a bounded abstract execution: the function is run
// on values that are only known where the program itself fixes them —
// records of branches and completion, trip counters, loop indexes from
// constants — with every other condition, and the trip count of every
// loop whose count depends on unknown values, chosen at random (from a
// fixed seed, so that the check is deterministic). Tapes are followed
// exactly. A correct program pops on the way back exactly what it pushed
// on the way forward, whatever the data; so on every run no tape may be
// read or popped empty, none may be given new storage while it holds
// values, and all must be empty when the function returns. The runs are a
// sample of the paths, not all of them: a clean result is evidence, not
// proof.
func (c *checker) checkTapes() {
	c.where = nil
	pushed := false
	for _, t := range sortedKeys(c.env.Tapes) {
		if tt := c.declTypes[t]; tt != nil {
			if _, ok := tt.(Slice); !ok {
				c.errorf("tape %s has type %s: a tape is a slice", t, typeName(tt))
			}
		}
		switch {
		case len(c.pushedTo[t]) > 0:
			pushed = true
			if !c.popped[t] && !c.env.Partial {
				c.errorf("tape %s is pushed but never popped", t)
			}
		case c.popped[t] || c.peeked[t]:
			c.errorf("tape %s is popped or read but never pushed", t)
		}
	}
	if !pushed {
		return
	}
	guessy := hasConstantTripLoop(c.f.Body)
	total, runs, failed := 0, 0, 0
	var first string
	for run := 0; run < simRuns && total < simSteps; run++ {
		s := &sim{c: c, rng: rand.New(rand.NewPCG(uint64(run), 0x5a417)), vars: map[string]val{},
			tapes: map[string][]val{}, lens: map[string]int{}, convs: map[string]val{}, limit: simRunSteps}
		s.chooseParams()
		fl, _ := s.list(c.f.Body)
		total += s.steps
		if s.out || fl == flowGoto || fl == flowBreak || fl == flowContinue {
			continue // too long to follow, or a jump to nowhere (reported above): no verdict
		}
		runs++
		if s.failure == "" && fl != flowStop && !c.env.Partial {
			for _, t := range sortedKeys(c.env.Tapes) {
				if n := len(s.tapes[t]); n > 0 {
					s.failure = fmt.Sprintf("tape %s holds %d value(s) when the function returns", t, n)
					break
				}
			}
		}
		if s.failure == "" {
			continue
		}
		if s.guessed && guessy {
			// The run guessed the length of an array it looped over, which
			// a backward loop counting a constant number of trips knows:
			// the guess, not the program, may be wrong.
			continue
		}
		failed++
		if first == "" {
			first = fmt.Sprintf("%s, on a path where %s", s.failure, s.path())
		}
	}
	if failed > 0 {
		c.errorf("tapes do not balance: %s (%d of %d runs of the abstract execution fail)", first, failed, runs)
	}
}

// hasConstantTripLoop reports whether the function has a loop running a
// constant number of times, for trip := N; trip > 0; trip--: the backward
// loop of a loop over an array.
func hasConstantTripLoop(list []Stmt) bool {
	found := false
	WalkStmts(list, func(s Stmt) {
		f, ok := s.(For)
		if !ok {
			return
		}
		init, ok1 := f.Init.(Assign)
		post, ok2 := f.Post.(IncDec)
		if ok1 && ok2 && init.Op == ":=" && len(init.Rhs) == 1 && litType(literal(init.Rhs[0])) == untypedInt && !post.Inc {
			found = true
		}
	})
	return found
}

// A val is what the abstract execution knows of a value: an integer or a
// boolean, or nothing.
type val struct {
	known, isBool bool
	n             int64 // a boolean is 0 or 1
}

var unknown = val{}

type flow int

const (
	flowNext flow = iota
	flowBreak
	flowContinue
	flowGoto
	flowReturn
	flowStop // a failure, or the step budget spent
)

// sim is one run of the abstract execution.
type sim struct {
	c     *checker
	rng   *rand.Rand
	vars  map[string]val
	tapes map[string][]val
	lens  map[string]int // the lengths chosen for ranged-over values
	// convs are the values chosen for integer conversions of variables the
	// run cannot know (int(x), x a float), by variable: the loop bounded by
	// i < int(x) and the backward loop counting max(0, int(x)) trips agree.
	convs   map[string]val
	guessed bool     // a length of a value of unknown type was chosen
	trace   []choice // the first choices made, for the report
	steps   int
	limit   int
	out     bool // the step budget is spent
	at      Stmt
	failure string
}

// A choice is one decision of a run that the program did not dictate:
// which way a branch went (n is 0 or 1), or how many trips a loop or case
// it took (n).
type choice struct {
	st   Stmt
	kind byte // 'b' branch, 't' trips, 'c' case
	n    int
}

const tracedChoices = 12

// An action is one assignment of a parallel assignment, its right side
// evaluated.
type action struct {
	kind int // one of the act constants
	tape string
	vals []val
}

const (
	actSet = iota
	actPush
	actPop
	actStorage
	actMove // the tape's values moved to other storage
)
