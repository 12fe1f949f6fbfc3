package inline

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Which calls the inliner expands, and how their callees are read: the
// target check, the memory a name may hold, refusals, and the shape a
// body must have to be written in place.

// target finds what call calls, a literal of the caller's or a writing
// helper, and fills e's view of it; false when it is not to be expanded.
func (in *inliner) target(call *ast.CallExpr, e *expansion) (sig *types.Signature, recv ast.Expr, ok bool) {
	if lit := in.literalCalled(call); lit != nil {
		// A function literal of the caller, of more than a return.
		sig, _ = in.p.Info.TypeOf(lit).(*types.Signature)
		if sig == nil || sig.Variadic() {
			in.refuse(call, "it is variadic")
			return nil, nil, false
		}
		for i := range sig.Params().Len() {
			if _, ptr := sig.Params().At(i).Type().Underlying().(*types.Pointer); ptr {
				in.refuse(call, "it takes a pointer")
				return nil, nil, false
			}
		}
		// Named results become locals, bare returns name them, as for
		// a helper.
		body := in.p.WithoutNamedResults(&ast.FuncDecl{Name: ast.NewIdent("_"), Type: lit.Type, Body: lit.Body}).Body
		e.ftype, e.fbody, e.span = lit.Type, body, lit
	} else {
		fn, r := in.callee(call)
		if fn == nil {
			return nil, nil, false
		}
		decl := in.decls[fn]
		sig = fn.Type().(*types.Signature)
		recv = r
		if decl == nil || in.p.Rules[fn] != nil || !in.p.MayWrite(fn, map[*types.Func]bool{}) && !aggregateSignature(sig) {
			return nil, nil, false // a helper of floats and slices that only reads gets a pullback of its own
		}
		why := ""
		switch {
		case decl == in.caller:
			why = "it calls itself"
		case sig.Variadic():
			why = "it is variadic"
		case sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0:
			why = "it is generic"
		}
		if why != "" {
			in.refuse(call, why)
			return nil, nil, false
		}
		// Named results become locals, bare returns name them
		// (internal/rewrite/named_results.go); a bare return left means the rewrite
		// failed, and shape refuses it.
		decl = in.p.WithoutNamedResults(decl)
		e.recv, e.ftype, e.fbody, e.span = decl.Recv, decl.Type, decl.Body, decl
	}
	return sig, recv, true
}

// hasMemory reports whether the variable id names is a parameter, or is
// given a value before pos.
func (in *inliner) hasMemory(id *ast.Ident, pos token.Pos) bool {
	v, ok := in.p.Info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	if v.Pos() < in.caller.Body.Pos() {
		return true // a parameter
	}
	given := false
	ast.Inspect(in.caller.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if x, ok := ast.Unparen(l).(*ast.Ident); ok && in.p.Info.ObjectOf(x) == v && n.End() < pos {
					given = true
				}
			}
		case *ast.ValueSpec:
			for _, x := range n.Names {
				if in.p.Info.Defs[x] == v && len(n.Values) > 0 {
					given = true
				}
			}
		}
		return !given
	})
	return given
}

// refuseAfter records, for each call of s after first that would be
// expanded, why it is not: its own reason, or first's staying a call.
func (in *inliner) refuseAfter(s ast.Stmt, first *ast.CallExpr) {
	ast.Inspect(s, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || call.Pos() <= first.Pos() || !in.expandable(call) {
			return true
		}
		if _, done := in.reasons[call.Pos()]; done {
			return true
		}
		e := &expansion{in: in, site: s.Pos(), names: map[types.Object]string{}, subst: map[types.Object]ast.Expr{}, pointee: map[types.Object]ast.Expr{}}
		if sig, _, ok := in.target(call, e); ok && sig.Results().Len() <= 1 {
			var result types.Type
			if sig.Results().Len() == 1 {
				result = sig.Results().At(0).Type()
			}
			if _, why := in.singleExit(e.fbody, sig.Results().Len(), result); why != "" {
				in.refuse(call, why)
			}
		}
		in.refuse(call, fmt.Sprintf("it comes after the call %s in the same statement, which gradgen could not expand (Go makes the calls in order)", types.ExprString(first)))
		return true
	})
}

// aggregateSignature reports whether a function takes a struct or array
// of floats by value (its receiver included) or returns a value holding
// floats other than a float: the pullbacks gradgen writes for helpers
// take and return floats and slices, so such a helper is expanded where
// it is called instead.
func aggregateSignature(sig *types.Signature) bool {
	if r := sig.Recv(); r != nil && gotypes.ByValueAggregate(r.Type()) {
		return true
	}
	for v := range sig.Params().Variables() {
		if gotypes.ByValueAggregate(v.Type()) {
			return true
		}
	}
	for v := range sig.Results().Variables() {
		if !gotypes.IsFloat(v.Type()) && gotypes.IsDifferentiable(v.Type()) {
			return true
		}
	}
	return false
}

// refuse records why call is not expanded, for its error, and reports
// false.
func (in *inliner) refuse(call *ast.CallExpr, why string) ([]ast.Stmt, bool) {
	if _, done := in.reasons[call.Pos()]; !done {
		in.reasons[call.Pos()] = why
	}
	return nil, false
}

// callee returns the package function or method call calls, and the
// receiver expression of a method call.
func (in *inliner) callee(call *ast.CallExpr) (*types.Func, ast.Expr) {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		fn, _ := in.p.Info.Uses[f].(*types.Func)
		return fn, nil
	case *ast.SelectorExpr:
		sel := in.p.Info.Selections[f]
		if sel == nil || sel.Kind() != types.MethodVal {
			return nil, nil
		}
		fn, _ := sel.Obj().(*types.Func)
		if len(sel.Index()) != 1 {
			return nil, nil // a promoted method: its receiver is a field
		}
		return fn, f.X
	}
	return nil, nil
}

// shape checks the helper's body: its only return is its last statement
// (bare for no result, one value for one), no labels, defer, go or
// function literals. It returns the final return, if any.
func (in *inliner) shape(ftype *ast.FuncType, body *ast.BlockStmt, results int) (*ast.ReturnStmt, string) {
	list := body.List
	var final *ast.ReturnStmt
	if n := len(list); n > 0 {
		final, _ = list[n-1].(*ast.ReturnStmt)
	}
	if results == 1 && (final == nil || len(final.Results) != 1) || results == 0 && final != nil && len(final.Results) != 0 {
		return nil, "it does not end with its only return"
	}
	why := ""
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			if n != final {
				why = "it returns before its last statement"
			}
		case *ast.LabeledStmt, *ast.DeferStmt, *ast.GoStmt, *ast.FuncLit:
			why = "it has a label, defer, go or a function literal"
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				why = "it has a goto"
			}
		}
		return why == ""
	})
	return final, why
}

// typeExpr writes t as the caller's file can name it, or nil.
func (in *inliner) typeExpr(t types.Type) ast.Expr {
	file := in.fileOf[in.caller]
	ok := true
	qual := func(other *types.Package) string {
		name, known := in.p.ImportName(file, other)
		ok = ok && known
		return name
	}
	s := types.TypeString(t, qual)
	if !ok {
		return nil
	}
	e, err := parser.ParseExpr(s)
	if err != nil {
		return nil
	}
	return e
}
