package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"golang.org/x/tools/go/ast/astutil"
)

// Whole-value copies of structs and arrays (q := p, q := *p, q := pts[i],
// a := c.Pos, var q = p, dst = src) are written into the form the
// lowering knows, before anything reads the function, as composite
// literals are: the variable declared zero (var q T), then every leaf of
// the value — float, integer, bool, string, slice or pointer field or
// element — assigned one by one (q.X = p.X; q.Pos[0] = p.Pos[0]). That is
// what Go's copy does, and each assignment is one the lowering
// differentiates (or refuses) on its own. The copy is made only where it
// means the same: the source is a variable, field, element or pointer
// dereference without calls, which the assignments do not write (it does
// not read the variable being written), and the value has at most
// maxCopyLeaves leaves; anything else is left as it is, and refused.

// MaxCopyLeaves bounds the assignments one copy becomes: a larger array
// is better copied by a loop the user writes.
const MaxCopyLeaves = 64

// WithoutWholeCopies returns decl rewritten as above, or decl.
func (p *Rewriter) WithoutWholeCopies(decl *ast.FuncDecl) (out *ast.FuncDecl) {
	if decl.Body == nil {
		return decl
	}
	defer func() {
		if r := recover(); r != nil {
			out = decl // the copy stays, and the lowering refuses it
		}
	}()
	changed := false
	body := Block(decl.Body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		stmts, ok := p.wholeCopy(s)
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

// wholeCopy rewrites one statement that copies a whole struct or array,
// or reports false.
func (p *Rewriter) wholeCopy(s ast.Stmt) ([]ast.Stmt, bool) {
	var name *ast.Ident // the variable declared, or nil for an assignment
	var typ ast.Expr    // its declared type, if written
	var dst, src ast.Expr
	switch s := s.(type) {
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 || s.Tok != token.DEFINE && s.Tok != token.ASSIGN {
			return nil, false
		}
		src = s.Rhs[0]
		if s.Tok == token.DEFINE {
			name, _ = s.Lhs[0].(*ast.Ident)
			if name == nil || p.Info.Defs[name] == nil {
				return nil, false // q := p where q was declared before: an assignment, left alone
			}
		} else {
			dst = s.Lhs[0]
		}
	case *ast.DeclStmt:
		g, ok := s.Decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
			return nil, false
		}
		vs := g.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || len(vs.Values) != 1 {
			return nil, false
		}
		name, typ, src = vs.Names[0], vs.Type, vs.Values[0]
	default:
		return nil, false
	}
	t := p.Info.TypeOf(src)
	if t == nil || !copyableAggregate(t) || !p.plainPlace(src) {
		return nil, false
	}
	if name != nil {
		if name.Name == "_" || mentionsName(src, name.Name) {
			return nil, false
		}
		if typ != nil && !types.Identical(p.Info.TypeOf(typ), t) {
			return nil, false // var q T = p with p of another type: a conversion
		}
	} else {
		root := p.RootVar(ast.Unparen(dst))
		if root == nil || !p.plainPlace(dst) || mentionsName(src, root.Name()) || indexesMention(dst, root.Name()) {
			return nil, false
		}
	}
	leaves := copyLeaves(t, 0)
	if leaves < 0 || leaves > MaxCopyLeaves {
		return nil, false
	}
	var stmts []ast.Stmt
	target := func() ast.Expr { return dst }
	at := s.Pos()
	if name != nil {
		if typ == nil {
			typ = p.typeName(t, name.Pos())
			if typ == nil {
				return nil, false
			}
		}
		stmts = append(stmts, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: s.Pos(), Tok: token.VAR,
			Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{name}, Type: typ}}}})
		target = func() ast.Expr { return &ast.Ident{NamePos: name.NamePos, Name: name.Name} }
		at = s.End() // where the new variable is in scope
	}
	from := src
	if star, ok := ast.Unparen(src).(*ast.StarExpr); ok {
		from = star.X // p.X and pa[0] dereference the pointer themselves
	}
	if !p.copySets(t, target, func() ast.Expr { return p.CloneNode(from).(ast.Expr) }, at, s.Pos(), &stmts, nil) {
		return nil, false
	}
	return stmts, true
}

// copySets appends one assignment per leaf of a value of type t, from the
// place src() names into the place dst() names (fresh nodes each call).
//
// With retarget, the destination is written from each checked source
// leaf instead (a variable no scope holds: its leaves cannot be checked).
func (p *Rewriter) copySets(t types.Type, dst, src func() ast.Expr, at, pos token.Pos, sets *[]ast.Stmt, retarget func(ast.Expr) ast.Expr) bool {
	var parts []func(ast.Expr) ast.Expr
	var partTypes []types.Type
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for f := range u.Fields() {
			if f.Name() == "_" {
				continue
			}
			parts = append(parts, func(x ast.Expr) ast.Expr {
				return &ast.SelectorExpr{X: p.operand(x), Sel: &ast.Ident{NamePos: pos, Name: f.Name()}}
			})
			partTypes = append(partTypes, f.Type())
		}
	case *types.Array:
		for i := range u.Len() {
			parts = append(parts, func(x ast.Expr) ast.Expr {
				return &ast.IndexExpr{X: p.operand(x), Lbrack: pos, Index: &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: fmt.Sprint(i)}, Rbrack: pos}
			})
			partTypes = append(partTypes, u.Elem())
		}
	default:
		from := src()
		if types.CheckExpr(p.Fset, p.Pkg, pos, from, p.Info) != nil {
			return false // an unexported field of another package's type
		}
		var to ast.Expr
		if retarget != nil {
			to = retarget(from)
		} else if to = dst(); types.CheckExpr(p.Fset, p.Pkg, at, to, p.Info) != nil {
			return false
		}
		*sets = append(*sets, &ast.AssignStmt{Lhs: []ast.Expr{to}, TokPos: pos, Tok: token.ASSIGN, Rhs: []ast.Expr{from}})
		return true
	}
	for i, part := range parts {
		if !p.copySets(partTypes[i], func() ast.Expr { return part(dst()) }, func() ast.Expr { return part(src()) }, at, pos, sets, retarget) {
			return false
		}
	}
	return true
}

// operand parenthesizes a dereference that a selector or an index is
// applied to: (*p).X, not *p.X.
func (p *Rewriter) operand(x ast.Expr) ast.Expr {
	if _, ok := x.(*ast.StarExpr); ok {
		return p.Paren(x)
	}
	return x
}

// copyableAggregate reports whether t is a struct or array holding
// floats and no slices or pointers (byValueAggregate), the values whose
// copies the lowering would otherwise refuse; one with slices is an
// element alias, or refused (see elementAlias).
func copyableAggregate(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array:
		return gotypes.ByValueAggregate(t)
	}
	return false
}

// copyLeaves counts the assignments a copy of a t becomes, or -1 past
// maxCopyLeaves.
func copyLeaves(t types.Type, sofar int) int {
	if sofar > MaxCopyLeaves {
		return -1
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for f := range u.Fields() {
			if f.Name() == "_" {
				continue
			}
			if sofar = copyLeaves(f.Type(), sofar); sofar < 0 {
				return -1
			}
		}
		return sofar
	case *types.Array:
		for range u.Len() {
			if sofar = copyLeaves(u.Elem(), sofar); sofar < 0 {
				return -1
			}
		}
		return sofar
	}
	return sofar + 1
}

// plainPlace reports whether e names memory without calling anything: a
// variable, field, element or dereference, with indexes free of calls
// (the copy reads it once per leaf).
func (p *Rewriter) plainPlace(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return p.plainPlace(e.X)
	case *ast.StarExpr:
		return p.plainPlace(e.X)
	case *ast.IndexExpr:
		return p.CallsNothing(e.Index) && p.plainPlace(e.X)
	}
	return false
}

// CallsNothing reports whether e calls no function: conversions and len
// and cap are no calls.
func (p *Rewriter) CallsNothing(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall || p.Info.Types[call.Fun].IsType() {
			return ok
		}
		if gotypes.IsBuiltinCall(p.Info, call, "len", "cap") {
			return ok
		}
		ok = false
		return ok
	})
	return ok
}

// indexesMention reports whether an index inside the place e reads name:
// pts[pts[0].I] = q would move its own target while copying.
func indexesMention(e ast.Expr, name string) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		return indexesMention(e.X, name)
	case *ast.StarExpr:
		return indexesMention(e.X, name)
	case *ast.IndexExpr:
		return mentionsName(e.Index, name) || indexesMention(e.X, name)
	}
	return false
}

// typeName writes t as a type expression carrying the type the checker
// would record; nil when t has no name the function could write (an
// instantiated generic type, a type declared in another function).
func (p *Rewriter) typeName(t types.Type, pos token.Pos) ast.Expr {
	if _, ok := gotypes.IrType(t); !ok {
		return nil
	}
	qual := func(other *types.Package) string {
		if other == p.Pkg {
			return ""
		}
		return other.Name()
	}
	id := &ast.Ident{NamePos: pos, Name: types.TypeString(t, qual)}
	tv := typeExpr()
	tv.Type = t
	p.Info.Types[id] = tv
	return id
}

// WithoutArrayRangeWrites gives a range over an array that its body
// writes the copy Go ranges over (for i, v := range a { a[j] = ... }):
// a local copy declared just before the loop (aCopy := a, which
// withoutWholeCopies then writes field by field), ranged over instead.
// The values the loop reads are then the copy's, as in Go. A labeled
// range is left alone (its label must stay on the loop), and refused.
func (p *Rewriter) WithoutArrayRangeWrites(decl *ast.FuncDecl) *ast.FuncDecl {
	if decl.Body == nil {
		return decl
	}
	taken := map[string]bool{}
	ast.Inspect(decl, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			taken[id.Name] = true
		}
		return true
	})
	changed := false
	var rewrite func(s ast.Stmt) ([]ast.Stmt, bool)
	rewrite = func(s ast.Stmt) ([]ast.Stmt, bool) {
		r, ok := s.(*ast.RangeStmt)
		if !ok || r.Value == nil {
			return nil, false
		}
		x, ok := ast.Unparen(r.X).(*ast.Ident)
		if !ok {
			return nil, false
		}
		arr, ok := p.Info.Uses[x].(*types.Var)
		if !ok || arr.Parent() == p.Pkg.Scope() {
			return nil, false
		}
		if _, isArray := arr.Type().Underlying().(*types.Array); !isArray || !p.writesVar(r.Body, arr) {
			return nil, false
		}
		name := x.Name + "Copy"
		for k := 1; taken[name] || p.Pkg.Scope().Lookup(name) != nil || types.Universe.Lookup(name) != nil; k++ {
			name = fmt.Sprintf("%sCopy%d", x.Name, k)
		}
		taken[name] = true
		typ := p.typeName(arr.Type(), r.For)
		if typ == nil || copyLeaves(arr.Type(), 0) < 0 {
			return nil, false
		}
		obj := types.NewVar(r.For, p.Pkg, name, arr.Type())
		ident := func() *ast.Ident {
			id := &ast.Ident{NamePos: x.NamePos, Name: name}
			p.Info.Uses[id] = obj
			p.Info.Types[id] = p.Info.Types[x]
			return id
		}
		def := &ast.Ident{NamePos: r.For, Name: name}
		p.Info.Defs[def] = obj
		stmts := []ast.Stmt{&ast.DeclStmt{Decl: &ast.GenDecl{TokPos: r.For, Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{def}, Type: typ}}}}}
		// Each leaf of the copy is the array's leaf with its root
		// renamed: aCopy[1] = a[1].
		retarget := func(from ast.Expr) ast.Expr {
			to := p.CloneNode(from).(ast.Expr)
			return astutil.Apply(to, func(c *astutil.Cursor) bool {
				if id, ok := c.Node().(*ast.Ident); ok && p.Info.Uses[id] == arr {
					c.Replace(ident())
				}
				return true
			}, nil).(ast.Expr)
		}
		src := func() ast.Expr { return &ast.Ident{NamePos: r.For, Name: x.Name} }
		if !p.copySets(arr.Type(), nil, src, r.For, r.For, &stmts, retarget) {
			return nil, false
		}
		loop := *r
		loop.X = ident()
		loop.Body = Block(r.Body, rewrite) // ranges inside it too
		changed = true
		return append(stmts, &loop), true
	}
	body := Block(decl.Body, rewrite)
	if !changed {
		return decl
	}
	rewritten := *decl
	rewritten.Body = body
	return &rewritten
}

// writesVar reports whether n assigns to v or to an element or field of
// it, or takes its address.
func (p *Rewriter) writesVar(n ast.Node, v types.Object) bool {
	found := false
	ForEachWrite(n, func(x ast.Expr) {
		if root := p.RootVar(ast.Unparen(x)); root != nil && root == v {
			found = true
		}
	})
	return found
}
