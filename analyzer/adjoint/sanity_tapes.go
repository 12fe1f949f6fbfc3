package adjoint

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
	add := func(m map[string]map[string]bool, k, v string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][v] = true
	}
	assign := func(lhs, rhs Expr) {
		name := identName(lhs)
		if name == "" || rhs == nil {
			return
		}
		add(c.assigned, name, ExprString(rhs))
		c.assignedExprs[name] = append(c.assignedExprs[name], rhs)
		if !c.env.Tapes[name] {
			return
		}
		if t, vals := pushOf(rhs); t == name {
			for _, v := range vals {
				add(c.pushedTo, name, ExprString(v))
			}
		}
		if popOf(rhs) == name {
			c.popped[name] = true
		}
	}
	if c.f.Recv != nil {
		c.declared[c.f.Recv.Name] = true
	}
	for _, p := range append(append([]Param(nil), c.f.Params...), c.f.Results...) {
		c.declared[p.Name] = true
	}
	WalkStmts(c.f.Body, func(s Stmt) {
		switch s := s.(type) {
		case VarDecl:
			for i, name := range s.Names {
				c.declared[name] = true
				if len(s.Values) == len(s.Names) {
					assign(Ident{Name: name}, s.Values[i])
				}
			}
		case Assign:
			for i, x := range s.Lhs {
				if id, ok := x.(Ident); ok && s.Op == ":=" {
					c.declared[id.Name] = true
				}
				if len(s.Lhs) == len(s.Rhs) && (s.Op == "=" || s.Op == ":=") {
					assign(x, s.Rhs[i])
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
				assign(s.Value, Index{X: s.X, Index: s.Key})
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
	})
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
	}
	return false
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
// as its value's (make), or a saved copy of itself put back.
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
			tapes: map[string][]val{}, lens: map[string]int{}, limit: simRunSteps}
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

func intVal(n int64) val { return val{known: true, n: n} }
func boolVal(b bool) val {
	if b {
		return val{known: true, isBool: true, n: 1}
	}
	return val{known: true, isBool: true}
}

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
	c       *checker
	rng     *rand.Rand
	vars    map[string]val
	tapes   map[string][]val
	lens    map[string]int // the lengths chosen for ranged-over values
	guessed bool           // a length of a value of unknown type was chosen
	trace   []choice       // the first choices made, for the report
	steps   int
	limit   int
	out     bool // the step budget is spent
	at      Stmt
	failure string
}

func (s *sim) fail(format string, args ...any) {
	if s.failure == "" {
		s.failure = fmt.Sprintf(format, args...) + " at " + brief(s.at)
	}
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

func (s *sim) choose(st Stmt, kind byte, n int) {
	if len(s.trace) <= tracedChoices {
		s.trace = append(s.trace, choice{st, kind, n})
	}
}

// path describes the choices of a run.
func (s *sim) path() string {
	if len(s.trace) == 0 {
		return "no condition or trip count was chosen"
	}
	var parts []string
	for i, ch := range s.trace {
		if i == tracedChoices {
			parts = append(parts, "…")
			break
		}
		switch ch.kind {
		case 'b':
			parts = append(parts, fmt.Sprintf("%s is %v", brief(ch.st), ch.n == 1))
		case 't':
			parts = append(parts, fmt.Sprintf("%s runs %d trip(s)", brief(ch.st), ch.n))
		case 'c':
			parts = append(parts, fmt.Sprintf("%s takes case %d", brief(ch.st), ch.n))
		}
	}
	return strings.Join(parts, "; ")
}

func (s *sim) isTape(name string) bool { return name != "" && s.c.env.Tapes[name] }

func (s *sim) list(list []Stmt) (flow, string) {
	for i := 0; i < len(list); i++ {
		fl, label := s.exec(list[i])
		switch fl {
		case flowNext:
		case flowGoto:
			if j := labelIndex(list, label); j >= 0 {
				i = j - 1
				continue
			}
			return fl, label
		default:
			return fl, label
		}
	}
	return flowNext, ""
}

// labelIndex is the index in list of the statement labelled label, or -1.
func labelIndex(list []Stmt, label string) int {
	for i, st := range list {
		var l string
		switch st := st.(type) {
		case Labeled:
			l = st.Label
		case For:
			l = st.Label
		case Range:
			l = st.Label
		case Switch:
			l = st.Label
		}
		if l != "" && l == label {
			return i
		}
	}
	return -1
}

func (s *sim) exec(st Stmt) (flow, string) {
	s.steps++
	if s.steps > s.limit {
		s.out = true
		return flowStop, ""
	}
	s.at = st
	fl, label := flowNext, ""
	switch st := st.(type) {
	case Assign:
		s.assign(st)
	case VarDecl:
		for i, name := range st.Names {
			if s.isTape(name) {
				s.tapes[name] = nil
				continue
			}
			v := zeroVal(st.Type)
			if len(st.Values) == len(st.Names) {
				v = s.eval(st.Values[i])
			}
			s.vars[name] = v
		}
	case IncDec:
		d := int64(-1)
		if st.Inc {
			d = 1
		}
		s.update(st.X, "+", intVal(d))
	case ExprStmt:
		s.eval(st.X)
	case If:
		if st.Init != nil {
			if fl, label := s.exec(st.Init); fl != flowNext {
				return fl, label
			}
		}
		s.at = st
		if s.decide(s.eval(st.Cond), st) {
			fl, label = s.list(st.Then)
		} else {
			fl, label = s.list(st.Else)
		}
	case For:
		fl, label = s.forStmt(st)
	case Range:
		fl, label = s.rangeStmt(st)
	case Switch:
		fl, label = s.switchStmt(st)
	case Return:
		for _, r := range st.Results {
			s.eval(r)
		}
		fl = flowReturn
	case Branch:
		switch st.Tok {
		case "break":
			fl, label = flowBreak, st.Label
		case "continue":
			fl, label = flowContinue, st.Label
		}
	case Goto:
		fl, label = flowGoto, st.Label
	case Block:
		fl, label = s.list(st.Body)
	}
	if s.failure != "" || s.out {
		return flowStop, ""
	}
	return fl, label
}

// decide takes a branch: as the program says, or at random.
func (s *sim) decide(v val, st Stmt) bool {
	if v.known {
		return v.n != 0
	}
	b := s.rng.IntN(2) == 0
	n := 0
	if b {
		n = 1
	}
	s.choose(st, 'b', n)
	return b
}

// loopBody runs one trip of a loop labelled label; it reports whether the
// loop goes on, and how control leaves it otherwise.
func (s *sim) loopBody(body []Stmt, label string) (bool, flow, string) {
	fl, l := s.list(body)
	switch fl {
	case flowNext:
		return true, flowNext, ""
	case flowBreak:
		if l == "" || l == label {
			return false, flowNext, ""
		}
	case flowContinue:
		if l == "" || l == label {
			return true, flowNext, ""
		}
	}
	return false, fl, l
}

func (s *sim) forStmt(st For) (flow, string) {
	if st.Init != nil {
		if fl, label := s.exec(st.Init); fl != flowNext {
			return fl, label
		}
	}
	trips, chosen := 0, false
	defer func() {
		if chosen {
			s.choose(st, 't', trips)
		}
	}()
	for {
		if st.Cond != nil {
			s.at = st
			v := s.eval(st.Cond)
			if s.failure != "" {
				return flowStop, ""
			}
			more := v.known && v.n != 0
			if !v.known {
				chosen = true
				more = trips < simMaxTrips && s.rng.IntN(4) != 0
			}
			if !more {
				return flowNext, ""
			}
		}
		goOn, fl, label := s.loopBody(st.Body, st.Label)
		if !goOn {
			return fl, label
		}
		if st.Post != nil {
			if fl, label := s.exec(st.Post); fl != flowNext {
				return fl, label
			}
		}
		trips++
	}
}

func (s *sim) rangeStmt(st Range) (flow, string) {
	v := s.eval(st.X)
	if s.failure != "" {
		return flowStop, ""
	}
	var n int
	switch t := s.typeOf(st.X); {
	case v.known && !v.isBool:
		n = int(max(0, min(v.n, int64(s.limit))))
	case elemType(t) != nil && !isSlice(t):
		n = int(arrayLen(t))
	default:
		key := ExprString(st.X)
		l, ok := s.lens[key]
		if !ok {
			l = s.rng.IntN(simMaxTrips + 1)
			s.lens[key] = l
			s.choose(st, 't', l)
			if t == nil {
				s.guessed = true
			}
		}
		n = l
	}
	for i := range n {
		if k := identName(st.Key); k != "" && k != "_" {
			s.vars[k] = intVal(int64(i))
		}
		if x := identName(st.Value); x != "" && x != "_" {
			s.vars[x] = unknown
		}
		goOn, fl, label := s.loopBody(st.Body, st.Label)
		if !goOn {
			return fl, label
		}
	}
	return flowNext, ""
}

func isSlice(t Type) bool {
	_, ok := t.(Slice)
	return ok
}

func arrayLen(t Type) int64 {
	switch t := t.(type) {
	case Array:
		return t.Len
	case Pointer:
		return arrayLen(t.Elem)
	}
	return 0
}

// typeOf is the type of e as the program writes it, or nil.
func (s *sim) typeOf(e Expr) Type {
	switch e := e.(type) {
	case Ident:
		return s.c.declTypes[e.Name]
	case Paren:
		return s.typeOf(e.X)
	case Composite:
		return e.Type
	}
	return nil
}

func (s *sim) switchStmt(st Switch) (flow, string) {
	if st.Init != nil {
		if fl, label := s.exec(st.Init); fl != flowNext {
			return fl, label
		}
	}
	s.at = st
	chosen, def := -1, -1
	for i, cl := range st.Cases {
		if len(cl.List) == 0 {
			def = i
		}
	}
	if st.Tag != nil {
		tag := s.eval(st.Tag)
		known := tag.known
		for i, cl := range st.Cases {
			for _, x := range cl.List {
				v := s.eval(x)
				known = known && v.known
				if known && chosen < 0 && v == tag {
					chosen = i
				}
			}
		}
		if !known {
			// Any case, or none when there is no default.
			n := len(st.Cases)
			if def < 0 {
				n++
			}
			chosen = s.rng.IntN(n)
			if chosen == len(st.Cases) {
				chosen = -1
			}
			s.choose(st, 'c', chosen)
		}
	} else {
	cases:
		for i, cl := range st.Cases {
			for _, x := range cl.List {
				if s.decide(s.eval(x), st) {
					chosen = i
					break cases
				}
			}
		}
	}
	if s.failure != "" {
		return flowStop, ""
	}
	if chosen < 0 {
		chosen = def
	}
	if chosen < 0 {
		return flowNext, ""
	}
	fl, label := s.list(st.Cases[chosen].Body)
	if fl == flowBreak && (label == "" || label == st.Label) {
		return flowNext, ""
	}
	return fl, label
}

func zeroVal(t Type) val {
	switch {
	case basic(t) == "bool":
		return boolVal(false)
	case isInteger(t):
		return intVal(0)
	}
	return unknown
}

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
)

func (s *sim) assign(a Assign) {
	if len(a.Lhs) != len(a.Rhs) {
		for _, r := range a.Rhs {
			s.eval(r)
		}
		for _, x := range a.Lhs {
			if name := identName(x); name != "" && !s.isTape(name) {
				s.vars[name] = unknown
			}
		}
		return
	}
	if len(a.Lhs) == 1 && !s.isTape(identName(a.Lhs[0])) {
		v := s.eval(a.Rhs[0])
		if s.failure == "" {
			s.store(a.Lhs[0], a.Op, v)
		}
		return
	}
	// Go evaluates every right side before it assigns.
	acts := make([]action, len(a.Rhs))
	for i, r := range a.Rhs {
		t := identName(a.Lhs[i])
		if s.isTape(t) && (a.Op == "=" || a.Op == ":=") {
			acts[i].tape = t
			if pt, vals := pushOf(r); pt == t {
				acts[i].kind = actPush
				for _, v := range vals {
					acts[i].vals = append(acts[i].vals, s.eval(v))
				}
			} else if popOf(r) == t {
				acts[i].kind = actPop
			} else {
				acts[i].kind = actStorage
				s.eval(r)
			}
			continue
		}
		acts[i].vals = []val{s.eval(r)}
	}
	if s.failure != "" {
		return
	}
	for i, act := range acts {
		switch t := act.tape; act.kind {
		case actSet:
			s.store(a.Lhs[i], a.Op, act.vals[0])
		case actPush:
			s.tapes[t] = append(s.tapes[t], act.vals...)
		case actPop:
			if len(s.tapes[t]) == 0 {
				s.fail("tape %s popped while empty", t)
				return
			}
			s.tapes[t] = s.tapes[t][:len(s.tapes[t])-1]
		case actStorage:
			if n := len(s.tapes[t]); n > 0 {
				s.fail("tape %s given new storage while it holds %d value(s)", t, n)
				return
			}
			s.tapes[t] = nil
		}
	}
}

// store assigns v to x with op (=, := or an operation-assignment).
func (s *sim) store(x Expr, op string, v val) {
	if op != "=" && op != ":=" {
		s.update(x, strings.TrimSuffix(op, "="), v)
		return
	}
	if name := identName(x); name != "" {
		if name != "_" {
			s.vars[name] = v
		}
		return
	}
	if t := topOf(x); s.isTape(t) {
		st := s.tapes[t]
		if len(st) == 0 {
			s.fail("tape %s written while empty", t)
			return
		}
		st[len(st)-1] = v
		return
	}
	s.eval(x)
}

// update applies x op= v (x++ is x += 1).
func (s *sim) update(x Expr, op string, v val) {
	if name := identName(x); name != "" {
		s.vars[name] = arith(op, s.vars[name], v)
		return
	}
	if t := topOf(x); s.isTape(t) {
		st := s.tapes[t]
		if len(st) == 0 {
			s.fail("tape %s written while empty", t)
			return
		}
		st[len(st)-1] = arith(op, st[len(st)-1], v)
		return
	}
	s.eval(x)
}

func arith(op string, a, b val) val {
	if !a.known || !b.known || a.isBool || b.isBool {
		return unknown
	}
	switch op {
	case "+":
		return intVal(a.n + b.n)
	case "-":
		return intVal(a.n - b.n)
	case "*":
		return intVal(a.n * b.n)
	case "/":
		if b.n != 0 {
			return intVal(a.n / b.n)
		}
	case "%":
		if b.n != 0 {
			return intVal(a.n % b.n)
		}
	}
	return unknown
}

// eval evaluates e as far as the run knows values, reading tapes.
func (s *sim) eval(e Expr) val {
	switch e := e.(type) {
	case Lit:
		switch e.Text {
		case "true":
			return boolVal(true)
		case "false":
			return boolVal(false)
		}
		if litType(e.Text) == untypedInt {
			if n, err := strconv.ParseInt(strings.ReplaceAll(e.Text, "_", ""), 0, 64); err == nil {
				return intVal(n)
			}
		}
	case Ident:
		if v, ok := s.vars[e.Name]; ok {
			return v
		}
		switch e.Name {
		case "true":
			return boolVal(true)
		case "false":
			return boolVal(false)
		}
	case Paren:
		return s.eval(e.X)
	case Unary:
		v := s.eval(e.X)
		switch {
		case !v.known:
		case e.Op == "!" && v.isBool:
			return boolVal(v.n == 0)
		case e.Op == "-" && !v.isBool:
			return intVal(-v.n)
		case e.Op == "+":
			return v
		}
	case Binary:
		return s.binary(e)
	case Call:
		return s.call(e)
	case Index:
		if t := topOf(e); s.isTape(t) {
			st := s.tapes[t]
			if len(st) == 0 {
				s.fail("tape %s read while empty", t)
				return unknown
			}
			return st[len(st)-1]
		}
		s.eval(e.X)
		s.eval(e.Index)
	case SliceExpr:
		for _, x := range []Expr{e.X, e.Lo, e.Hi, e.Max} {
			if x != nil {
				s.eval(x)
			}
		}
	case Selector:
		s.eval(e.X)
	case Composite:
		for _, x := range e.Elts {
			s.eval(x)
		}
	case KeyValue:
		s.eval(e.Value)
	}
	return unknown
}

func (s *sim) binary(e Binary) val {
	x := s.eval(e.X)
	switch {
	case e.Op == "&&" && x.known && x.n == 0:
		return boolVal(false)
	case e.Op == "||" && x.known && x.n != 0:
		return boolVal(true)
	}
	y := s.eval(e.Y)
	if !x.known || !y.known {
		return unknown
	}
	switch e.Op {
	case "&&", "||":
		return boolVal(y.n != 0)
	case "==":
		return boolVal(x.n == y.n)
	case "!=":
		return boolVal(x.n != y.n)
	}
	if x.isBool || y.isBool {
		return unknown
	}
	switch e.Op {
	case "<":
		return boolVal(x.n < y.n)
	case "<=":
		return boolVal(x.n <= y.n)
	case ">":
		return boolVal(x.n > y.n)
	case ">=":
		return boolVal(x.n >= y.n)
	}
	return arith(e.Op, x, y)
}

func (s *sim) call(e Call) val {
	var args []val
	for _, a := range e.Args {
		args = append(args, s.eval(a))
	}
	var fun string
	switch f := e.Fun.(type) {
	case TypeExpr:
		fun = basic(f.Type)
	case Ident:
		fun = f.Name
		if _, local := s.vars[fun]; local {
			return unknown
		}
	}
	switch fun {
	case "len":
		if len(e.Args) == 1 && s.isTape(identName(e.Args[0])) {
			return intVal(int64(len(s.tapes[identName(e.Args[0])])))
		}
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64", "uint32":
		if len(args) == 1 && !args[0].isBool {
			return args[0] // records and counters are small integers, exact in every one of these
		}
	case "min", "max":
		if len(args) == 0 {
			return unknown
		}
		out := args[0]
		for _, a := range args[1:] {
			if !out.known || !a.known || a.isBool || out.isBool {
				return unknown
			}
			if fun == "min" {
				out.n = min(out.n, a.n)
			} else {
				out.n = max(out.n, a.n)
			}
		}
		return out
	}
	return unknown
}
