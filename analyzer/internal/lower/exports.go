package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
)

// Derivatives across packages (SPEC §5): a package offers its callers the
// exported //gradgen:rule functions written beside their targets, and the
// gradients of its exported //gradgen:grad functions whose wrt parameters
// are floats passed by value (FGrad has a rule's shape). The offer is read
// from the package's syntax (Exports, ExportsOf): gradgen's driver reads it
// from the loaded dependencies, the analyzer passes it between packages as
// a fact.

// Exports is what a package offers other packages' derivatives. It is the
// analyzer's package fact.
type Exports struct {
	Rules []ExportedRule
	// Unserved says, for exported functions whose directives serve only
	// their own package, why: a caller's error then names the real way
	// out rather than the directive the function already carries.
	Unserved []Unserved
}

// Unserved is an exported function whose //gradgen:grad or
// //gradgen:rule other packages cannot use, and why.
type Unserved struct {
	Name string // Arr, or P.M for a method
	Why  string
}

// An ExportedRule supplies the derivative of the package's function
// Target through the package's function Rule.
type ExportedRule struct {
	Target string
	Rule   string
	// Wrt, for a //gradgen:grad function serving as its own rule, lists
	// the parameters (by index) its gradient covers, in order; nil for a
	// //gradgen:rule, which covers every by-value differentiable one.
	Wrt []int
	// Grad marks a //gradgen:grad function's gradient: it is written by
	// gradgen, so it may not exist yet when the caller is type-checked.
	Grad bool
	// Pure marks a Target whose calls have no effect beyond their value
	// (read from its body): code that runs a caller's body more than once
	// (Jacobians) may call it again.
	Pure bool
}

// AFact marks Exports as an analysis fact.
func (*Exports) AFact() {}

// String lists the rules and gradients e offers, for tests and
// debugging.
func (e *Exports) String() string {
	var parts []string
	for _, r := range e.Rules {
		parts = append(parts, r.Target+"→"+r.Rule)
	}
	out := "gradgen exports " + strings.Join(parts, ", ")
	if len(e.Unserved) > 0 {
		var names []string
		for _, u := range e.Unserved {
			names = append(names, u.Name)
		}
		out += "; not " + strings.Join(names, ", ")
	}
	return out
}

// unserved returns why fn's directives do not serve other packages, or "".
func (e *Exports) unserved(fn *types.Func) string {
	if e == nil {
		return ""
	}
	name := fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		name = RecvTypeName(recv) + "." + name
	}
	for _, u := range e.Unserved {
		if u.Name == name {
			return u.Why
		}
	}
	return ""
}

// ExportsOf reads what a type-checked package offers other packages: its
// exported //gradgen:rule functions whose targets are its own exported
// functions, and its exported //gradgen:grad functions of float
// parameters. imports holds what its own imports offer, by path (whether
// a target is pure may depend on them). It reports nothing: the package's
// own run reports what is wrong with its directives. It returns nil when
// there is nothing.
func ExportsOf(files []*ast.File, pkg *types.Package, info *types.Info, imports map[string]*Exports) *Exports {
	if !MentionsGradgen(files) {
		return nil
	}
	var ex Exports
	// indexDecls records the types of the nodes its rewrites write: in a
	// copy, as Analyze does, for the driver shares info.
	p := &Package{Rewriter: &rewrite.Rewriter{Info: CloneInfo(info), Pkg: pkg}, Rules: map[*types.Func]*RuleFunc{}}
	p.IndexDecls(files)
	p.ImportRules(imports)
	pure := func(fn *types.Func) bool {
		l := &Lowerer{Package: p}
		return l.pureFunc(fn, map[*types.Func]bool{})
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			fn, ok := info.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			ex.addRules(fd, fn, pkg, pure)
			if !fd.Name.IsExported() {
				continue
			}
			ex.addGradients(fd, fn, pkg, pure)
		}
	}
	ex.preferRules()
	if len(ex.Rules) == 0 && len(ex.Unserved) == 0 {
		return nil
	}
	return &ex
}

// addRules adds the //gradgen:rule directives on fd (declaring fn) that
// other packages can use, and records as unserved the targets of those
// they cannot only because the rule is unexported, so that a caller's
// error says to export it. Rules on methods, and rules whose target is
// not an exported function of pkg with a matching signature, are left
// out silently: the package's own run reports them.
func (ex *Exports) addRules(fd *ast.FuncDecl, fn *types.Func, pkg *types.Package, pure func(*types.Func) bool) {
	for _, c := range fd.Doc.List {
		dir, ok := ast.ParseDirective(c.Slash, c.Text)
		if !ok || dir.Tool != "gradgen" || dir.Name != "rule" {
			continue
		}
		target, _ := pkg.Scope().Lookup(strings.TrimSpace(dir.Args)).(*types.Func)
		switch {
		case target == nil || !target.Exported() || checkRuleSignature(target, fn, pkg) != "":
		case fd.Recv != nil:
		case !fn.Exported():
			ex.Unserved = append(ex.Unserved, Unserved{Name: target.Name(), Why: fmt.Sprintf(
				"its //gradgen:rule %s is unexported, so it serves package %s only; export it (rename it %s)", fn.Name(), pkg.Name(), UpperFirst(fn.Name()))})
		default:
			ex.Rules = append(ex.Rules, ExportedRule{Target: target.Name(), Rule: fn.Name(), Pure: pure(target)})
		}
	}
}

// addGradients adds the gradient of the exported function fn, declared
// by fd, as its rule for each //gradgen:grad on it that has a rule's
// shape, and otherwise records why not (a method, or a signature a
// rule cannot have), so that a caller's error names the way out
// rather than the directive fn already carries.
func (ex *Exports) addGradients(fd *ast.FuncDecl, fn *types.Func, pkg *types.Package, pure func(*types.Func) bool) {
	nop := func(token.Pos, string, ...any) {}
	dirs, _ := FindDirectives(fd, nop, nop)
	for _, dir := range dirs {
		if dir.Kind != "grad" {
			continue
		}
		name := derivativeName(fn.Name(), "grad")
		if dir.name != "" {
			name = dir.name
		}
		if recv := fn.Signature().Recv(); recv != nil {
			ex.Unserved = append(ex.Unserved, Unserved{Name: RecvTypeName(recv) + "." + fn.Name(), Why: fmt.Sprintf(
				"it is a method, and a method's gradient (%s.%s, //gradgen:grad in package %s) serves its own package only, nor can a rule be written for a method; call an exported function of package %s that takes the receiver's float fields as parameters and is marked //gradgen:grad", RecvTypeName(recv), name, pkg.Name(), pkg.Name())})
			continue
		}
		wrt, why := byValueWrt(fn, dir)
		if why != "" {
			ex.Unserved = append(ex.Unserved, Unserved{Name: fn.Name(), Why: fmt.Sprintf(
				"its gradient %s (//gradgen:grad in package %s) serves other packages only when it has a rule's shape, and %s; %s beside it", name, pkg.Name(), why, ruleWay(fn, pkg))})
			continue
		}
		ex.Rules = append(ex.Rules, ExportedRule{Target: fn.Name(), Rule: name, Wrt: wrt, Grad: true, Pure: pure(fn)})
	}
}

// preferRules drops the gradients, and the reasons a function is not
// served, of every function that also has an exported rule: a function
// with a rule and a //gradgen:grad is differentiated by its rule in its
// own package, and callers elsewhere must see the same.
func (ex *Exports) preferRules() {
	ruled := map[string]bool{}
	for _, r := range ex.Rules {
		if !r.Grad {
			ruled[r.Target] = true
		}
	}
	ex.Rules = slices.DeleteFunc(ex.Rules, func(r ExportedRule) bool { return r.Grad && ruled[r.Target] })
	ex.Unserved = slices.DeleteFunc(ex.Unserved, func(u Unserved) bool { return ruled[u.Name] })
}

// byValueWrt returns the indexes of the parameters dir differentiates
// fn by when fn's gradient has a rule's shape (a single float result, no
// type parameters, every wrt parameter a float), else why it has not.
func byValueWrt(fn *types.Func, dir *Directive) ([]int, string) {
	sig := fn.Type().(*types.Signature)
	switch {
	case sig.TypeParams().Len() > 0:
		return nil, "it has type parameters"
	case sig.Results().Len() != 1 || !gotypes.IsFloat(sig.Results().At(0).Type()) || dir.out != "":
		return nil, "its function has no single float result"
	}
	var wrt []int
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		chosen := dir.wrt == nil && gotypes.IsDifferentiable(v.Type()) && v.Name() != "" && v.Name() != "_" ||
			slices.Contains(dir.wrt, v.Name())
		if !chosen {
			continue
		}
		if !gotypes.IsFloat(v.Type()) {
			return nil, fmt.Sprintf("its wrt parameter %s is a %s, not a float", v.Name(), types.TypeString(v.Type(), types.RelativeTo(fn.Pkg())))
		}
		wrt = append(wrt, i)
	}
	if len(wrt) == 0 {
		return nil, "it has no wrt parameter"
	}
	return wrt, ""
}

// ImportRules adds to p.rules what the packages p imports offer (imports
// maps an import path to its Exports).
func (p *Package) ImportRules(imports map[string]*Exports) {
	for _, imp := range p.Pkg.Imports() {
		ex := imports[imp.Path()]
		if ex == nil {
			continue
		}
		for _, r := range ex.Rules {
			target, _ := imp.Scope().Lookup(r.Target).(*types.Func)
			if target == nil || p.Rules[target] != nil {
				continue // a rule of this package's own takes precedence
			}
			rf := &RuleFunc{Target: target, name: r.Rule, Path: imp.Path(), pure: r.Pure}
			rf.fn, _ = imp.Scope().Lookup(r.Rule).(*types.Func)
			if r.Grad {
				rf.wrt = make([]bool, target.Signature().Params().Len())
				for _, i := range r.Wrt {
					if i < len(rf.wrt) {
						rf.wrt[i] = true
					}
				}
			}
			p.Rules[target] = rf
		}
	}
}

// A RuleFunc is the hand-written derivative of target (a //gradgen:rule
// function), or the generated gradient of another package's function
// serving as one.
type RuleFunc struct {
	decl   *ast.FuncDecl // nil for another package's rule
	fn     *types.Func   // nil for another package's gradient not generated yet
	Target *types.Func
	// name and path locate the function to call: path is "" for a rule of
	// this package.
	name string
	Path string
	// wrt, for another package's //gradgen:grad function, marks the
	// parameters its gradient returns a partial for; nil for a
	// //gradgen:rule (every by-value differentiable parameter).
	wrt []bool
	// pure, for another package's rule, marks a target whose calls have
	// no effect beyond their value (this package's are read from the body).
	pure bool
}

// Ref is the rule's function as generated code calls it.
func (r *RuleFunc) Ref() adjoint.Expr {
	if r.Path != "" {
		return adjoint.Qual{Path: r.Path, Name: r.name}
	}
	return adjoint.Id(r.name)
}

// String names the rule's function for messages: SigmoidRule, or
// mathx.SigmoidGrad for another package's.
func (r *RuleFunc) String() string {
	if r.Path != "" {
		return r.Target.Pkg().Name() + "." + r.name
	}
	return r.name
}

// Derives reports whether the rule returns a partial for parameter i of
// type t (receivers have no rules).
func (r *RuleFunc) Derives(i int, t types.Type) bool {
	if r.wrt != nil {
		return i < len(r.wrt) && r.wrt[i]
	}
	return gotypes.IsDifferentiable(t) && !gotypes.ByReference(t)
}

// Pullback reports whether the rule takes the result's adjoint and
// buffers (a target with slice or pointer parameters) rather than
// returning partials.
func (r *RuleFunc) Pullback() bool {
	if r.wrt != nil {
		return false
	}
	_, _, ref := ruleTypes(r.Target)
	return ref
}

// NonWrtArgument reports the error for an argument that carries a
// derivative into a parameter another package's gradient does not
// cover, or "" when there is none. varied tells which arguments carry one.
func (r *RuleFunc) NonWrtArgument(params []*types.Var, varied func(i int) bool) string {
	if r.wrt == nil {
		return ""
	}
	for i, p := range params {
		if !r.Derives(i, p.Type()) && gotypes.IsDifferentiable(p.Type()) && varied(i) {
			way := fmt.Sprintf("add %s to its wrt= option", p.Name())
			if !gotypes.IsFloat(p.Type()) {
				// A slice in wrt= would leave the gradient without a
				// rule's shape, serving no other package at all.
				way = ruleWay(r.Target, r.Target.Pkg()) + " beside it (gradients serve other packages only for float parameters)"
			}
			return fmt.Sprintf("%s's gradient %s (//gradgen:grad in package %s) has no derivative for its parameter %s, which is passed a value that depends on the parameters; %s, or pass a value that does not",
				r.Target.Name(), r, r.Target.Pkg().Name(), p.Name(), way)
		}
	}
	return ""
}
