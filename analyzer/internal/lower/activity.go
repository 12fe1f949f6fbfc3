package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Activity analysis decides which values take part in the backward sweep.
//
// A variable is varied when it may depend, through differentiable
// operations, on a wrt parameter. This is computed flow-insensitively (a
// fixpoint over every assignment in the function): cheap and safe, because
// reversing an assignment from a passive value resets the adjoint.
//
// An assignment is useful when the value it stores may reach the function's
// result. This is computed flow-sensitively, backwards, like liveness: an
// assignment whose value is overwritten before any use is not useful and
// gets no backward code, so a NaN or Inf in a dead intermediate cannot leak
// into the gradient.

// leaves calls f for every variable that e's value depends on
// differentiably: comparisons, integer arithmetic, conversions to integers,
// index expressions and piecewise-constant functions (Floor) cut the chain.
func (l *Lowerer) leaves(e ast.Expr, f func(obj types.Object)) {
	if !gotypes.IsDifferentiable(l.Info.TypeOf(e)) || l.isConst(e) {
		return
	}
	switch e := e.(type) {
	case *ast.Ident:
		if obj, ok := l.Info.Uses[e].(*types.Var); ok {
			f(obj)
		}
	case *ast.ParenExpr:
		l.leaves(e.X, f)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO:
			l.leaves(e.X, f)
			l.leaves(e.Y, f)
		}
	case *ast.UnaryExpr:
		if e.Op == token.SUB || e.Op == token.ADD {
			l.leaves(e.X, f)
		}
	case *ast.CallExpr:
		if r := l.CallRule(e); r != nil && r.Zero {
			return
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok {
			if s, ok := l.Info.Selections[sel]; ok && s.Kind() == types.MethodVal {
				l.leaves(sel.X, f) // a method's receiver is an argument too
			}
		}
		for _, a := range e.Args {
			l.leaves(a, f)
		}
	case *ast.IndexExpr:
		l.leaves(e.X, f)
	case *ast.SelectorExpr:
		if _, ok := l.Info.Selections[e]; ok {
			l.leaves(e.X, f)
		}
	case *ast.StarExpr:
		l.leaves(e.X, f)
	case *ast.SliceExpr:
		l.leaves(e.X, f)
	case *ast.BasicLit:
	default:
		// Anything else (composite and function literals, type
		// assertions...) depends on every variable it mentions: never
		// passive by default. Validation refuses what the lowering does
		// not model.
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if obj, ok := l.Info.Uses[id].(*types.Var); ok {
					f(obj)
				}
			}
			return true
		})
	}
}

// ExprVaried reports whether e depends on a wrt parameter.
func (l *Lowerer) ExprVaried(e ast.Expr) bool {
	found := false
	l.leaves(e, func(obj types.Object) {
		if l.Varied[obj] {
			found = true
		}
	})
	return found
}

// computeVaried finds the varied variables, starting from the wrt parameters.
func (l *Lowerer) computeVaried() {
	for changed := true; changed; {
		changed = false
		mark := func(lhs ast.Expr, rhsVaried bool) {
			if v := l.RootVar(lhs); v != nil && rhsVaried && !l.Varied[v] && gotypes.IsDifferentiable(v.Type()) {
				l.Varied[v] = true
				changed = true
			}
		}
		ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i := range n.Lhs {
						mark(n.Lhs[i], l.ExprVaried(n.Rhs[i]))
						l.markViewed(n.Lhs[i], n.Rhs[i], mark)
					}
				} else if len(n.Rhs) == 1 {
					for _, lhs := range n.Lhs {
						mark(lhs, l.ExprVaried(n.Rhs[0]) || l.CallArgsVaried(n.Rhs[0]))
					}
				}
			case *ast.RangeStmt:
				if n.Value != nil {
					mark(n.Value, l.ExprVaried(n.X))
				}
			case *ast.CallExpr:
				l.markCallWrites(n, mark)
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i := range n.Names {
						mark(n.Names[i], l.ExprVaried(n.Values[i]))
						l.markViewed(n.Names[i], n.Values[i], mark)
					}
				} else if len(n.Values) == 1 {
					for _, name := range n.Names {
						mark(name, l.CallArgsVaried(n.Values[0]))
					}
				}
			}
			return true
		})
	}
}

// markViewed marks what rhs views when lhs = rhs stores a view of it into
// a varied variable. A view shares its memory with what it views: an
// active value written through it makes the viewed slice active too. Only
// a reference stored shares memory; a float copied out of a slice (cl[0] =
// coef[i]) does not.
func (l *Lowerer) markViewed(lhs, rhs ast.Expr, mark func(ast.Expr, bool)) {
	if v := l.RootVar(lhs); v != nil && l.Varied[v] && gotypes.IsRef(v.Type()) && gotypes.IsRef(l.Info.TypeOf(rhs)) {
		if r := l.RootVar(rhs); r != nil && r != v && gotypes.IsRef(r.Type()) {
			mark(rhs, true)
		}
	}
}

// markCallWrites marks what a call may write into as varied when the call
// reads a varied value: the slices, pointers and addresses it is passed,
// and its receiver. Whether the call is then differentiable is
// validation's question; activity must not miss the dependence.
func (l *Lowerer) markCallWrites(call *ast.CallExpr, mark func(ast.Expr, bool)) {
	if tv, ok := l.Info.Types[call.Fun]; ok && tv.IsType() {
		return // a conversion writes nothing
	}
	if r := l.CallRule(call); r != nil {
		return // math functions and min, max, len... write nothing
	}
	if id := gotypes.IdentOf(call.Fun); id != nil {
		if b, ok := l.Info.Uses[id].(*types.Builtin); ok && b.Name() != "copy" {
			return
		}
	}
	if !l.mentionsVaried(call) {
		return
	}
	if fn, _ := l.CalleeOf(call); fn != nil && l.Rules[fn] != nil || fn != nil && !l.mayWrite(fn) {
		return
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s, ok := l.Info.Selections[sel]; ok && s.Kind() == types.MethodVal {
			if _, ptr := s.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptr || gotypes.IsRef(l.Info.TypeOf(sel.X)) {
				mark(sel.X, true)
			}
		}
	}
	for _, a := range call.Args {
		a = ast.Unparen(a)
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
			mark(u.X, true)
		} else if t := l.Info.TypeOf(a); t != nil && gotypes.IsRef(t) {
			mark(a, true)
		}
	}
}

// CallArgsVaried reports whether a multi-value call has a varied operand.
func (l *Lowerer) CallArgsVaried(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	if r := l.CallRule(call); r != nil && r.Zero {
		return false
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s, ok := l.Info.Selections[sel]; ok && s.Kind() == types.MethodVal && l.ExprVaried(sel.X) {
			return true // a method's receiver is an argument too
		}
	}
	for _, a := range call.Args {
		if l.ExprVaried(a) {
			return true
		}
	}
	return false
}

// liveSet is the set of variables whose current value may reach the result.
type liveSet map[types.Object]bool

func (s liveSet) clone() liveSet {
	c := make(liveSet, len(s))
	for k := range s {
		c[k] = true
	}
	return c
}

// computeUseful runs the backward liveness pass over the body and records
// in l.useful each assignment target whose value may reach the result.
func (l *Lowerer) computeUseful() {
	l.liveBlock(l.Fn.Body.List, liveSet{})
}

func (l *Lowerer) liveBlock(list []ast.Stmt, live liveSet) liveSet {
	for i := len(list) - 1; i >= 0; i-- {
		live = l.liveStmt(list[i], live)
	}
	return live
}

func (l *Lowerer) gen(live liveSet, e ast.Expr) {
	l.leaves(e, func(obj types.Object) { live[obj] = true })
}

// liveCtx is where break and continue send liveness: the live set after
// the loop or switch they leave, and at the head of the loop they continue.
type liveCtx struct {
	stmt      ast.Stmt
	breakLive liveSet
	contLive  liveSet
}

// liveStmt is long by design: one case per kind of statement, each the
// backward dataflow equation of that kind, which read best side by side.
func (l *Lowerer) liveStmt(s ast.Stmt, live liveSet) liveSet {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		live = liveSet{}
		for _, r := range s.Results {
			l.gen(live, r)
		}
	case *ast.BlockStmt:
		live = l.liveBlock(s.List, live)
	case *ast.LabeledStmt:
		live = l.liveStmt(s.Stmt, live)
	case *ast.AssignStmt:
		live = l.liveAssign(s.Lhs, s.Rhs, s.Tok, live)
	case *ast.IncDecStmt:
		if v := l.RootVar(s.X); v != nil && live[v] {
			l.useful[s.X] = true
		}
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok {
			for i := len(g.Specs) - 1; i >= 0; i-- {
				if vs, ok := g.Specs[i].(*ast.ValueSpec); ok {
					lhs := make([]ast.Expr, len(vs.Names))
					for j, n := range vs.Names {
						lhs[j] = n
					}
					live = l.liveAssign(lhs, vs.Values, token.DEFINE, live)
				}
			}
		}
	case *ast.BranchStmt:
		target := l.targets[s]
		for i := len(l.liveCtxs) - 1; i >= 0; i-- {
			c := l.liveCtxs[i]
			if c.stmt != target {
				continue
			}
			switch s.Tok {
			case token.BREAK:
				return c.breakLive.clone()
			case token.CONTINUE:
				return c.contLive.clone()
			}
		}
	case *ast.IfStmt:
		then := l.liveBlock(s.Body.List, live)
		els := live
		if s.Else != nil {
			els = l.liveStmt(s.Else, live)
		}
		live = union(then, els)
		if s.Init != nil {
			live = l.liveStmt(s.Init, live)
		}
	case *ast.SwitchStmt:
		l.liveCtxs = append(l.liveCtxs, &liveCtx{stmt: s, breakLive: live})
		out := liveSet{}
		hasDefault := false
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			hasDefault = hasDefault || cc.List == nil
			out = union(out, l.liveBlock(cc.Body, live))
		}
		if !hasDefault {
			out = union(out, live)
		}
		l.liveCtxs = l.liveCtxs[:len(l.liveCtxs)-1]
		live = out
		if s.Init != nil {
			live = l.liveStmt(s.Init, live)
		}
	case *ast.ForStmt:
		// The live set at the loop's head is a fixpoint: what is live after
		// the loop, and what the body needs at its start.
		head := live.clone()
		for {
			afterBody := head
			if s.Post != nil {
				afterBody = l.liveStmt(s.Post, head)
			}
			l.liveCtxs = append(l.liveCtxs, &liveCtx{stmt: s, breakLive: live, contLive: afterBody})
			next := union(head, l.liveBlock(s.Body.List, afterBody))
			l.liveCtxs = l.liveCtxs[:len(l.liveCtxs)-1]
			if len(next) == len(head) {
				break
			}
			head = next
		}
		live = head
		if s.Init != nil {
			live = l.liveStmt(s.Init, live)
		}
	case *ast.RangeStmt:
		head := live.clone()
		for {
			l.liveCtxs = append(l.liveCtxs, &liveCtx{stmt: s, breakLive: live, contLive: head})
			next := union(head, l.liveBlock(s.Body.List, head))
			l.liveCtxs = l.liveCtxs[:len(l.liveCtxs)-1]
			if len(next) == len(head) {
				break
			}
			head = next
		}
		live = head
		if s.Value != nil {
			if v := l.RootVar(s.Value); v != nil && live[v] {
				l.useful[s.Value] = true
				l.gen(live, s.X)
			}
		}
	}
	return live
}

func union(a, b liveSet) liveSet {
	out := a.clone()
	for k := range b {
		out[k] = true
	}
	return out
}

func (l *Lowerer) liveAssign(lhs, rhs []ast.Expr, tok token.Token, live liveSet) liveSet {
	live = live.clone()
	var gens []ast.Expr
	for i, x := range lhs {
		v := l.RootVar(x)
		// Writes through slices and pointers may be read through another
		// view of the same memory: they are always useful.
		if v == nil || !live[v] && !gotypes.IsRef(v.Type()) {
			continue
		}
		l.useful[x] = true
		if _, whole := ast.Unparen(x).(*ast.Ident); whole && (tok == token.ASSIGN || tok == token.DEFINE) {
			delete(live, v) // the old value is overwritten
		}
		switch {
		case len(lhs) == len(rhs):
			gens = append(gens, rhs[i])
		case len(rhs) == 1:
			if call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok {
				gens = append(gens, call.Args...)
			}
		}
	}
	for _, g := range gens {
		l.gen(live, g)
	}
	return live
}
