package lower

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Validation of calls: which calls the lowering models (math, builtins,
// conversions, functions of this package, custom rules), and which are
// refused where their value or their effects may depend on the parameters.

// validateExprStmt checks a call made for its effects.
func (l *Lowerer) validateExprStmt(s *ast.ExprStmt) {
	call, ok := ast.Unparen(s.X).(*ast.CallExpr)
	if !ok {
		l.validateCond(s.X)
		return
	}
	if !l.mentionsVaried(call) {
		return
	}
	if id := gotypes.IdentOf(call.Fun); id != nil {
		if b, ok := l.Info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "print", "println", "panic":
				return
			case "copy", "clear", "append":
				return // refused by checkAliasing, with its own message
			}
		}
	}
	if l.ImpureCall(call) == nil {
		// A call with no effect and its value dropped changes nothing
		// differentiated: it runs going forward, as in the source (a JVP
		// gradgen differentiates again may keep one whose result it does
		// not need).
		return
	}
	if why := l.whyNotExpanded(call.Pos()); why != "" {
		l.Errorf(call.Pos(), "cannot differentiate the call %s, made for its effects on values that depend on the parameters: gradgen expands a helper that writes into what it is passed where it is called, but not this one: %s; have it return the values it computes (x = f(x)), or write its code in the annotated function", l.Source(call), why)
		return
	}
	if fn, _ := l.CalleeOf(call); fn != nil && fn.Pkg() == l.Pkg {
		if _, ok := l.Decls[fn]; ok {
			l.Errorf(call.Pos(), "cannot differentiate the call %s, made for its effects on values that depend on the parameters: %s", l.Source(call), expandAdvice)
			return
		}
	}
	l.Errorf(call.Pos(), "cannot differentiate the call %s, made for its effects on values that depend on the parameters: gradgen cannot follow what it writes; have the function return the value it computes (x = f(x)), or write its loop in the annotated function", l.Source(call))
}

// expandAdvice says when gradgen expands a helper that writes into what it
// is passed (internal/inline), for the calls it does not.
const expandAdvice = "gradgen expands a helper of this package that writes into what it is passed where it is called as a statement of its own (f(x), v := f(x), v = f(x), v += f(x)) or inside an expression that reads nothing it writes and makes no other call with effects, when it returns from no loop, switch or select, it has one result at most, is neither generic, variadic nor recursive, has no labels, defer or function literals, and each pointer it takes is passed &v, &v.f, &v[i] (i a variable or constant) or a pointer variable; otherwise have it return the values it computes (x = f(x)), or write its loop in the annotated function"

// valueAdvice says why a call of a helper taking a struct or array by
// value, or returning a value other than a float, was not expanded, and
// the way out.
func (l *Lowerer) valueAdvice(call *ast.CallExpr, way string) string {
	if why := l.whyNotExpanded(call.Pos()); why != "" {
		return fmt.Sprintf("gradgen expands such a helper where it is called, but not this one: %s; %s", why, way)
	}
	return "gradgen expands such a helper where it is called as a statement of its own (f(x), v := f(x), v = f(x)) or inside an expression whose other calls write nothing (not in a condition, nor right of && or ||), when it returns from no loop, switch or select and it is neither generic, variadic nor recursive; otherwise " + way
}

// validateCall checks one call. inValue is false when only the call's
// effects matter (its result decides a path). It is long by design: the
// kinds of callee (conversion, builtin, function literal, method,
// interface, math, package function, rule) in the order their checks
// take precedence, each ending the check with its own error or approval.
func (l *Lowerer) validateCall(call *ast.CallExpr, inValue bool) {
	if !l.mentionsVaried(call) {
		return
	}
	// Conversions.
	if tv, ok := l.Info.Types[call.Fun]; ok && tv.IsType() {
		t := tv.Type
		switch {
		case gotypes.IsFloat(t):
			l.validateExpr(call.Args[0])
		case isComplex(t):
			l.Errorf(call.Pos(), "cannot differentiate %s: gradgen does not differentiate complex numbers; write the real and imaginary parts as float variables", l.Source(call))
		case passiveKind(t):
			// int(x): piecewise constant, derivative 0 almost everywhere;
			// only calls inside matter.
			l.validateCond(call.Args[0])
		case gotypes.IsDifferentiable(t):
			// Arr(a), Q2(p), [2]float64(a): a whole array or struct (or a
			// slice or pointer) under another type name, whose adjoint the
			// lowering does not follow through the conversion.
			l.Errorf(call.Pos(), "cannot differentiate the conversion %s of %s, which depends on the parameters: gradgen follows floats through conversions, not whole arrays, structs, slices or pointers; declare the new variable and assign its float elements or fields one by one", l.Source(call), article(l.kindWord(l.Info.TypeOf(call.Args[0]))))
		default:
			l.validateExpr(call.Args[0])
		}
		return
	}
	args := call.Args
	if len(args) == 1 {
		if _, multi := l.Info.TypeOf(args[0]).(*types.Tuple); multi {
			// f(g(x)) passes g's results as f's arguments: activity
			// analysis follows values, not tuples.
			l.Errorf(call.Pos(), "cannot differentiate %s, which passes the results of %s as its arguments: assign them to variables first (a, b := %s) and pass those", l.Source(call), l.Source(args[0]), l.Source(args[0]))
			return
		}
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if b, ok := l.Info.Uses[fun].(*types.Builtin); ok {
			switch b.Name() {
			case "min", "max", "len", "cap", "make", "new", "copy", "append", "clear":
				for _, a := range args {
					l.validateOperand(a)
				}
			case "real", "imag", "complex":
				l.Errorf(call.Pos(), "cannot differentiate %s: gradgen does not differentiate complex numbers; write the real and imaginary parts as float variables", l.Source(call))
			}
			return
		}
	case *ast.FuncLit:
		l.funcLitError(fun.Pos())
		return
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s := l.Info.Selections[sel]; s != nil && s.Kind() == types.MethodExpr && len(call.Args) > 0 {
			l.Errorf(call.Pos(), "cannot differentiate the method expression %s: gradgen differentiates method calls written on their receiver; write %s.%s(...)", l.Source(call), l.Source(call.Args[0]), sel.Sel.Name)
			return
		}
	}
	fn, recv := l.CalleeOf(call)
	if recv != nil && l.mentionsVaried(recv) {
		if explicit, ok := l.implicitReceiver(call); ok {
			l.Errorf(call.Pos(), "cannot differentiate the call %s: Go reaches %s's receiver implicitly (%s), which gradgen does not follow; write the call as %s", l.Source(call), fn.Name(), explicit.why, explicit.call)
			return
		}
	}
	if fn == nil {
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
			if why := l.litVarRefusals[l.Info.Uses[id]]; why != "" {
				if at := l.whyNotExpanded(call.Pos()); at != "" {
					// This call's own reason, rather than the forms a
					// literal may take.
					l.Errorf(call.Pos(), "cannot differentiate the call %s of a function literal: gradgen expands a literal of several statements where it is called, but not this call: %s", l.Source(call), at)
					return
				}
				l.Errorf(call.Pos(), "cannot differentiate the call %s of a function literal: gradgen expands in place a literal bound once to a local and only called, and %s", l.Source(call), why)
				return
			}
		}
		l.Errorf(call.Pos(), "%s", l.funcValueRefusal(call))
		return
	}
	if why := l.genericHelperProblem(call, fn); why != "" {
		l.Errorf(call.Pos(), "cannot differentiate the call %s of a generic function: %s; write the helper for the float type it is called with", l.Source(call), why)
		return
	}
	sig := fn.Type().(*types.Signature)
	if r := sig.Recv(); r != nil && types.IsInterface(r.Type()) {
		l.Errorf(call.Pos(), "%s", l.interfaceCallRefusal(call))
		return
	}
	if fn.Pkg() != nil && fn.Pkg().Path() == "math" && l.Rules[fn] == nil {
		switch fn.Name() {
		case "Float64bits", "Float32bits", "Float64frombits", "Float32frombits":
			l.Errorf(call.Pos(), "cannot differentiate %s: a bit-level float conversion (math.Float64bits, math.Float64frombits) has no derivative gradgen can follow; use math.Abs, math.Copysign or math.Signbit", l.Source(call))
			return
		}
	}
	unexpanded := l.whyNotExpanded(call.Pos()) != ""
	for _, a := range args {
		if _, lit := ast.Unparen(a).(*ast.CompositeLit); lit && unexpanded {
			continue // the call's own reason is the one to give, below
		}
		l.validateOperand(a)
	}
	if recv != nil {
		l.validateOperand(recv)
	}
	if fn.Pkg() != nil && fn.Pkg() != l.Pkg && fn.Pkg().Path() != "math" && l.Rules[fn] == nil {
		// Another package: gradgen cannot see what it computes. An integer
		// or boolean result is piecewise constant; anything else may carry
		// the value on (a string, a float).
		res := sig.Results()
		for i := range res.Len() {
			if t := res.At(i).Type(); !gotypes.IsFloat(t) && (!passiveKind(t) || isString(t)) {
				l.Errorf(call.Pos(), "cannot differentiate the call %s: gradgen cannot see into %s, and its result (%s) carries no derivative; keep values that depend on the parameters out of it", l.Source(call), fn.FullName(), types.TypeString(t, types.RelativeTo(l.Pkg)))
				return
			}
			if gotypes.IsFloat(res.At(i).Type()) {
				l.Errorf(call.Pos(), "cannot differentiate the call %s: %s", l.Source(call), l.OtherPackageAdvice(fn))
				return
			}
		}
	}
	if !inValue {
		// Only its result decides a path (if f(x, buf) > 0.1): but a
		// helper that writes into what it is passed changes values the
		// gradient follows, unseen there (a new user's trial: the
		// gradient ignored what fill wrote, silently).
		if _, same := l.Decls[fn]; same && fn.Pkg() == l.Pkg && l.Rules[fn] == nil && l.mayWrite(fn) {
			l.Errorf(call.Pos(), "cannot differentiate the call %s in a condition: %s writes into memory it is passed, and gradgen follows such a helper only where it is called as a statement or inside an expression of one; call it before the if, for or switch (v := %s) and test v", l.Source(call), fn.Name(), l.Source(call))
		}
		return
	}
	if _, same := l.Decls[fn]; same && fn.Pkg() == l.Pkg && l.Rules[fn] == nil {
		params := []*types.Var{}
		operands := []ast.Expr{}
		if recv != nil {
			params, operands = append(params, sig.Recv()), append(operands, recv)
		}
		for i := range min(sig.Params().Len(), len(args)) {
			params, operands = append(params, sig.Params().At(i)), append(operands, args[i])
		}
		for i, p := range params {
			if l.mentionsVaried(operands[i]) && gotypes.ByValueAggregate(p.Type()) {
				l.Errorf(operands[i].Pos(), "cannot differentiate passing %s by value to %s: %s", l.Source(operands[i]), fn.Name(), l.valueAdvice(call, "pass its float fields or elements as arguments"))
				return
			}
			if _, ptr := p.Type().(*types.Pointer); ptr && i == 0 && recv != nil {
				if t := l.Info.TypeOf(recv); t != nil && gotypes.ByValueAggregate(t) && l.mentionsVaried(recv) && !l.inCallerMemory(recv) {
					l.Errorf(recv.Pos(), "cannot differentiate the call %s: its pointer receiver takes the address of %s, a struct held by value; call it on a pointer, or pass the fields as arguments", l.Source(call), l.Source(recv))
					return
				}
			}
		}
		res := sig.Results()
		for i := range res.Len() {
			if t := res.At(i).Type(); !gotypes.IsFloat(t) && gotypes.IsDifferentiable(t) {
				way := "return its float fields as several results"
				if gotypes.RefVar(t) {
					way = "write its loop in the annotated function"
				}
				l.Errorf(call.Pos(), "cannot differentiate the call %s: %s returns %s: %s", l.Source(call), fn.Name(), article(l.kindWord(t)), l.valueAdvice(call, way))
				return
			}
		}
		if l.mayWrite(fn) {
			if why := l.whyNotExpanded(call.Pos()); why != "" {
				l.Errorf(call.Pos(), "cannot differentiate the call %s: %s writes into memory it is passed, and gradgen expands such a helper where it is called, but not this one: %s; have it return the values it computes as float results, or write its code in the annotated function", l.Source(call), fn.Name(), why)
				return
			}
			l.Errorf(call.Pos(), "cannot differentiate the call %s: %s writes into memory it is passed, and %s", l.Source(call), fn.Name(), expandAdvice)
			return
		}
		if !l.pureCall(call, map[*types.Func]bool{}) && l.ImpureCall(&ast.CallExpr{Fun: call.Fun}) != nil {
			l.Errorf(call.Pos(), "cannot differentiate the call %s: %s has effects (it calls a function with effects or writes a package-level variable), and gradgen runs a helper's code again going back; call the function with effects in the annotated function and pass its result to %s", l.Source(call), fn.Name(), fn.Name())
			return
		}
	}
}

// inCallerMemory reports whether e is reached through a pointer or a
// slice (n.L with n a *Net, ps[i]): its address is memory the gradient's
// buffer mirrors, not a copy held by value.
func (l *Lowerer) inCallerMemory(e ast.Expr) bool {
	for {
		var x ast.Expr
		switch v := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			x = v.X
		case *ast.IndexExpr:
			x = v.X
		case *ast.StarExpr:
			return true
		default:
			return false
		}
		switch l.Info.TypeOf(x).Underlying().(type) {
		case *types.Pointer, *types.Slice:
			return true
		}
		e = x
	}
}

// calleeIdent is the identifier that names a call's function, if any.
func calleeIdent(call *ast.CallExpr) *ast.Ident {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return fun
	case *ast.IndexExpr:
		id, _ := ast.Unparen(fun.X).(*ast.Ident)
		return id
	case *ast.IndexListExpr:
		id, _ := ast.Unparen(fun.X).(*ast.Ident)
		return id
	case *ast.SelectorExpr:
		return fun.Sel
	}
	return nil
}

// OtherPackageAdvice says what to do about a call that passes values
// carrying derivatives into fn, a function of another package with no
// rule: the ways out SPEC §5 names, or, when fn carries a directive that
// serves its own package only, why it does not serve this one.
func (p *Package) OtherPackageAdvice(fn *types.Func) string {
	if fn.Pkg() != nil {
		if why := p.Imported[fn.Pkg().Path()].unserved(fn); why != "" {
			return fmt.Sprintf("gradgen cannot see into %s: %s", fn.FullName(), why)
		}
	}
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		return fmt.Sprintf("gradgen cannot see into %s, a method of another package: a method's gradient serves its own package only, nor can a rule be written for a method; call an exported function of package %s that takes the receiver's float fields as parameters and is marked //gradgen:grad, or keep values that depend on the parameters out of it", fn.FullName(), fn.Pkg().Name())
	}
	if _, ours := p.Imported[fn.Pkg().Path()]; !ours && !likelySameModule(fn.Pkg().Path(), p.Pkg.Path()) {
		// The standard library or another module: not the user's to
		// annotate.
		res := sig.Results()
		if res.Len() != 1 || !gotypes.IsFloat(res.At(0).Type()) {
			return fmt.Sprintf("gradgen cannot see into %s, of another module, and a rule needs a single float result; wrap the call in a function of this package with one float result and mark its derivative //gradgen:rule, or keep values that depend on the parameters out of it", fn.FullName())
		}
		return fmt.Sprintf("gradgen cannot see into %s, of another module; supply its derivative in this package: a function marked //gradgen:rule %s.%s of signature %s, or keep values that depend on the parameters out of it", fn.FullName(), fn.Pkg().Name(), fn.Name(), ruleSignature(fn, p.Pkg))
	}
	ways := ruleWay(fn, p.Pkg)
	if fn.Exported() {
		ways = fmt.Sprintf("in package %s, mark %s //gradgen:grad (its gradient then serves every caller; its wrt parameters must be floats) or %s beside it", fn.Pkg().Name(), fn.Name(), ways)
	} else {
		ways = "supply its derivative: " + ways + " in this package"
	}
	return fmt.Sprintf("gradgen cannot see into %s; %s, or keep values that depend on the parameters out of it", fn.FullName(), ways)
}

// likelySameModule reports whether two import paths look like packages of
// one module: the same first element when it has no dot (the standard
// library's, or a local module's), else the same host and two elements
// after it (github.com/owner/repo). The analyzer is not told module
// boundaries; this only chooses which way out a message gives.
func likelySameModule(a, b string) bool {
	root := func(path string) string {
		parts := strings.Split(path, "/")
		if !strings.Contains(parts[0], ".") || len(parts) < 3 {
			return parts[0]
		}
		return strings.Join(parts[:3], "/")
	}
	return root(a) == root(b)
}

// An explicitCall is a method call written with the receiver Go reaches
// implicitly spelled out, and why it was implicit.
type explicitCall struct{ call, why string }

// implicitReceiver reports whether call is a method call whose receiver
// Go reaches implicitly: a method promoted from an embedded field
// (d.Len() for d.Base.Len()), or a value method called on a pointer
// (p.Norm() for (*p).Norm()); it returns the call as written explicitly.
func (l *Lowerer) implicitReceiver(call *ast.CallExpr) (explicitCall, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return explicitCall{}, false
	}
	s := l.Info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return explicitCall{}, false
	}
	recv, why := l.Source(sel.X), ""
	t := s.Recv()
	path := s.Index()
	for _, i := range path[:len(path)-1] {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		f := t.Underlying().(*types.Struct).Field(i)
		recv, t = recv+"."+f.Name(), f.Type()
		why = "a method promoted from the embedded " + f.Name()
	}
	_, ptrRecv := s.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer)
	if _, ptr := t.Underlying().(*types.Pointer); ptr && !ptrRecv {
		recv = "(*" + recv + ")"
		if why == "" {
			why = "a value method called on a pointer"
		}
	}
	if why == "" {
		return explicitCall{}, false
	}
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		args[i] = l.Source(a)
	}
	return explicitCall{call: recv + "." + sel.Sel.Name + "(" + strings.Join(args, ", ") + ")", why: why}, true
}
