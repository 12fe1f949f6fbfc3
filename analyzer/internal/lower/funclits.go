package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
	"golang.org/x/tools/go/ast/astutil"
)

// Function literals called in place. A literal bound once to a local
// (f := func(t float64) float64 { return lambda * t * t }), whose body is
// a single return and which the function only calls, is expanded at each
// call as if its expression were written there: f(x) becomes
// (lambda * (x) * (x)). A call sees the captured variables' current
// values, as in Go, and every analysis afterwards sees plain expressions
// (a captured variable that depends on the parameters is varied where
// the call stands). The declaration goes. Anything else stays, and the
// validation refuses it at its position.
//
// Arguments are substituted: an argument that is not a variable, a
// constant or an element of one (simpleExpr) must call nothing but
// package math and conversions, so that the expansion computes what the
// call computes. One the body reads more than once is computed first,
// into a local declared before the call's statement, where the statement
// evaluates the call whenever it runs; in a condition or the right of &&
// or || it is written at each read (computing it where Go would not could
// panic: k < len(w) && sq(w[k]) > 1). A constant argument is converted to
// its parameter's type (3 for t in t / 2 would be integer division), and
// every name the body reads must name the same thing where the call
// stands (a local declared between the literal and the call may shadow
// one): the expansion reads them there.
//
// Like the other rewrites, it works on a copy: the clone records its
// nodes' types beside the originals'.

// withoutFuncLits returns decl with its literals expanded, or decl itself
// when it has none that can be.
func (p *Package) withoutFuncLits(decl *ast.FuncDecl) *ast.FuncDecl {
	if decl.Body == nil {
		return decl
	}
	lits := p.expandableLits(decl.Body)
	if len(lits) == 0 {
		return decl
	}
	body := p.CloneNode(decl.Body).(*ast.BlockStmt)
	body = p.hoistArguments(body, lits)
	// Expanding a literal may bring in a call of one declared before it:
	// a few rounds reach the bottom (a literal cannot call itself).
	for range len(lits) + 1 {
		changed := false
		body = astutil.Apply(body, nil, func(c *astutil.Cursor) bool {
			switch n := c.Node().(type) {
			case *ast.CallExpr:
				if lit := lits[p.literalVar(n.Fun)]; lit != nil {
					c.Replace(p.expandCall(lit, n))
					changed = true
				}
			case ast.Stmt:
				if v := p.literalDecl(n); v != nil && lits[v] != nil {
					c.Delete()
				}
			}
			return true
		}).(*ast.BlockStmt)
		if !changed {
			break
		}
	}
	rewritten := *decl
	rewritten.Body = body
	return &rewritten
}

// expandableLits finds the locals bound to literals that can be expanded,
// and records in p.litRefusals why the others cannot.
func (p *Package) expandableLits(body *ast.BlockStmt) map[*types.Var]*ast.FuncLit {
	lits := map[*types.Var]*ast.FuncLit{}
	refuse := func(v *types.Var, format string, args ...any) {
		if lit := lits[v]; lit != nil {
			if p.litRefusals == nil {
				p.litRefusals = map[token.Pos]string{}
			}
			if _, done := p.litRefusals[lit.Pos()]; !done {
				p.litRefusals[lit.Pos()] = fmt.Sprintf(format, args...)
				if p.litVarRefusals == nil {
					p.litVarRefusals = map[types.Object]string{}
				}
				p.litVarRefusals[v] = p.litRefusals[lit.Pos()]
			}
		}
		delete(lits, v)
	}
	// Declarations in statement lists only: the expansion deletes them.
	ForStatements(body, func(s ast.Stmt) {
		if v := p.literalDecl(s); v != nil {
			lits[v] = literalOf(s)
		}
	})
	for v, lit := range lits {
		if why := p.notExpandable(lit); why != "" {
			refuse(v, "%s", why)
		}
	}
	// Every other use of the variable must be a call of it, each call
	// one whose arguments may be substituted; a constant argument needs a
	// statement before the call's, to become a variable.
	hoistable := map[*ast.CallExpr]bool{}
	ForStatements(body, func(s ast.Stmt) {
		if plainStatement(s) {
			markHoistable(s, hoistable)
		}
	})
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if v := p.literalVar(n.Fun); v != nil && lits[v] != nil {
				if why := p.substitutable(v, lits, n, hoistable[n]); why != "" {
					refuse(v, "%s", why)
				}
				for _, a := range n.Args {
					ast.Inspect(a, func(m ast.Node) bool {
						if inner, ok := m.(*ast.CallExpr); ok {
							if w := p.literalVar(inner.Fun); w != nil && lits[w] != nil {
								refuse(w, "its call %s at %s is an argument of another literal's call (%s), which gradgen does not expand; assign the inner call's result to a variable first", types.ExprString(inner), p.ShortPos(inner.Pos()), types.ExprString(n.Fun))
							}
						}
						p.dropUse(lits, m, refuse)
						return true
					})
				}
				return false
			}
		case *ast.Ident:
			p.dropUse(lits, n, refuse)
		}
		return true
	})
	return lits
}

// markHoistable marks the calls in s that are evaluated whenever s is:
// not those in the right operand of && or ||, nor in a literal.
func markHoistable(n ast.Node, hoistable map[*ast.CallExpr]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			hoistable[n] = true
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				markHoistable(n.X, hoistable)
				return false
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
}

// dropUse removes from lits a variable that n uses other than by calling it.
func (p *Package) dropUse(lits map[*types.Var]*ast.FuncLit, n ast.Node, refuse func(*types.Var, string, ...any)) {
	if id, ok := n.(*ast.Ident); ok {
		if v, ok := p.Info.Uses[id].(*types.Var); ok && lits[v] != nil {
			refuse(v, "%s is used other than by calling it (at %s): gradgen expands calls of a literal in place, and follows no function values", v.Name(), p.ShortPos(id.Pos()))
		}
	}
}

// literalDecl returns the variable s binds to a function literal (f :=
// func..., var f = func...), or nil.
func (p *Package) literalDecl(s ast.Stmt) *types.Var {
	var name *ast.Ident
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE || len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return nil
		}
		name, _ = s.Lhs[0].(*ast.Ident)
	case *ast.DeclStmt:
		g, ok := s.Decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
			return nil
		}
		vs := g.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || len(vs.Values) != 1 {
			return nil
		}
		name = vs.Names[0]
	}
	if name == nil || literalOf(s) == nil {
		return nil
	}
	v, _ := p.Info.Defs[name].(*types.Var)
	return v
}

// literalOf returns the literal a declaration found by literalDecl binds.
func literalOf(s ast.Stmt) *ast.FuncLit {
	var e ast.Expr
	switch s := s.(type) {
	case *ast.AssignStmt:
		e = s.Rhs[0]
	case *ast.DeclStmt:
		e = s.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Values[0]
	}
	lit, _ := ast.Unparen(e).(*ast.FuncLit)
	return lit
}

// literalVar returns the local a call's function expression names, or nil.
func (p *Package) literalVar(fun ast.Expr) *types.Var {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := p.Info.Uses[id].(*types.Var)
	return v
}

// notExpandable says why lit has not the form expanded in place (named
// parameters, one float result, a body that is one return of one
// expression with no literal of its own), or "" when it has.
func (p *Package) notExpandable(lit *ast.FuncLit) string {
	sig, ok := p.Info.TypeOf(lit).(*types.Signature)
	switch {
	case !ok:
		return "gradgen cannot read its type"
	case sig.Variadic():
		return "it is variadic"
	case sig.Results().Len() != 1 || !rewrite.IsBasic(sig.Results().At(0).Type()) && !gotypes.IsFloat(sig.Results().At(0).Type()):
		return "it has not a single float, integer or boolean result (a literal of several statements, or of no result, is expanded only where it is called as a statement of its own (f(x), v := f(x), v = f(x), v += f(x)) when it returns from no loop, switch or select, takes no pointers, and every name it reads from the enclosing function means the same where it is called; call it so, or write it as a helper of this package)"
	case len(lit.Body.List) != 1:
		return "its body is not a single return statement (gradgen expands such a literal inside expressions; a literal of several statements, or of no result, is expanded only where it is called as a statement of its own (f(x), v := f(x), v = f(x), v += f(x)) when it returns from no loop, switch or select, takes no pointers, and every name it reads from the enclosing function means the same where it is called; call it so, or write it as a helper of this package)"
	}
	for i := range sig.Params().Len() {
		if name := sig.Params().At(i).Name(); name == "" || name == "_" {
			return "a parameter has no name"
		}
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "its body is not a single return statement (gradgen expands such a literal inside expressions; a literal of several statements, or of no result, is expanded only where it is called as a statement of its own (f(x), v := f(x), v = f(x), v += f(x)) when it returns from no loop, switch or select, takes no pointers, and every name it reads from the enclosing function means the same where it is called; call it so, or write it as a helper of this package)"
	}
	if tv := p.Info.Types[ret.Results[0]]; tv.Value != nil {
		return fmt.Sprintf("its body is the constant %s, which the call returns at run time but an expansion would fold with what surrounds the call (-f() of a zero would lose its sign); hold the constant in a variable and use that", types.ExprString(ret.Results[0]))
	}
	nested := false
	ast.Inspect(ret.Results[0], func(n ast.Node) bool {
		_, isLit := n.(*ast.FuncLit)
		nested = nested || isLit
		return !nested
	})
	if nested {
		return "it holds a literal of its own"
	}
	return ""
}

// ForStatements calls visit on every statement that stands in a list (a
// block's, a case's), at any depth.
func ForStatements(body *ast.BlockStmt, visit func(ast.Stmt)) {
	ast.Inspect(body, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		for _, s := range list {
			visit(s)
		}
		return true
	})
}

// plainStatement reports whether s evaluates its expressions once, with
// nothing of its own before them: an argument it passes may be computed
// by a statement just before it.
func plainStatement(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.AssignStmt, *ast.ExprStmt, *ast.ReturnStmt, *ast.DeclStmt, *ast.IncDecStmt:
		return true
	}
	return false
}

// needsTemp reports whether argument i of a call of lit must be computed
// once into a temporary: it is a constant, or it is not a variable
// (simpleExpr) and the body reads its parameter other than once.
func (p *Package) needsTemp(lit *ast.FuncLit, i int, a ast.Expr) bool {
	if tv := p.Info.Types[a]; tv.Value != nil {
		// A constant written into the body would be folded with it at
		// compile time: 0 for n in uint8 n - 1 does not wrap, -t of 0 loses
		// its sign, 1e200 * 1e200 overflows. The call computes at run time.
		return true
	}
	if simpleExpr(a) {
		return false
	}
	sig := p.Info.TypeOf(lit).(*types.Signature)
	body := lit.Body.List[0].(*ast.ReturnStmt).Results[0]
	reads := 0
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && p.Info.Uses[id] == sig.Params().At(i) {
			reads++
		}
		return true
	})
	return reads != 1
}

// hoistArguments binds each argument of a literal's call that needsTemp
// to a new local declared just before the call's statement, t := arg,
// when the statement evaluates the call whenever it runs; elsewhere (a
// condition, the right of && or ||) the argument, which calls nothing but
// package math, is written at each of its reads.
func (p *Package) hoistArguments(body *ast.BlockStmt, lits map[*types.Var]*ast.FuncLit) *ast.BlockStmt {
	return astutil.Apply(body, func(c *astutil.Cursor) bool {
		s, ok := c.Node().(ast.Stmt)
		if !ok || c.Index() < 0 || !plainStatement(s) {
			return true
		}
		hoistable := map[*ast.CallExpr]bool{}
		markHoistable(s, hoistable)
		ast.Inspect(s, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				_, lit := n.(*ast.FuncLit)
				return !lit
			}
			lit := lits[p.literalVar(call.Fun)]
			if lit == nil || !hoistable[call] {
				return true
			}
			sig := p.Info.TypeOf(lit).(*types.Signature)
			for i, a := range call.Args {
				if !p.needsTemp(lit, i, a) {
					continue
				}
				prm := sig.Params().At(i)
				// The new statement stands at the call's statement's
				// position: analyses that order statements by position
				// (which values backward code reads before a statement
				// overwrites them) must see it at or before that one, not
				// where its argument is written, inside it.
				at := s.Pos()
				v := types.NewVar(at, p.Pkg, prm.Name(), prm.Type())
				// A local's scope, as the type checker would give it: other
				// analyses tell locals from package variables by it.
				types.NewScope(nil, at, at, "argument").Insert(v)
				def := &ast.Ident{NamePos: at, Name: prm.Name()}
				use := &ast.Ident{NamePos: a.Pos(), Name: prm.Name()}
				p.Info.Defs[def] = v
				p.Info.Uses[use] = v
				p.Info.Types[use] = types.TypeAndValue{Type: prm.Type()}
				rhs := a
				if conv := p.Converted(a, prm.Type()); conv != nil {
					// A constant takes the parameter's type, not its default.
					rhs = conv
				}
				c.InsertBefore(&ast.AssignStmt{Lhs: []ast.Expr{def}, TokPos: at, Tok: token.DEFINE, Rhs: []ast.Expr{rhs}})
				call.Args[i] = use
			}
			return true
		})
		return true
	}, nil).(*ast.BlockStmt)
}

// substitutable says why call's arguments may not be written in place of
// lit's parameters (see the package comment above), after temporaries
// for those that need them when hoist is set, or "" when they may. The
// names lit reads (and the literals it calls read) must mean at the call
// what they mean in lit: the expansion reads them there.
func (p *Package) substitutable(v *types.Var, lits map[*types.Var]*ast.FuncLit, call *ast.CallExpr, hoistable bool) string {
	lit := lits[v]
	sig := p.Info.TypeOf(lit).(*types.Signature)
	at := p.ShortPos(call.Pos())
	if call.Ellipsis.IsValid() || len(call.Args) != sig.Params().Len() {
		return fmt.Sprintf("its call at %s passes a slice with ...", at)
	}
	for i, a := range call.Args {
		if tv := p.Info.Types[a]; tv.Value != nil && !hoistable {
			return fmt.Sprintf("the constant argument %s of its call at %s must become a variable of %s's type first (Go computes the call at run time; the expansion would fold the constant at compile time), and the call stands where no statement can go before it (a condition, the right of && or ||); assign the constant to a variable first", types.ExprString(a), at, sig.Params().At(i).Name())
		}
		if simpleExpr(a) {
			continue
		}
		if !p.callsMathOnly(a) {
			return fmt.Sprintf("the argument %s of its call at %s calls a function other than package math's and conversions, the only calls gradgen writes into an expansion; assign the argument to a variable first", types.ExprString(a), at)
		}
	}
	scope := p.Pkg.Scope().Innermost(call.Pos())
	for _, id := range p.freeNames(lit, lits, map[*ast.FuncLit]bool{}) {
		obj := p.Info.Uses[id]
		if scope == nil {
			return fmt.Sprintf("gradgen cannot tell what %s means at its call at %s", id.Name, at)
		}
		if _, here := scope.LookupParent(id.Name, call.Pos()); here != obj {
			return fmt.Sprintf("it reads %s, which at its call at %s names another %s (declared at %s); rename one of them", id.Name, at, id.Name, p.ShortPos(here.Pos()))
		}
	}
	return ""
}

// freeNames returns the identifiers lit's body reads that it does not
// declare, and those of the literals it calls, which its expansion brings
// along.
func (p *Package) freeNames(lit *ast.FuncLit, lits map[*types.Var]*ast.FuncLit, seen map[*ast.FuncLit]bool) []*ast.Ident {
	if seen[lit] {
		return nil
	}
	seen[lit] = true
	sig := p.Info.TypeOf(lit).(*types.Signature)
	var out []*ast.Ident
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			// A field, a method or another package's name: only the
			// operand is looked up where the call stands.
			out = append(out, p.freeNamesIn(sel.X, lit, lits, seen)...)
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj := p.Info.Uses[id]
		if obj == nil || obj.Parent() == types.Universe {
			return true
		}
		if v, ok := obj.(*types.Var); ok {
			for i := range sig.Params().Len() {
				if sig.Params().At(i) == v {
					return true
				}
			}
			if inner := lits[v]; inner != nil {
				out = append(out, p.freeNames(inner, lits, seen)...)
			}
		}
		if v, isVar := obj.(*types.Var); isVar && v.IsField() {
			return true // a key of a struct literal
		}
		out = append(out, id)
		return true
	})
	return out
}

// freeNamesIn is freeNames for the expression e of lit's body.
func (p *Package) freeNamesIn(e ast.Expr, lit *ast.FuncLit, lits map[*types.Var]*ast.FuncLit, seen map[*ast.FuncLit]bool) []*ast.Ident {
	wrapped := &ast.FuncLit{Type: lit.Type, Body: &ast.BlockStmt{List: []ast.Stmt{&ast.ExprStmt{X: e}}}}
	p.Info.Types[wrapped] = p.Info.Types[lit]
	defer delete(p.Info.Types, wrapped)
	return p.freeNames(wrapped, lits, seen)
}

// callsMathOnly reports whether e calls nothing but package math and
// conversions.
func (p *Package) callsMathOnly(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall || !ok {
			return ok
		}
		if tv, found := p.Info.Types[call.Fun]; found && tv.IsType() {
			return true
		}
		if id, isID := ast.Unparen(call.Fun).(*ast.Ident); isID {
			if b, isB := p.Info.Uses[id].(*types.Builtin); isB {
				switch b.Name() {
				case "len", "cap", "min", "max":
					return true
				}
			}
		}
		fn := gotypes.CalleeFunc(p.Info, call)
		ok = fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "math"
		return ok
	})
	return ok
}

// expandCall writes lit's expression with call's arguments in place of
// its parameters, parenthesized, in a fresh copy for this call.
func (p *Package) expandCall(lit *ast.FuncLit, call *ast.CallExpr) ast.Expr {
	sig := p.Info.TypeOf(lit).(*types.Signature)
	args := map[types.Object]ast.Expr{}
	for i, a := range call.Args {
		args[sig.Params().At(i)] = a
	}
	body := p.CloneNode(lit.Body.List[0].(*ast.ReturnStmt).Results[0]).(ast.Expr)
	body = astutil.Apply(body, nil, func(c *astutil.Cursor) bool {
		if id, ok := c.Node().(*ast.Ident); ok {
			if a, ok := args[p.Info.Uses[id]]; ok {
				c.Replace(p.Paren(p.CloneNode(a).(ast.Expr)))
			}
		}
		return true
	}).(ast.Expr)
	return p.Paren(body)
}

// funcLitError reports the function literal at pos, which reads values
// that depend on the parameters and was not expanded, with the reason.
func (l *Lowerer) funcLitError(pos token.Pos) {
	why := l.litRefusals[pos]
	if why == "" {
		why = "it is not declared alone, in a statement of its own (f := func(...) ... { ... }, not in an if's init, a multiple assignment or called where it stands), under a name only called"
	}
	l.Errorf(pos, "cannot differentiate a function literal that reads values depending on the parameters here: gradgen expands in place a literal bound once to a local and only called (f := func(t float64) float64 { return ... }; f(x)), and %s", why)
}
