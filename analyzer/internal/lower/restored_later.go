package lower

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Saves a later restore makes dead. Inside d2 := 0.0; for k ... { d2 +=
// diff*diff }, every inner trip saves d2, yet backward code reads d2 only
// before the inner loop's reversal and after d2 := 0.0's: the backward
// sweep runs the inner trips, then the statements between, then the
// restore of d2 := 0.0, which puts back d2's value from before it. What
// the inner trips restore is overwritten before anyone reads it, unless a
// reader sits between the assignment and the loop's end. A kernel ridge
// loss pushed d + 1 values per pair where one does.

// restoredLater reports whether the save of v before rec's statement is
// dead: rec lies in a loop that follows, in the same statement list, a
// plain assignment to v (v = e, v := e), and no backward code of the
// statements from that assignment to the loop's end reads v. That
// assignment's own save is skipped only when no reader needs v's value
// from before it, so it covers the readers outside the span.
func (l *Lowerer) restoredLater(v *Variable, rec *lowered) bool {
	if l.readers == nil || l.saveAll || v.obj == nil || !l.plainScalar(v.obj) {
		return false
	}
	s := l.structure()
	if s.gotos {
		return false // a jump into the span would run the loop again without the assignment
	}
	for child := ast.Node(rec.src); ; {
		p, ok := s.parent[child]
		if !ok {
			return false
		}
		if _, lit := p.(*ast.FuncLit); lit {
			return false
		}
		if isLoopStmt(child) {
			if list := stmtList(p); list != nil {
				if span := l.spanFromWrite(list, child, v.obj); span != nil {
					return !l.readIn(v.Name, span)
				}
			}
		}
		child = p
	}
}

// plainScalar reports whether obj is a local number whose reads backward
// code records by name: no pointer to it (through which code would read
// it unseen) and no package-level variable.
func (l *Lowerer) plainScalar(obj types.Object) bool {
	b, ok := obj.Type().Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsNumeric == 0 || obj.Parent() == l.Pkg.Scope() {
		return false
	}
	return !l.structure().addressed[obj]
}

// spanFromWrite returns the statements of list from the last plain
// assignment to obj before loop to loop itself, or nil if there is none.
func (l *Lowerer) spanFromWrite(list []ast.Stmt, loop ast.Node, obj types.Object) []ast.Stmt {
	at := -1
	for i, s := range list {
		if s == loop {
			at = i
			break
		}
	}
	for d := at - 1; d >= 0; d-- {
		a, ok := list[d].(*ast.AssignStmt)
		if !ok || a.Tok != token.ASSIGN && a.Tok != token.DEFINE {
			continue
		}
		for _, x := range a.Lhs {
			if id, ok := x.(*ast.Ident); ok && l.Info.ObjectOf(id) == obj {
				return list[d : at+1]
			}
		}
	}
	return nil
}

// readIn reports whether backward code of a statement in span, or inside
// one, reads the variable name, or a reader's place is unknown.
func (l *Lowerer) readIn(name string, span []ast.Stmt) bool {
	inside := map[ast.Node]bool{}
	for _, s := range span {
		ast.Inspect(s, func(n ast.Node) bool {
			if n != nil {
				inside[n] = true
			}
			return true
		})
	}
	parent := l.structure().parent
	for _, r := range l.readers[name] {
		if _, known := parent[r.src]; !known || inside[r.src] {
			return true
		}
	}
	return false
}

// bodyStructure is what restoredLater needs of the body's shape, found
// once per lowering.
type bodyStructure struct {
	parent    map[ast.Node]ast.Node // each node's parent; the body's is nil
	gotos     bool
	addressed map[types.Object]bool // variables whose address is taken
}

func (l *Lowerer) structure() *bodyStructure {
	if l.shape != nil {
		return l.shape
	}
	s := &bodyStructure{parent: parentsIn(l.Fn.Body), addressed: map[types.Object]bool{}}
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BranchStmt:
			s.gotos = s.gotos || n.Tok == token.GOTO
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
				s.addressed[l.Info.ObjectOf(id)] = true
			}
		}
		return true
	})
	l.shape = s
	return s
}

func isLoopStmt(n ast.Node) bool {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return true
	}
	return false
}

// stmtList returns the statement list n holds, if any.
func stmtList(n ast.Node) []ast.Stmt {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List
	case *ast.CaseClause:
		return n.Body
	case *ast.CommClause:
		return n.Body
	}
	return nil
}
