package adjoint

// Control flow for the checker: whether a block ends every path through
// it, and whether a break leaves it.

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
