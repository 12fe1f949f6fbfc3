package rewrite

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
// The rewrite is a copy (rewriteBody) and leaves the package's syntax
// trees alone. The new identifiers are type-checked where they stand
// (types.CheckExpr), so they resolve to the results as the source's own
// uses do; the declarations' names are recorded as defining the results'
// objects.

// WithoutNamedResults returns decl rewritten as above, or decl itself when
// its results are unnamed (or all blank, which no statement can name).
func (p *Rewriter) WithoutNamedResults(decl *ast.FuncDecl) *ast.FuncDecl {
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
	body := Block(decl.Body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		if ret, ok := s.(*ast.ReturnStmt); ok && len(ret.Results) == 0 {
			return []ast.Stmt{d.bareReturn(ret)}, true
		}
		return nil, false
	})
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
			p.Info.Defs[id] = p.Info.Defs[name]
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
	p       *Rewriter
	results []*ast.Ident
	failed  bool
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
		if err := types.CheckExpr(d.p.Fset, d.p.Pkg, ret.Return, id, d.p.Info); err != nil || d.p.Info.Uses[id] != d.p.Info.Defs[r] {
			d.failed = true
			return ret
		}
		out.Results = append(out.Results, id)
	}
	return &out
}
