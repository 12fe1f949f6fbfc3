package adjoint

import (
	"math"
	"strconv"
	"strings"
)

// The checker's types: what a literal, an operator or an element has, and
// which types agree, as Go's rules have them.

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
	case Map:
		b, ok := b.(Map)
		return ok && identical(a.Key, b.Key) && identical(a.Elem, b.Elem)
	case Opaque:
		// Written as source: the same text is the same type literal.
		b, ok := b.(Opaque)
		return ok && a.Text == b.Text
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
