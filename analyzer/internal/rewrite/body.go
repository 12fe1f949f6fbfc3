package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Block copies the statement lists of b, offering each statement
// to replace: it returns the statements that stand in its place and
// true, or false to keep the statement (and look inside it). The rewrites
// of named results and of composite literals share it; they work on a
// copy because an analysis driver shares the package's syntax trees
// between analyzers. Expressions, and statements that hold no lists, are
// shared with b.
func Block(b *ast.BlockStmt, replace func(ast.Stmt) ([]ast.Stmt, bool)) *ast.BlockStmt {
	r := bodyRewriter(replace)
	return r.block(b)
}

type bodyRewriter func(ast.Stmt) ([]ast.Stmt, bool)

func (r bodyRewriter) block(b *ast.BlockStmt) *ast.BlockStmt {
	out := *b
	out.List = r.list(b.List)
	return &out
}

func (r bodyRewriter) list(list []ast.Stmt) []ast.Stmt {
	out := make([]ast.Stmt, 0, len(list))
	for _, s := range list {
		if stmts, ok := r(s); ok {
			out = append(out, stmts...)
		} else {
			out = append(out, r.inside(s))
		}
	}
	return out
}

// one rewrites a statement that must stay one statement (a label's, an
// else branch).
func (r bodyRewriter) one(s ast.Stmt) ast.Stmt {
	if stmts, ok := r(s); ok && len(stmts) == 1 {
		return stmts[0]
	}
	return r.inside(s)
}

// inside copies s with its statement lists rewritten.
func (r bodyRewriter) inside(s ast.Stmt) ast.Stmt {
	switch s := s.(type) {
	case *ast.BlockStmt:
		return r.block(s)
	case *ast.LabeledStmt:
		out := *s
		out.Stmt = r.one(s.Stmt)
		return &out
	case *ast.IfStmt:
		out := *s
		out.Body = r.block(s.Body)
		if s.Else != nil {
			out.Else = r.one(s.Else)
		}
		return &out
	case *ast.ForStmt:
		out := *s
		out.Body = r.block(s.Body)
		return &out
	case *ast.RangeStmt:
		out := *s
		out.Body = r.block(s.Body)
		return &out
	case *ast.SwitchStmt:
		out := *s
		out.Body = r.block(s.Body)
		return &out
	case *ast.TypeSwitchStmt:
		out := *s
		out.Body = r.block(s.Body)
		return &out
	case *ast.SelectStmt:
		out := *s
		out.Body = r.block(s.Body)
		return &out
	case *ast.CaseClause:
		out := *s
		out.Body = r.list(s.Body)
		return &out
	case *ast.CommClause:
		out := *s
		out.Body = r.list(s.Body)
		return &out
	}
	return s
}

// ForEachWrite calls visit with every place n writes or exposes to
// writes: the left side of an assignment, x of x++, a range's key and
// value, the operand of &. The rewrites use it to tell what a body
// changes.
func ForEachWrite(n ast.Node, visit func(ast.Expr)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				visit(x)
			}
		case *ast.IncDecStmt:
			visit(n.X)
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if x != nil {
					visit(x)
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				visit(n.X)
			}
		}
		return true
	})
}

// RootVar is the variable that an assignment to lhs writes (x for x, x[i]
// and x.f), or nil for the blank identifier and package-level targets.
func (p *Rewriter) RootVar(lhs ast.Expr) *types.Var {
	switch e := lhs.(type) {
	case *ast.Ident:
		if obj, ok := p.Info.ObjectOf(e).(*types.Var); ok {
			return obj
		}
	case *ast.ParenExpr:
		return p.RootVar(e.X)
	case *ast.IndexExpr:
		return p.RootVar(e.X)
	case *ast.SelectorExpr:
		return p.RootVar(e.X)
	case *ast.StarExpr:
		return p.RootVar(e.X)
	case *ast.SliceExpr:
		return p.RootVar(e.X)
	}
	return nil
}
