package forward

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// call writes a call with one result: a conversion, a math function or
// builtin through its rule, or a function of this package through its
// pushforward helper or its //gradgen:rule.
func (f *fwdLowerer) call(call *ast.CallExpr, into *dest) (adjoint.Expr, adjoint.Expr) {
	t := f.Info.TypeOf(call)
	if tv, ok := f.Info.Types[call.Fun]; ok && tv.IsType() {
		if inner, ok := f.RoundTrip(call); ok {
			// float64(float32(y)): the value rounded, the tangent not.
			yv, ty := f.expr(inner, nil)
			mid := ast.Unparen(call.Args[0]).(*ast.CallExpr)
			rounded := adjoint.Call{Fun: f.Conv(mid.Fun), Args: []adjoint.Expr{yv}}
			d := into
			if d == nil {
				d = f.tempDest("t", t)
			}
			f.writeDest(d, adjoint.Call{Fun: f.Conv(call.Fun), Args: []adjoint.Expr{rounded}}, ty)
			if ty == nil {
				return d.val, nil
			}
			return d.val, d.tan
		}
		x, tx := f.expr(call.Args[0], nil)
		if types.Identical(f.Info.TypeOf(call.Args[0]), t) {
			return f.store(into, x, tx)
		}
		fun := f.Conv(call.Fun)
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
	r, name := f.CallRule(call), f.Source(call.Fun)
	if fn, _ := f.CalleeOf(call); r == nil || fn != nil && f.Rules[fn] != nil {
		vals, tans, ok := f.pushforward(call)
		if !ok {
			return adjoint.Id("_"), nil
		}
		return f.store(into, vals[0], tans[0])
	}
	if r.None != "" {
		f.Errorf(call.Pos(), "cannot differentiate %s: %s; supply its derivative with a //gradgen:rule function", f.Source(call), r.None)
		return adjoint.Id("_"), nil
	}
	var a, ta []adjoint.Expr
	for _, arg := range call.Args {
		v, tv := f.expr(arg, nil)
		a = append(a, v)
		ta = append(ta, tv)
	}
	base := strings.ToLower(name[strings.LastIndex(name, ".")+1:])
	return f.op(r, a, ta, adjoint.Call{Fun: f.Conv(call.Fun), Args: a}, t, base, into, name)
}

// pushforward writes a call to a function of this package, through the
// function's //gradgen:rule or its generated pushforward, and returns its
// results and their tangents (nil for a result without one).
func (f *fwdLowerer) pushforward(call *ast.CallExpr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	fn, recvExpr := f.CalleeOf(call)
	fail := func(format string, args ...any) ([]adjoint.Expr, []adjoint.Expr, bool) {
		f.Errorf(call.Pos(), format, args...)
		return nil, nil, false
	}
	if fn == nil {
		return fail("cannot differentiate the call %s: gradgen differentiates calls to package math, the builtins min and max, and functions of this package", f.Source(call))
	}
	ruleF := f.Rules[fn]
	site, same := f.Decls[fn]
	if ruleF == nil && (!same || fn.Pkg() != f.Pkg) {
		return fail("cannot differentiate the call %s: %s", f.Source(call), f.OtherPackageAdvice(fn))
	}
	sig := f.CallSignature(call, fn)
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		return fail("cannot differentiate the call %s, which %s", f.Source(call), lower.VariadicAdvice(f.Source, f.Pkg, call, sig))
	}
	params, exprs := lower.CallOperands(call, sig, recvExpr)
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
		lhs = append(lhs, adjoint.Id(f.NewTemp(lower.LowerFirst(fn.Name()), resTypes.At(i).Type()).Name))
	}
	f.emit(adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: f.Conv(call.Fun), Args: args}}})
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
	var callExpr adjoint.Expr = adjoint.Call{Fun: f.Instantiated(call, name), Args: args}
	if hasRecv {
		callExpr = adjoint.Call{Fun: adjoint.Selector{X: args[0], Sel: name}, Args: args[1:]}
	}
	var lhs, resVals, resTans []adjoint.Expr
	for i := range resTypes.Len() {
		v := f.NewTemp(lower.LowerFirst(fn.Name()), resTypes.At(i).Type())
		lhs = append(lhs, adjoint.Id(v.Name))
		resVals = append(resVals, adjoint.Id(v.Name))
	}
	for i := range resTypes.Len() {
		if !gotypes.IsFloat(resTypes.At(i).Type()) {
			resTans = append(resTans, nil)
			continue
		}
		v := f.NewTemp("d"+lower.UpperFirst(lower.LowerFirst(fn.Name())), resTypes.At(i).Type())
		f.tangents[v.Name] = true
		lhs = append(lhs, adjoint.Id(v.Name))
		resTans = append(resTans, adjoint.Id(v.Name))
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
		case !gotypes.IsDifferentiable(pt) || !f.ExprVaried(e):
			if i == 0 && hasRecv {
				vals[i] = f.Conv(e) // a method's receiver, which may be addressed
			} else {
				vals[i] = f.passiveVal(e)
			}
		case gotypes.IsFloat(pt):
			vals[i], tans[i] = f.expr(e, nil)
		default:
			vals[i] = f.Conv(e)
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
func (f *fwdLowerer) ruleCall(call *ast.CallExpr, fn *types.Func, ruleF *lower.RuleFunc, params []*types.Var, vals, tans []adjoint.Expr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	if ruleF.Pullback() {
		f.Errorf(call.Pos(), "forward mode (//gradgen:jvp) cannot use the //gradgen:rule %s of %s: it is a pullback (its parameters are passed by reference), which serves reverse mode only; give the call by-value float parameters, or use //gradgen:grad", ruleF, fn.Name())
		return nil, nil, false
	}
	if ruleF.Path != "" && f.SecondOrder {
		f.Errorf(call.Pos(), "cannot differentiate the call %s twice: second derivatives differentiate %s's derivative, and gradgen cannot see into %s, which supplies it from package %s; call a function of this package with %s's body instead (gradgen differentiates it twice)", f.Source(call), fn.Name(), ruleF, ruleF.Target.Pkg().Name(), fn.Name())
		return nil, nil, false
	}
	if msg := ruleF.NonWrtArgument(params, func(i int) bool { return tans[i] != nil }); msg != "" {
		f.Errorf(call.Pos(), "cannot differentiate the call %s: %s", f.Source(call), msg)
		return nil, nil, false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		f.Errorf(call.Pos(), "forward mode (//gradgen:jvp) cannot use a //gradgen:rule of the method %s: use //gradgen:grad", fn.Name())
		return nil, nil, false
	}
	resType := sig.Results().At(0).Type()
	y := f.NewTemp(lower.LowerFirst(fn.Name()), resType)
	lhs := []adjoint.Expr{adjoint.Id(y.Name)}
	var tan adjoint.Expr
	for i, p := range params {
		if !ruleF.Derives(i, p.Type()) {
			continue
		}
		if tans[i] == nil {
			lhs = append(lhs, adjoint.Id("_"))
			continue
		}
		d := f.NewTemp("d"+lower.UpperFirst(y.Name)+"D"+p.Name(), p.Type())
		lhs = append(lhs, adjoint.Id(d.Name))
		var term adjoint.Expr = adjoint.Mul(adjoint.Id(d.Name), tans[i])
		if !types.Identical(p.Type(), resType) {
			term = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(resType)}, Args: []adjoint.Expr{term}}
		}
		tan = adjoint.Add(tan, term)
	}
	f.emit(adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: ruleF.Ref(), Args: vals}}})
	if tan == nil {
		return []adjoint.Expr{adjoint.Id(y.Name)}, []adjoint.Expr{nil}, true
	}
	dy := f.NewTemp("d"+lower.UpperFirst(y.Name), resType)
	f.tangents[dy.Name] = true
	f.emit(adjoint.Set(adjoint.Id(dy.Name), ":=", tan))
	return []adjoint.Expr{adjoint.Id(y.Name)}, []adjoint.Expr{adjoint.Id(dy.Name)}, true
}

// pushforwardFor returns the name of the pushforward helper of fn for the
// parameters mask marks, generating it on first use: jvpOfF(params...,
// tangents...) (results..., tangents...).
func (f *fwdLowerer) pushforwardFor(call *ast.CallExpr, fn *types.Func, site lower.DeclSite, mask string) (string, bool) {
	key := lower.HelperKey{Fn: fn, Mask: "jvp" + mask}
	if h, ok := f.Helpers[key]; ok {
		if !h.Done {
			f.Errorf(call.Pos(), "cannot differentiate the recursive call %s: gradgen does not follow recursion; write the recursion as a loop, or give %s a //gradgen:rule", f.Source(call), fn.Name())
			return "", false
		}
		return h.Name, true
	}
	sig := fn.Type().(*types.Signature)
	var all []*types.Var
	if sig.Recv() != nil {
		all = append(all, sig.Recv())
	}
	for i := range sig.Params().Len() {
		all = append(all, sig.Params().At(i))
	}
	base := "jvpOf" + lower.UpperFirst(fn.Name())
	var wrt []string
	partial := false
	for i, v := range all {
		if !gotypes.IsDifferentiable(v.Type()) {
			continue
		}
		if mask[i] == '0' {
			partial = true
		} else {
			wrt = append(wrt, lower.UpperFirst(v.Name()))
		}
	}
	if partial {
		base += "Wrt" + strings.Join(wrt, "")
	}
	name := base
	taken := func(name string) bool {
		obj := f.Pkg.Scope().Lookup(name)
		return obj != nil && !lower.IsOutputPath(f.Fset.Position(obj.Pos()).Filename) || f.HelperNames[name]
	}
	for i := 1; taken(name); i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	h := &lower.Helper{Name: name}
	f.Helpers[key] = h
	f.HelperNames[name] = true
	g := &lower.Target{Decl: site.Decl, Dir: &lower.Directive{Kind: "jvp"}, Name: name, Recv: sig.Recv(), WrtSet: map[*types.Var]bool{}, Options: f.Target.Options, Helper: true}
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
	out, diags := Function(f.Package, g, site.File)
	h.Done = true
	if len(diags) > 0 {
		f.Diags = append(f.Diags, diags...)
		f.Errorf(call.Pos(), "the call %s cannot be differentiated: see the errors in %s", f.Source(call), fn.Name())
		return "", false
	}
	out.TypeParams = f.TypeParams(site.Decl)
	f.HelperFuncs[site.File] = append(f.HelperFuncs[site.File], out)
	if f.ReadOnlyHelpers == nil {
		f.ReadOnlyHelpers = map[string]bool{}
	}
	f.ReadOnlyHelpers[name] = true // a pushforward only reads what it is passed
	return name, true
}
