package rewrite

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// Composite literals with elements that depend on the parameters, at the
// top of a declaration (v := []float64{a, b}, var p = Point{X: x}), are
// written into the form the lowering knows, before anything reads the
// function: the variable declared empty (make for a slice, var for an
// array or struct), then its elements and fields set one by one, in the
// literal's order, nested literals flattened (p.A[0] = x). As for named
// results, the rewrite is a copy (rewriteBody), new identifiers
// type-checked where they stand; a literal that reads a variable of the
// name it declares (x := []float64{x[1], 0}, the outer x) is left as it
// is, and refused.

// WithoutCompositeLiterals returns decl rewritten as above, or decl.
func (p *Rewriter) WithoutCompositeLiterals(decl *ast.FuncDecl) (out *ast.FuncDecl) {
	if decl.Body == nil {
		return decl
	}
	defer func() {
		if r := recover(); r != nil {
			out = decl // the literal stays, and the lowering refuses it
		}
	}()
	c := &composites{p: p}
	changed := false
	body := Block(decl.Body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		stmts, ok := c.declaration(s)
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

type composites struct {
	p    *Rewriter
	name string // the variable being declared
}

// declaration rewrites v := T{...} or var v = T{...}, or reports false.
func (c *composites) declaration(s ast.Stmt) ([]ast.Stmt, bool) {
	var name *ast.Ident
	var lit *ast.CompositeLit
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE || len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return nil, false
		}
		name, _ = s.Lhs[0].(*ast.Ident)
		lit, _ = ast.Unparen(s.Rhs[0]).(*ast.CompositeLit)
	case *ast.DeclStmt:
		g, ok := s.Decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
			return nil, false
		}
		vs := g.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Type != nil {
			return nil, false
		}
		name = vs.Names[0]
		lit, _ = ast.Unparen(vs.Values[0]).(*ast.CompositeLit)
	}
	if name == nil || name.Name == "_" || lit == nil || lit.Type == nil || ConstantOnly(c.p.Info, lit) || mentionsName(lit, name.Name) {
		return nil, false
	}
	t := c.p.Info.TypeOf(lit)
	if t == nil {
		return nil, false
	}
	c.name = name.Name
	var sets []ast.Stmt
	if !c.elements(lit, t, func() ast.Expr { return &ast.Ident{NamePos: name.NamePos, Name: name.Name} }, s.End(), &sets) {
		return nil, false
	}
	var decl ast.Stmt
	switch t.Underlying().(type) {
	case *types.Slice:
		n, ok := SliceLitLen(c.p.Info, lit)
		if !ok {
			return nil, false
		}
		mk := &ast.CallExpr{Fun: &ast.Ident{NamePos: lit.Pos(), Name: "make"}, Lparen: lit.Pos(), Args: []ast.Expr{lit.Type, &ast.BasicLit{ValuePos: lit.Pos(), Kind: token.INT, Value: fmt.Sprint(n)}}, Rparen: lit.End()}
		if types.CheckExpr(c.p.Fset, c.p.Pkg, lit.Pos(), mk, c.p.Info) != nil {
			return nil, false
		}
		decl = &ast.AssignStmt{Lhs: []ast.Expr{name}, TokPos: s.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{mk}}
	case *types.Array, *types.Struct:
		decl = &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: s.Pos(), Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{name}, Type: lit.Type}}}}
	default:
		return nil, false
	}
	return append([]ast.Stmt{decl}, sets...), true
}

// elements appends to sets one assignment per element of lit, into the
// place base() writes (fresh nodes each call), nested literals flattened.
func (c *composites) elements(lit *ast.CompositeLit, t types.Type, base func() ast.Expr, pos token.Pos, sets *[]ast.Stmt) bool {
	st, isStruct := t.Underlying().(*types.Struct)
	var elem types.Type
	switch u := t.Underlying().(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	case *types.Struct:
	default:
		return false
	}
	next := int64(0)
	for i, e := range lit.Elts {
		value := e
		var place func() ast.Expr
		var vt types.Type
		if isStruct {
			field := st.Field(i).Name()
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				field, value = kv.Key.(*ast.Ident).Name, kv.Value
			}
			for k := range st.NumFields() {
				if st.Field(k).Name() == field {
					vt = st.Field(k).Type()
				}
			}
			place = func() ast.Expr { return &ast.SelectorExpr{X: base(), Sel: &ast.Ident{NamePos: pos, Name: field}} }
		} else {
			idx := next
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				k := c.p.Info.Types[kv.Key].Value
				if k == nil {
					return false
				}
				idx, _ = constant.Int64Val(k)
				value = kv.Value
			}
			next = idx + 1
			vt = elem
			place = func() ast.Expr {
				return &ast.IndexExpr{X: base(), Lbrack: pos, Index: &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: fmt.Sprint(idx)}, Rbrack: pos}
			}
		}
		if inner, ok := ast.Unparen(value).(*ast.CompositeLit); ok {
			if _, isSlice := vt.Underlying().(*types.Slice); isSlice {
				// Flattened, m[0][0] = a would write into a row never
				// made; the lowering refuses the literal as it stands.
				return false
			}
			if !c.elements(inner, vt, place, pos, sets) {
				return false
			}
			continue
		}
		if tv := c.p.Info.Types[value]; tv.Value != nil && zeroConstant(tv.Value) {
			continue // already zero
		}
		if copyableAggregate(vt) && c.p.plainPlace(value) {
			// A whole struct or array as an element: copied leaf by leaf
			// (see whole_copies.go).
			if mentionsName(value, c.name) || copyLeaves(vt, 0) < 0 {
				return false
			}
			if !c.p.copySets(vt, place, func() ast.Expr { return c.p.CloneNode(value).(ast.Expr) }, pos, value.Pos(), sets, nil) {
				return false
			}
			continue
		}
		target := place()
		if types.CheckExpr(c.p.Fset, c.p.Pkg, pos, target, c.p.Info) != nil {
			return false
		}
		*sets = append(*sets, &ast.AssignStmt{Lhs: []ast.Expr{target}, TokPos: value.Pos(), Tok: token.ASSIGN, Rhs: []ast.Expr{value}})
	}
	return true
}

// SliceLitLen is the length of the slice literal lit: one past its
// highest index, keyed elements counted.
func SliceLitLen(info *types.Info, lit *ast.CompositeLit) (int64, bool) {
	n, next := int64(0), int64(0)
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			k := info.Types[kv.Key].Value
			if k == nil {
				return 0, false
			}
			next, _ = constant.Int64Val(k)
		}
		next++
		n = max(n, next)
	}
	return n, true
}

// ConstantOnly reports whether every element of lit is a constant (such
// a literal is passive data, which the lowering keeps as it is).
func ConstantOnly(info *types.Info, lit *ast.CompositeLit) bool {
	only := true
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			e = kv.Value
		}
		if inner, ok := ast.Unparen(e).(*ast.CompositeLit); ok {
			only = only && ConstantOnly(info, inner)
		} else if info.Types[e].Value == nil {
			only = false
		}
	}
	return only
}

// mentionsName reports whether an identifier named name appears in n.
func mentionsName(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// zeroConstant reports whether v is its type's zero value.
func zeroConstant(v constant.Value) bool {
	switch v.Kind() {
	case constant.Int, constant.Float:
		return constant.Sign(v) == 0
	case constant.Complex:
		return constant.Sign(constant.Real(v)) == 0 && constant.Sign(constant.Imag(v)) == 0
	case constant.String:
		return constant.StringVal(v) == ""
	case constant.Bool:
		return !constant.BoolVal(v)
	}
	return false
}
