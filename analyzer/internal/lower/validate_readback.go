package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Backward code reads the elements of passive slices again (x[ks[j]] is
// reversed by dx[ks[j]] += ...). A write into such a slice itself
// (ks[0] = 0) saves the old element for it; a change made otherwise is
// not seen: append into a slice resliced shorter (ks = ks[:0]; ks =
// append(ks, 0)), copy, clear, or a write through another variable that
// shares the memory (c := ks; c[0] = 0). The backward sweep would read
// the new values and put the derivative on the wrong elements, silently
// (a fresh trial). Such a change after the elements are read is refused.

// refuseUnsavedReadBackWrites reports the changes gradgen does not save
// to the memory of passive slices whose elements backward code reads,
// made after the first statement that reads them (or in a loop around
// one); readers are the backward readers by variable name.
func (l *Lowerer) refuseUnsavedReadBackWrites(readers map[string][]reader) {
	watched := l.watchedSlices(readers, elementsReadBack(l.revCode))
	if len(watched) == 0 || l.Fn.Body == nil {
		return
	}
	aliases, resliced := l.sharedMemory(watched)
	after := func(n ast.Node, root *types.Var) bool {
		for _, r := range watched[aliases[root]] {
			if n.Pos() > r.pos {
				return true
			}
			for _, loop := range r.loops {
				if inside(n, loop) {
					return true
				}
			}
		}
		return false
	}
	refuse := func(n ast.Node, root *types.Var, how string) {
		what := l.Source(n.(ast.Expr))
		if _, write := n.(*ast.IndexExpr); write {
			what = "the write into " + what
		}
		l.Errorf(n.Pos(), "cannot differentiate %s: the gradient reads the elements of %s again after it, and %s; gradgen saves the old elements only for writes into %s itself (%s[i] = ...): copy the values first (%s := slices.Clone(%s)) and change the copy, or change %s before it is read", what, aliases[root].Name(), how, aliases[root].Name(), aliases[root].Name(), aliases[root].Name()+"2", aliases[root].Name(), aliases[root].Name())
	}
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			id, ok := ast.Unparen(n.Fun).(*ast.Ident)
			if !ok || len(n.Args) == 0 {
				return true
			}
			if _, builtin := l.Info.Uses[id].(*types.Builtin); !builtin {
				return true
			}
			root := l.RootVar(n.Args[0])
			if root == nil || aliases[root] == nil || !after(n, root) {
				return true
			}
			switch id.Name {
			case "copy", "clear":
				refuse(n, root, id.Name+" changes them")
			case "append":
				own, plain := watched[root] != nil, false
				if arg, ok := ast.Unparen(n.Args[0]).(*ast.Ident); ok {
					plain = l.Info.Uses[arg] == root
				}
				if !own || !plain || resliced[root] {
					refuse(n, root, "append writes into their memory (a slice resliced shorter, or sharing it, has room there)")
				}
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if ix, ok := ast.Unparen(lhs).(*ast.IndexExpr); ok {
					l.refuseAliasWrite(ix, aliases, watched, after, refuse)
				}
			}
		case *ast.IncDecStmt:
			if ix, ok := ast.Unparen(n.X).(*ast.IndexExpr); ok {
				l.refuseAliasWrite(ix, aliases, watched, after, refuse)
			}
		}
		return true
	})
}

// refuseAliasWrite refuses ix = ... when ix writes, after a read, into
// watched memory through another variable than the watched one.
func (l *Lowerer) refuseAliasWrite(ix *ast.IndexExpr, aliases map[*types.Var]*types.Var, watched map[*types.Var][]reader, after func(ast.Node, *types.Var) bool, refuse func(ast.Node, *types.Var, string)) {
	root := l.RootVar(ix)
	if root == nil || aliases[root] == nil || watched[root] != nil || !after(ix, root) {
		return
	}
	refuse(ix, root, root.Name()+" shares their memory")
}

// sharedMemory maps each variable that may share memory with a watched
// slice to that slice (c := ks, ks2 := ks[:0], and ks = other[...]), and
// marks the watched slices resliced in place (ks = ks[:0]).
func (l *Lowerer) sharedMemory(watched map[*types.Var][]reader) (map[*types.Var]*types.Var, map[*types.Var]bool) {
	aliases, resliced := map[*types.Var]*types.Var{}, map[*types.Var]bool{}
	for v := range watched {
		aliases[v] = v
	}
	pairs := l.sliceAssignments()
	for changed := true; changed; {
		changed = false
		for _, p := range pairs {
			lo, ro := p[0], p[1]
			switch {
			case aliases[ro] != nil && aliases[lo] == nil:
				aliases[lo], changed = aliases[ro], true
			case aliases[lo] != nil && aliases[ro] == nil:
				aliases[ro], changed = aliases[lo], true
			}
		}
	}
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, lhs := range as.Lhs {
				if _, ok := ast.Unparen(as.Rhs[i]).(*ast.SliceExpr); ok {
					if v := l.RootVar(lhs); v != nil && v == l.RootVar(as.Rhs[i]) && watched[v] != nil {
						resliced[v] = true
					}
				}
			}
		}
		return true
	})
	return aliases, resliced
}

// sliceAssignments are the pairs (variable, root of the value) of the
// body's assignments and declarations of slices: memory the two share.
func (l *Lowerer) sliceAssignments() [][2]*types.Var {
	var out [][2]*types.Var
	add := func(lhs, rhs ast.Expr) {
		if _, ok := l.Info.TypeOf(rhs).Underlying().(*types.Slice); !ok {
			return
		}
		switch ast.Unparen(rhs).(type) {
		case *ast.Ident, *ast.SliceExpr, *ast.SelectorExpr, *ast.IndexExpr:
		case *ast.CallExpr:
			// append(a, ...) may return a's memory.
			call := ast.Unparen(rhs).(*ast.CallExpr)
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); !ok || id.Name != "append" || len(call.Args) == 0 {
				return
			}
			rhs = call.Args[0]
		default:
			return
		}
		lo, ro := l.RootVar(lhs), l.RootVar(rhs)
		if lo != nil && ro != nil && lo != ro {
			out = append(out, [2]*types.Var{lo, ro})
		}
	}
	assignedPairs(l.Fn.Body, func(lhs, rhs ast.Expr, tok token.Token) {
		if tok != token.ADD_ASSIGN {
			add(lhs, rhs)
		}
	})
	return out
}

// watchedSlices are the passive slices (ints, bools) whose elements
// backward code reads, with their readers.
func (l *Lowerer) watchedSlices(readers map[string][]reader, elements map[string]bool) map[*types.Var][]reader {
	watched := map[*types.Var][]reader{}
	for name, rs := range readers {
		if !elements[name] {
			continue
		}
		v := l.byName[name]
		if v == nil || v.obj == nil {
			continue
		}
		s, ok := v.Typ.Underlying().(*types.Slice)
		if !ok || gotypes.IsDifferentiable(s.Elem()) {
			continue
		}
		if obj, ok := v.obj.(*types.Var); ok {
			watched[obj] = rs
		}
	}
	return watched
}

// elementsReadBack are the variables whose elements backward code reads (not only their headers, which a saved variable's restore
// reads; b[0] = saved writes an element and reads its index).
func elementsReadBack(code []adjoint.Stmt) map[string]bool {
	elements := map[string]bool{}
	mark := func(e adjoint.Expr) {
		adjoint.WalkExpr(e, func(e adjoint.Expr) {
			if ix, ok := e.(adjoint.Index); ok {
				x := ix.X
				if sl, ok := x.(adjoint.SliceExpr); ok {
					x = sl.X
				}
				if id, ok := x.(adjoint.Ident); ok {
					elements[id.Name] = true
				}
			}
		})
	}
	for _, st := range code {
		adjoint.WalkStmt(st, func(s adjoint.Stmt) {
			for _, e := range stmtReads(s) {
				mark(e)
			}
		})
	}
	return elements
}

// stmtReads are the expressions a simple statement, or the header of a
// compound one, reads; an element assigned with = gives its index and
// the value indexed, not itself.
func stmtReads(s adjoint.Stmt) []adjoint.Expr {
	var out []adjoint.Expr
	switch s := s.(type) {
	case adjoint.Assign:
		for _, lhs := range s.Lhs {
			if ix, ok := lhs.(adjoint.Index); ok && s.Op == "=" {
				out = append(out, ix.Index, ix.X)
				continue
			}
			out = append(out, lhs)
		}
		out = append(out, s.Rhs...)
	case adjoint.IncDec:
		out = append(out, s.X)
	case adjoint.VarDecl:
		out = append(out, s.Values...)
	case adjoint.ExprStmt:
		out = append(out, s.X)
	case adjoint.If:
		out = append(out, s.Cond)
	case adjoint.For:
		out = append(out, s.Cond)
	case adjoint.Range:
		out = append(out, s.X)
	case adjoint.Switch:
		out = append(out, s.Tag)
		for _, c := range s.Cases {
			out = append(out, c.List...)
		}
	case adjoint.Return:
		out = append(out, s.Results...)
	}
	return out
}
