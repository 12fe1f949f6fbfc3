package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// Signatures: what an annotated function may be, the generated function
// it gets, and the names its code may not take.

// checkSignature validates the directive's options against fn's signature.
func (p *pkgContext) checkSignature(fn *ast.FuncDecl, dir *directive, report func(token.Pos, string, ...any)) *gradFunc {
	obj, ok := p.info.Defs[fn.Name].(*types.Func)
	if !ok {
		return nil
	}
	sig := obj.Type().(*types.Signature)
	decl := fn
	if site, ok := p.decls[obj]; ok {
		decl = site.decl // named results written as locals
	}
	g := &gradFunc{decl: decl, dir: dir, recv: sig.Recv(), wrtSet: map[*types.Var]bool{}}
	ok = true
	if sig.TypeParams().Len() > 0 || (sig.Recv() != nil && sig.RecvTypeParams().Len() > 0) {
		report(fn.Name.Pos(), "%s is generic: gradgen differentiates functions with concrete float types; write a non-generic wrapper and annotate it", fn.Name.Name)
		ok = false
	}
	if sig.Results().Len() != 1 || !isFloat(sig.Results().At(0).Type()) {
		pos := fn.Type.Func
		if fn.Type.Results != nil {
			pos = fn.Type.Results.Pos()
		}
		report(pos, "%s must return a single float (float64, float32 or a named float type) to have a gradient; it returns %s", fn.Name.Name, resultsString(sig.Results()))
		ok = false
	} else {
		g.result = sig.Results().At(0).Type()
		g.results = []types.Type{g.result}
	}
	for i := range sig.Params().Len() {
		g.params = append(g.params, sig.Params().At(i))
	}
	g.name = derivativeName(fn.Name.Name, dir.kind)
	if dir.name != "" {
		g.name = dir.name
	}
	all := g.params
	if g.recv != nil {
		all = append([]*types.Var{g.recv}, all...)
	}
	if dir.wrt == nil {
		for _, v := range all {
			if isDifferentiable(v.Type()) && v.Name() != "" && v.Name() != "_" {
				g.wrt = append(g.wrt, v)
			}
		}
	} else {
		byName := map[string]*types.Var{}
		for _, v := range all {
			byName[v.Name()] = v
		}
		for _, name := range dir.wrt {
			v, found := byName[name]
			switch {
			case !found:
				report(dir.wrtAt, "wrt=%s: %s has no parameter named %s (parameters: %s)", strings.Join(dir.wrt, ","), fn.Name.Name, name, paramNames(all))
				ok = false
			case !isDifferentiable(v.Type()):
				report(dir.wrtAt, "wrt=%s: parameter %s has type %s, which carries no derivative (differentiable types are floats and slices, arrays, structs and pointers of them)", strings.Join(dir.wrt, ","), name, types.TypeString(v.Type(), types.RelativeTo(p.pkg)))
				ok = false
			case g.wrtSet[v]:
				report(dir.wrtAt, "wrt=%s: %s is named twice", strings.Join(dir.wrt, ","), name)
				ok = false
			default:
				g.wrtSet[v] = true
			}
		}
		// Keep parameter order whatever the order of wrt=.
		for _, v := range all {
			if g.wrtSet[v] {
				g.wrt = append(g.wrt, v)
			}
		}
	}
	for _, v := range all {
		if _, writable := irType(v.Type()); !writable {
			report(v.Pos(), "gradgen cannot write the type %s of parameter %s in the generated file: give the type a name in this package", types.TypeString(v.Type(), types.RelativeTo(p.pkg)), v.Name())
			ok = false
		}
	}
	for _, v := range g.wrt {
		g.wrtSet[v] = true
		if _, ok2 := irType(v.Type()); !ok2 || containsMap(v.Type()) {
			report(v.Pos(), "parameter %s has type %s, which gradgen cannot give a gradient: use floats, and slices, arrays, structs and pointers of them", v.Name(), types.TypeString(v.Type(), types.RelativeTo(p.pkg)))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return g
}

// containsMap reports whether t holds a map, whose adjoint gradgen does
// not build.
func containsMap(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Map:
		return true
	case *types.Slice:
		return containsMap(u.Elem())
	case *types.Array:
		return containsMap(u.Elem())
	case *types.Pointer:
		return containsMap(u.Elem())
	}
	return false
}

func resultsString(t *types.Tuple) string {
	if t.Len() == 0 {
		return "nothing"
	}
	parts := make([]string, t.Len())
	for i := range t.Len() {
		parts[i] = t.At(i).Type().String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func paramNames(vs []*types.Var) string {
	var names []string
	for _, v := range vs {
		names = append(names, v.Name())
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// reservedNames are the names a generated function must not shadow: every
// identifier in the source function, the package's own names and the
// file's imports.
func (p *pkgContext) reservedNames(fn *ast.FuncDecl, file *ast.File) map[string]bool {
	r := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			r[id.Name] = true
		}
		return true
	})
	for _, name := range p.pkg.Scope().Names() {
		// Names from gradgen's own earlier output do not count: the
		// command does not see them, the analyzer does, and both must
		// generate the same code.
		if obj := p.pkg.Scope().Lookup(name); obj != nil && IsOutputPath(p.fset.Position(obj.Pos()).Filename) {
			continue
		}
		r[name] = true
	}
	for _, imp := range file.Imports {
		if pn := p.info.PkgNameOf(imp); pn != nil {
			r[pn.Name()] = true
		}
	}
	return r
}
