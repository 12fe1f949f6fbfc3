// Package rewrite turns a function's body into the smaller Go that the
// lowering models, in a copy of the syntax tree with its types recorded:
// named results become locals and explicit returns, copy builtins and
// whole-array copies become element loops, composite literals become
// element writes. Each rewrite keeps the source's positions, so that
// errors found later point at what the user wrote.
package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// A Rewriter rewrites the syntax of one type-checked package, recording
// the types of the nodes it writes in Info (a copy of the package's, so
// that other analyzers sharing it see none of gradgen's nodes).
type Rewriter struct {
	Fset *token.FileSet
	Info *types.Info
	Pkg  *types.Package
}

// Simplified returns decl with every rewrite of this package applied, in
// the order each needs: named results first (the others see plain
// returns), then composite literals, copy builtins, ranges that write
// arrays, and whole copies.
func (p *Rewriter) Simplified(decl *ast.FuncDecl) *ast.FuncDecl {
	return p.WithoutWholeCopies(p.WithoutArrayRangeWrites(p.WithoutCopies(p.WithoutCompositeLiterals(p.WithoutNamedResults(decl)))))
}
