package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Signatures: what an annotated function may be, the generated function
// it gets, and the names its code may not take.

// CheckSignature validates the directive's options against fn's signature.
func (p *Package) CheckSignature(fn *ast.FuncDecl, dir *Directive, report func(token.Pos, string, ...any)) *Target {
	obj, ok := p.Info.Defs[fn.Name].(*types.Func)
	if !ok {
		return nil
	}
	sig := obj.Type().(*types.Signature)
	decl := fn
	if site, ok := p.Decls[obj]; ok {
		decl = site.Decl // named results written as locals
	}
	g := &Target{Decl: decl, Dir: dir, Recv: sig.Recv(), WrtSet: map[*types.Var]bool{}}
	ok = true
	if !p.checkTypeParams(fn, dir, sig, report) {
		return nil
	}
	for i := range sig.Params().Len() {
		g.Params = append(g.Params, sig.Params().At(i))
	}
	if !p.checkOutputs(fn, dir, sig, g, report) {
		ok = false
	}
	g.Name = derivativeName(fn.Name.Name, dir.Kind)
	if dir.name != "" {
		g.Name = dir.name
	}
	all := g.Params
	if g.Recv != nil {
		all = append([]*types.Var{g.Recv}, all...)
	}
	if dir.wrt == nil {
		for _, v := range all {
			if gotypes.IsDifferentiable(v.Type()) && v.Name() != "" && v.Name() != "_" && v != g.Out {
				g.Wrt = append(g.Wrt, v)
			}
		}
	} else if !p.namedWrt(fn, dir, g, all, report) {
		ok = false
	}
	if !p.checkWritableParams(all, report) {
		ok = false
	}
	if !p.checkWrtTypes(g, report) {
		ok = false
	}
	if !ok {
		return nil
	}
	return g
}

// checkTypeParams reports, and returns false for, a method of a generic
// type, or a generic function gradgen cannot differentiate (a type
// parameter that is not a float, or a directive other than a gradient or
// a JVP of one result). Nothing else is checked then: the type
// parameters would only cause more errors.
func (p *Package) checkTypeParams(fn *ast.FuncDecl, dir *Directive, sig *types.Signature, report func(token.Pos, string, ...any)) bool {
	if sig.Recv() != nil && sig.RecvTypeParams().Len() > 0 {
		report(fn.Name.Pos(), "%s is a method of a generic type: gradgen differentiates generic functions, not yet methods of generic types; write a generic function that takes the receiver's fields", fn.Name.Name)
		return false // its type parameters would only cause more errors
	}
	for i := range sig.TypeParams().Len() {
		tp := sig.TypeParams().At(i)
		if !gotypes.FloatTypeSet(tp.Constraint()) {
			report(fn.Name.Pos(), "%s's type parameter %s is constrained by %s: gradgen differentiates generic functions whose type parameters are floats (~float32 | ~float64); for other type parameters, write the function for its float type", fn.Name.Name, tp.Obj().Name(), types.TypeString(tp.Constraint(), types.RelativeTo(p.Pkg)))
			return false
		}
		if dir.Kind != "grad" && dir.Kind != "jvp" || dir.out != "" || sig.Results().Len() != 1 {
			report(fn.Name.Pos(), "%s is generic: gradgen writes //gradgen:grad and //gradgen:jvp of generic functions with one result, not yet //gradgen:%s of this one; write a non-generic function for the float type you need and annotate it", fn.Name.Name, dir.Kind)
			return false
		}
	}
	return true
}

// namedWrt fills g.wrt and g.wrtSet from wrt=, in parameter order
// whatever the order of wrt=, reporting every name that is no
// parameter, carries no derivative, is named twice or is the output.
// It returns false if any was reported; the valid names are kept so
// that the checks after it see them.
func (p *Package) namedWrt(fn *ast.FuncDecl, dir *Directive, g *Target, all []*types.Var, report func(token.Pos, string, ...any)) bool {
	ok := true
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
		case !gotypes.IsDifferentiable(v.Type()):
			report(dir.wrtAt, "wrt=%s: parameter %s has type %s, which carries no derivative (differentiable types are floats and slices, arrays, structs and pointers of them)", strings.Join(dir.wrt, ","), name, types.TypeString(v.Type(), types.RelativeTo(p.Pkg)))
			ok = false
		case g.WrtSet[v]:
			report(dir.wrtAt, "wrt=%s: %s is named twice", strings.Join(dir.wrt, ","), name)
			ok = false
		case v == g.Out:
			report(dir.wrtAt, "wrt=%s: %s is the output (out=%s), not an input: leave it out of wrt=", strings.Join(dir.wrt, ","), name, name)
			ok = false
		default:
			g.WrtSet[v] = true
		}
	}
	// Keep parameter order whatever the order of wrt=.
	for _, v := range all {
		if g.WrtSet[v] {
			g.Wrt = append(g.Wrt, v)
		}
	}
	return ok
}

// checkWritableParams reports every parameter (receiver included) whose
// type the generated file cannot spell, and returns false if there was
// one: the generated function repeats the parameter list.
func (p *Package) checkWritableParams(all []*types.Var, report func(token.Pos, string, ...any)) bool {
	ok := true
	for _, v := range all {
		if _, writable := gotypes.IrType(v.Type()); !writable {
			way := "give the type a name in this package"
			if instantiatedGeneric(v.Type()) {
				// P[float64]: its name is one already; gradgen does not
				// differentiate generic types.
				way = "gradgen does not differentiate values of generic types yet; declare a non-generic struct type (type P64 struct{ X, Y float64 }), or make the function generic over the float type and pass the fields"
			}
			report(v.Pos(), "gradgen cannot write the type %s of parameter %s in the generated file: %s", types.TypeString(v.Type(), types.RelativeTo(p.Pkg)), v.Name(), way)
			ok = false
		}
	}
	return ok
}

// checkWrtTypes marks every parameter of g.wrt in g.wrtSet and reports
// those whose type gradgen cannot build a gradient of (one it cannot
// write, or one holding a map), returning false if there was one.
func (p *Package) checkWrtTypes(g *Target, report func(token.Pos, string, ...any)) bool {
	ok := true
	for _, v := range g.Wrt {
		g.WrtSet[v] = true
		if _, ok2 := gotypes.IrType(v.Type()); !ok2 || containsMap(v.Type()) {
			report(v.Pos(), "parameter %s has type %s, which gradgen cannot give a gradient: use floats, and slices, arrays, structs and pointers of them", v.Name(), types.TypeString(v.Type(), types.RelativeTo(p.Pkg)))
			ok = false
		}
	}
	return ok
}

// containsMap reports whether t holds a map, whose adjoint gradgen does
// not build.
// vectorKinds are the directives that take vector-valued functions: an
// output parameter (out=y) or several float results.
var vectorKinds = []string{"jvp", "vjp", "jacobian"}

// checkOutputs validates what fn computes against what the directive
// needs: one float result for a gradient or second derivatives; for the
// vector directives also an output parameter named by out= (and no
// result), or float results only. It fills g.out, g.result and g.results.
func (p *Package) checkOutputs(fn *ast.FuncDecl, dir *Directive, sig *types.Signature, g *Target, report func(token.Pos, string, ...any)) bool {
	resultsPos := fn.Type.Func
	if fn.Type.Results != nil {
		resultsPos = fn.Type.Results.Pos()
	}
	vector := slices.Contains(vectorKinds, dir.Kind)
	if dir.out != "" {
		if !vector {
			report(dir.outAt, "out=%s: out= names the output of a vector-valued function, for //gradgen:jvp, vjp and jacobian; //gradgen:%s differentiates a function's single float result", dir.out, dir.Kind)
			return false
		}
		for _, v := range g.Params {
			if v.Name() == dir.out {
				g.Out = v
			}
		}
		switch {
		case g.Out == nil && sig.Recv() != nil && sig.Recv().Name() == dir.out:
			report(dir.outAt, "out=%s: %s is the receiver; the output must be a float slice parameter the function fills", dir.out, dir.out)
			return false
		case g.Out == nil:
			report(dir.outAt, "out=%s: %s has no parameter named %s (parameters: %s)", dir.out, fn.Name.Name, dir.out, paramNames(g.Params))
			return false
		case !gotypes.IsFloatSlice(g.Out.Type()) && !gotypes.IsFloatArrayPointer(g.Out.Type()) && OutputStruct(g.Out.Type()) == nil:
			yet := ""
			if ptr, ok := g.Out.Type().Underlying().(*types.Pointer); ok && gotypes.IsDifferentiable(ptr.Elem()) {
				yet = " (a struct must hold floats of one type, arrays of them and such structs, no slices or pointers)"
			}
			report(dir.outAt, "out=%s: the output parameter must be a float slice, or a pointer to a float array or to a struct of floats ([]float64, *[3]float64, *Point); %s has type %s%s", dir.out, dir.out, types.TypeString(g.Out.Type(), types.RelativeTo(p.Pkg)), yet)
			return false
		case sig.Results().Len() > 0:
			report(resultsPos, "%s has the output parameter %s (out=%s) and returns %s too: with out=, the function fills its output and returns nothing", fn.Name.Name, dir.out, dir.out, resultsString(sig.Results()))
			return false
		}
		return true
	}
	floats := sig.Results().Len() > 0
	for i := range sig.Results().Len() {
		if !gotypes.IsFloat(sig.Results().At(i).Type()) {
			floats = false
		}
	}
	switch {
	case floats && (sig.Results().Len() == 1 || vector):
		g.Result = sig.Results().At(0).Type()
		for i := range sig.Results().Len() {
			g.Results = append(g.Results, sig.Results().At(i).Type())
		}
		return true
	case vector && sig.Results().Len() == 0:
		report(resultsPos, "%s returns nothing: name the output parameter it fills with out= (//gradgen:%s out=y)", fn.Name.Name, dir.Kind)
	case vector:
		report(resultsPos, "%s must return floats (float64, float32 or named float types) or fill an output parameter (out=y) to have a %s; it returns %s", fn.Name.Name, strings.ToUpper(dir.Kind[:1])+dir.Kind[1:], resultsString(sig.Results()))
	default:
		report(resultsPos, "%s must return a single float (float64, float32 or a named float type) to have a %s; it returns %s: for a vector-valued function use //gradgen:vjp or //gradgen:jacobian (with out=y for an output parameter it fills)", fn.Name.Name, kindNoun(dir.Kind), resultsString(sig.Results()))
	}
	return false
}

// kindNoun names what a directive generates, for messages.
func kindNoun(kind string) string {
	switch kind {
	case "hvp":
		return "Hessian-vector product"
	case "hessian":
		return "Hessian"
	}
	return "gradient"
}

// OutputElem is the float type of an output's elements.
func OutputElem(t types.Type) types.Type {
	if st := OutputStruct(t); st != nil {
		return staticFloatElem(st)
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem().Underlying().(*types.Array).Elem()
	}
	return t.Underlying().(*types.Slice).Elem()
}

// OutputStruct is the struct t points to when t can be an output: its
// floats, in fields, arrays and nested structs of that kind, are of one
// type and of a size fixed by the type (no slices, pointers or maps). Nil
// otherwise.
func OutputStruct(t types.Type) *types.Struct {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || staticFloatElem(st) == nil {
		return nil
	}
	return st
}

// staticFloatElem is the one float type of t's components when they are
// fixed by the type, and nil when t has none, has several float types, or
// holds a slice, pointer, map or interface.
func staticFloatElem(t types.Type) types.Type {
	var elem types.Type
	ok := true
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if gotypes.IsTypeParam(t) {
			if elem != nil && !types.Identical(elem, t) {
				ok = false
			}
			elem = t
			return
		}
		switch u := t.Underlying().(type) {
		case *types.Basic:
			if gotypes.IsFloat(u) {
				if elem != nil && !types.Identical(elem, t) {
					ok = false
				}
				elem = t
			}
		case *types.Array:
			walk(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				walk(u.Field(i).Type())
			}
		case *types.Slice, *types.Pointer, *types.Map, *types.Interface, *types.Chan, *types.Signature:
			ok = false
		}
	}
	walk(t)
	if !ok {
		return nil
	}
	return elem
}

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
func (p *Package) reservedNames(fn *ast.FuncDecl, file *ast.File) map[string]bool {
	r := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			r[id.Name] = true
		}
		return true
	})
	for _, name := range p.Pkg.Scope().Names() {
		// Names from gradgen's own earlier output do not count: the
		// command does not see them, the analyzer does, and both must
		// generate the same code.
		if obj := p.Pkg.Scope().Lookup(name); obj != nil && IsOutputPath(p.Fset.Position(obj.Pos()).Filename) {
			continue
		}
		r[name] = true
	}
	for _, imp := range file.Imports {
		if pn := p.Info.PkgNameOf(imp); pn != nil {
			r[pn.Name()] = true
		}
	}
	return r
}

// instantiatedGeneric reports whether t is, or is built from, an
// instantiation of a generic type (P[float64], []P[T]).
func instantiatedGeneric(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		return t.TypeArgs().Len() > 0
	case *types.Pointer:
		return instantiatedGeneric(t.Elem())
	case *types.Slice:
		return instantiatedGeneric(t.Elem())
	case *types.Array:
		return instantiatedGeneric(t.Elem())
	}
	return false
}
