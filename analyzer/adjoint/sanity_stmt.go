package adjoint

import (
	"fmt"
	"strings"
)

// The checker's statements: declarations before use, assignments that
// agree in type, branches and returns that land where Go allows.

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
	for _, p := range append(params, f.Globals...) {
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

// stmt checks one statement.
//
// It is long by design: one case per kind of statement of the IR, a table
// that reads best in one place.
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
	case Defer:
		c.expr(s.Call)
		if !isCall(s.Call) {
			c.errorf("defer of %s, which is not a call", ExprString(s.Call))
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
	ta, commaOK := s.Rhs[0].(TypeAssert)
	commaOK = commaOK && len(s.Lhs) == 2 && len(s.Rhs) == 1
	if multi && !commaOK && !(len(s.Rhs) == 1 && isCall(s.Rhs[0])) {
		c.errorf("assignment mismatch: %d variables but %d values", len(s.Lhs), len(s.Rhs))
	}
	rt := func(i int) Type {
		switch {
		case commaOK && i == 0:
			return ta.Type
		case commaOK:
			return Named{Name: "bool"}
		case multi:
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
