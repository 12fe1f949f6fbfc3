package adjoint

import (
	"strconv"
	"strings"
)

// The simulator's evaluator: the integer and boolean values it can know,
// unknown for the rest (floats, calls it does not model).

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
		if len(e.Args) == 1 && len(args) == 1 && !args[0].known {
			t := s.typeOf(e.Args[0])
			if elemType(t) != nil && !isSlice(t) {
				return intVal(arrayLen(t))
			}
			// A slice's length, or one of unknown type: the same as a
			// range over it in this run sees.
			return intVal(int64(s.length(s.at, e.Args[0], t)))
		}
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64", "uint32":
		if len(args) == 1 && !args[0].isBool && args[0].known {
			return args[0] // records and counters are small integers, exact in every one of these
		}
		if x := identName(e.Args[0]); len(args) == 1 && x != "" && (strings.HasPrefix(fun, "int") || strings.HasPrefix(fun, "uint")) {
			v, ok := s.convs[x]
			if !ok {
				v = intVal(int64(s.rng.IntN(simMaxTrips + 1)))
				s.convs[x] = v
			}
			return v
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
