package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// Helpers: a callee of this package is expanded in place when it is one
// expression, else lowered into a helper of its own (value and partials, or
// a pullback), generated once per callee and set of active parameters.

// helperFor returns the name of the helper for a call, generating it on
// first use.
func (l *Lowerer) helperFor(call *ast.CallExpr, fn *types.Func, site DeclSite, mask string, pullback bool) (string, bool) {
	key := HelperKey{fn, mask}
	if h, ok := l.Helpers[key]; ok {
		if !h.Done {
			l.Errorf(call.Pos(), "cannot differentiate the recursive call %s: gradgen does not follow recursion; write the recursion as a loop, or give %s a //gradgen:rule", l.Source(call), fn.Name())
			return "", false
		}
		return h.Name, true
	}
	prefix := "gradOf"
	if pullback {
		prefix = "pullbackOf"
	}
	base := prefix + strings.ToUpper(fn.Name()[:1]) + fn.Name()[1:]
	// A helper for only some of the differentiable parameters says which.
	sig := fn.Type().(*types.Signature)
	var all []*types.Var
	if sig.Recv() != nil {
		all = append(all, sig.Recv())
	}
	for i := range sig.Params().Len() {
		all = append(all, sig.Params().At(i))
	}
	var wrt []string
	partial := false
	for i, v := range all {
		if !gotypes.IsDifferentiable(v.Type()) {
			continue
		}
		if mask[i] == '0' {
			partial = true
		} else {
			wrt = append(wrt, strings.ToUpper(v.Name()[:1])+v.Name()[1:])
		}
	}
	if partial {
		base += "Wrt" + strings.Join(wrt, "")
	}
	name := base
	taken := func(name string) bool {
		obj := l.Pkg.Scope().Lookup(name)
		// gradgen's own earlier output does not count: the analyzer sees it.
		return obj != nil && !IsOutputPath(l.Fset.Position(obj.Pos()).Filename) || l.HelperNames[name]
	}
	for i := 1; taken(name); i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	h := &Helper{Name: name, pullback: pullback}
	l.Helpers[key] = h
	l.HelperNames[name] = true
	diags := l.generateHelper(fn, site, mask, h)
	h.Done = true
	if len(diags) > 0 {
		l.Diags = append(l.Diags, diags...)
		l.Errorf(call.Pos(), "the call %s cannot be differentiated: see the errors in %s", l.Source(call), fn.Name())
		return "", false
	}
	return name, true
}

// generateHelper lowers the callee into its helper and files it with the
// callee's own generated file.
func (l *Lowerer) generateHelper(fn *types.Func, site DeclSite, mask string, h *Helper) []Diagnostic {
	sig := fn.Type().(*types.Signature)
	g := &Target{Decl: site.Decl, Dir: &Directive{}, Name: h.Name, Recv: sig.Recv(), WrtSet: map[*types.Var]bool{}, Options: l.Target.Options, Helper: true, Pullback: h.pullback}
	for i := range sig.Params().Len() {
		g.Params = append(g.Params, sig.Params().At(i))
	}
	g.Result = sig.Results().At(0).Type()
	for i := range sig.Results().Len() {
		g.Results = append(g.Results, sig.Results().At(i).Type())
	}
	all := g.Params
	if g.Recv != nil {
		all = append([]*types.Var{g.Recv}, all...)
	}
	for i, v := range all {
		if mask[i] != '0' {
			g.Wrt = append(g.Wrt, v)
			g.WrtSet[v] = true
		}
	}
	grad, _, diags := l.Package.LowerFunction(g, site.File)
	if len(diags) > 0 {
		return diags
	}
	grad.TypeParams = l.TypeParams(site.Decl)
	l.HelperFuncs[site.File] = append(l.HelperFuncs[site.File], grad)
	return nil
}

// bound returns the operand a parameter of a helper being expanded is
// bound to.
func (l *Lowerer) bound(obj types.Object) (Operand, bool) {
	for i := len(l.inlined) - 1; i >= 0; i-- {
		if o, ok := l.inlined[i].args[obj]; ok {
			return o, true
		}
	}
	return Operand{}, false
}

// inlineCall expands a call to a helper whose body is a single return of
// one expression (sigmoid, normCDF, sq) in place, as if its expression
// were written at the call with the arguments for the parameters: no call
// going forward or back, and nothing computed twice. The arguments are
// evaluated once, first, as a call does; a passive argument is expanded
// only when it is a plain variable or constant, which reading twice cannot
// change.
func (l *Lowerer) inlineCall(call *ast.CallExpr, fn *types.Func, site DeclSite, recvExpr ast.Expr, into *Variable) (Operand, bool) {
	sig := fn.Type().(*types.Signature)
	body := site.Decl.Body
	if recvExpr != nil || body == nil || len(body.List) != 1 || sig.Results().Len() != 1 || sig.Variadic() || call.Ellipsis.IsValid() {
		return Operand{}, false
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 || !gotypes.IsFloat(sig.Results().At(0).Type()) {
		return Operand{}, false
	}
	for _, f := range l.inlined {
		if f.fn == fn {
			return Operand{}, false // recursion: leave it to the helper's error
		}
	}
	if _, changed := l.NameChangedAt(ret.Results[0], site.Decl, call.Pos()); changed {
		// A name the body reads is another variable at the call (gain
		// := 10 beside a helper reading the package's gain): written
		// there it would read that one. The helper's own gradient reads
		// its own.
		return Operand{}, false
	}
	for i, a := range call.Args {
		p := sig.Params().At(i)
		if p.Name() == "" || p.Name() == "_" || !gotypes.IsFloat(p.Type()) && gotypes.IsDifferentiable(p.Type()) {
			return Operand{}, false // slices and structs go through helpers
		}
		if !l.ExprVaried(a) && !simpleExpr(a) {
			return Operand{}, false
		}
		if l.isConst(a) {
			// The call computes with a variable: written into the body the
			// constant would fold at compile time (3 for t in t / 2 is
			// integer division, -t of 0 loses its sign, 1e200 * 1e200
			// does not compile). The helper's gradient takes it as Go does.
			return Operand{}, false
		}
	}
	frame := inlineFrame{fn: fn, args: map[types.Object]Operand{}}
	var marked []types.Object
	for i, a := range call.Args {
		p := sig.Params().At(i)
		o := l.lowerExpr(a, nil)
		if o.v != nil && o.path != nil {
			// An element read more than once must be read as it was. The
			// copy keeps its forward expression: inside a loop the backward
			// sweep recomputes it after the element is restored.
			o = l.emitOp(rules.Operators["copy"], "=", []Operand{o}, o.Val, o.Typ, "t", nil)
		}
		frame.args[p] = o
		if o.v != nil && !l.Varied[p] {
			l.Varied[p] = true
			marked = append(marked, p)
		}
	}
	l.inlined = append(l.inlined, frame)
	res := l.lowerExpr(ret.Results[0], into)
	l.inlined = l.inlined[:len(l.inlined)-1]
	for _, p := range marked {
		delete(l.Varied, p)
	}
	if res.v == nil {
		// The result does not depend on the varied arguments after all.
		return res, true
	}
	return res, true
}

// simpleExpr reports whether e can be evaluated twice with the same value
// and no side effect: a variable, a constant, or a field or element of one
// indexed by such.
func simpleExpr(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.SelectorExpr:
		return simpleExpr(e.X)
	case *ast.IndexExpr:
		return simpleExpr(e.X) && simpleExpr(e.Index)
	case *ast.UnaryExpr:
		return e.Op == token.SUB && simpleExpr(e.X)
	}
	return false
}

// Discarding runs build and forgets the helpers it generated: for
// validation only.
func (p *Package) Discarding(build func() (*adjoint.Func, []Diagnostic)) (*adjoint.Func, []Diagnostic) {
	helpers, names, funcs := maps.Clone(p.Helpers), maps.Clone(p.HelperNames), map[*ast.File][]*adjoint.Func{}
	for f, fs := range p.HelperFuncs {
		funcs[f] = slices.Clone(fs)
	}
	fn, diags := build()
	p.Helpers, p.HelperNames, p.HelperFuncs = helpers, names, funcs
	return fn, diags
}
