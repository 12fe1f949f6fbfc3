package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// NameChangedAt returns the first name n reads from outside own (the
// package's names, imported packages, a literal's captured variables)
// that means something else at pos, or reports false when each means the
// same there: written at pos, n would compute what it does where it is.
func (p *Rewriter) NameChangedAt(n, own ast.Node, pos token.Pos) (string, bool) {
	scope := p.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return "", true
	}
	changed := ""
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if sel, isSel := n.(*ast.SelectorExpr); isSel {
			// A qualified name, field or method: only its left side is
			// looked up in scope.
			ast.Inspect(sel.X, visit)
			return false
		}
		id, isID := n.(*ast.Ident)
		if !isID {
			return changed == ""
		}
		obj := p.Info.Uses[id]
		if obj == nil || obj.Pos() >= own.Pos() && obj.Pos() < own.End() {
			return true // own's
		}
		if v, isVar := obj.(*types.Var); isVar && v.IsField() {
			return true // a field name in a struct literal
		}
		_, there := scope.LookupParent(id.Name, pos)
		same := there == obj
		if pn, isPkg := obj.(*types.PkgName); isPkg {
			other, isPkg2 := there.(*types.PkgName)
			same = isPkg2 && other.Imported() == pn.Imported()
		}
		if !same {
			changed = id.Name
		}
		return changed == ""
	}
	ast.Inspect(n, visit)
	return changed, changed != ""
}

// ImportName is how file names pkg: "" for the package itself, the name
// of file's import of it, or (false) pkg's own name when file does not
// import it.
func (p *Rewriter) ImportName(file *ast.File, pkg *types.Package) (string, bool) {
	if pkg == p.Pkg {
		return "", true
	}
	for _, imp := range file.Imports {
		if pn := p.Info.PkgNameOf(imp); pn != nil && pn.Imported() == pkg {
			return pn.Name(), true
		}
	}
	return pkg.Name(), false
}
