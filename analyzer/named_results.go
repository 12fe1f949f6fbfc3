package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Named results and bare returns are written into the form the lowering
// knows, once, before anything reads the function: each named result
// becomes a local declared at the top of the body (var r T: zero, as Go
// starts it) and every bare return names the results (return r). Since
// gradgen refuses defer, a return with values (return e) already means
// what it does without the names.
//
// The rewrite is a copy and leaves the package's syntax trees alone (an
// analysis driver shares them between analyzers): the statements on the
// path to each bare return are new, everything else is shared. The new
// identifiers are type-checked where they stand (types.CheckExpr), so they
// resolve to the results as the source's own uses do; the declarations'
// names are recorded as defining the results' objects.

// withoutNamedResults returns decl rewritten as above, or decl itself when
// its results are unnamed (or all blank, which no statement can name).
func (p *pkgContext) withoutNamedResults(decl *ast.FuncDecl) *ast.FuncDecl {
	if decl.Body == nil || decl.Type.Results == nil {
		return decl
	}
	var results []*ast.Ident
	for _, f := range decl.Type.Results.List {
		results = append(results, f.Names...)
	}
	named := false
	for _, r := range results {
		named = named || r.Name != "_"
	}
	if !named {
		return decl
	}
	d := &namedResults{p: p, results: results}
	body := d.block(decl.Body)
	if d.failed {
		return decl // the refusal stays where the lowering reports it
	}
	var decls []ast.Stmt
	for _, f := range decl.Type.Results.List {
		for _, name := range f.Names {
			if name.Name == "_" {
				continue
			}
			id := &ast.Ident{NamePos: name.NamePos, Name: name.Name}
			p.info.Defs[id] = p.info.Defs[name]
			decls = append(decls, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: name.NamePos, Tok: token.VAR,
				Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{id}, Type: f.Type}}}})
		}
	}
	body.List = append(decls, body.List...)
	out := *decl
	out.Body = body
	return &out
}

type namedResults struct {
	p       *pkgContext
	results []*ast.Ident
	failed  bool
}

func (d *namedResults) block(b *ast.BlockStmt) *ast.BlockStmt {
	out := *b
	out.List = make([]ast.Stmt, len(b.List))
	for i, s := range b.List {
		out.List[i] = d.stmt(s)
	}
	return &out
}

// stmt copies s when a bare return lies inside it, else returns s.
func (d *namedResults) stmt(s ast.Stmt) ast.Stmt {
	if !hasBareReturn(s) {
		return s
	}
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return d.bareReturn(s)
	case *ast.BlockStmt:
		return d.block(s)
	case *ast.LabeledStmt:
		out := *s
		out.Stmt = d.stmt(s.Stmt)
		return &out
	case *ast.IfStmt:
		out := *s
		out.Body = d.block(s.Body)
		if s.Else != nil {
			out.Else = d.stmt(s.Else)
		}
		return &out
	case *ast.ForStmt:
		out := *s
		out.Body = d.block(s.Body)
		return &out
	case *ast.RangeStmt:
		out := *s
		out.Body = d.block(s.Body)
		return &out
	case *ast.SwitchStmt:
		out := *s
		out.Body = d.block(s.Body)
		return &out
	case *ast.TypeSwitchStmt:
		out := *s
		out.Body = d.block(s.Body)
		return &out
	case *ast.CaseClause:
		out := *s
		out.Body = make([]ast.Stmt, len(s.Body))
		for i, c := range s.Body {
			out.Body[i] = d.stmt(c)
		}
		return &out
	}
	// A bare return where gradgen refuses the statement anyway (select,
	// a function literal): leave the function as it is.
	d.failed = true
	return s
}

// bareReturn is return r1, r2, ... in place of return.
func (d *namedResults) bareReturn(ret *ast.ReturnStmt) ast.Stmt {
	out := *ret
	out.Results = nil
	for _, r := range d.results {
		if r.Name == "_" {
			d.failed = true // return of a blank result: nothing can name it
			return ret
		}
		id := &ast.Ident{NamePos: ret.Return, Name: r.Name}
		if err := types.CheckExpr(d.p.fset, d.p.pkg, ret.Return, id, d.p.info); err != nil || d.p.info.Uses[id] != d.p.info.Defs[r] {
			d.failed = true
			return ret
		}
		out.Results = append(out.Results, id)
	}
	return &out
}

// hasBareReturn reports whether a return without values lies in s,
// outside function literals (whose returns are their own).
func hasBareReturn(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				found = true
			}
		}
		return !found
	})
	return found
}
