package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// copy between float slices (copy(dst, src) as a statement, n := copy(dst,
// src) or n = copy(dst, src) for its count) is written, before anything
// reads the function, as the loop it is when the slices do not overlap:
//
//	for i := range min(len(dst), len(src)) { dst[i] = src[i] }
//	n := min(len(dst), len(src))
//
// whose every element assignment the lowering differentiates. Go's copy
// is a memmove, and a forward loop differs from it when dst starts inside
// src; the rewrite is made only where no overlap is possible: dst and src
// are (slices of) two different variables, each either a parameter the
// function never reassigns or a local set once by make and never
// reassigned nor addressed (fresh memory no other name can reach), and not
// both parameters (a caller may pass one slice twice). Slice bounds may not
// call anything (len, cap and conversions aside), nor read the destination. Anything else
// is left as it is, and refused where it carries derivatives.

// WithoutCopies returns decl rewritten as above, or decl.
func (p *Rewriter) WithoutCopies(decl *ast.FuncDecl) (out *ast.FuncDecl) {
	if decl.Body == nil {
		return decl
	}
	defer func() {
		if r := recover(); r != nil {
			out = decl // the copy stays, and the lowering refuses it
		}
	}()
	c := &copyRewrite{p: p, decl: decl}
	changed := false
	body := Block(decl.Body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		stmts, ok := c.stmt(s)
		changed = changed || ok
		return stmts, ok
	})
	if !changed {
		return decl
	}
	rewritten := *decl
	rewritten.Body = body
	return &rewritten
}

type copyRewrite struct {
	p    *Rewriter
	decl *ast.FuncDecl
}

// stmt rewrites copy(dst, src), n := copy(dst, src) or n = copy(dst, src).
func (c *copyRewrite) stmt(s ast.Stmt) ([]ast.Stmt, bool) {
	var call *ast.CallExpr
	var assign *ast.AssignStmt
	switch s := s.(type) {
	case *ast.ExprStmt:
		call, _ = ast.Unparen(s.X).(*ast.CallExpr)
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 || s.Tok != token.DEFINE && s.Tok != token.ASSIGN {
			return nil, false
		}
		assign = s
		call, _ = ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
	}
	if call == nil || len(call.Args) != 2 || !gotypes.IsBuiltinCall(c.p.Info, call, "copy") {
		return nil, false
	}
	dst, src := call.Args[0], call.Args[1]
	if t, ok := c.p.Info.TypeOf(dst).Underlying().(*types.Slice); !ok || !gotypes.IsFloat(t.Elem()) {
		return nil, false
	}
	if !c.disjoint(dst, src) {
		return nil, false
	}
	pos := call.Pos()
	name := "i"
	for k := 1; mentionsName(s, name); k++ {
		name = fmt.Sprintf("i%d", k)
	}
	clone := func(e ast.Expr) ast.Expr { return c.p.CloneNode(e).(ast.Expr) }
	count := func() ast.Expr {
		return c.builtinCall(pos, "min", c.builtinCall(pos, "len", clone(dst)), c.builtinCall(pos, "len", clone(src)))
	}
	// Element i of v[lo:hi] is v[lo+i]: no view is taken (a view of a
	// local array has no adjoint gradgen can follow).
	elem := func(e ast.Expr) ast.Expr {
		var index ast.Expr = &ast.Ident{NamePos: pos, Name: name}
		if sl, ok := ast.Unparen(e).(*ast.SliceExpr); ok {
			if sl.Low != nil {
				index = &ast.BinaryExpr{X: &ast.ParenExpr{Lparen: pos, X: clone(sl.Low), Rparen: pos}, OpPos: pos, Op: token.ADD, Y: index}
			}
			e = sl.X
		}
		return &ast.IndexExpr{X: clone(e), Lbrack: pos, Index: index, Rbrack: pos}
	}
	loop := &ast.RangeStmt{For: pos, Key: &ast.Ident{NamePos: pos, Name: name}, TokPos: pos, Tok: token.DEFINE, X: count(),
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: call.End(), List: []ast.Stmt{&ast.AssignStmt{
			Lhs:    []ast.Expr{elem(dst)},
			TokPos: pos, Tok: token.ASSIGN,
			Rhs: []ast.Expr{elem(src)},
		}}}}
	// Type-checked as the body of a literal standing where the copy is,
	// so the loop's counter is a variable of its own and every name the
	// loop reads resolves as the copy's arguments did.
	lit := &ast.FuncLit{Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}}, Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{loop}, Rbrace: call.End()}}
	if types.CheckExpr(c.p.Fset, c.p.Pkg, pos, lit, c.p.Info) != nil {
		return nil, false
	}
	stmts := []ast.Stmt{loop}
	if assign != nil {
		n := count()
		if types.CheckExpr(c.p.Fset, c.p.Pkg, pos, n, c.p.Info) != nil {
			return nil, false
		}
		stmts = append(stmts, &ast.AssignStmt{Lhs: assign.Lhs, TokPos: assign.TokPos, Tok: assign.Tok, Rhs: []ast.Expr{n}})
	}
	return stmts, true
}

// builtinCall writes name(args...), name a builtin.
func (c *copyRewrite) builtinCall(pos token.Pos, name string, args ...ast.Expr) ast.Expr {
	return &ast.CallExpr{Fun: &ast.Ident{NamePos: pos, Name: name}, Lparen: pos, Args: args, Rparen: pos}
}

// disjoint reports whether dst and src provably name memory that does not
// overlap, as the comment at the top of the file says.
func (c *copyRewrite) disjoint(dst, src ast.Expr) bool {
	d, dOK := c.sliceRoot(dst)
	s, sOK := c.sliceRoot(src)
	if !dOK || !sOK || d == s {
		return false
	}
	dParam, dFresh := c.origin(d)
	sParam, sFresh := c.origin(s)
	if !(dParam || dFresh) || !(sParam || sFresh) || dParam && sParam {
		return false
	}
	return !c.boundsRead(src, d) && !c.boundsRead(dst, d)
}

// sliceRoot returns the variable v of an argument v or v[a:b] (v[a:b:c]).
func (c *copyRewrite) sliceRoot(e ast.Expr) (types.Object, bool) {
	e = ast.Unparen(e)
	if sl, ok := e.(*ast.SliceExpr); ok {
		for _, b := range []ast.Expr{sl.Low, sl.High, sl.Max} {
			if b != nil && !c.p.CallsNothing(b) {
				return nil, false
			}
		}
		e = ast.Unparen(sl.X)
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil, false
	}
	v, ok := c.p.Info.Uses[id].(*types.Var)
	if !ok || v.Parent() == c.p.Pkg.Scope() {
		return nil, false // package-level slices may be reached from anywhere
	}
	return v, true
}

// boundsRead reports whether the slice bounds of e read v.
func (c *copyRewrite) boundsRead(e ast.Expr, v types.Object) bool {
	sl, ok := ast.Unparen(e).(*ast.SliceExpr)
	if !ok {
		return false
	}
	reads := false
	for _, b := range []ast.Expr{sl.Low, sl.High, sl.Max} {
		if b == nil {
			continue
		}
		ast.Inspect(b, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && c.p.Info.Uses[id] == v {
				reads = true
			}
			return !reads
		})
	}
	return reads
}

// origin reports whether v is a parameter (or receiver) the body never
// reassigns, or a local the body sets once, by make, and never reassigns
// nor addresses.
func (c *copyRewrite) origin(v types.Object) (param, fresh bool) {
	isParam := false
	for _, list := range []*ast.FieldList{c.decl.Recv, c.decl.Type.Params} {
		if list == nil {
			continue
		}
		for _, f := range list.List {
			for _, n := range f.Names {
				isParam = isParam || c.p.Info.Defs[n] == v
			}
		}
	}
	sets, made, addressed := 0, false, false
	ast.Inspect(c.decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, x := range n.Lhs {
				id, ok := ast.Unparen(x).(*ast.Ident)
				if !ok || c.p.Info.ObjectOf(id) != v {
					continue
				}
				sets++
				if n.Tok == token.DEFINE && len(n.Rhs) == len(n.Lhs) {
					if call, ok := ast.Unparen(n.Rhs[i]).(*ast.CallExpr); ok && gotypes.IsBuiltinCall(c.p.Info, call, "make") {
						made = true
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if c.p.Info.Defs[id] != v {
					continue
				}
				sets++
				if len(n.Values) == len(n.Names) {
					if call, ok := ast.Unparen(n.Values[i]).(*ast.CallExpr); ok && gotypes.IsBuiltinCall(c.p.Info, call, "make") {
						made = true
					}
				}
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok && c.p.Info.ObjectOf(id) == v {
					sets++
				}
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && c.p.Info.Uses[id] == v {
				addressed = true
			}
		}
		return true
	})
	if addressed {
		return false, false
	}
	if _, isArray := v.Type().Underlying().(*types.Array); isArray {
		// An array variable is memory of its own, whatever is assigned
		// to it (a copy); a parameter's too (Go passed a copy).
		return false, true
	}
	return isParam && sets == 0, !isParam && sets == 1 && made
}
