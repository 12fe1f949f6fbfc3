package adjoint

import (
	"fmt"
	"strings"
)

// The tape simulator: it runs the backward sweep's control flow on the
// values the checker can know (trip counts, recorded branches), path by
// path, to find a tape popped more often than pushed.

func intVal(n int64) val { return val{known: true, n: n} }

func boolVal(b bool) val {
	if b {
		return val{known: true, isBool: true, n: 1}
	}
	return val{known: true, isBool: true}
}

func (s *sim) fail(format string, args ...any) {
	if s.failure == "" {
		s.failure = fmt.Sprintf(format, args...) + " at " + brief(s.at)
	}
}

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
	case Defer:
		// Deferred calls are pool returns, which touch no tape.
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
		n = s.length(st, st.X, t)
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

// length is the length of the slice (or, t nil, value of unknown type) x,
// chosen on first use in the run and the same at every later one: a
// range over x and the backward loop counting len(x) trips agree. st is
// the statement that asks.
func (s *sim) length(st Stmt, x Expr, t Type) int {
	key := ExprString(x)
	l, ok := s.lens[key]
	if !ok {
		l = s.rng.IntN(simMaxTrips + 1)
		s.lens[key] = l
		s.choose(st, 't', l)
		if t == nil {
			s.guessed = true
		}
	}
	return l
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
			} else if movedTo(r, t) {
				// The tape moved to larger storage with its values
				// (opt.PoolStorage's appended tapes): nothing changes.
				acts[i].kind = actMove
				s.eval(r)
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

// movedTo reports whether e is (*buf)[:copy(*buf, t)]: tape t's values
// copied to the front of other storage, which then holds t.
func movedTo(e Expr, t string) bool {
	sl, ok := e.(SliceExpr)
	if !ok || sl.Lo != nil || sl.Max != nil {
		return false
	}
	call, ok := sl.Hi.(Call)
	if !ok || ExprString(call.Fun) != "copy" || len(call.Args) != 2 {
		return false
	}
	return ExprString(unparen(call.Args[0])) == ExprString(unparen(sl.X)) && identName(call.Args[1]) == t
}

// unparen is e without the parentheses around it.
func unparen(e Expr) Expr {
	for {
		p, ok := e.(Paren)
		if !ok {
			return e
		}
		e = p.X
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
			s.vars[name] = s.concrete(v, s.typeOf(x))
			delete(s.convs, name)
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

// chooseParams gives the function's integer parameters values for the
// run, as a call would: a loop bounded by n and the backward loop that
// counts max(0, n) trips run as many times (the backward sweep evaluates
// a loop nest's invariant trip count again rather than record it).
func (s *sim) chooseParams() {
	for _, p := range s.c.f.Params {
		if isInteger(p.Type) {
			s.vars[p.Name] = intVal(int64(s.rng.IntN(simMaxTrips + 1)))
		}
	}
}

// concrete is v, or, when the run cannot know an integer's value (it is
// computed from floats), a value chosen for the run: every later read of
// the variable sees the same one, as in a real execution.
func (s *sim) concrete(v val, t Type) val {
	if v.known || t == nil || !isInteger(t) {
		return v
	}
	return intVal(int64(s.rng.IntN(simMaxTrips + 1)))
}

// update applies x op= v (x++ is x += 1).
func (s *sim) update(x Expr, op string, v val) {
	if name := identName(x); name != "" {
		s.vars[name] = arith(op, s.vars[name], v)
		delete(s.convs, name)
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
