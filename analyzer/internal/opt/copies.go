package opt

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Peephole tidies backward code without changing what it computes:
//
//	x = 0; x = e      →  x = e        (e does not read x)
//	t = x; x = t      →  t = x        (the copy back is a no-op)
//
// The first pair comes from resetting an adjoint that the next statement
// sets anyway; the second from reversing x = x + t, whose adjoint passes
// through unchanged.
func Peephole(list []adjoint.Stmt) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range list {
		s = adjoint.MapBodies(s, func(body []adjoint.Stmt, _ bool) []adjoint.Stmt { return Peephole(body) })
		out = merge(out, s)
	}
	return out
}

// merge appends s to out, applying the peephole rules to it and the
// statement before it, again after each change.
func merge(out []adjoint.Stmt, s adjoint.Stmt) []adjoint.Stmt {
	n := len(out)
	if n == 0 {
		return append(out, s)
	}
	prev, ok1 := out[n-1].(adjoint.Assign)
	cur, ok2 := s.(adjoint.Assign)
	if ok1 && ok2 && len(prev.Lhs) == 1 && len(cur.Lhs) == 1 && cur.Op == "=" {
		px, cx := prev.Lhs[0], cur.Lhs[0]
		switch {
		case prev.Op == "=" && adjoint.IsLit(prev.Rhs[0], "0") && SameExpr(px, cx) && !readsExpr(cur.Rhs[0], cx):
			return merge(out[:n-1], s)
		case (prev.Op == "=" || prev.Op == ":=") && SameExpr(prev.Rhs[0], cx) && SameExpr(cur.Rhs[0], px):
			return out
		}
	}
	return append(out, s)
}

// SameExpr reports whether a and b are the same expression, as printed.
func SameExpr(a, b adjoint.Expr) bool { return adjoint.ExprString(a) == adjoint.ExprString(b) }

// readsExpr reports whether e mentions the variable target names.
func readsExpr(e, target adjoint.Expr) bool {
	id, ok := target.(adjoint.Ident)
	if !ok {
		return true
	}
	found := false
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		if y, ok := x.(adjoint.Ident); ok && y.Name == id.Name {
			found = true
		}
	})
	return found
}

// PropagateCopies removes the copies "a := b" among names (adjoints and
// temporaries of the backward sweep): a is replaced by b where it is read,
// when a is assigned nowhere else in the block and b is not assigned after
// the copy. The code computes the same; it is shorter, reads better, and
// fits the Go compiler's inlining budget more often.
func PropagateCopies(list []adjoint.Stmt, names map[string]bool) []adjoint.Stmt {
	assigned := func(stmts []adjoint.Stmt, name string) int {
		n := 0
		for _, s := range stmts {
			adjoint.WalkStmt(s, func(s adjoint.Stmt) {
				switch s := s.(type) {
				case adjoint.Assign:
					for _, x := range s.Lhs {
						if id, ok := x.(adjoint.Ident); ok && id.Name == name {
							n++
						}
					}
				case adjoint.IncDec:
					if id, ok := s.X.(adjoint.Ident); ok && id.Name == name {
						n++
					}
				case adjoint.VarDecl:
					for _, x := range s.Names {
						if x == name {
							n++
						}
					}
				}
			})
		}
		return n
	}
	for i := 0; i < len(list); i++ {
		a, ok := list[i].(adjoint.Assign)
		if !ok || a.Op != ":=" || len(a.Lhs) != 1 {
			continue
		}
		dst, ok1 := a.Lhs[0].(adjoint.Ident)
		src, ok2 := a.Rhs[0].(adjoint.Ident)
		if !ok1 || !ok2 || !names[dst.Name] || assigned(list, dst.Name) != 1 || assigned(list[i+1:], src.Name) != 0 {
			continue
		}
		rest := make([]adjoint.Stmt, 0, len(list)-1)
		rest = append(rest, list[:i]...)
		for _, s := range list[i+1:] {
			rest = append(rest, renameStmt(s, dst.Name, src.Name))
		}
		list = rest
		i--
	}
	for i, s := range list {
		list[i] = adjoint.MapBodies(s, func(body []adjoint.Stmt, _ bool) []adjoint.Stmt { return PropagateCopies(body, names) })
	}
	return list
}

// renameStmt replaces the variable from by to wherever s reads it.
func renameStmt(s adjoint.Stmt, from, to string) adjoint.Stmt {
	re := func(e adjoint.Expr) adjoint.Expr { return renameExpr(e, from, to) }
	res := func(es []adjoint.Expr) []adjoint.Expr {
		out := make([]adjoint.Expr, len(es))
		for i, e := range es {
			out[i] = re(e)
		}
		return out
	}
	body := func(ss []adjoint.Stmt) []adjoint.Stmt {
		out := make([]adjoint.Stmt, len(ss))
		for i, s := range ss {
			out[i] = renameStmt(s, from, to)
		}
		return out
	}
	switch s := s.(type) {
	case adjoint.Assign:
		lhs := make([]adjoint.Expr, len(s.Lhs))
		for i, x := range s.Lhs {
			if _, ok := x.(adjoint.Ident); ok {
				lhs[i] = x
			} else {
				lhs[i] = re(x)
			}
		}
		return adjoint.Assign{Lhs: lhs, Op: s.Op, Rhs: res(s.Rhs)}
	case adjoint.ExprStmt:
		return adjoint.ExprStmt{X: re(s.X)}
	case adjoint.If:
		return adjoint.If{Init: s.Init, Cond: re(s.Cond), Then: body(s.Then), Else: body(s.Else)}
	case adjoint.For:
		return adjoint.For{Label: s.Label, Init: s.Init, Cond: re(s.Cond), Post: s.Post, Body: body(s.Body)}
	case adjoint.Range:
		return adjoint.Range{Label: s.Label, Key: s.Key, Value: s.Value, Define: s.Define, X: re(s.X), Body: body(s.Body)}
	case adjoint.Switch:
		out := adjoint.Switch{Label: s.Label, Init: s.Init, Tag: re(s.Tag)}
		for _, c := range s.Cases {
			out.Cases = append(out.Cases, adjoint.Case{List: res(c.List), Body: body(c.Body)})
		}
		return out
	case adjoint.Return:
		return adjoint.Return{Results: res(s.Results)}
	}
	return s
}

func renameExpr(e adjoint.Expr, from, to string) adjoint.Expr {
	re := func(e adjoint.Expr) adjoint.Expr { return renameExpr(e, from, to) }
	switch e := e.(type) {
	case nil:
		return nil
	case adjoint.Ident:
		if e.Name == from {
			return adjoint.Ident{Name: to}
		}
	case adjoint.Binary:
		return adjoint.Binary{Op: e.Op, X: re(e.X), Y: re(e.Y)}
	case adjoint.Unary:
		return adjoint.Unary{Op: e.Op, X: re(e.X)}
	case adjoint.Paren:
		return adjoint.Paren{X: re(e.X)}
	case adjoint.Call:
		args := make([]adjoint.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = re(a)
		}
		return adjoint.Call{Fun: re(e.Fun), Args: args, Ellipsis: e.Ellipsis}
	case adjoint.Index:
		return adjoint.Index{X: re(e.X), Index: re(e.Index)}
	case adjoint.SliceExpr:
		return adjoint.SliceExpr{X: re(e.X), Lo: re(e.Lo), Hi: re(e.Hi), Max: re(e.Max)}
	case adjoint.Selector:
		return adjoint.Selector{X: re(e.X), Sel: e.Sel}
	}
	return e
}

// DropUnused removes variables a function declares but never reads, with
// the assignments to them, until none is left: Go rejects such variables,
// and the passes before may leave some (an adjoint whose every reader was
// pruned, a branch record whose reversal came out empty). An assignment
// whose value has a call in it keeps the call.
func DropUnused(body []adjoint.Stmt, keep map[string]bool) []adjoint.Stmt {
	for {
		reads := map[string]int{}
		declared := map[string]bool{}
		for _, s := range body {
			WalkReads(s, func(e adjoint.Expr) {
				adjoint.WalkExpr(e, func(x adjoint.Expr) {
					if id, ok := x.(adjoint.Ident); ok {
						reads[id.Name]++
					}
				})
			})
			adjoint.WalkStmt(s, func(s adjoint.Stmt) {
				switch s := s.(type) {
				case adjoint.VarDecl:
					if !s.Const {
						for _, n := range s.Names {
							declared[n] = true
						}
					}
				case adjoint.Assign:
					if s.Op == ":=" {
						for _, x := range s.Lhs {
							if id, ok := x.(adjoint.Ident); ok {
								declared[id.Name] = true
							}
						}
					}
				case adjoint.Range:
					if s.Define {
						for _, x := range []adjoint.Expr{s.Key, s.Value} {
							if id, ok := x.(adjoint.Ident); ok {
								declared[id.Name] = true
							}
						}
					}
				}
			})
		}
		unused := map[string]bool{}
		for n := range declared {
			if reads[n] == 0 && !keep[n] && n != "_" {
				unused[n] = true
			}
		}
		if len(unused) == 0 {
			return body
		}
		before := stmtsString(body) // dropNames may change body's nested lists in place
		next := dropNames(body, unused)
		if stmtsString(next) == before {
			return next // what is left is not the passes' to remove (a declaration in an if's init)
		}
		body = next
	}
}

// stmtsString prints a statement list, to tell whether a rewrite changed it.
func stmtsString(list []adjoint.Stmt) string {
	var b []byte
	for _, s := range list {
		b = append(b, adjoint.StmtString(s)...)
		b = append(b, '\n')
	}
	return string(b)
}

// hasCall reports whether e calls a function (a conversion is no call).
func hasCall(e adjoint.Expr) bool { return callsOtherThan(e, nil) }

// hasImpureCall reports whether e calls a function other than one of
// package math, which read only their arguments.
func hasImpureCall(e adjoint.Expr) bool {
	return callsOtherThan(e, func(c adjoint.Call) bool {
		q, ok := c.Fun.(adjoint.Qual)
		return ok && q.Path == "math"
	})
}

// PureArithmetic reports whether evaluating e computes a value and does
// nothing else, without allocating: it calls nothing but package math,
// len, cap, min, max, conversions and the functions in pureFuncs (named
// as DropDeadStores takes them).
func PureArithmetic(e adjoint.Expr, pureFuncs map[string]bool) bool {
	return !callsOtherThan(e, func(c adjoint.Call) bool {
		switch fun := c.Fun.(type) {
		case adjoint.Ident:
			switch fun.Name {
			case "len", "cap", "min", "max":
				return true
			case "make", "new", "append":
				return false
			}
		}
		return pureCall(c, pureFuncs)
	})
}

// callsOtherThan reports whether e calls a function that is not a
// conversion and that allowed (when not nil) does not accept.
func callsOtherThan(e adjoint.Expr, allowed func(adjoint.Call) bool) bool {
	found := false
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		if c, ok := x.(adjoint.Call); ok {
			if _, conv := c.Fun.(adjoint.TypeExpr); !conv && (allowed == nil || !allowed(c)) {
				found = true
			}
		}
	})
	return found
}

// isConversion reports whether c converts to a predeclared type
// (float64(x)): a value, no call, and no statement on its own.
func isConversion(c adjoint.Call) bool {
	if _, ok := c.Fun.(adjoint.TypeExpr); ok {
		return true
	}
	id, ok := c.Fun.(adjoint.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "float64", "float32", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune", "bool", "string", "complex64", "complex128":
		return true
	}
	return false
}

// isBuiltin reports whether c calls one of Go's builtin functions that
// return a value (which cannot stand as a statement).
func isBuiltin(c adjoint.Call) bool {
	id, ok := c.Fun.(adjoint.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "append", "cap", "complex", "imag", "len", "make", "max", "min", "new", "real":
		return true
	}
	return false
}

// IsPureBuiltin reports whether c calls a builtin that only computes a
// value (make, new, len, cap, min, max) or converts to a predeclared type,
// with arguments of the same kind, so that its result may be discarded
// with the call.
func IsPureBuiltin(c adjoint.Call) bool {
	pure := isConversion(c)
	if id, ok := c.Fun.(adjoint.Ident); ok {
		switch id.Name {
		case "make", "new", "len", "cap", "min", "max":
			pure = true
		}
	}
	for _, a := range c.Args {
		if ac, ok := a.(adjoint.Call); hasCall(a) && !(ok && IsPureBuiltin(ac)) {
			return false
		}
	}
	return pure
}

// dropNames returns list without the variables in unused: their
// declarations and the assignments to them go, but a value with a call in
// it stays for the call's effects. Nested lists are rewritten too (a
// switch's case bodies in place, which DropUnused allows for).
func dropNames(list []adjoint.Stmt, unused map[string]bool) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range list {
		out = append(out, dropNamesIn(s, unused)...)
	}
	return out
}

// dropNamesIn returns the statements that take s's place once the
// variables in unused are gone: s itself, rewritten, a statement that
// keeps a call's effects, or nothing. Each kind of statement has its own
// rule, so they are kept apart from the loop over the list.
func dropNamesIn(s adjoint.Stmt, unused map[string]bool) []adjoint.Stmt {
	switch x := s.(type) {
	case adjoint.VarDecl:
		return dropFromVarDecl(x, unused)
	case adjoint.Assign:
		return dropFromAssign(x, unused)
	case adjoint.IncDec:
		if id, ok := x.X.(adjoint.Ident); ok && unused[id.Name] {
			return nil
		}
	case adjoint.If:
		x.Then, x.Else = dropNames(x.Then, unused), dropNames(x.Else, unused)
		s = x
	case adjoint.For:
		x.Init, x.Post = dropFromClause(x.Init, unused), dropFromClause(x.Post, unused)
		x.Body = dropNames(x.Body, unused)
		s = x
	case adjoint.Range:
		s = dropFromRange(x, unused)
	case adjoint.Switch:
		for i := range x.Cases {
			x.Cases[i].Body = dropNames(x.Cases[i].Body, unused)
		}
		s = x
	case adjoint.Block:
		x.Body = dropNames(x.Body, unused)
		s = x
	}
	return []adjoint.Stmt{s}
}

// dropFromVarDecl returns what is left of the declaration x without the
// names in unused. A constant is left alone (DropUnused never counts one
// as declared); a declaration with values goes only when it declares the
// one unused name, whose value alone can be kept apart for its effects.
func dropFromVarDecl(x adjoint.VarDecl, unused map[string]bool) []adjoint.Stmt {
	if x.Const {
		return []adjoint.Stmt{x}
	}
	if len(x.Values) > 0 {
		// var v T = e: with v unused, e stays for its effects.
		if len(x.Names) == 1 && unused[x.Names[0]] {
			if len(x.Values) == 1 && hasCall(x.Values[0]) {
				return []adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id("_")}, Op: "=", Rhs: x.Values}}
			}
			return nil
		}
		return []adjoint.Stmt{x}
	}
	var names []string
	for _, n := range x.Names {
		if !unused[n] {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	x.Names = names
	return []adjoint.Stmt{x}
}

// dropFromAssign returns what is left of the assignment x once the names
// in unused are written as _. With every target blank, only the value's
// effects remain (keptEffects); with some, ":=" must still declare a name.
func dropFromAssign(x adjoint.Assign, unused map[string]bool) []adjoint.Stmt {
	lhs := make([]adjoint.Expr, len(x.Lhs))
	blank := 0
	for i, e := range x.Lhs {
		lhs[i] = e
		if id, ok := e.(adjoint.Ident); ok && unused[id.Name] {
			lhs[i] = adjoint.Id("_")
		}
		if id, ok := lhs[i].(adjoint.Ident); ok && id.Name == "_" {
			blank++
		}
	}
	if blank == 0 {
		return []adjoint.Stmt{x}
	}
	if blank == len(lhs) {
		return keptEffects(x.Rhs)
	}
	if x.Op == ":=" {
		// ":=" needs a new variable on the left; with some blanked
		// it may have one still.
		fresh := false
		for _, e := range lhs {
			if id, ok := e.(adjoint.Ident); ok && id.Name != "_" {
				fresh = true
			}
		}
		if !fresh {
			x.Op = "="
		}
	}
	x.Lhs = lhs
	return []adjoint.Stmt{x}
}

// keptEffects returns the statement, if any, that keeps the effects of
// the values rhs of an assignment whose targets all went: Go accepts
// neither a discarded builtin nor a conversion as a statement, so those
// are written _ = e.
func keptEffects(rhs []adjoint.Expr) []adjoint.Stmt {
	// Several values (a, b := f(), g()): each keeps its calls, in
	// order, as Go evaluates them.
	var out []adjoint.Stmt
	for _, e := range rhs {
		out = append(out, keptEffect(e)...)
	}
	return out
}

// keptEffect is what remains of one value assigned to nothing: a call
// with effects stays; make, new and other builtins without effects go
// with their variable.
func keptEffect(e adjoint.Expr) []adjoint.Stmt {
	if c, ok := e.(adjoint.Call); ok && IsPureBuiltin(c) {
		return nil
	}
	if hasCall(e) {
		// A builtin or a conversion is no statement: _ = max(...).
		if c, ok := e.(adjoint.Call); ok && !isConversion(c) && !isBuiltin(c) {
			return []adjoint.Stmt{adjoint.ExprStmt{X: c}}
		}
		return []adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id("_")}, Op: "=", Rhs: []adjoint.Expr{e}}}
	}
	return nil
}

// dropFromClause drops the unused variables from a for statement's init
// or post statement (for j := 0; off < n; j++ with j read nowhere); a
// clause left with nothing to do goes, one left with a call's effect too
// many statements stays whole.
func dropFromClause(s adjoint.Stmt, unused map[string]bool) adjoint.Stmt {
	if s == nil {
		return nil
	}
	switch out := dropNamesIn(s, unused); len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return s
}

// dropFromRange returns the range statement x with its body rewritten and
// an unread key or value removed; it exists because a range has to stay
// valid Go when the key and value go in different rounds.
func dropFromRange(x adjoint.Range, unused map[string]bool) adjoint.Range {
	x.Body = dropNames(x.Body, unused)
	// An unread key or value that the range assigns (=) is
	// dropped with its declaration: it becomes _, or goes.
	if id, ok := x.Value.(adjoint.Ident); ok && unused[id.Name] {
		x.Value = nil
	}
	if id, ok := x.Key.(adjoint.Ident); ok && unused[id.Name] {
		x.Key = adjoint.Id("_")
	}
	if id, ok := x.Key.(adjoint.Ident); ok && id.Name == "_" && x.Value == nil {
		// The key went in an earlier round, the value in this one:
		// for _ := range is no Go.
		x.Key = nil
	}
	return x
}
