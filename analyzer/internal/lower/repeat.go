package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Directives that run the function's body more than once per call:
// FHessian (once per input component), FJacobian (once per input or
// output component), FVJP of a function with an output (F fills y, then
// the VJP runs the body on a copy). A call with effects (a random number,
// a counter) or a write to memory the function does not own would then
// happen more often than in the source, and values, outputs and
// derivatives would belong to different draws: refused, at the effect.

// repeatedRuns says how often a directive runs F's body, for messages, or
// "" when it runs it once.
func repeatedRuns(g *Target) string {
	switch {
	case g.Dir.Kind == "hessian":
		return "once per input component"
	case g.Dir.Kind == "jacobian":
		return "once per input or output component"
	case g.Dir.Kind == "vjp" && g.Out != nil:
		return "twice (to fill " + g.Out.Name() + ", then for its vector-Jacobian product)"
	}
	return ""
}

// CheckRepeatable reports the effects in fn's body that a directive
// running the body more than once would repeat.
func (p *Package) CheckRepeatable(g *Target, file *ast.File) []Diagnostic {
	runs := repeatedRuns(g)
	if runs == "" {
		return nil
	}
	l := p.NewLowerer(g, file, nil)
	l.markVaried(g)
	var diags []Diagnostic
	report := func(pos token.Pos, what string, way string) {
		diags = append(diags, Diagnostic{Pos: pos, Message: "//gradgen:" + g.Dir.Kind + " runs " + g.Decl.Name.Name + "'s body " + runs + ", and " + what + " would happen each time: " + way})
	}
	elsewhere := "keep effects out of the function (pass the values in), or use " + onceInstead(g)
	// The memory the function may write: its own locals, the output,
	// parameters passed by value.
	owned := func(obj types.Object) bool {
		v, ok := obj.(*types.Var)
		if !ok {
			return false
		}
		if v == g.Out || v.Parent() != nil && v.Parent() != p.Pkg.Scope() && !isParam(g, v) {
			return true
		}
		if v.Parent() == nil && !v.IsField() {
			return true // a local a rewrite declared (withoutArrayRangeWrites): no scope holds it
		}
		return isParam(g, v) && !gotypes.ByReference(v.Type())
	}
	// A write is an effect when it reaches memory the function does not
	// own: a parameter variable itself (w = w[:n]) is a copy.
	write := func(x ast.Expr) {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			if obj := l.RootVar(id); id.Name == "_" || obj == nil || isParam(g, obj) || owned(obj) {
				return
			}
		}
		if obj := l.RootVar(x); obj != nil && !owned(obj) {
			way := elsewhere
			if g.WrtSet[obj] {
				// Every mode refuses a write into memory whose
				// derivative it computes: no other directive helps.
				way = "copy " + obj.Name() + " into a local slice made in the function, and write into that"
			}
			report(x.Pos(), "the write into "+l.Source(x), way)
		}
	}
	ast.Inspect(g.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			// Every mode refuses these: their own words, not advice to
			// use a directive that refuses them too.
			diags = append(diags, Diagnostic{Pos: n.Pos(), Message: deferRefusal})
			return false
		case *ast.GoStmt:
			diags = append(diags, Diagnostic{Pos: n.Pos(), Message: goStmtRefusal})
			return false
		case *ast.CallExpr:
			if why := l.unnamedCallee(n); why != "" && l.mentionsVaried(n) {
				diags = append(diags, Diagnostic{Pos: n.Pos(), Message: why})
				return true
			}
			if !l.repeatableCall(n, owned) {
				report(n.Pos(), "the call "+l.Source(n)+", which has effects or writes memory it is passed,", elsewhere)
				return false
			}
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				write(x)
			}
		case *ast.IncDecStmt:
			write(n.X)
		}
		return true
	})
	return diags
}

// pureStdlib are standard packages whose functions (not methods) only
// compute values from their arguments.
var pureStdlib = map[string]bool{"math": true, "math/bits": true, "strings": true, "strconv": true, "unicode": true, "unicode/utf8": true}

// repeatableCall reports whether call may run more often than in the
// source: it has no effects, or writes only memory the function owns
// (bump(&k) for a local k) through a function of this package that has no
// other effects.
func (l *Lowerer) repeatableCall(call *ast.CallExpr, owned func(types.Object) bool) bool {
	if l.pureCall(call, map[*types.Func]bool{}) {
		return true
	}
	if gotypes.IsBuiltinCall(l.Info, call, "append", "copy", "clear") {
		// They write their first argument only.
		root := l.RootVar(ast.Unparen(call.Args[0]))
		return root != nil && owned(root)
	}
	fn := gotypes.CalleeFunc(l.Info, call)
	if fn == nil {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() == nil && fn.Pkg() != nil && pureStdlib[fn.Pkg().Path()] {
		return true
	}
	if _, ok := l.Decls[fn]; !ok || fn.Pkg() != l.Pkg {
		return false
	}
	for _, a := range call.Args {
		if t := l.Info.TypeOf(a); t != nil && gotypes.IsRef(t) {
			root := l.RootVar(ast.Unparen(a))
			if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
				root = l.RootVar(u.X)
			}
			if root == nil || !owned(root) {
				return false
			}
		}
	}
	// Its writes go to owned memory; its other effects must be none.
	if l.writers == nil {
		l.writers = map[*types.Func]bool{}
	}
	was, known := l.writers[fn]
	l.writers[fn] = false
	pure := l.pureCall(call, map[*types.Func]bool{})
	if known {
		l.writers[fn] = was
	} else {
		delete(l.writers, fn)
	}
	return pure
}

func isParam(g *Target, v *types.Var) bool {
	if v == g.Recv {
		return true
	}
	for _, p := range g.Params {
		if p == v {
			return true
		}
	}
	return false
}

// onceInstead names the directives that run the body once.
func onceInstead(g *Target) string {
	if g.Dir.Kind == "hessian" {
		return "//gradgen:hvp, which runs it once"
	}
	return "//gradgen:jvp, which runs it once"
}

// unnamedCallee returns, for a call of a function value or of an
// interface's method, the words every mode refuses it with when it
// carries values of the parameters; "" for other calls (a function
// literal called where it is written, whose body the modes follow).
func (l *Lowerer) unnamedCallee(call *ast.CallExpr) string {
	if tv, ok := l.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return ""
	}
	if _, lit := ast.Unparen(call.Fun).(*ast.FuncLit); lit {
		return ""
	}
	fn := gotypes.CalleeFunc(l.Info, call)
	if fn == nil {
		return l.funcValueRefusal(call)
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		return l.interfaceCallRefusal(call)
	}
	return ""
}

// The refusals every mode gives, in the words of each: validation's, and
// checkRepeatable's when it meets them first.
const (
	deferRefusal  = "cannot differentiate a defer statement: move the deferred work out of the annotated function"
	goStmtRefusal = "cannot differentiate a go statement: a gradient cannot follow a goroutine; compute in the annotated function and start goroutines outside it"
)

// funcValueRefusal is the refusal of a call through a function value.
func (l *Lowerer) funcValueRefusal(call *ast.CallExpr) string {
	return "cannot differentiate the call " + l.Source(call) + " through a function value: gradgen differentiates calls to functions and methods it can name (package math, this package, //gradgen:rule); call the function by its name"
}

// interfaceCallRefusal is the refusal of a call of an interface's method.
func (l *Lowerer) interfaceCallRefusal(call *ast.CallExpr) string {
	return "cannot differentiate the interface method call " + l.Source(call) + ": gradgen cannot know which method runs; call a concrete type's method, or a function of this package"
}
