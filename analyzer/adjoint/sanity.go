package adjoint

import (
	"fmt"
	"go/types"
	"math"
	"strconv"
	"strings"
)

// The sanity check, in the spirit of go/ssa's sanity.go: the analyzer's
// tests run it after lowering and after every rewrite of the adjoint
// program, so that a pass that breaks the program fails at that pass, with
// the program in hand, rather than in a user's compiler or, worse, in a
// gradient that compiles and is wrong.
//
// Check verifies what can be verified without go/types, from the program
// alone and the little the lowering tells it in an Env:
//
//   - scoping: every name read or assigned is declared before, in an
//     enclosing block (Go's block rules: if, for, switch and case clauses
//     open blocks; a := declares after its right side is evaluated), or
//     outside the function; no name is declared twice in one block; a :=
//     declares at least one new name; constants are not assigned;
//   - control: every goto has its label, which it neither jumps into a
//     block to reach nor jumps forward over a declaration for; break and
//     continue sit in a loop or switch, and a labelled one names an
//     enclosing one; a label is declared once; a function with results
//     ends in a terminating statement;
//   - types, as far as the program carries them (parameters, results,
//     declarations with a type, composite literals, conversions, make,
//     and what := infers from them): both sides of an assignment and of
//     a binary operator agree, untyped constants fit (no 0.5 into an int),
//     indexes are integers, conditions are booleans, a return has the
//     function's results;
//   - reference values: each adjoint of a slice or pointer value (a
//     by-reference parameter's buffer, a view such as drow for row) is only
//     ever assigned a view of an adjoint buffer that mirrors what its value
//     is assigned (drow = dW[a:b] with row = W[a:b]), or its own saved
//     copy;
//   - tapes: every tape pushed is popped and every tape popped is pushed,
//     and on every path of a bounded abstract execution of the function
//     (records and counters followed exactly, other conditions and trip
//     counts chosen at random) no tape is read or popped empty, none is
//     given new storage while it holds values, and all are empty at the
//     return: pushes and pops balance (see checkTapes);
//   - when every pass has run (Env.Final), Go's rules that passes may break
//     until the last one cleans up: no variable or label declared and not
//     used.
//
// It is a test aid: it reports, it never repairs, and the analyzer runs it
// only when asked (analyzer.Options.Sanity).

// Env is what Check needs to know beyond the function itself: the names
// the function may use from outside and what the lowering meant by some
// of its own. The zero Env knows only Go's predeclared names.
type Env struct {
	// Outer holds the names declared outside the function that its body
	// may use: the package's functions, variables, constants and types
	// (generated ones included) and the file's imports. Predeclared names
	// (len, float64, true...) are always known.
	Outer map[string]bool
	// Pending holds names that a later pass declares, such as adjoints
	// before declareAdjoints runs: uses of them are not reported.
	Pending map[string]bool
	// Tapes names the tapes: the stacks, local slices, that forward code
	// pushes (t = append(t, v)) and backward code pops (v = t[len(t)-1];
	// t = t[:len(t)-1]). Records of control flow kept on tapes count.
	Tapes map[string]bool
	// Views maps each adjoint of a reference value (a slice or pointer
	// variable, a by-reference parameter's buffer) to its value's name:
	// drow to row, dw to w.
	Views map[string]string
	// Partial marks an unfinished function: its body is a prefix of the
	// final one (the backward sweep up to a sum loop), so its tapes need
	// not be empty at its end, nor every tape popped.
	Partial bool
	// Final marks the function as it will be emitted: every pass has run,
	// so Go's rules that intermediate programs may break are checked too
	// (no variable or label declared and not used).
	Final bool
}

// Check reports every violation of the adjoint program's invariants that
// it finds in f; none means f is sane as far as Check can tell. env may be
// nil.
func Check(f *Func, env *Env) []error {
	if env == nil {
		env = &Env{}
	}
	c := &checker{f: f, env: env, labels: map[string]*labelSite{}, reported: map[string]bool{}}
	c.collect()
	c.function()
	c.checkViews()
	c.checkTapes()
	return c.errs
}

type checker struct {
	f        *Func
	env      *Env
	errs     []error
	reported map[string]bool

	sc      *scope
	where   Stmt     // the statement being checked, for messages
	targets []target // enclosing loops and switches, innermost last
	frames  []*frame // enclosing statement lists, innermost last
	labels  map[string]*labelSite
	gotos   []gotoSite

	// From a first walk over the whole function (its generated names are
	// unique, so one map per function serves).
	declared  map[string]bool            // every name declared anywhere in f
	declTypes map[string]Type            // declared types, where the program writes them
	assigned  map[string]map[string]bool // the values assigned to each name, printed
	// assignedExprs are the same values as expressions, and rangeElems the
	// element each range value stands for.
	assignedExprs map[string][]Expr
	rangeElems    map[string]Expr
	pushedTo      map[string]map[string]bool // for each tape, the values pushed on it, printed
	popped        map[string]bool            // tapes popped somewhere
	peeked        map[string]bool            // tapes whose top is read or written somewhere
}

// errorf records a violation, once, with the statement where it occurs.
func (c *checker) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c.where != nil {
		msg += ", in " + brief(c.where)
	}
	if c.reported[msg] {
		return
	}
	c.reported[msg] = true
	c.errs = append(c.errs, fmt.Errorf("%s", msg))
}

// brief prints s on one line: a compound statement as its header.
func brief(s Stmt) string {
	text := StmtString(s)
	if i := strings.Index(text, "\n"); i >= 0 {
		return "`" + strings.TrimSpace(text[:i]) + " …`"
	}
	return "`" + strings.TrimSpace(text) + "`"
}

// universe holds Go's predeclared names.
var universe = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range types.Universe.Names() {
		m[name] = true
	}
	return m
}()

// Scopes.

type object struct {
	typ   Type // nil when the program does not say
	konst bool
	param bool
	used  bool
}

type scope struct {
	parent *scope
	objs   map[string]*object
	order  []string
}

func (c *checker) open() { c.sc = &scope{parent: c.sc, objs: map[string]*object{}} }

// close leaves a block; in a finished function, its variables must have
// been used.
func (c *checker) close() {
	if c.env.Final {
		for _, name := range c.sc.order {
			if o := c.sc.objs[name]; !o.used && !o.param && !o.konst {
				c.errorf("%s declared and not used", name)
			}
		}
	}
	c.sc = c.sc.parent
}

func (c *checker) declare(name string, o *object) {
	if name == "_" || name == "" {
		return
	}
	if c.sc.objs[name] != nil {
		c.errorf("%s redeclared in this block", name)
		return
	}
	c.sc.objs[name] = o
	c.sc.order = append(c.sc.order, name)
	// Remember the type for the checks that look at the whole function;
	// a name declared twice with different types has none there.
	if _, isConst := o.typ.(untyped); o.typ != nil && !isConst {
		if old, seen := c.declTypes[name]; seen && (old == nil || !identical(old, o.typ)) {
			c.declTypes[name] = nil
		} else {
			c.declTypes[name] = o.typ
		}
	}
}

func (c *checker) lookup(name string) *object {
	for s := c.sc; s != nil; s = s.parent {
		if o := s.objs[name]; o != nil {
			return o
		}
	}
	return nil
}

// outside reports whether name is declared outside the function, or will
// be by a later pass.
func (c *checker) outside(name string) bool {
	return c.env.Pending[name] || c.env.Outer[name] || universe[name]
}

// undeclared reports a name used where no declaration of it is in scope.
func (c *checker) undeclared(name, use string) {
	if c.declared[name] {
		c.errorf("%s %s where no declaration of it is in scope (it is declared elsewhere in the function: a hoisting or scoping bug)", name, use)
	} else {
		c.errorf("%s %s but declared nowhere", name, use)
	}
}

// read checks a read of name and returns its object, or nil for a name
// from outside.
func (c *checker) read(name string) *object {
	if name == "_" {
		c.errorf("cannot use _ as a value")
		return nil
	}
	if o := c.lookup(name); o != nil {
		o.used = true
		return o
	}
	if !c.outside(name) {
		c.undeclared(name, "is used")
	}
	return nil
}

// Labels and jumps.

type target struct {
	label string
	loop  bool
}

// A frame is a statement list being checked, and the index of the
// statement being checked in it.
type frame struct {
	list  []Stmt
	index int
}

type labelSite struct {
	frame *frame
	index int
	used  bool
}

type gotoSite struct {
	label  string
	frames []frame // copies of the enclosing frames at the goto
	where  Stmt
}

func (c *checker) defineLabel(name string) {
	if name == "" {
		return
	}
	if c.labels[name] != nil {
		c.errorf("label %s defined twice", name)
		return
	}
	fr := c.frames[len(c.frames)-1]
	c.labels[name] = &labelSite{frame: fr, index: fr.index}
}

// resolveGotos checks each goto against Go's rules: its label exists, in
// the goto's block or an enclosing one, and a forward jump skips no
// declaration in the label's block.
func (c *checker) resolveGotos() {
	for _, g := range c.gotos {
		c.where = g.where
		lab := c.labels[g.label]
		if lab == nil {
			c.errorf("goto %s: no such label", g.label)
			continue
		}
		lab.used = true
		found := false
		for _, fr := range g.frames {
			if len(fr.list) == 0 || len(lab.frame.list) == 0 || &fr.list[0] != &lab.frame.list[0] {
				continue
			}
			found = true
			for _, s := range fr.list[min(fr.index+1, lab.index):lab.index] {
				for _, name := range declaredBy(s) {
					c.errorf("goto %s jumps over the declaration of %s", g.label, name)
				}
			}
		}
		if !found {
			c.errorf("goto %s jumps into a block", g.label)
		}
	}
	c.where = nil
}

// declaredBy lists the variables a statement declares in its own block.
func declaredBy(s Stmt) []string {
	var out []string
	switch s := s.(type) {
	case VarDecl:
		if !s.Const {
			out = append(out, s.Names...)
		}
	case Assign:
		if s.Op == ":=" {
			for _, x := range s.Lhs {
				if id, ok := x.(Ident); ok && id.Name != "_" {
					out = append(out, id.Name)
				}
			}
		}
	}
	return out
}

// The walk.

func (c *checker) function() {
	f := c.f
	c.sc = nil
	c.open()
	var params []Param
	if f.Recv != nil {
		params = append(params, *f.Recv)
	}
	params = append(params, f.Params...)
	params = append(params, f.Results...)
	for _, p := range params {
		c.declare(p.Name, &object{typ: p.Type, param: true})
	}
	c.list(f.Body)
	if len(f.Results) > 0 && !c.env.Partial && !terminates(f.Body) {
		c.errorf("missing return at the end of the function")
	}
	c.close()
	c.resolveGotos()
	if c.env.Final {
		for name, lab := range c.labels {
			if !lab.used {
				c.errorf("label %s defined and not used", name)
			}
		}
	}
}

// list checks a statement list in the current block.
func (c *checker) list(list []Stmt) {
	fr := &frame{list: list}
	c.frames = append(c.frames, fr)
	for i, s := range list {
		fr.index = i
		prev := c.where
		c.where = s
		switch s := s.(type) {
		case Labeled:
			c.defineLabel(s.Label)
		case For:
			c.defineLabel(s.Label)
		case Range:
			c.defineLabel(s.Label)
		case Switch:
			c.defineLabel(s.Label)
		}
		c.where = prev
		c.stmt(s)
	}
	c.frames = c.frames[:len(c.frames)-1]
}

// block checks a statement list in a block of its own.
func (c *checker) block(list []Stmt) {
	c.open()
	c.list(list)
	c.close()
}

func (c *checker) stmt(s Stmt) {
	prev := c.where
	c.where = s
	defer func() { c.where = prev }()
	switch s := s.(type) {
	case nil:
		c.errorf("nil statement")
	case Assign:
		c.assign(s)
	case VarDecl:
		c.varDecl(s)
	case IncDec:
		t := c.lvalue(s.X, true)
		if t != nil && !isNumeric(t) {
			c.errorf("%s of non-numeric %s (type %s)", incDecOp(s), ExprString(s.X), typeName(t))
		}
	case ExprStmt:
		c.expr(s.X)
		if _, ok := s.X.(Call); !ok && s.X != nil {
			c.errorf("%s is not used: only a call can stand as a statement", ExprString(s.X))
		}
	case If:
		c.open()
		c.simple(s.Init, false)
		c.cond(s.Cond)
		c.block(s.Then)
		c.block(s.Else)
		c.close()
	case For:
		c.open()
		c.simple(s.Init, false)
		if s.Cond != nil {
			c.cond(s.Cond)
		}
		c.targets = append(c.targets, target{s.Label, true})
		c.block(s.Body)
		c.targets = c.targets[:len(c.targets)-1]
		c.simple(s.Post, true)
		c.close()
	case Range:
		c.rangeStmt(s)
	case Switch:
		c.open()
		c.simple(s.Init, false)
		var tag Type
		if s.Tag != nil {
			tag = c.expr(s.Tag)
		}
		c.targets = append(c.targets, target{s.Label, false})
		defaults := 0
		for _, cl := range s.Cases {
			if len(cl.List) == 0 {
				defaults++
			}
			for _, x := range cl.List {
				if s.Tag == nil {
					c.cond(x)
				} else {
					c.compare(tag, c.expr(x), "==")
				}
			}
			c.block(cl.Body)
		}
		if defaults > 1 {
			c.errorf("switch with %d default cases", defaults)
		}
		c.targets = c.targets[:len(c.targets)-1]
		c.close()
	case Return:
		c.returnStmt(s)
	case Branch:
		c.branch(s)
	case Goto:
		g := gotoSite{label: s.Label, where: s}
		for _, fr := range c.frames {
			g.frames = append(g.frames, *fr)
		}
		c.gotos = append(c.gotos, g)
	case Block:
		c.block(s.Body)
	case Labeled, Comment, Blank:
	default:
		c.errorf("unknown statement %T", s)
	}
}

func incDecOp(s IncDec) string {
	if s.Inc {
		return "++"
	}
	return "--"
}

// simple checks the init or post statement of an if, for or switch.
func (c *checker) simple(s Stmt, post bool) {
	switch x := s.(type) {
	case nil:
		return
	case Assign:
		if post && x.Op == ":=" {
			c.errorf("cannot declare in the post statement of a for loop")
		}
	case IncDec, ExprStmt:
	default:
		c.errorf("%s cannot be the init or post statement of a loop or branch", brief(s))
	}
	c.stmt(s)
}

// cond checks a condition: a boolean.
func (c *checker) cond(e Expr) {
	if e == nil {
		c.errorf("missing condition")
		return
	}
	if t := c.expr(e); t != nil && !isBool(t) {
		c.errorf("non-boolean condition %s (type %s)", ExprString(e), typeName(t))
	}
}

func (c *checker) branch(s Branch) {
	switch s.Tok {
	case "break", "continue":
		loopOnly := s.Tok == "continue"
		if s.Label != "" {
			if lab := c.labels[s.Label]; lab != nil {
				lab.used = true
			}
			for i := len(c.targets) - 1; i >= 0; i-- {
				if t := c.targets[i]; t.label == s.Label {
					if loopOnly && !t.loop {
						c.errorf("continue %s: %s labels a switch, not a loop", s.Label, s.Label)
					}
					return
				}
			}
			c.errorf("%s %s: no enclosing loop or switch has label %s", s.Tok, s.Label, s.Label)
			return
		}
		for i := len(c.targets) - 1; i >= 0; i-- {
			if c.targets[i].loop || !loopOnly {
				return
			}
		}
		if loopOnly {
			c.errorf("continue outside a loop")
		} else {
			c.errorf("break outside a loop or switch")
		}
	case "fallthrough":
		if len(c.targets) == 0 || c.targets[len(c.targets)-1].loop {
			c.errorf("fallthrough outside a switch")
		}
	default:
		c.errorf("unknown branch %q", s.Tok)
	}
}

func (c *checker) rangeStmt(s Range) {
	xt := c.expr(s.X)
	c.open()
	if s.Key == nil && s.Value != nil {
		c.errorf("range with a value but no key")
	}
	kt, vt := rangeTypes(xt)
	if s.Define {
		fresh := 0
		for i, x := range []Expr{s.Key, s.Value} {
			if x == nil {
				continue
			}
			id, ok := x.(Ident)
			if !ok {
				c.errorf("non-name %s on the left side of :=", ExprString(x))
				continue
			}
			if id.Name != "_" {
				fresh++
			}
			t := kt
			if i == 1 {
				t = vt
			}
			c.declare(id.Name, &object{typ: t})
		}
		if fresh == 0 && s.Key != nil {
			c.errorf("no new variables on the left side of :=")
		}
	} else {
		for i, x := range []Expr{s.Key, s.Value} {
			if x == nil {
				continue
			}
			t := kt
			if i == 1 {
				t = vt
			}
			c.assignable(t, c.lvalue(x, false), ExprString(x))
		}
	}
	c.targets = append(c.targets, target{s.Label, true})
	c.block(s.Body)
	c.targets = c.targets[:len(c.targets)-1]
	c.close()
}

// rangeTypes are the types of a range loop's key and value over a value
// of type t, as far as t says.
func rangeTypes(t Type) (key, value Type) {
	intType := Named{Name: "int"}
	switch t := t.(type) {
	case Slice:
		return intType, t.Elem
	case Array:
		return intType, t.Elem
	case Pointer:
		if a, ok := t.Elem.(Array); ok {
			return intType, a.Elem
		}
	case untyped:
		if t == untypedInt || t == untypedRune {
			return intType, nil
		}
	case Named:
		if t.Path == "" && isInteger(t) {
			return t, nil
		}
	}
	return nil, nil
}

func (c *checker) returnStmt(s Return) {
	var ts []Type
	for _, r := range s.Results {
		ts = append(ts, c.expr(r))
	}
	want := c.f.Results
	switch {
	case len(s.Results) == 0:
		if len(want) > 0 && want[0].Name == "" {
			c.errorf("return without values in a function with %d results", len(want))
		}
		return
	case len(s.Results) == 1 && len(want) > 1 && isCall(s.Results[0]):
		return
	case len(s.Results) != len(want):
		c.errorf("return with %d values in a function with %d results", len(s.Results), len(want))
		return
	}
	for i, t := range ts {
		c.assignable(t, want[i].Type, fmt.Sprintf("result %d", i+1))
	}
}

func isCall(e Expr) bool {
	_, ok := e.(Call)
	return ok
}

func (c *checker) varDecl(s VarDecl) {
	if len(s.Names) == 0 {
		c.errorf("declaration of no names")
	}
	var ts []Type
	for _, v := range s.Values {
		ts = append(ts, c.expr(v))
	}
	multi := len(s.Values) == 1 && len(s.Names) > 1 && isCall(s.Values[0])
	switch {
	case len(s.Values) > 0 && len(s.Values) != len(s.Names) && !multi:
		c.errorf("%d names but %d values", len(s.Names), len(s.Values))
	case s.Const && len(s.Values) == 0:
		c.errorf("constant declaration without values")
	case s.Type == nil && len(s.Values) == 0:
		c.errorf("variable declaration with neither a type nor values")
	}
	for i, name := range s.Names {
		t := s.Type
		if len(s.Values) == len(s.Names) {
			if t != nil {
				c.assignable(ts[i], t, name)
			} else if s.Const {
				t = ts[i] // an untyped constant stays untyped
			} else {
				if ts[i] == untypedNil {
					c.errorf("use of untyped nil in the declaration of %s", name)
				}
				t = defaultType(ts[i])
			}
		}
		c.declare(name, &object{typ: t, konst: s.Const})
	}
}

func (c *checker) assign(s Assign) {
	if len(s.Lhs) == 0 || len(s.Rhs) == 0 {
		c.errorf("assignment with an empty side")
		return
	}
	// The right side is evaluated first: a := does not see its own names.
	var ts []Type
	for _, r := range s.Rhs {
		ts = append(ts, c.expr(r))
	}
	multi := len(s.Lhs) != len(s.Rhs)
	if multi && !(len(s.Rhs) == 1 && isCall(s.Rhs[0])) {
		c.errorf("assignment mismatch: %d variables but %d values", len(s.Lhs), len(s.Rhs))
	}
	rt := func(i int) Type {
		if multi {
			return nil
		}
		return ts[i]
	}
	switch s.Op {
	case ":=":
		fresh := 0
		seen := map[string]bool{}
		for i, x := range s.Lhs {
			id, ok := x.(Ident)
			if !ok {
				c.errorf("non-name %s on the left side of :=", ExprString(x))
				continue
			}
			if id.Name == "_" {
				continue
			}
			if seen[id.Name] {
				c.errorf("%s repeated on the left side of :=", id.Name)
			}
			seen[id.Name] = true
			if o := c.sc.objs[id.Name]; o != nil {
				// Declared in this very block: := assigns it.
				if o.konst {
					c.errorf("cannot assign to the constant %s", id.Name)
				}
				c.assignable(rt(i), o.typ, id.Name)
				continue
			}
			fresh++
			if rt(i) == untypedNil {
				c.errorf("use of untyped nil in the declaration of %s", id.Name)
			}
			c.declare(id.Name, &object{typ: defaultType(rt(i))})
		}
		if fresh == 0 {
			c.errorf("no new variables on the left side of :=")
		}
	case "=":
		for i, x := range s.Lhs {
			c.assignable(rt(i), c.lvalue(x, false), ExprString(x))
		}
	default:
		op := strings.TrimSuffix(s.Op, "=")
		if !assignOps[op] || len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			c.errorf("bad assignment operator %s", s.Op)
			return
		}
		c.binary(op, c.lvalue(s.Lhs[0], true), ts[0])
	}
}

var assignOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "&": true, "|": true, "^": true, "<<": true, ">>": true, "&^": true}

// lvalue checks the target of an assignment and returns its type. An
// operation-assignment (x += y) and x++ read their target; a plain one
// does not (Go does not count it as a use).
func (c *checker) lvalue(x Expr, reads bool) Type {
	switch e := x.(type) {
	case Ident:
		if e.Name == "_" {
			if reads {
				c.errorf("cannot use _ as a value")
			}
			return nil
		}
		o := c.lookup(e.Name)
		if o == nil {
			if !c.outside(e.Name) {
				c.undeclared(e.Name, "is assigned")
			}
			return nil
		}
		if o.konst {
			c.errorf("cannot assign to the constant %s", e.Name)
		}
		if reads {
			o.used = true
		}
		return o.typ
	case Paren:
		return c.lvalue(e.X, reads)
	case Index, Selector:
		return c.expr(x)
	case Unary:
		if e.Op == "*" {
			return c.expr(x)
		}
	case nil:
		c.errorf("missing assignment target")
		return nil
	}
	c.errorf("cannot assign to %s", ExprString(x))
	return nil
}

// Types.

// untyped is the type of an untyped constant expression. It never leaves
// this file.
type untyped int

const (
	untypedBool untyped = iota + 1
	untypedInt
	untypedRune
	untypedFloat
	untypedComplex
	untypedString
	untypedNil
)

func (untyped) isType() {}

// defaultType is the type a := gives a value of type t.
func defaultType(t Type) Type {
	switch t {
	case untypedBool:
		return Named{Name: "bool"}
	case untypedInt:
		return Named{Name: "int"}
	case untypedRune:
		return Named{Name: "int32"}
	case untypedFloat:
		return Named{Name: "float64"}
	case untypedComplex:
		return Named{Name: "complex128"}
	case untypedString:
		return Named{Name: "string"}
	case untypedNil:
		return nil
	}
	return t
}

func typeName(t Type) string {
	if u, ok := t.(untyped); ok {
		return [...]string{"", "untyped bool", "untyped int", "untyped rune", "untyped float", "untyped complex", "untyped string", "untyped nil"}[u]
	}
	return TypeString(t)
}

// basic returns the name of a predeclared type, with byte and rune spelt
// as the types they stand for, or "".
func basic(t Type) string {
	n, ok := t.(Named)
	if !ok || n.Path != "" {
		return ""
	}
	switch n.Name {
	case "byte":
		return "uint8"
	case "rune":
		return "int32"
	}
	return n.Name
}

func isInteger(t Type) bool {
	if t == untypedInt || t == untypedRune {
		return true
	}
	switch basic(t) {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr":
		return true
	}
	return false
}

func isFloatType(t Type) bool {
	switch basic(t) {
	case "float32", "float64":
		return true
	}
	return t == untypedFloat
}

func isNumeric(t Type) bool {
	switch basic(t) {
	case "complex64", "complex128":
		return true
	}
	if u, ok := t.(untyped); ok {
		return u == untypedInt || u == untypedRune || u == untypedFloat || u == untypedComplex
	}
	if n, ok := t.(Named); ok && n.Path != "" {
		return true // a declared type: its underlying type is not known here
	}
	return isInteger(t) || isFloatType(t)
}

func isBool(t Type) bool {
	if n, ok := t.(Named); ok && n.Path != "" {
		return true // a declared type may be a boolean
	}
	return t == untypedBool || basic(t) == "bool"
}

// opaque reports whether the program cannot say what values of type t
// are: nothing is known, or an interface.
func opaque(t Type) bool {
	switch basic(t) {
	case "error", "any", "comparable":
		return true
	}
	return t == nil
}

// identical reports whether two types written in the program are the same.
func identical(a, b Type) bool {
	switch a := a.(type) {
	case Named:
		b, ok := b.(Named)
		if !ok {
			return false
		}
		if a.Path == "" && b.Path == "" {
			return basic(a) == basic(b)
		}
		return a == b
	case Slice:
		b, ok := b.(Slice)
		return ok && identical(a.Elem, b.Elem)
	case Array:
		b, ok := b.(Array)
		return ok && a.Len == b.Len && identical(a.Elem, b.Elem)
	case Pointer:
		b, ok := b.(Pointer)
		return ok && identical(a.Elem, b.Elem)
	case untyped:
		return a == b
	}
	return false
}

// named reports whether t is a defined type (predeclared or declared),
// rather than a type literal.
func named(t Type) bool {
	_, ok := t.(Named)
	return ok
}

// fits reports whether an untyped constant of kind k, written lit when
// known, can be used as a value of type t.
func fits(k untyped, lit string, t Type) bool {
	if n, ok := t.(Named); ok && n.Path != "" {
		return true // a declared type: its underlying type is not known here
	}
	switch k {
	case untypedNil:
		switch t.(type) {
		case Slice, Pointer:
			return true
		}
		return false
	case untypedBool:
		return isBool(t)
	case untypedString:
		return basic(t) == "string"
	case untypedInt, untypedRune:
		return isNumeric(t)
	case untypedFloat:
		if isInteger(t) {
			// 1.0 fits an int; 0.5 does not.
			f, err := strconv.ParseFloat(strings.ReplaceAll(lit, "_", ""), 64)
			return err == nil && f == math.Trunc(f)
		}
		return isNumeric(t)
	case untypedComplex:
		return isNumeric(t) && !isInteger(t) && !isFloatType(t)
	}
	return true
}

// assignable checks that a value of type v may be assigned to a target
// of type t (named what, for messages).
func (c *checker) assignable(v, t Type, what string) {
	if !agree(v, t, "") {
		c.errorf("cannot assign a value of type %s to %s of type %s", typeName(v), what, typeName(t))
	}
}

// agree reports whether values of types a and b may meet in an assignment
// (b the target) or, with op set, as the operands of op: false only when
// the program's own types say they cannot.
func agree(a, b Type, lit string) bool {
	if opaque(a) || opaque(b) {
		return true
	}
	ua, aConst := a.(untyped)
	ub, bConst := b.(untyped)
	switch {
	case aConst && bConst:
		if ua == untypedBool || ub == untypedBool || ua == untypedString || ub == untypedString || ua == untypedNil || ub == untypedNil {
			return ua == ub
		}
		return true
	case aConst:
		return fits(ua, lit, b)
	case bConst:
		return fits(ub, lit, a)
	case identical(a, b):
		return true
	case named(a) && named(b):
		return false
	case named(a) && basic(a) != "" || named(b) && basic(b) != "":
		return false // a predeclared type against a type literal
	}
	// A declared type against a type literal: they agree if the declared
	// type's underlying type is that literal, which is not known here.
	return named(a) || named(b)
}

// compare checks that two operands may meet under op.
func (c *checker) compare(x, y Type, op string) {
	if !agree(x, y, "") {
		c.errorf("mismatched types %s and %s under %s", typeName(x), typeName(y), op)
	}
}

// litType is the type of a literal.
func litType(text string) untyped {
	t := strings.TrimPrefix(text, "-")
	switch {
	case t == "":
		return 0
	case t == "true" || t == "false":
		return untypedBool
	case t == "nil":
		return untypedNil
	case t[0] == '"' || t[0] == '`':
		return untypedString
	case t[0] == '\'':
		return untypedRune
	case t[0] < '0' || t[0] > '9':
		if t[0] != '.' {
			return 0
		}
	}
	switch {
	case strings.HasSuffix(t, "i"):
		return untypedComplex
	case strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X"):
		if strings.ContainsAny(t, "pP.") {
			return untypedFloat
		}
		return untypedInt
	case strings.ContainsAny(t, ".eE"):
		return untypedFloat
	}
	return untypedInt
}

// literal returns the text of e when it is a (possibly negated) literal.
func literal(e Expr) string {
	switch e := e.(type) {
	case Lit:
		return e.Text
	case Paren:
		return literal(e.X)
	case Unary:
		if e.Op == "-" || e.Op == "+" {
			return literal(e.X)
		}
	}
	return ""
}

// expr checks the names e reads and returns its type, or nil when the
// program does not say.
func (c *checker) expr(e Expr) Type {
	switch e := e.(type) {
	case nil:
		c.errorf("missing expression")
	case Ident:
		o := c.read(e.Name)
		if o != nil {
			return o.typ
		}
		switch e.Name {
		case "true", "false":
			return untypedBool
		case "nil":
			return untypedNil
		case "iota":
			return untypedInt
		}
	case Qual:
	case Lit:
		if k := litType(e.Text); k != 0 {
			return k
		}
	case Paren:
		return c.expr(e.X)
	case Unary:
		t := c.expr(e.X)
		switch e.Op {
		case "-", "+", "^":
			if t != nil && !isNumeric(t) {
				c.errorf("operator %s of non-numeric %s (type %s)", e.Op, ExprString(e.X), typeName(t))
			}
			return t
		case "!":
			if t != nil && !isBool(t) {
				c.errorf("operator ! of non-boolean %s (type %s)", ExprString(e.X), typeName(t))
			}
			return t
		case "&":
			if _, ok := t.(untyped); !ok && t != nil {
				return Pointer{Elem: t}
			}
		case "*":
			if p, ok := t.(Pointer); ok {
				return p.Elem
			}
		default:
			c.errorf("unknown unary operator %q", e.Op)
		}
	case Binary:
		x, y := c.expr(e.X), c.expr(e.Y)
		if Precedence(e.Op) == 0 {
			c.errorf("unknown binary operator %q", e.Op)
			return nil
		}
		return c.binaryLit(e.Op, x, y, literal(e.X)+literal(e.Y))
	case Call:
		return c.call(e)
	case TypeExpr:
		if e.Type == nil {
			c.errorf("type expression without a type")
		}
	case Index:
		xt, it := c.expr(e.X), c.expr(e.Index)
		elem := elemType(xt)
		if elem != nil && it != nil && !isInteger(it) && !opaque(it) {
			if k, ok := it.(untyped); !ok || !fits(k, literal(e.Index), Named{Name: "int"}) {
				c.errorf("index %s of type %s is not an integer", ExprString(e.Index), typeName(it))
			}
		}
		return elem
	case SliceExpr:
		xt := c.expr(e.X)
		for _, b := range []Expr{e.Lo, e.Hi, e.Max} {
			if b == nil {
				continue
			}
			if t := c.expr(b); t != nil && !isInteger(t) && !opaque(t) {
				if k, ok := t.(untyped); !ok || !fits(k, literal(b), Named{Name: "int"}) {
					c.errorf("slice bound %s of type %s is not an integer", ExprString(b), typeName(t))
				}
			}
		}
		if e.Max != nil && e.Hi == nil {
			c.errorf("a 3-index slice needs its middle index")
		}
		switch t := xt.(type) {
		case Slice:
			return t
		case Array:
			return Slice{Elem: t.Elem}
		case Pointer:
			if a, ok := t.Elem.(Array); ok {
				return Slice{Elem: a.Elem}
			}
		}
	case Selector:
		c.expr(e.X)
	case Composite:
		c.composite(e)
		return e.Type
	case KeyValue:
		c.expr(e.Key)
		c.expr(e.Value)
	default:
		c.errorf("unknown expression %T", e)
	}
	return nil
}

// elemType is the type of an element of a value of type t.
func elemType(t Type) Type {
	switch t := t.(type) {
	case Slice:
		return t.Elem
	case Array:
		return t.Elem
	case Pointer:
		if a, ok := t.Elem.(Array); ok {
			return a.Elem
		}
	}
	return nil
}

func (c *checker) binary(op string, x, y Type) Type { return c.binaryLit(op, x, y, "") }

// binaryLit checks x op y and returns its type; lit is the text of a
// literal operand, to tell whether a float constant fits an integer.
func (c *checker) binaryLit(op string, x, y Type, lit string) Type {
	switch op {
	case "<<", ">>":
		if y != nil && !isInteger(y) && !opaque(y) {
			if k, ok := y.(untyped); !ok || !fits(k, lit, Named{Name: "uint"}) {
				c.errorf("shift count of type %s", typeName(y))
			}
		}
		return x
	case "&&", "||":
		for _, t := range []Type{x, y} {
			if t != nil && !isBool(t) {
				c.errorf("operator %s of non-boolean (type %s)", op, typeName(t))
			}
		}
		if _, ok := x.(untyped); !ok && x != nil {
			return x
		}
		if _, ok := y.(untyped); !ok && y != nil {
			return y
		}
		return untypedBool
	}
	if !agree(x, y, lit) {
		c.errorf("mismatched types %s and %s under %s", typeName(x), typeName(y), op)
	}
	if Precedence(op) == 3 {
		return untypedBool
	}
	ux, xConst := x.(untyped)
	uy, yConst := y.(untyped)
	switch {
	case xConst && yConst:
		return max(ux, uy)
	case xConst:
		return y
	}
	return x
}

// shadowed reports whether a predeclared name is declared again, in the
// function or its package.
func (c *checker) shadowed(name string) bool { return c.lookup(name) != nil || c.env.Outer[name] }

func (c *checker) call(e Call) Type {
	args := func(from int) []Type {
		var ts []Type
		for _, a := range e.Args[min(from, len(e.Args)):] {
			ts = append(ts, c.expr(a))
		}
		return ts
	}
	switch fun := e.Fun.(type) {
	case TypeExpr:
		if fun.Type == nil {
			c.errorf("conversion to a missing type")
		}
		if len(e.Args) != 1 || e.Ellipsis {
			c.errorf("conversion to %s with %d arguments", typeName(fun.Type), len(e.Args))
		}
		args(0)
		return fun.Type
	case Ident:
		if !universe[fun.Name] || c.shadowed(fun.Name) {
			break
		}
		switch fun.Name {
		case "len", "cap":
			if len(e.Args) != 1 {
				c.errorf("%s with %d arguments", fun.Name, len(e.Args))
			}
			args(0)
			return Named{Name: "int"}
		case "append":
			ts := args(0)
			if len(ts) == 0 {
				c.errorf("append without arguments")
				return nil
			}
			if s, ok := ts[0].(Slice); ok && !e.Ellipsis {
				for i, t := range ts[1:] {
					c.assignable(t, s.Elem, "an element appended to "+ExprString(e.Args[0])+" (argument "+strconv.Itoa(i+2)+")")
				}
			}
			return ts[0]
		case "make", "new":
			if len(e.Args) == 0 {
				c.errorf("%s without a type", fun.Name)
				return nil
			}
			for _, t := range args(1) {
				if t != nil && !isInteger(t) && !opaque(t) {
					if k, ok := t.(untyped); !ok || !fits(k, "", Named{Name: "int"}) {
						c.errorf("%s with a size of type %s", fun.Name, typeName(t))
					}
				}
			}
			te, ok := e.Args[0].(TypeExpr)
			if !ok {
				return nil // a type named by an identifier
			}
			if fun.Name == "new" {
				return Pointer{Elem: te.Type}
			}
			return te.Type
		case "min", "max":
			var out Type
			for _, t := range args(0) {
				switch {
				case t == nil:
				case out == nil:
					out = t
				default:
					out = c.binary(fun.Name, out, t)
				}
			}
			return out
		case "panic", "print", "println", "copy", "clear", "delete", "close", "complex", "real", "imag", "recover":
			args(0)
			return nil
		}
		// A predeclared type converting a value.
		if obj, ok := types.Universe.Lookup(fun.Name).(*types.TypeName); ok {
			if len(e.Args) != 1 || e.Ellipsis {
				c.errorf("conversion to %s with %d arguments", fun.Name, len(e.Args))
			}
			args(0)
			return Named{Name: obj.Name()}
		}
	}
	c.expr(e.Fun)
	args(0)
	return nil
}

// composite checks a composite literal's elements against its type.
func (c *checker) composite(e Composite) {
	elem := elemType(e.Type)
	if _, isPtr := e.Type.(Pointer); isPtr {
		elem = nil // not a composite type
	}
	unkeyed := 0
	for _, x := range e.Elts {
		v := x
		if kv, ok := x.(KeyValue); ok {
			v = kv.Value
			_, fieldName := kv.Key.(Ident)
			if elem != nil || !fieldName {
				c.expr(kv.Key) // an index; a bare name keys a struct field
			}
		} else {
			unkeyed++
		}
		if cv, ok := v.(Composite); ok && cv.Type == nil {
			continue // an elided type: the element type
		}
		t := c.expr(v)
		if elem != nil {
			c.assignable(t, elem, "an element of "+typeName(e.Type))
		}
	}
	if a, ok := e.Type.(Array); ok && int64(unkeyed) > a.Len {
		c.errorf("%d elements in a composite literal of type %s", unkeyed, typeName(a))
	}
}

// terminates reports whether a statement list ends in a terminating
// statement, as the Go spec defines it (roughly: labels aside).
func terminates(list []Stmt) bool {
	for i := len(list) - 1; i >= 0; i-- {
		switch s := list[i].(type) {
		case Comment, Blank:
			continue
		case Return, Goto:
			return true
		case ExprStmt:
			call, ok := s.X.(Call)
			id, ok2 := call.Fun.(Ident)
			return ok && ok2 && id.Name == "panic"
		case Block:
			return terminates(s.Body)
		case If:
			return len(s.Else) > 0 && terminates(s.Then) && terminates(s.Else)
		case For:
			return s.Cond == nil && !breaks(s.Body, s.Label, true)
		case Switch:
			hasDefault := false
			for _, cl := range s.Cases {
				if len(cl.List) == 0 {
					hasDefault = true
				}
				if !terminates(cl.Body) && !endsInFallthrough(cl.Body) || breaks(cl.Body, s.Label, true) {
					return false
				}
			}
			return hasDefault
		}
		return false
	}
	return false
}

func endsInFallthrough(list []Stmt) bool {
	if len(list) == 0 {
		return false
	}
	b, ok := list[len(list)-1].(Branch)
	return ok && b.Tok == "fallthrough"
}

// breaks reports whether list holds a break out of the statement that
// owns it: an unlabelled one outside nested loops and switches (when
// plain), or one naming label.
func breaks(list []Stmt, label string, plain bool) bool {
	for _, s := range list {
		switch s := s.(type) {
		case Branch:
			if s.Tok == "break" && (s.Label == "" && plain || s.Label != "" && s.Label == label) {
				return true
			}
		case Block:
			if breaks(s.Body, label, plain) {
				return true
			}
		case If:
			if breaks(s.Then, label, plain) || breaks(s.Else, label, plain) {
				return true
			}
		case For:
			if breaks(s.Body, label, false) {
				return true
			}
		case Range:
			if breaks(s.Body, label, false) {
				return true
			}
		case Switch:
			for _, cl := range s.Cases {
				if breaks(cl.Body, label, false) {
					return true
				}
			}
		}
	}
	return false
}
