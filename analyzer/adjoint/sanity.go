package adjoint

import (
	"fmt"
	"go/types"
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

// The walk.

var assignOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "&": true, "|": true, "^": true, "<<": true, ">>": true, "&^": true}

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

// expr checks the names e reads and returns its type, or nil when the
// program does not say.
//
// It is long by design: one case per kind of expression of the IR, a table
// that reads best in one place.
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
	case TypeAssert:
		c.expr(e.X)
		return e.Type
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

// call types a call: conversions, builtins, the math package and
// package functions each have their own rules. It is long by design, a
// table of the callees the adjoint program may contain.
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
