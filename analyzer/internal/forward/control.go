package forward

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// Statements and control flow: copied as the source has them, each
// statement that computes an active value with its tangent beside it.

// block writes a list of statements in a block of its own.
func (f *fwdLowerer) block(list []ast.Stmt) []adjoint.Stmt {
	saved := f.out
	f.out = nil
	for _, s := range list {
		f.stmt(s, "")
	}
	body := f.out
	f.out = saved
	return body
}

// stmt writes one statement and its tangents.
func (f *fwdLowerer) stmt(s ast.Stmt, label string) {
	switch s := s.(type) {
	case *ast.BlockStmt:
		f.emit(adjoint.Block{Body: f.block(s.List)})
	case *ast.EmptyStmt:
	case *ast.LabeledStmt:
		f.stmt(s.Stmt, s.Label.Name)
	case *ast.AssignStmt:
		f.assignStmt(s)
	case *ast.IncDecStmt:
		// x++ adds a constant: the tangent is unchanged.
		f.emit(adjoint.IncDec{X: f.Conv(s.X), Inc: s.Tok == token.INC})
	case *ast.DeclStmt:
		f.declStmt(s)
	case *ast.ExprStmt:
		if f.ExprVaried(s.X) && f.ImpureCall(s.X) != nil {
			f.Errorf(s.Pos(), "forward mode (//gradgen:jvp) does not yet differentiate a call used as a statement with active arguments (%s): use //gradgen:grad, or make the callee return its result", f.Source(s))
			return
		}
		f.emit(adjoint.ExprStmt{X: f.Conv(s.X)})
	case *ast.ReturnStmt:
		f.returnStmt(s)
	case *ast.IfStmt:
		f.ifStmt(s)
	case *ast.ForStmt:
		f.forStmt(s, label)
	case *ast.RangeStmt:
		f.rangeStmt(s, label)
	case *ast.SwitchStmt:
		f.switchStmt(s, label)
	case *ast.BranchStmt:
		b := adjoint.Branch{Tok: s.Tok.String()}
		if s.Label != nil {
			b.Label = s.Label.Name
		}
		f.emit(b)
	default:
		f.Errorf(s.Pos(), "forward mode (//gradgen:jvp) does not differentiate %s: use //gradgen:grad", f.Source(s))
	}
}

// withInit writes a statement that has an init clause (if, switch) in a
// block of its own, so that the init's tangents keep its scope.
func (f *fwdLowerer) withInit(init ast.Stmt, build func() adjoint.Stmt) {
	if init == nil {
		f.emit(build())
		return
	}
	saved := f.out
	f.out = nil
	f.stmt(init, "")
	f.emit(build())
	body := f.out
	f.out = saved
	f.emit(adjoint.Block{Body: body})
}

func (f *fwdLowerer) ifStmt(s *ast.IfStmt) {
	f.withInit(s.Init, func() adjoint.Stmt {
		out := adjoint.If{Cond: f.Conv(s.Cond), Then: f.block(s.Body.List)}
		switch e := s.Else.(type) {
		case *ast.BlockStmt:
			out.Else = f.block(e.List)
		case *ast.IfStmt:
			out.Else = f.block([]ast.Stmt{e})
		}
		return out
	})
}

func (f *fwdLowerer) switchStmt(s *ast.SwitchStmt, label string) {
	f.withInit(s.Init, func() adjoint.Stmt {
		out := adjoint.Switch{Label: label}
		if s.Tag != nil {
			out.Tag = f.Conv(s.Tag)
		}
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			out.Cases = append(out.Cases, adjoint.Case{List: f.ConvAll(cc.List), Body: f.block(cc.Body)})
		}
		return out
	})
}

func (f *fwdLowerer) forStmt(s *ast.ForStmt, label string) {
	if s.Init != nil && f.stmtActive(s.Init) {
		// The init's tangent is a statement of its own: the loop goes in
		// a block that scopes both.
		saved := f.out
		f.out = nil
		f.stmt(s.Init, "")
		f.emit(f.forLoop(s, label, nil))
		body := f.out
		f.out = saved
		f.emit(adjoint.Block{Body: body})
		return
	}
	var init adjoint.Stmt
	if s.Init != nil {
		init = f.ConvSimple(s.Init)
	}
	f.emit(f.forLoop(s, label, init))
}

// forLoop writes the loop of s with the given init clause.
func (f *fwdLowerer) forLoop(s *ast.ForStmt, label string, init adjoint.Stmt) adjoint.Stmt {
	out := adjoint.For{Label: label, Init: init}
	if s.Cond != nil {
		out.Cond = f.Conv(s.Cond)
	}
	var tail []adjoint.Stmt
	if s.Post != nil {
		var post adjoint.Stmt
		active := f.stmtActive(s.Post)
		ok := false
		if active {
			post, ok = f.activePost(s.Post)
		}
		// A walk along a list (p = p.Next) ends the body when nothing skips
		// to it, as two statements: the parallel p, dp = p.Next, dp.Next
		// is one that reverse mode, differentiating this JVP for an HVP,
		// does not take.
		walk := ok && !gotypes.IsFloat(f.Info.TypeOf(s.Post.(*ast.AssignStmt).Lhs[0])) && !continues(s.Body, label)
		switch {
		case !active:
			out.Post = f.ConvSimple(s.Post)
		case ok && !walk:
			out.Post = post
		case !continues(s.Body, label):
			// Nothing skips to the post statement: it ends the body,
			// where its tangent may take statements of its own.
			saved := f.out
			f.out = nil
			f.stmt(s.Post, "")
			tail = f.out
			f.out = saved
		default:
			f.Errorf(s.Post.Pos(), "forward mode (//gradgen:jvp) cannot write the tangent of this loop's post statement (%s) in one statement, and continue statements skip to it: declare a variable before the loop, set it to the new value in the body, and assign that variable in the post statement", f.Source(s.Post))
		}
	}
	out.Body = append(f.block(s.Body.List), tail...)
	return out
}

// continues reports whether a continue statement in body goes to the
// loop whose body it is (labelled label, or "").
func continues(body *ast.BlockStmt, label string) bool {
	found := false
	var walk func(n ast.Node, inner bool)
	walk = func(n ast.Node, inner bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.BranchStmt:
				if m.Tok == token.CONTINUE && (m.Label == nil && !inner || m.Label != nil && m.Label.Name == label) {
					found = true
				}
			case *ast.ForStmt:
				if m.Body != n {
					walk(m.Body, true)
					return false
				}
			case *ast.RangeStmt:
				walk(m.Body, true)
				return false
			case *ast.FuncLit:
				return false
			}
			return true
		})
	}
	walk(body, false)
	return found
}

// stmtActive reports whether a simple statement computes an active value.
func (f *fwdLowerer) stmtActive(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.AssignStmt:
		for _, x := range s.Lhs {
			if root := f.RootVar(x); root != nil && f.hasTangent(root) {
				return true
			}
		}
	case *ast.IncDecStmt:
		return false
	case *ast.ExprStmt:
		return f.ExprVaried(s.X)
	}
	return false
}

// activePost writes a loop's post statement that updates an active value
// (for t := x; t < 4; t += x) as one parallel assignment of value and
// tangent, t, dt = t+x, dt+dx, which reads both before writing either; ok
// is false when that cannot be written so.
func (f *fwdLowerer) activePost(s ast.Stmt) (adjoint.Stmt, bool) {
	as, ok := s.(*ast.AssignStmt)
	if ok && len(as.Lhs) > 1 && len(as.Lhs) == len(as.Rhs) && as.Tok == token.ASSIGN {
		return f.parallelPost(as)
	}
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil, false
	}
	lhs, rhs := as.Lhs[0], as.Rhs[0]
	if !gotypes.IsFloat(f.Info.TypeOf(lhs)) {
		// p = p.Next walks a list: its tangent walks the tangent's.
		if tan := f.adjPathOf(rhs); tan != nil && as.Tok == token.ASSIGN {
			return adjoint.Assign{Lhs: []adjoint.Expr{f.Conv(lhs), f.tangentOf(lhs)}, Op: "=", Rhs: []adjoint.Expr{f.Conv(rhs), tan}}, true
		}
		return nil, false
	}
	val, tan, ok := f.inlineExpr(rhs)
	if as.Tok != token.ASSIGN {
		op := as.Tok.String()[:1]
		lv, lt := f.Conv(lhs), f.tangentOf(lhs)
		val, tan, ok = f.inlineOp(op, lower.Operand{Val: lv, Typ: f.Info.TypeOf(lhs)}, lt, lower.Operand{Val: val, Typ: f.Info.TypeOf(rhs)}, tan, ok)
	}
	if !ok {
		return nil, false
	}
	if tan == nil {
		tan = adjoint.Literal("0")
	}
	return dropSelfAssigns(adjoint.Assign{Lhs: []adjoint.Expr{f.Conv(lhs), f.tangentOf(lhs)}, Op: "=", Rhs: []adjoint.Expr{val, tan}}), true
}

// dropSelfAssigns drops the pairs of a parallel assignment that assign a
// tangent to itself (u += 0.7 leaves du as it is): go vet reports them.
func dropSelfAssigns(a adjoint.Assign) adjoint.Assign {
	var lhs, rhs []adjoint.Expr
	for i := range a.Lhs {
		if adjoint.ExprString(a.Lhs[i]) != adjoint.ExprString(a.Rhs[i]) {
			lhs, rhs = append(lhs, a.Lhs[i]), append(rhs, a.Rhs[i])
		}
	}
	if len(lhs) > 0 {
		a.Lhs, a.Rhs = lhs, rhs
	}
	return a
}

// parallelPost writes a, b = b, a as a, b, da, db = b, a, db, da: one
// parallel assignment reads every value and tangent before writing any.
func (f *fwdLowerer) parallelPost(as *ast.AssignStmt) (adjoint.Stmt, bool) {
	var lhs, vals, tanLhs, tans []adjoint.Expr
	for i, x := range as.Lhs {
		val, tan, ok := f.inlineExpr(as.Rhs[i])
		if !ok {
			return nil, false
		}
		lhs, vals = append(lhs, f.Conv(x)), append(vals, val)
		root := f.RootVar(x)
		if root == nil || !f.hasTangent(root) {
			continue
		}
		if !gotypes.IsFloat(f.Info.TypeOf(x)) {
			return nil, false
		}
		if tan == nil {
			tan = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(f.Info.TypeOf(x))}, Args: []adjoint.Expr{adjoint.Literal("0")}}
		}
		tanLhs, tans = append(tanLhs, f.tangentOf(x)), append(tans, tan)
	}
	return dropSelfAssigns(adjoint.Assign{Lhs: append(lhs, tanLhs...), Op: "=", Rhs: append(vals, tans...)}), true
}

func (f *fwdLowerer) rangeStmt(s *ast.RangeStmt, label string) {
	out := adjoint.Range{Label: label, X: f.Conv(s.X), Define: s.Tok == token.DEFINE}
	if s.Key != nil {
		out.Key = f.Conv(s.Key)
	}
	var valueObj types.Object
	if s.Value != nil {
		out.Value = f.Conv(s.Value)
		if id, ok := s.Value.(*ast.Ident); ok {
			valueObj = f.Info.ObjectOf(id)
		}
	}
	var pre []adjoint.Stmt
	var keyDecl adjoint.Stmt
	if s.Value != nil && valueObj != nil && f.hasTangent(valueObj) {
		if _, isArray := f.Info.TypeOf(s.X).Underlying().(*types.Array); isArray && f.AssignedIn(s.Body)[f.RootVar(s.X)] {
			f.Errorf(s.X.Pos(), "forward mode (//gradgen:jvp) cannot range over the array %s while the loop writes it (Go ranges over a copy): range over its indexes", f.Source(s.X))
			return
		}
		key := out.Key
		if key == nil || adjoint.ExprString(key) == "_" {
			// The tangent is read at the index, which the loop then needs.
			name := f.Names.Fresh("i")
			key = adjoint.Id(name)
			out.Key = key
			if s.Tok == token.ASSIGN {
				keyDecl = adjoint.VarDecl{Names: []string{name}, Type: adjoint.Named{Name: "int"}}
			}
		}
		v := f.VariableOf(valueObj)
		var x adjoint.Expr = f.adjPathOf(s.X)
		tok := ":="
		if s.Tok == token.ASSIGN {
			tok = "="
		}
		if x == nil {
			pre = append(pre, f.zeroTangent(v, tok))
		} else {
			pre = append(pre, adjoint.Set(adjoint.Id(f.tangentName(v)), tok, adjoint.Index{X: x, Index: key}))
		}
	}
	out.Body = append(pre, f.block(s.Body.List)...)
	if keyDecl != nil {
		f.emit(adjoint.Block{Body: []adjoint.Stmt{keyDecl, out}})
		return
	}
	f.emit(out)
}
