package adjoint

// The program's one tree walk, shared by the analyzer's passes and the
// sanity check.

// WalkStmts calls f on every statement of list, nested ones included.
func WalkStmts(list []Stmt, f func(Stmt)) {
	for _, s := range list {
		WalkStmt(s, f)
	}
}

// WalkStmt calls f on s and on every statement nested in it.
func WalkStmt(s Stmt, f func(Stmt)) {
	if s == nil {
		return
	}
	f(s)
	switch s := s.(type) {
	case If:
		WalkStmt(s.Init, f)
		WalkStmts(s.Then, f)
		WalkStmts(s.Else, f)
	case For:
		WalkStmt(s.Init, f)
		WalkStmt(s.Post, f)
		WalkStmts(s.Body, f)
	case Range:
		WalkStmts(s.Body, f)
	case Switch:
		WalkStmt(s.Init, f)
		for _, cl := range s.Cases {
			WalkStmts(cl.Body, f)
		}
	case Block:
		WalkStmts(s.Body, f)
	}
}

// WalkExpr calls f on e and every expression inside it.
func WalkExpr(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case Binary:
		WalkExpr(e.X, f)
		WalkExpr(e.Y, f)
	case Unary:
		WalkExpr(e.X, f)
	case TypeAssert:
		WalkExpr(e.X, f)
	case Paren:
		WalkExpr(e.X, f)
	case Call:
		WalkExpr(e.Fun, f)
		for _, a := range e.Args {
			WalkExpr(a, f)
		}
	case Index:
		WalkExpr(e.X, f)
		WalkExpr(e.Index, f)
	case SliceExpr:
		WalkExpr(e.X, f)
		WalkExpr(e.Lo, f)
		WalkExpr(e.Hi, f)
		WalkExpr(e.Max, f)
	case Selector:
		WalkExpr(e.X, f)
	case Composite:
		for _, x := range e.Elts {
			WalkExpr(x, f)
		}
	case KeyValue:
		WalkExpr(e.Key, f)
		WalkExpr(e.Value, f)
	}
}

// StmtExprs calls f on the expressions of s itself, not of the statements
// nested in it.
func StmtExprs(s Stmt, f func(Expr)) {
	all := func(es []Expr) {
		for _, e := range es {
			f(e)
		}
	}
	switch s := s.(type) {
	case Assign:
		all(s.Lhs)
		all(s.Rhs)
	case VarDecl:
		all(s.Values)
	case IncDec:
		f(s.X)
	case ExprStmt:
		f(s.X)
	case Defer:
		f(s.Call)
	case If:
		f(s.Cond)
	case For:
		f(s.Cond)
	case Range:
		f(s.Key)
		f(s.Value)
		f(s.X)
	case Switch:
		f(s.Tag)
		for _, cl := range s.Cases {
			all(cl.List)
		}
	case Return:
		all(s.Results)
	}
}

// MapBodies returns s with each statement list nested directly in it (an
// if's branches, a loop's body, a switch's clauses, a block) replaced by
// f's result; loop reports whether the list is a loop's body. It is the
// one block recursion of the rewriting passes: each pass recurses through
// it, so that none forgets a kind of block.
func MapBodies(s Stmt, f func(body []Stmt, loop bool) []Stmt) Stmt {
	switch x := s.(type) {
	case If:
		x.Then, x.Else = f(x.Then, false), f(x.Else, false)
		return x
	case For:
		x.Body = f(x.Body, true)
		return x
	case Range:
		x.Body = f(x.Body, true)
		return x
	case Switch:
		cases := make([]Case, len(x.Cases))
		for i, c := range x.Cases {
			cases[i] = Case{List: c.List, Body: f(c.Body, false)}
		}
		x.Cases = cases
		return x
	case Block:
		x.Body = f(x.Body, false)
		return x
	}
	return s
}

// WalkStmtExprs calls f on every expression of s and of the statements
// nested in it, and on their subexpressions.
func WalkStmtExprs(s Stmt, f func(Expr)) {
	WalkStmt(s, func(st Stmt) {
		StmtExprs(st, func(e Expr) { WalkExpr(e, f) })
	})
}

// IsPanicCheck reports whether s is if cond { panic(...) }, as the
// length checks at the top of a generated function are.
func IsPanicCheck(s Stmt) bool {
	i, ok := s.(If)
	if !ok || i.Else != nil || i.Init != nil || len(i.Then) != 1 {
		return false
	}
	e, ok := i.Then[0].(ExprStmt)
	if !ok {
		return false
	}
	c, ok := e.X.(Call)
	if !ok {
		return false
	}
	id, ok := c.Fun.(Ident)
	return ok && id.Name == "panic"
}
