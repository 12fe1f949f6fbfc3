package lower

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// call writes a call with one result: a conversion, a math function or
// builtin through its rule, or a function of this package through its
// pushforward helper or its //gradgen:rule.
func (f *fwdLowerer) call(call *ast.CallExpr, into *dest) (adjoint.Expr, adjoint.Expr) {
	t := f.Info.TypeOf(call)
	if tv, ok := f.Info.Types[call.Fun]; ok && tv.IsType() {
		if inner, ok := f.roundTrip(call); ok {
			// float64(float32(y)): the value rounded, the tangent not.
			yv, ty := f.expr(inner, nil)
			mid := ast.Unparen(call.Args[0]).(*ast.CallExpr)
			rounded := adjoint.Call{Fun: f.conv(mid.Fun), Args: []adjoint.Expr{yv}}
			d := into
			if d == nil {
				d = f.tempDest("t", t)
			}
			f.writeDest(d, adjoint.Call{Fun: f.conv(call.Fun), Args: []adjoint.Expr{rounded}}, ty)
			if ty == nil {
				return d.val, nil
			}
			return d.val, d.tan
		}
		x, tx := f.expr(call.Args[0], nil)
		if types.Identical(f.Info.TypeOf(call.Args[0]), t) {
			return f.store(into, x, tx)
		}
		fun := f.conv(call.Fun)
		var tan adjoint.Expr
		if tx != nil {
			tan = adjoint.Call{Fun: fun, Args: []adjoint.Expr{tx}}
		}
		d := into
		if d == nil {
			d = f.tempDest("t", t)
		}
		f.writeDest(d, adjoint.Call{Fun: fun, Args: []adjoint.Expr{x}}, tan)
		if tan == nil {
			return d.val, nil
		}
		return d.val, d.tan
	}
	r, name := f.callRule(call), f.source(call.Fun)
	if fn, _ := f.calleeOf(call); r == nil || fn != nil && f.rules[fn] != nil {
		vals, tans, ok := f.pushforward(call)
		if !ok {
			return adjoint.Id("_"), nil
		}
		return f.store(into, vals[0], tans[0])
	}
	if r.None != "" {
		f.errorf(call.Pos(), "cannot differentiate %s: %s; supply its derivative with a //gradgen:rule function", f.source(call), r.None)
		return adjoint.Id("_"), nil
	}
	var a, ta []adjoint.Expr
	for _, arg := range call.Args {
		v, tv := f.expr(arg, nil)
		a = append(a, v)
		ta = append(ta, tv)
	}
	base := strings.ToLower(name[strings.LastIndex(name, ".")+1:])
	return f.op(r, a, ta, adjoint.Call{Fun: f.conv(call.Fun), Args: a}, t, base, into, name)
}

// pushforward writes a call to a function of this package, through the
// function's //gradgen:rule or its generated pushforward, and returns its
// results and their tangents (nil for a result without one).
func (f *fwdLowerer) pushforward(call *ast.CallExpr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	fn, recvExpr := f.calleeOf(call)
	fail := func(format string, args ...any) ([]adjoint.Expr, []adjoint.Expr, bool) {
		f.errorf(call.Pos(), format, args...)
		return nil, nil, false
	}
	if fn == nil {
		return fail("cannot differentiate the call %s: gradgen differentiates calls to package math, the builtins min and max, and functions of this package", f.source(call))
	}
	ruleF := f.rules[fn]
	site, same := f.Decls[fn]
	if ruleF == nil && (!same || fn.Pkg() != f.Pkg) {
		return fail("cannot differentiate the call %s: %s", f.source(call), f.otherPackageAdvice(fn))
	}
	sig := f.callSignature(call, fn)
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		return fail("cannot differentiate the call %s, which %s", f.source(call), variadicAdvice(f.source, f.Pkg, call, sig))
	}
	params, exprs := callOperands(call, sig, recvExpr)
	vals, tans, mask, active := f.callArgs(params, exprs, recvExpr != nil)
	if !active {
		return f.passiveCall(call, fn, sig.Results(), vals, recvExpr != nil)
	}
	if ruleF != nil {
		return f.ruleCall(call, fn, ruleF, params, vals, tans)
	}
	if site.Decl.Body == nil {
		return fail("%s has no body: supply its derivative with a //gradgen:rule function", fn.Name())
	}
	name, ok := f.pushforwardFor(call, fn, site, string(mask))
	if !ok {
		return nil, nil, false
	}
	return f.helperCall(call, fn, name, sig.Results(), vals, tans, recvExpr != nil)
}

// callOperands returns the parameters of a call's callee, with sig its
// signature, and the expressions passed to them: the receiver recvExpr
// first, when the callee is a method, then the arguments. Treating the
// receiver as one more argument lets one walk write them all.
func callOperands(call *ast.CallExpr, sig *types.Signature, recvExpr ast.Expr) ([]*types.Var, []ast.Expr) {
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

// passiveCall writes a call none of whose arguments carries a tangent
// (Copysign(c, y) passes none) and returns its results, with no tangents:
// the call is made once, as written, with the arguments vals already
// written (the receiver first when hasRecv), needing no helper.
func (f *fwdLowerer) passiveCall(call *ast.CallExpr, fn *types.Func, resTypes *types.Tuple, vals []adjoint.Expr, hasRecv bool) ([]adjoint.Expr, []adjoint.Expr, bool) {
	args := vals
	if hasRecv {
		args = vals[1:]
	}
	var lhs []adjoint.Expr
	for i := range resTypes.Len() {
		lhs = append(lhs, adjoint.Id(f.newTemp(LowerFirst(fn.Name()), resTypes.At(i).Type()).name))
	}
	f.emit(adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: f.conv(call.Fun), Args: args}}})
	return lhs, make([]adjoint.Expr, len(lhs)), true
}

// helperCall writes the call of fn's pushforward helper name, passing the
// arguments vals (the receiver first when hasRecv, the helper then being a
// method) and their tangents, and returns the results and the tangents of
// the float ones, which the helper returns after all the results.
func (f *fwdLowerer) helperCall(call *ast.CallExpr, fn *types.Func, name string, resTypes *types.Tuple, vals, tans []adjoint.Expr, hasRecv bool) ([]adjoint.Expr, []adjoint.Expr, bool) {
	var args []adjoint.Expr
	args = append(args, vals...)
	for _, t := range tans {
		if t != nil {
			args = append(args, t)
		}
	}
	var callExpr adjoint.Expr = adjoint.Call{Fun: f.instantiated(call, name), Args: args}
	if hasRecv {
		callExpr = adjoint.Call{Fun: adjoint.Selector{X: args[0], Sel: name}, Args: args[1:]}
	}
	var lhs, resVals, resTans []adjoint.Expr
	for i := range resTypes.Len() {
		v := f.newTemp(LowerFirst(fn.Name()), resTypes.At(i).Type())
		lhs = append(lhs, adjoint.Id(v.name))
		resVals = append(resVals, adjoint.Id(v.name))
	}
	for i := range resTypes.Len() {
		if !gotypes.IsFloat(resTypes.At(i).Type()) {
			resTans = append(resTans, nil)
			continue
		}
		v := f.newTemp("d"+UpperFirst(LowerFirst(fn.Name())), resTypes.At(i).Type())
		f.tangents[v.name] = true
		lhs = append(lhs, adjoint.Id(v.name))
		resTans = append(resTans, adjoint.Id(v.name))
	}
	f.emit(adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{callExpr}})
	return resVals, resTans, true
}

// callArgs writes a call's arguments (the receiver first, when hasRecv)
// and returns their values, their tangents (nil for none), which
// parameters carry one ('1') and whether any does.
func (f *fwdLowerer) callArgs(params []*types.Var, exprs []ast.Expr, hasRecv bool) ([]adjoint.Expr, []adjoint.Expr, []byte, bool) {
	vals := make([]adjoint.Expr, len(exprs))
	tans := make([]adjoint.Expr, len(exprs))
	mask := make([]byte, len(exprs))
	active := false
	for i, e := range exprs {
		pt := params[i].Type()
		mask[i] = '0'
		switch {
		case !gotypes.IsDifferentiable(pt) || !f.exprVaried(e):
			if i == 0 && hasRecv {
				vals[i] = f.conv(e) // a method's receiver, which may be addressed
			} else {
				vals[i] = f.passiveVal(e)
			}
		case gotypes.IsFloat(pt):
			vals[i], tans[i] = f.expr(e, nil)
		default:
			vals[i] = f.conv(e)
			tans[i] = f.adjPathOf(e)
			if tans[i] != nil {
				if _, ptr := pt.Underlying().(*types.Pointer); ptr {
					if _, argPtr := f.Info.TypeOf(e).Underlying().(*types.Pointer); !argPtr {
						tans[i] = adjoint.Unary{Op: "&", X: tans[i]}
					}
				}
			}
		}
		if tans[i] != nil {
			mask[i] = '1'
			active = true
		}
	}
	return vals, tans, mask, active
}

// ruleCall writes a call through a //gradgen:rule function that returns
// the value and one partial per differentiable parameter: the tangent is
// Σ ∂f/∂aᵢ · ṫᵢ.
func (f *fwdLowerer) ruleCall(call *ast.CallExpr, fn *types.Func, ruleF *ruleFunc, params []*types.Var, vals, tans []adjoint.Expr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	if ruleF.pullback() {
		f.errorf(call.Pos(), "forward mode (//gradgen:jvp) cannot use the //gradgen:rule %s of %s: it is a pullback (its parameters are passed by reference), which serves reverse mode only; give the call by-value float parameters, or use //gradgen:grad", ruleF, fn.Name())
		return nil, nil, false
	}
	if ruleF.path != "" && f.SecondOrder {
		f.errorf(call.Pos(), "cannot differentiate the call %s twice: second derivatives differentiate %s's derivative, and gradgen cannot see into %s, which supplies it from package %s; call a function of this package with %s's body instead (gradgen differentiates it twice)", f.source(call), fn.Name(), ruleF, ruleF.target.Pkg().Name(), fn.Name())
		return nil, nil, false
	}
	if msg := ruleF.nonWrtArgument(params, func(i int) bool { return tans[i] != nil }); msg != "" {
		f.errorf(call.Pos(), "cannot differentiate the call %s: %s", f.source(call), msg)
		return nil, nil, false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		f.errorf(call.Pos(), "forward mode (//gradgen:jvp) cannot use a //gradgen:rule of the method %s: use //gradgen:grad", fn.Name())
		return nil, nil, false
	}
	resType := sig.Results().At(0).Type()
	y := f.newTemp(LowerFirst(fn.Name()), resType)
	lhs := []adjoint.Expr{adjoint.Id(y.name)}
	var tan adjoint.Expr
	for i, p := range params {
		if !ruleF.derives(i, p.Type()) {
			continue
		}
		if tans[i] == nil {
			lhs = append(lhs, adjoint.Id("_"))
			continue
		}
		d := f.newTemp("d"+UpperFirst(y.name)+"D"+p.Name(), p.Type())
		lhs = append(lhs, adjoint.Id(d.name))
		var term adjoint.Expr = adjoint.Mul(adjoint.Id(d.name), tans[i])
		if !types.Identical(p.Type(), resType) {
			term = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(resType)}, Args: []adjoint.Expr{term}}
		}
		tan = adjoint.Add(tan, term)
	}
	f.emit(adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: ruleF.ref(), Args: vals}}})
	if tan == nil {
		return []adjoint.Expr{adjoint.Id(y.name)}, []adjoint.Expr{nil}, true
	}
	dy := f.newTemp("d"+UpperFirst(y.name), resType)
	f.tangents[dy.name] = true
	f.emit(adjoint.Set(adjoint.Id(dy.name), ":=", tan))
	return []adjoint.Expr{adjoint.Id(y.name)}, []adjoint.Expr{adjoint.Id(dy.name)}, true
}

// pushforwardFor returns the name of the pushforward helper of fn for the
// parameters mask marks, generating it on first use: jvpOfF(params...,
// tangents...) (results..., tangents...).
func (f *fwdLowerer) pushforwardFor(call *ast.CallExpr, fn *types.Func, site declSite, mask string) (string, bool) {
	key := HelperKey{fn, "jvp" + mask}
	if h, ok := f.Helpers[key]; ok {
		if !h.done {
			f.errorf(call.Pos(), "cannot differentiate the recursive call %s: gradgen does not follow recursion; write the recursion as a loop, or give %s a //gradgen:rule", f.source(call), fn.Name())
			return "", false
		}
		return h.name, true
	}
	sig := fn.Type().(*types.Signature)
	var all []*types.Var
	if sig.Recv() != nil {
		all = append(all, sig.Recv())
	}
	for i := range sig.Params().Len() {
		all = append(all, sig.Params().At(i))
	}
	base := "jvpOf" + UpperFirst(fn.Name())
	var wrt []string
	partial := false
	for i, v := range all {
		if !gotypes.IsDifferentiable(v.Type()) {
			continue
		}
		if mask[i] == '0' {
			partial = true
		} else {
			wrt = append(wrt, UpperFirst(v.Name()))
		}
	}
	if partial {
		base += "Wrt" + strings.Join(wrt, "")
	}
	name := base
	taken := func(name string) bool {
		obj := f.Pkg.Scope().Lookup(name)
		return obj != nil && !IsOutputPath(f.Fset.Position(obj.Pos()).Filename) || f.HelperNames[name]
	}
	for i := 1; taken(name); i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	h := &Helper{name: name}
	f.Helpers[key] = h
	f.HelperNames[name] = true
	g := &Target{Decl: site.Decl, Dir: &Directive{Kind: "jvp"}, Name: name, Recv: sig.Recv(), WrtSet: map[*types.Var]bool{}, Options: f.gradFunc.Options, Helper: true}
	for i := range sig.Params().Len() {
		g.Params = append(g.Params, sig.Params().At(i))
	}
	for i := range sig.Results().Len() {
		g.Results = append(g.Results, sig.Results().At(i).Type())
	}
	if len(g.Results) > 0 {
		g.Result = g.Results[0]
	}
	for i, v := range all {
		if mask[i] == '1' {
			g.Wrt = append(g.Wrt, v)
			g.WrtSet[v] = true
		}
	}
	out, diags := f.Package.ForwardFunction(g, site.File)
	h.done = true
	if len(diags) > 0 {
		f.diags = append(f.diags, diags...)
		f.errorf(call.Pos(), "the call %s cannot be differentiated: see the errors in %s", f.source(call), fn.Name())
		return "", false
	}
	out.TypeParams = f.TypeParams(site.Decl)
	f.HelperFuncs[site.File] = append(f.HelperFuncs[site.File], out)
	if f.readOnlyHelpers == nil {
		f.readOnlyHelpers = map[string]bool{}
	}
	f.readOnlyHelpers[name] = true // a pushforward only reads what it is passed
	return name, true
}
