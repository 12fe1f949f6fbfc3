package lower

import (
	"go/ast"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// The function's variables: their names in generated code, how often the
// body assigns each, and activity analysis switched off.

// ParamName is the generated function's name for the parameter v: its
// own, or _ for an unnamed or blank one.
func (l *Lowerer) ParamName(v *types.Var) string {
	if v.Name() == "" || v.Name() == "_" {
		return "_"
	}
	return l.VariableOf(v).Name
}

// DeclareSourceNames gives every parameter and local its name, in order of
// declaration: the first of a name keeps it, shadowing ones get a suffix.
func (l *Lowerer) DeclareSourceNames(g *Target) {
	var objs []types.Object
	if g.Recv != nil {
		objs = append(objs, g.Recv)
	}
	for _, p := range g.Params {
		objs = append(objs, p)
	}
	ast.Inspect(g.Decl.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj, ok := l.Info.Defs[id].(*types.Var); ok {
				objs = append(objs, obj)
			}
			if obj, ok := l.Info.Defs[id].(*types.Const); ok {
				objs = append(objs, obj)
			}
		}
		return true
	})
	given := map[string]bool{}
	if l.importNames == nil {
		l.importNames = map[string]bool{}
		for _, name := range l.Pkg.Imports() {
			l.importNames[name.Name()] = true
		}
	}
	for _, obj := range objs {
		if obj.Name() == "_" || obj.Name() == "" {
			continue
		}
		name := obj.Name()
		// A local named like a package the generated code refers to
		// (math) would capture its references: it gets another name.
		if given[name] || name == "math" || l.importNames[name] {
			name = l.Names.Fresh(name)
		}
		given[name] = true
		t, _ := gotypes.IrType(obj.Type())
		v := &Variable{Name: name, Typ: obj.Type(), IR: t, obj: obj}
		l.vars[obj] = v
		l.byName[name] = v
	}
}

// countDefs counts the assignments to each variable, to know which adjoints
// never need resetting. An assignment inside a loop counts as many.
func (l *Lowerer) countDefs() {
	var walk func(n ast.Node, weight int)
	walk = func(n ast.Node, weight int) {
		ast.Inspect(n, func(m ast.Node) bool {
			if m != n {
				switch m.(type) {
				case *ast.ForStmt, *ast.RangeStmt:
					walk(m, 2)
					return false
				}
			}
			count := func(x ast.Expr) {
				if obj := l.RootVar(x); obj != nil {
					if v, ok := l.vars[obj]; ok {
						v.defs += weight
					}
				}
			}
			switch m := m.(type) {
			case *ast.AssignStmt:
				for _, x := range m.Lhs {
					count(x)
				}
			case *ast.IncDecStmt:
				count(m.X)
			case *ast.ValueSpec:
				for _, x := range m.Names {
					count(x)
				}
			case *ast.RangeStmt:
				if m.Key != nil {
					count(m.Key)
				}
				if m.Value != nil {
					count(m.Value)
				}
			}
			return true
		})
	}
	walk(l.Fn.Body, 1)
}

// markAllActive is activity analysis switched off: every float variable is
// varied and every assignment useful.
func (l *Lowerer) markAllActive(g *Target) {
	// Slices and pointers keep their real activity: an adjoint view needs
	// adjoint storage behind it, which only the wrt parameters have.
	for obj := range l.vars {
		if v, ok := obj.(*types.Var); ok && gotypes.IsDifferentiable(v.Type()) && !gotypes.IsRef(v.Type()) {
			l.Varied[v] = true
		}
	}
	ast.Inspect(g.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				l.useful[x] = true
			}
		case *ast.IncDecStmt:
			l.useful[n.X] = true
		case *ast.ValueSpec:
			for _, x := range n.Names {
				l.useful[x] = true
			}
		}
		return true
	})
	// Every other parameter is a constant input: not varied.
	for _, p := range g.Params {
		if !g.WrtSet[p] {
			delete(l.Varied, p)
		}
	}
	if g.Recv != nil && !g.WrtSet[g.Recv] {
		delete(l.Varied, g.Recv)
	}
}
