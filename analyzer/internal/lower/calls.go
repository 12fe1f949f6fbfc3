package lower

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// Calls. A call to a function of the same package is differentiated
// through: the callee gets a generated, unexported helper, once per
// package and per set of arguments that carry derivatives, which every
// caller reuses.
//
//   - A callee whose differentiable parameters are all passed by value
//     gets gradOfF(params) (value, ∂/∂p...): its value and its partial
//     derivatives in one call, as gradgen would generate FGrad. The call
//     site computes them going forward and multiplies them by the result's
//     adjoint going back, exactly like a math function's rule.
//   - A callee with slice or pointer parameters gets
//     pullbackOfF(params, dres, buffers) (∂/∂p...): it recomputes the
//     callee going forward, then adds dres times its gradient into the
//     buffers and returns the by-value gradients. The call site calls the
//     callee going forward and the pullback going back.
//
// A //gradgen:rule function takes the helper's place: gradgen calls it
// instead of looking into the function it names.

// A HelperKey identifies one helper: a callee and which of its parameters
// (receiver first) carry derivatives.
type HelperKey struct {
	Fn   *types.Func
	Mask string
}

// A Helper is a generated function that calls of a package function go
// through: its pullback (reverse mode) or pushforward (forward mode).
// Done is false while it is being written, which catches recursion.
type Helper struct {
	Name     string
	pullback bool
	Done     bool
}

// funcDecl finds the declaration of a function of the package.
type DeclSite struct {
	Decl *ast.FuncDecl
	File *ast.File
}

// CalleeOf returns the function or method a call calls and, for a method,
// its receiver expression.
func (l *Lowerer) CalleeOf(call *ast.CallExpr) (*types.Func, ast.Expr) {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
	case *ast.IndexExpr, *ast.IndexListExpr:
		// A generic function with explicit type arguments: dot[float64].
		if calleeIdent(call) == nil {
			return nil, nil
		}
	case *ast.SelectorExpr:
		if sel, ok := l.Info.Selections[fun]; ok && sel.Kind() == types.MethodVal {
			return gotypes.CalleeFunc(l.Info, call), fun.X
		}
	default:
		return nil, nil // generic instantiations and function values
	}
	return gotypes.CalleeFunc(l.Info, call), nil
}

// lowerFuncCall lowers a call to a function of this package, or to one
// with a //gradgen:rule, and reports false for any other call.
func (l *Lowerer) lowerFuncCall(call *ast.CallExpr, into *Variable) (Operand, bool) {
	fn, recvExpr := l.CalleeOf(call)
	if fn == nil {
		return Operand{}, false
	}
	rule := l.Rules[fn]
	site, same := l.Decls[fn]
	if rule == nil && (!same || fn.Pkg() != l.Pkg) {
		return Operand{}, false
	}
	generic := fn.Signature().TypeParams().Len() > 0
	if rule == nil && !generic {
		// A generic helper's body is written for T: it goes through a
		// generic helper, instantiated at the call.
		if o, ok := l.inlineCall(call, fn, site, recvExpr, into); ok {
			return o, true
		}
	}
	if recv := fn.Type().(*types.Signature).Recv(); recv != nil && types.IsInterface(recv.Type()) {
		l.Errorf(call.Pos(), "cannot differentiate the interface method call %s: call a concrete function", l.Source(call))
		return l.Passive(call), true
	}
	sig := l.CallSignature(call, fn)
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		// With xs... the variadic parameter is the slice passed, and the
		// call is like any other; separate values would need a slice
		// built for them, which the caller can write.
		l.Errorf(call.Pos(), "cannot differentiate the call %s, which %s", l.Source(call), VariadicAdvice(l.Source, l.Pkg, call, sig))
		return l.Passive(call), true
	}
	params, args, mask, ok := l.lowerCallArgs(call, sig, recvExpr)
	if !ok {
		return l.Passive(call), true
	}
	active := bytes.IndexByte(mask, '1') >= 0
	if !active {
		return l.Passive(call), true
	}
	if rule == nil && site.Decl.Body == nil {
		l.Errorf(call.Pos(), "%s has no body: supply its derivative with a //gradgen:rule function of signature %s", fn.Name(), ruleSignature(fn, l.Pkg))
		return l.Passive(call), true
	}
	fun, pullback, ok := l.calleeRef(call, fn, site, rule, params, mask)
	if !ok {
		return l.Passive(call), true
	}
	resType := sig.Results().At(0).Type()
	vals := make([]adjoint.Expr, len(args))
	for i, a := range args {
		vals[i] = a.Val
	}
	helperCall := func(extra ...adjoint.Expr) adjoint.Expr {
		all := append(append([]adjoint.Expr(nil), vals...), extra...)
		if recvExpr != nil && rule == nil {
			// A method's helper is a method too (rules are functions).
			return adjoint.Call{Fun: adjoint.Selector{X: all[0], Sel: fun.(adjoint.Ident).Name}, Args: all[1:]}
		}
		return adjoint.Call{Fun: fun, Args: all}
	}
	if !pullback {
		return l.partialsCall(fn, params, args, string(mask), resType, helperCall(), into), true
	}
	return l.pullbackCall(call, fn, params, args, string(mask), resType, helperCall, into, rule != nil), true
}

// calleeRef is what the generated code calls for a call of fn: its custom
// rule, or the helper gradgen writes for it, and whether that is a
// pullback (it takes the result's adjoint) rather than a function of
// partials. It fills mask with '2' for parameters a rule derives though
// no derivative flows through them. ok is false after an error.
func (l *Lowerer) calleeRef(call *ast.CallExpr, fn *types.Func, site DeclSite, rule *RuleFunc, params []*types.Var, mask []byte) (fun adjoint.Expr, pullback, ok bool) {
	for i, p := range params {
		if mask[i] == '1' && gotypes.ByReference(p.Type()) {
			pullback = true
		}
	}
	if rule == nil {
		name, ok := l.helperFor(call, fn, site, string(mask), pullback)
		if !ok {
			return nil, false, false
		}
		return l.Instantiated(call, name), pullback, true
	}
	if msg := rule.NonWrtArgument(params, func(i int) bool { return mask[i] == '1' }); msg != "" {
		l.Errorf(call.Pos(), "cannot differentiate the call %s: %s", l.Source(call), msg)
		return nil, false, false
	}
	// A rule computes the partials of every parameter it covers, needed or
	// not.
	for i, p := range params {
		if mask[i] == '0' && rule.Derives(i, p.Type()) {
			mask[i] = '2' // computed by the rule, unused
		}
	}
	return rule.Ref(), rule.Pullback(), true
}

// partialsCall: y, ∂y/∂a, ... := gradOfF(a, ...) going forward; the
// partials times the adjoint of y going back.
func (l *Lowerer) partialsCall(fn *types.Func, params []*types.Var, args []Operand, mask string, resType types.Type, call adjoint.Expr, into *Variable) Operand {
	y := l.NewTemp(LowerFirst(fn.Name()), resType)
	results := []*Variable{y}
	r := &rules.Rule{}
	for i, p := range params {
		if mask[i] == '0' {
			r.VJP = append(r.VJP, nil)
			continue
		}
		d := l.NewTemp("d"+UpperFirst(y.Name)+"D"+p.Name(), p.Type())
		results = append(results, d)
		if mask[i] == '2' {
			r.VJP = append(r.VJP, nil)
			continue
		}
		k := len(results) - 1
		pt := p.Type()
		r.VJP = append(r.VJP, func(c *rules.Ctx) adjoint.Expr {
			seed := c.D[0]
			if gotypes.IsFloat(pt) && !types.Identical(pt, resType) {
				// A Meters parameter's partial is a Meters: the result's
				// adjoint is converted to it.
				seed = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(pt)}, Args: []adjoint.Expr{seed}}
			}
			return adjoint.Mul(c.R[k], seed)
		})
	}
	lhs := make([]adjoint.Expr, len(results))
	tok := ":="
	if l.depth > 0 || l.hoistAll {
		tok = "="
	}
	for i, v := range results {
		lhs[i] = adjoint.Id(v.Name)
		if tok == "=" {
			l.hoist(v)
		}
	}
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: lhs, Op: tok, Rhs: []adjoint.Expr{call}})
	o := &op{rule: r, name: fn.Name(), args: args, results: results, resType: resType, fwd: call}
	l.ops = append(l.ops, o)
	l.graphOp(o, call)
	return Operand{Val: adjoint.Id(y.Name), Bval: adjoint.Id(y.Name), v: y, Typ: resType}
}

// pullbackCall: y := f(a, ...) going forward; the pullback going back.
func (l *Lowerer) pullbackCall(src *ast.CallExpr, fn *types.Func, params []*types.Var, args []Operand, mask string, resType types.Type, helperCall func(...adjoint.Expr) adjoint.Expr, into *Variable, isRule bool) Operand {
	fwd := l.Conv(src)
	r := &rules.Rule{Pullback: func(c *rules.Ctx) []adjoint.Stmt {
		extra := []adjoint.Expr{c.D[0]}
		// Pullbacks and rules return the value first; the caller has it.
		grads := []adjoint.Expr{adjoint.Id("_")}
		var gradArg []int
		for i, p := range params {
			if !gotypes.IsDifferentiable(p.Type()) {
				continue
			}
			switch {
			case gotypes.ByReference(p.Type()) && mask[i] == '1':
				extra = append(extra, args[i].path)
			case gotypes.ByReference(p.Type()) && isRule:
				// A rule takes a buffer for every such parameter: nil for an
				// argument without a derivative.
				extra = append(extra, adjoint.Literal("nil"))
			case gotypes.ByReference(p.Type()):
			case mask[i] == '1' || isRule:
				g := c.Fresh("d" + UpperFirst(fn.Name()) + "D" + p.Name())
				grads = append(grads, adjoint.Id(g))
				gradArg = append(gradArg, i)
			}
		}
		call := helperCall(extra...)
		var out []adjoint.Stmt
		if len(gradArg) == 0 {
			out = append(out, adjoint.ExprStmt{X: call})
		} else {
			out = append(out, adjoint.Assign{Lhs: grads, Op: ":=", Rhs: []adjoint.Expr{call}})
		}
		for _, i := range gradArg {
			if mask[i] != '1' {
				continue
			}
			for k, gi := range gradArg {
				if gi == i {
					out = append(out, adjoint.Stmts(c.Add(i, grads[k+1]))...)
				}
			}
		}
		return out
	}}
	return l.emitOp(r, fn.Name(), args, fwd, resType, LowerFirst(fn.Name()), into)
}

// bufferArg is the buffer passed for the argument e of a by-reference
// parameter of type t: e's adjoint, or its address when Go takes e's
// (n.L.Out(x) with a pointer receiver passes &n.L, and &dn.L goes with it).
func (l *Lowerer) bufferArg(e ast.Expr, t types.Type) adjoint.Expr {
	path := l.adjPath(e)
	if _, ptr := t.Underlying().(*types.Pointer); ptr {
		if _, argPtr := l.Info.TypeOf(e).Underlying().(*types.Pointer); !argPtr {
			return adjoint.Unary{Op: "&", X: path}
		}
	}
	return path
}

// lowerMultiCall lowers "a, b := f(x)" for a function of this package with
// several float results: f going forward, its pullback — which takes one
// adjoint per result — going back.
func (l *Lowerer) lowerMultiCall(rec *lowered, lhs []ast.Expr, call *ast.CallExpr) bool {
	fn, recvExpr := l.CalleeOf(call)
	if fn == nil || fn.Pkg() != l.Pkg {
		return false
	}
	site, ok := l.Decls[fn]
	sig := l.CallSignature(call, fn)
	if !ok || site.Decl.Body == nil || sig.Variadic() && !call.Ellipsis.IsValid() || sig.Results().Len() != len(lhs) {
		return false
	}
	for i := range sig.Results().Len() {
		if !gotypes.IsFloat(sig.Results().At(i).Type()) {
			l.Errorf(call.Pos(), "cannot differentiate %s: gradgen follows helpers whose results are all floats; return the floats from this helper and compute the %s in another function", l.Source(call), types.TypeString(sig.Results().At(i).Type(), types.RelativeTo(l.Pkg)))
			return true
		}
	}
	params, args, mask, ok := l.lowerCallArgs(call, sig, recvExpr)
	if !ok {
		return true
	}
	name, ok := l.helperFor(call, fn, site, string(mask), true)
	if !ok {
		return true
	}
	// Forward: the results into temporaries, then into the variables.
	results := make([]*Variable, len(lhs))
	lhsIR := make([]adjoint.Expr, len(lhs))
	tok := ":="
	if l.depth > 0 || l.hoistAll {
		tok = "="
	}
	for i := range results {
		results[i] = l.NewTemp(LowerFirst(fn.Name()), sig.Results().At(i).Type())
		lhsIR[i] = adjoint.Id(results[i].Name)
		if tok == "=" {
			l.hoist(results[i])
		}
	}
	fwd := l.Conv(call)
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: lhsIR, Op: tok, Rhs: []adjoint.Expr{fwd}})
	vals := make([]adjoint.Expr, len(args))
	for i, a := range args {
		vals[i] = a.Bval
	}
	r := l.multiResultRule(call, fn, recvExpr, name, params, args, mask, vals, len(results))
	o := &op{rule: r, name: fn.Name(), args: args, results: results, resType: sig.Results().At(0).Type(), fwd: fwd}
	l.ops = append(l.ops, o)
	l.graphOp(o, fwd)
	for i, x := range lhs {
		l.assignOperand(rec, x, Operand{Val: lhsIR[i], Bval: lhsIR[i], v: results[i], Typ: results[i].Typ})
	}
	return true
}

// multiResultRule is the rule of a call of a helper with several float
// results: its backward code calls the helper's gradient (name) with the
// results' adjoints and adds what it returns into the arguments' adjoints
// (by-reference arguments' adjoints are passed in and written by it).
func (l *Lowerer) multiResultRule(call *ast.CallExpr, fn *types.Func, recvExpr ast.Expr, name string, params []*types.Var, args []Operand, mask []byte, vals []adjoint.Expr, nResults int) *rules.Rule {
	return &rules.Rule{Pullback: func(c *rules.Ctx) []adjoint.Stmt {
		var extra []adjoint.Expr
		for _, d := range c.D {
			if d == nil {
				d = adjoint.Literal("0")
			}
			extra = append(extra, d)
		}
		grads := make([]adjoint.Expr, nResults)
		for i := range grads {
			grads[i] = adjoint.Id("_")
		}
		var gradArg []int
		for i, p := range params {
			switch {
			case !gotypes.IsDifferentiable(p.Type()) || mask[i] != '1':
			case gotypes.ByReference(p.Type()):
				extra = append(extra, args[i].path)
			default:
				grads = append(grads, adjoint.Id(c.Fresh("d"+UpperFirst(fn.Name())+"D"+p.Name())))
				gradArg = append(gradArg, i)
			}
		}
		all := append(append([]adjoint.Expr(nil), vals...), extra...)
		var callExpr adjoint.Expr = adjoint.Call{Fun: l.Instantiated(call, name), Args: all}
		if recvExpr != nil {
			callExpr = adjoint.Call{Fun: adjoint.Selector{X: all[0], Sel: name}, Args: all[1:]}
		}
		if len(gradArg) == 0 {
			return []adjoint.Stmt{adjoint.ExprStmt{X: callExpr}}
		}
		out := []adjoint.Stmt{adjoint.Assign{Lhs: grads, Op: ":=", Rhs: []adjoint.Expr{callExpr}}}
		for k, i := range gradArg {
			out = append(out, adjoint.Stmts(c.Add(i, grads[nResults+k]))...)
		}
		return out
	}}
}

// lowerCallArgs lowers the arguments of a call with signature sig,
// receiver first, and marks which carry derivatives: mask[i] is '1' for a
// varied argument of a differentiable parameter, else '0'. A varied
// argument passed by reference stands for a path into its root variable's
// adjoint; ok is false, after an error, when it has no root variable.
func (l *Lowerer) lowerCallArgs(call *ast.CallExpr, sig *types.Signature, recvExpr ast.Expr) (params []*types.Var, args []Operand, mask []byte, ok bool) {
	params, exprs := CallOperands(call, sig, recvExpr)
	args = make([]Operand, len(exprs))
	mask = make([]byte, len(exprs))
	for i, e := range exprs {
		mask[i] = '0'
		if gotypes.IsDifferentiable(params[i].Type()) && l.ExprVaried(e) {
			mask[i] = '1'
			if gotypes.ByReference(params[i].Type()) {
				if l.RootVar(e) == nil {
					l.Errorf(e.Pos(), "gradgen cannot follow the adjoint of %s: pass a variable, or an element, field or slice of one", l.Source(e))
					return nil, nil, nil, false
				}
				args[i] = Operand{Val: l.Conv(e), Bval: l.Conv(e), v: l.VariableOf(l.RootVar(e)), path: l.bufferArg(e, params[i].Type()), Typ: params[i].Type()}
				continue
			}
		}
		args[i] = l.lowerExpr(e, nil)
	}
	return params, args, mask, true
}

// An inlineFrame binds the parameters of a helper being expanded in place
// to the operands its call passes.
type inlineFrame struct {
	fn   *types.Func
	args map[types.Object]Operand
}

// VariadicAdvice says what a call that passes separate values (or none)
// to a variadic parameter does, and writes it as gradgen can
// differentiate it: the values declared as a slice, passed with ...
// (Norm(a, b) → xs := []float64{a, b}; then Norm(xs...)).
func VariadicAdvice(source func(ast.Node) string, pkg *types.Package, call *ast.CallExpr, sig *types.Signature) string {
	n := sig.Params().Len() - 1
	elem := sig.Params().At(n).Type().(*types.Slice).Elem()
	var fixed, rest []string
	for i, a := range call.Args {
		if i < n {
			fixed = append(fixed, source(a)+", ")
		} else {
			rest = append(rest, source(a))
		}
	}
	what := "passes separate values to a variadic parameter: pass them as a slice"
	if len(rest) == 0 {
		what = "passes no values to its variadic parameter: pass an empty slice"
	}
	return fmt.Sprintf("%s, xs := []%s{%s}; then %s(%sxs...)", what, types.TypeString(elem, types.RelativeTo(pkg)), strings.Join(rest, ", "), source(call.Fun), strings.Join(fixed, ""))
}

// CallOperands returns the parameters of a call's callee, with sig its
// signature, and the expressions passed to them: the receiver recvExpr
// first, when the callee is a method, then the arguments. Treating the
// receiver as one more argument lets one walk write them all.
func CallOperands(call *ast.CallExpr, sig *types.Signature, recvExpr ast.Expr) ([]*types.Var, []ast.Expr) {
	var params []*types.Var
	var exprs []ast.Expr
	if recvExpr != nil {
		params = append(params, sig.Recv())
		exprs = append(exprs, recvExpr)
	}
	for i := range sig.Params().Len() {
		params = append(params, sig.Params().At(i))
		exprs = append(exprs, call.Args[i])
	}
	return params, exprs
}
