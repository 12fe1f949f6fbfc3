package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Custom rules: finding the functions marked //gradgen:rule, and checking
// that each has the signature its target needs.

// IndexDecls records every function declaration of the package.
func (p *Package) IndexDecls(files []*ast.File) {
	p.Decls = map[*types.Func]DeclSite{}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := p.Info.Defs[fd.Name].(*types.Func); ok {
					p.Decls[fn] = DeclSite{p.Simplified(p.withoutFuncLits(fd)), f}
				}
			}
		}
	}
}

// CollectRules reads every //gradgen:rule directive and checks the rule's
// signature against the function it names.
func (p *Package) CollectRules(files []*ast.File, report func(token.Pos, string, ...any)) {
	p.Rules = map[*types.Func]*RuleFunc{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			for _, c := range fd.Doc.List {
				dir, ok := ast.ParseDirective(c.Slash, c.Text)
				if !ok || dir.Tool != "gradgen" || dir.Name != "rule" {
					continue
				}
				target := p.resolveRuleTarget(f, strings.TrimSpace(dir.Args))
				if target == nil {
					report(dir.ArgsPos, "//gradgen:rule %s: no such function (name a function of this package, or pkg.F of an imported package)", dir.Args)
					continue
				}
				fn, _ := p.Info.Defs[fd.Name].(*types.Func)
				if fn == nil {
					continue
				}
				if msg := checkRuleSignature(target, fn, p.Pkg); msg != "" {
					report(fd.Name.Pos(), "%s cannot be the rule of %s: %s", fd.Name.Name, target.FullName(), msg)
					continue
				}
				p.Rules[target] = &RuleFunc{decl: fd, fn: fn, Target: target, name: fn.Name()}
			}
		}
	}
}

func (p *Package) resolveRuleTarget(f *ast.File, name string) *types.Func {
	pkgName, fname, qualified := strings.Cut(name, ".")
	if !qualified {
		fn, _ := p.Pkg.Scope().Lookup(name).(*types.Func)
		return fn
	}
	for _, imp := range f.Imports {
		pn := p.Info.PkgNameOf(imp)
		if pn != nil && pn.Name() == pkgName {
			fn, _ := pn.Imported().Scope().Lookup(fname).(*types.Func)
			return fn
		}
	}
	return nil
}

// ruleTypes are the parameter and result types a rule for target must
// have: target's parameters, then — for a target with slice or pointer
// parameters — the seed (the result's adjoint) and a buffer per such
// parameter; results: the value, then the gradient of each by-value
// differentiable parameter.
func ruleTypes(target *types.Func) (params, results []types.Type, ref bool) {
	sig := target.Type().(*types.Signature)
	var bufs []types.Type
	res := types.Type(types.Typ[types.Float64])
	if sig.Results().Len() == 1 {
		res = sig.Results().At(0).Type()
	}
	results = append(results, res)
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		params = append(params, v.Type())
		if gotypes.IsDifferentiable(v.Type()) {
			if gotypes.ByReference(v.Type()) {
				ref = true
				bufs = append(bufs, gotypes.BufferType(v.Type()))
			} else {
				results = append(results, v.Type())
			}
		}
	}
	if ref {
		params = append(append(params, res), bufs...)
	}
	return params, results, ref
}

// ruleSignature writes the signature a rule for target must have.
func ruleSignature(target *types.Func, pkg *types.Package) string {
	params, results, ref := ruleTypes(target)
	q := types.RelativeTo(pkg)
	n := target.Type().(*types.Signature).Params().Len()
	var ps, rs []string
	for i, t := range params {
		s := types.TypeString(t, q)
		if ref && i == n {
			s = "seed " + s
		}
		ps = append(ps, s)
	}
	for _, t := range results {
		rs = append(rs, types.TypeString(t, q))
	}
	if len(rs) == 1 {
		return "func(" + strings.Join(ps, ", ") + ") " + rs[0]
	}
	return "func(" + strings.Join(ps, ", ") + ") (" + strings.Join(rs, ", ") + ")"
}

// ruleWay advises a rule for target, where one can be written: "write a
// //gradgen:rule F of signature S" (where, the caller adds).
func ruleWay(target *types.Func, pkg *types.Package) string {
	sig := target.Signature()
	for i := range sig.Params().Len() {
		if v := sig.Params().At(i); gotypes.IsDifferentiable(v.Type()) && !gotypes.ByReference(v.Type()) && !gotypes.IsFloat(v.Type()) {
			return fmt.Sprintf("make %s take %s (a %s) as a slice or a pointer, and write a //gradgen:rule %s", target.Name(), v.Name(), types.TypeString(v.Type(), types.RelativeTo(pkg)), target.Name())
		}
	}
	return fmt.Sprintf("write its derivative as a function marked //gradgen:rule %s of signature %s", target.Name(), ruleSignature(target, pkg))
}

func checkRuleSignature(target, rule *types.Func, pkg *types.Package) string {
	sig := target.Type().(*types.Signature)
	if sig.Results().Len() != 1 || !gotypes.IsFloat(sig.Results().At(0).Type()) {
		return "gradgen differentiates functions with a single float result"
	}
	if sig.Recv() != nil {
		return "rules for methods are not supported: write the rule for a function the method calls"
	}
	for i := range sig.Params().Len() {
		// A partial with respect to an array or struct passed by value
		// would be an aggregate the call's lowering cannot scale.
		v := sig.Params().At(i)
		if gotypes.IsDifferentiable(v.Type()) && !gotypes.ByReference(v.Type()) && !gotypes.IsFloat(v.Type()) {
			name := v.Name()
			if name == "" || name == "_" {
				name = fmt.Sprintf("parameter %d", i+1)
			}
			return fmt.Sprintf("%s takes %s by value, a %s: a rule's parameters must be floats, slices or pointers; take a slice or a pointer (a pullback rule adds into its buffer)", target.Name(), name, types.TypeString(v.Type(), types.RelativeTo(pkg)))
		}
	}
	params, results, _ := ruleTypes(target)
	rs := rule.Type().(*types.Signature)
	ok := rs.Params().Len() == len(params) && rs.Results().Len() == len(results) && !rs.Variadic()
	for i := 0; ok && i < len(params); i++ {
		ok = types.Identical(rs.Params().At(i).Type(), params[i])
	}
	for i := 0; ok && i < len(results); i++ {
		ok = types.Identical(rs.Results().At(i).Type(), results[i])
	}
	if !ok {
		return fmt.Sprintf("its signature is %s; a rule for %s must be %s", types.TypeString(rule.Type(), types.RelativeTo(pkg)), target.Name(), ruleSignature(target, pkg))
	}
	return ""
}
