// Package inline expands, where they are called, the package's helpers
// that write into what they are passed, and re-sources the package so that
// the lowering sees their writes as statements of the caller (the comment
// in effects.go says which calls and how).
package inline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
)

// Helpers that write into what they are passed — layer(w, x, out) filling
// out, (s *State) Step(h) advancing s, accumulate(&st, v), r := fill(x,
// buf) with a result besides — are expanded where they are called, as if
// their statements were written there, in a block of their own:
//
//	{
//		h := h0             // by-value parameters bound to the arguments
//		st.X += h * st.V    // *s, s.X: the variable whose address was passed
//		...
//		r = <the final return's value>
//	}
//
// (r := f(x) whose final value has the result's type is written without
// the block: the statements, their names fresh, then r := <value>.)
//
// Each statement of the expansion is then one the lowering differentiates
// (or refuses) on its own, and backward code sees the writes where they
// happen. The analyses after it compare source positions (which statement
// comes first, which variables a loop declares), so the expansion is not
// spliced into the syntax tree: the package is re-sourced. The bodies of
// the functions that call such helpers are printed with the calls
// expanded, put back into the text of their files, parsed and
// type-checked with the rest of the package, and gradgen runs on that
// package; every position it reports is mapped back to the source's
// (inlined statements to the helper's own). Nothing on disk changes.
//
// A call is expanded when the callee is a function or method of the
// package with a body, not generic nor variadic, without a custom rule,
// that may write into memory it is passed (lower's MayWrite) or takes or
// returns values other than floats and slices (aggregateSignature), with
// one result at most, returning from no loop, switch or select (early
// returns from ifs are rewritten, returns.go), without
// labels, defer, go or function literals, not recursive (four levels at
// most), and whose names mean at the call what they mean in the helper.
// A pointer parameter must be passed &v, &v.f, &v[i] or a pointer variable (a
// method's receiver: the variable it is called on), and is never assigned
// in the body: its uses become v. Slice parameters passed a variable and
// never assigned become that variable; every other parameter becomes a
// local set to its argument, converted to the parameter's type, one after
// the other (arguments are evaluated once, in order, before the body, as
// for the call). The helper's locals and bound parameters get names no
// name of the caller or the package has, so no argument can read a
// parameter bound before it. Anything else stays a call, and
// the validation refuses it as before.

// maxInlineDepth bounds expansions inside expansions.
const maxInlineDepth = 4

// An inliner expands the calls of writing helpers (see the top of the
// file).
type inliner struct {
	p      *lower.Package
	decls  map[*types.Func]*ast.FuncDecl // the package's functions with bodies, as written
	fileOf map[*ast.FuncDecl]*ast.File
	// per caller
	caller *ast.FuncDecl
	taken  map[string]bool // names the caller, the package and the universe use
	lits   map[types.Object]*ast.FuncLit
	// reasons say, by a call's position in the source, why a call of a
	// writing helper or literal was not expanded.
	reasons map[token.Pos]string
}

// function returns fd's body with the calls expanded, or false when none is.
func (in *inliner) function(fd *ast.FuncDecl) (*ast.BlockStmt, bool) {
	in.caller = fd
	in.taken = map[string]bool{}
	for _, n := range in.p.Pkg.Scope().Names() {
		in.taken[n] = true
	}
	for _, n := range types.Universe.Names() {
		in.taken[n] = true
	}
	for _, imp := range in.fileOf[fd].Imports {
		if imp.Name != nil {
			in.taken[imp.Name.Name] = true
		}
	}
	for _, pkg := range in.p.Pkg.Imports() {
		in.taken[pkg.Name()] = true
	}
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			in.taken[id.Name] = true
		}
		return true
	})
	in.lits = in.literals(fd.Body)
	changed := false
	body := in.block(fd.Body, fd.Body.Pos(), 0, &changed)
	if changed && len(in.lits) > 0 {
		body = in.dropExpandedLiterals(body)
	}
	return body, changed
}

// literals finds the function literals of the caller's body that may be
// expanded at statement calls: bound once with := to a local that is
// only called, with a body of more than a return (a single return is
// expanded in expressions, internal/lower/funclits.go).
func (in *inliner) literals(body *ast.BlockStmt) map[types.Object]*ast.FuncLit {
	info := in.p.Info
	lits := map[types.Object]*ast.FuncLit{}
	lower.ForStatements(body, func(s ast.Stmt) {
		as, ok := s.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		lit, isLit := ast.Unparen(as.Rhs[0]).(*ast.FuncLit)
		if !ok || !isLit || info.Defs[id] == nil {
			return
		}
		if len(lit.Body.List) == 1 {
			if _, ret := lit.Body.List[0].(*ast.ReturnStmt); ret {
				return
			}
		}
		lits[info.Defs[id]] = lit
	})
	// Only called: no other use, no assignment.
	calls := map[*ast.Ident]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				calls[id] = true
			}
		}
		return true
	})
	// (The body's own nodes: info also holds copies other rewrites made.)
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && lits[info.Uses[id]] != nil && !calls[id] {
			delete(lits, info.Uses[id])
		}
		return true
	})
	return lits
}

// literalCalled returns the literal call calls, if it is one of in.lits.
func (in *inliner) literalCalled(call *ast.CallExpr) *ast.FuncLit {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	return in.lits[in.p.Info.Uses[id]]
}

// dropExpandedLiterals removes the declarations of the literals whose
// every call was expanded: nothing names them any more.
func (in *inliner) dropExpandedLiterals(body *ast.BlockStmt) *ast.BlockStmt {
	declared := func(s ast.Node) types.Object {
		as, ok := s.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 {
			return nil
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && in.lits[in.p.Info.Defs[id]] != nil {
			return in.p.Info.Defs[id]
		}
		return nil
	}
	// A literal named only inside literals that go, goes too.
	drop := map[types.Object]bool{}
	for changed := true; changed; {
		changed = false
		used := map[types.Object]bool{}
		ast.Inspect(body, func(n ast.Node) bool {
			if obj := declared(n); obj != nil && drop[obj] {
				return false
			}
			if id, ok := n.(*ast.Ident); ok {
				used[in.p.Info.Uses[id]] = true
			}
			return true
		})
		for obj := range in.lits {
			if !used[obj] && !drop[obj] {
				drop[obj] = true
				changed = true
			}
		}
	}
	return rewrite.Block(body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		if obj := declared(s); obj != nil && drop[obj] {
			return nil, true
		}
		return nil, false
	})
}

// block rewrites the statement lists of b, expanding calls made at site.
func (in *inliner) block(b *ast.BlockStmt, site token.Pos, depth int, changed *bool) *ast.BlockStmt {
	return rewrite.Block(b, func(s ast.Stmt) ([]ast.Stmt, bool) {
		at := site
		if depth == 0 {
			at = s.Pos()
		}
		out, ok := in.expand(s, at, depth)
		*changed = *changed || ok
		return out, ok
	})
}

// expand rewrites one statement: a call expanded, or calls and composite
// literals inside it computed first into temporaries, then the statement
// reading them; false when nothing changes.
func (in *inliner) expand(s ast.Stmt, at token.Pos, depth int) ([]ast.Stmt, bool) {
	if out, ok := in.stmt(s, at, depth); ok {
		return out, true
	}
	// y := 2 * f(x) + g(z): f's call first, into a temporary, then the
	// statement reading it, whose other calls go in turn.
	if first, rest, hoisted := in.hoist(s); hoisted {
		target := first.(*ast.AssignStmt).Rhs[0].(*ast.CallExpr)
		out, ok := in.stmt(first, at, depth)
		if !ok && !in.expandable(target) {
			// A call with effects: computed once, before, so that
			// backward code reads its value instead of calling it again.
			out, ok = []ast.Stmt{first}, true
		}
		if !ok {
			// The call stays, refused with its reason; so do the calls
			// after it (Go makes them in order) and the statement's
			// literals, which its messages then quote as written.
			in.refuseAfter(s, target)
			return nil, false
		}
		if more, ok := in.expand(rest, at, depth); ok {
			return append(out, more...), true
		}
		return append(out, rest), true
	}
	// d := dot([]float64{a, b}, w): the literal first, declared.
	if out, ok := in.hoistLiterals(s); ok {
		last := len(out) - 1
		if more, ok := in.expand(out[last], at, depth); ok {
			return append(out[:last], more...), true
		}
		return out, true
	}
	return nil, false
}

// stmt expands s when it is a call of a writing helper (f(...), v :=
// f(...), v = f(...), v op= f(...)), or reports false.
func (in *inliner) stmt(s ast.Stmt, site token.Pos, depth int) ([]ast.Stmt, bool) {
	call, assign := helperCallIn(s)
	if call == nil {
		return nil, false
	}
	e := &expansion{in: in, site: site, names: map[types.Object]string{}, subst: map[types.Object]ast.Expr{}, pointee: map[types.Object]ast.Expr{}}
	sig, recv, ok := in.target(call, e)
	if !ok {
		return nil, false
	}
	switch {
	case depth >= maxInlineDepth:
		return in.refuse(call, fmt.Sprintf("expansions would nest more than %d deep (is it recursive?)", maxInlineDepth))
	case sig.Results().Len() > 1:
		return in.refuse(call, "it has several results")
	case assign != nil && sig.Results().Len() == 0:
		return nil, false
	}
	final, why := e.fit(sig, recv, call)
	if why != "" {
		return in.refuse(call, why)
	}
	body, value := e.body(final)
	return in.placeExpansion(s, assign, call, sig, body, value, site, depth)
}

// helperCallIn returns the call s is made of, and the assignment taking
// its value if any (nil for a call statement): only a statement that is
// one call, or one variable set to one, can be replaced by the call's
// expansion. call is nil for any other statement.
func helperCallIn(s ast.Stmt) (call *ast.CallExpr, assign *ast.AssignStmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		call, _ = ast.Unparen(s.X).(*ast.CallExpr)
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return nil, nil
		}
		assign = s
		call, _ = ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
	}
	return call, assign
}

// fit rewrites the helper's body to one exit, binds or substitutes its
// parameters and names its locals afresh, in that order, and returns the
// final return statement the expansion's value comes from. why is the
// reason, for the call's error, when any step cannot be done; the
// expansion is then dropped.
func (e *expansion) fit(sig *types.Signature, recv ast.Expr, call *ast.CallExpr) (final *ast.ReturnStmt, why string) {
	in := e.in
	if sig.Results().Len() <= 1 {
		var result types.Type
		if sig.Results().Len() == 1 {
			result = sig.Results().At(0).Type()
		}
		body, why := in.singleExit(e.fbody, sig.Results().Len(), result)
		if why != "" {
			return nil, why
		}
		e.fbody = body
	}
	final, why = in.shape(e.ftype, e.fbody, sig.Results().Len())
	if why != "" {
		return nil, why
	}
	if !e.params(sig, recv, call) {
		return nil, "a pointer it takes is passed neither &v, &v.f, &v[i] nor a pointer variable, or its body assigns the pointer"
	}
	if !e.locals() {
		return nil, "it declares a type or a constant"
	}
	if !e.outerNames() {
		return nil, fmt.Sprintf("the name %s it reads means something else where it is called (another variable of that name, or a package the caller's file does not import)", e.badName)
	}
	return final, ""
}

// placeExpansion returns the statements that replace s: the expansion's
// body with its value delivered where s put the call's (declared by the
// last statement, assigned to the caller's variable, or evaluated for
// its calls when dropped), and the calls inside expanded in turn, one
// level deeper. It reports false when the value cannot be put into the
// caller's variable.
func (in *inliner) placeExpansion(s ast.Stmt, assign *ast.AssignStmt, call *ast.CallExpr, sig *types.Signature, body *ast.BlockStmt, value ast.Expr, site token.Pos, depth int) ([]ast.Stmt, bool) {
	var out []ast.Stmt
	if assign != nil && assign.Tok == token.DEFINE && in.sameType(value, sig) {
		// v := f(x): the expansion's statements, then v declared with
		// its value (not declared empty before and assigned: a struct
		// would be zeroed, then copied field by field, and both saved
		// in a loop). Its locals have fresh names: no block is needed.
		if id, ok := assign.Lhs[0].(*ast.Ident); ok && id.Name != "_" {
			body.List = append(body.List, &ast.AssignStmt{Lhs: []ast.Expr{in.p.CloneNode(id).(ast.Expr)}, TokPos: assign.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{value}})
			changed := false
			body = in.block(body, site, depth+1, &changed)
			return body.List, true
		}
	}
	if assign != nil {
		decl, final, ok := in.intoCaller(assign, call, sig, value)
		if !ok {
			return nil, false
		}
		out = decl
		body.List = append(body.List, final)
	}
	if assign == nil && value != nil && !in.p.CallsNothing(value) {
		// f(x) whose value is dropped: the value's calls still run.
		body.List = append(body.List, &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent("_")}, TokPos: s.Pos(), Tok: token.ASSIGN, Rhs: []ast.Expr{value}})
	}
	changed := false
	body = in.block(body, site, depth+1, &changed)
	return append(out, body), true
}

// sameType reports whether value, the expansion's result, has the type of
// the helper's result (a constant does not: it would take its default
// type).
func (in *inliner) sameType(value ast.Expr, sig *types.Signature) bool {
	if value == nil || sig.Results().Len() != 1 {
		return false
	}
	tv, ok := in.p.Info.Types[value]
	return ok && tv.Value == nil && types.Identical(tv.Type, sig.Results().At(0).Type())
}

// intoCaller writes how an expansion's value reaches the statement's
// variable (v := f(x), v = f(x), v += f(x)): the declaration to put before
// the expansion, if any, and the expansion's last statement. It reports
// false when the call is not expanded (the reason recorded).
func (in *inliner) intoCaller(assign *ast.AssignStmt, call *ast.CallExpr, sig *types.Signature, value ast.Expr) ([]ast.Stmt, ast.Stmt, bool) {
	var decl []ast.Stmt
	lhs := assign.Lhs[0]
	tok := assign.Tok
	switch tok {
	case token.DEFINE:
		id, ok := lhs.(*ast.Ident)
		if !ok || id.Name == "_" {
			return nil, nil, false
		}
		typ := in.typeExpr(sig.Results().At(0).Type())
		if typ == nil {
			in.refuse(call, "the caller's file cannot name its result's type")
			return nil, nil, false
		}
		decl = append(decl, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: assign.Pos(), Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{id}, Type: typ}}}})
		tok = token.ASSIGN
	case token.ASSIGN, token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && tok == token.ASSIGN && gotypes.RefVar(sig.Results().At(0).Type()) && in.hasMemory(id, call.Pos()) {
			// The message would name the expansion's locals.
			in.refuse(call, fmt.Sprintf("its result is a new slice or pointer, and %s already refers to other memory, while gradgen follows each slice or pointer variable to one piece of memory; assign the result to a new variable (%s2 := %s)", id.Name, id.Name, types.ExprString(call)))
			return nil, nil, false
		}
	default:
		return nil, nil, false
	}
	// The final value goes into the caller's variable: the expansion's
	// names never hide it (they are fresh).
	return decl, &ast.AssignStmt{Lhs: []ast.Expr{in.p.CloneNode(lhs).(ast.Expr)}, TokPos: assign.Pos(), Tok: tok, Rhs: []ast.Expr{value}}, true
}
