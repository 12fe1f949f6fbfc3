package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"

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
// Arguments are substituted, not evaluated first: an argument that is not
// a variable, a constant or an element of one (simpleExpr) must be read
// once by the body and call nothing but package math and conversions, so
// that the expansion computes what the call computes, in the same order.
//
// Like the other rewrites, it works on a copy: the clone records its
// nodes' types beside the originals'.

// withoutFuncLits returns decl with its literals expanded, or decl itself
// when it has none that can be.
func (p *pkgContext) withoutFuncLits(decl *ast.FuncDecl) *ast.FuncDecl {
	if decl.Body == nil {
		return decl
	}
	lits := p.expandableLits(decl.Body)
	if len(lits) == 0 {
		return decl
	}
	body := p.cloneNode(decl.Body).(*ast.BlockStmt)
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

// expandableLits finds the locals bound to literals that can be expanded.
func (p *pkgContext) expandableLits(body *ast.BlockStmt) map[*types.Var]*ast.FuncLit {
	lits := map[*types.Var]*ast.FuncLit{}
	// Declarations in statement lists only: the expansion deletes them.
	forStatements(body, func(s ast.Stmt) {
		if v := p.literalDecl(s); v != nil {
			lits[v] = literalOf(s)
		}
	})
	for v, lit := range lits {
		if !p.expandable(lit) {
			delete(lits, v)
		}
	}
	// Every other use of the variable must be a call of it, each call
	// one whose arguments may be substituted, or bound to temporaries
	// first when the call stands in a plain statement.
	hoistable := map[*ast.CallExpr]bool{}
	forStatements(body, func(s ast.Stmt) {
		if !plainStatement(s) {
			return
		}
		ast.Inspect(s, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				hoistable[call] = true
			}
			_, lit := n.(*ast.FuncLit)
			return !lit
		})
	})
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if v := p.literalVar(n.Fun); v != nil && lits[v] != nil {
				if !p.substitutable(lits[v], n, hoistable[n]) {
					delete(lits, v)
				}
				for _, a := range n.Args {
					ast.Inspect(a, func(m ast.Node) bool { p.dropUse(lits, m); return true })
				}
				return false
			}
		case *ast.Ident:
			p.dropUse(lits, n)
		}
		return true
	})
	return lits
}

// dropUse removes from lits a variable that n uses other than by calling it.
func (p *pkgContext) dropUse(lits map[*types.Var]*ast.FuncLit, n ast.Node) {
	if id, ok := n.(*ast.Ident); ok {
		if v, ok := p.info.Uses[id].(*types.Var); ok {
			delete(lits, v)
		}
	}
}

// literalDecl returns the variable s binds to a function literal (f :=
// func..., var f = func...), or nil.
func (p *pkgContext) literalDecl(s ast.Stmt) *types.Var {
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
	v, _ := p.info.Defs[name].(*types.Var)
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
func (p *pkgContext) literalVar(fun ast.Expr) *types.Var {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := p.info.Uses[id].(*types.Var)
	return v
}

// expandable reports whether lit has the form expanded in place: named
// parameters, one result, a body that is one return of one expression
// with no literal of its own.
func (p *pkgContext) expandable(lit *ast.FuncLit) bool {
	sig, ok := p.info.TypeOf(lit).(*types.Signature)
	if !ok || sig.Variadic() || sig.Results().Len() != 1 || len(lit.Body.List) != 1 {
		return false
	}
	for i := range sig.Params().Len() {
		if name := sig.Params().At(i).Name(); name == "" || name == "_" {
			return false
		}
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return false
	}
	nested := false
	ast.Inspect(ret.Results[0], func(n ast.Node) bool {
		_, isLit := n.(*ast.FuncLit)
		nested = nested || isLit
		return !nested
	})
	return !nested
}

// forStatements calls visit on every statement that stands in a list (a
// block's, a case's), at any depth.
func forStatements(body *ast.BlockStmt, visit func(ast.Stmt)) {
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
// once into a temporary: it is not a variable or constant (simpleExpr),
// and the body reads its parameter other than once.
func (p *pkgContext) needsTemp(lit *ast.FuncLit, i int, a ast.Expr) bool {
	if simpleExpr(a) {
		return false
	}
	sig := p.info.TypeOf(lit).(*types.Signature)
	body := lit.Body.List[0].(*ast.ReturnStmt).Results[0]
	reads := 0
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && p.info.Uses[id] == sig.Params().At(i) {
			reads++
		}
		return true
	})
	return reads != 1
}

// hoistArguments binds each argument of a literal's call that needsTemp
// to a new local declared just before the call's statement: t := arg.
func (p *pkgContext) hoistArguments(body *ast.BlockStmt, lits map[*types.Var]*ast.FuncLit) *ast.BlockStmt {
	return astutil.Apply(body, func(c *astutil.Cursor) bool {
		s, ok := c.Node().(ast.Stmt)
		if !ok || c.Index() < 0 || !plainStatement(s) {
			return true
		}
		ast.Inspect(s, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				_, lit := n.(*ast.FuncLit)
				return !lit
			}
			lit := lits[p.literalVar(call.Fun)]
			if lit == nil {
				return true
			}
			sig := p.info.TypeOf(lit).(*types.Signature)
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
				v := types.NewVar(at, p.pkg, prm.Name(), prm.Type())
				// A local's scope, as the type checker would give it: other
				// analyses tell locals from package variables by it.
				types.NewScope(nil, at, at, "argument").Insert(v)
				def := &ast.Ident{NamePos: at, Name: prm.Name()}
				use := &ast.Ident{NamePos: a.Pos(), Name: prm.Name()}
				p.info.Defs[def] = v
				p.info.Uses[use] = v
				p.info.Types[use] = types.TypeAndValue{Type: prm.Type()}
				rhs := a
				if tv := p.info.Types[a]; !types.Identical(tv.Type, prm.Type()) {
					// An untyped constant argument takes the parameter's type.
					conv := &ast.CallExpr{Fun: &ast.Ident{NamePos: a.Pos(), Name: prm.Type().String()}, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End()}
					p.info.Types[conv] = types.TypeAndValue{Type: prm.Type()}
					p.info.Types[conv.Fun] = types.TypeAndValue{Type: prm.Type()}
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

// substitutable reports whether call's arguments may be written in place
// of lit's parameters (see the package comment above), after temporaries
// for those that need them when hoist is set.
func (p *pkgContext) substitutable(lit *ast.FuncLit, call *ast.CallExpr, hoist bool) bool {
	sig := p.info.TypeOf(lit).(*types.Signature)
	if call.Ellipsis.IsValid() || len(call.Args) != sig.Params().Len() {
		return false
	}
	for i, a := range call.Args {
		if simpleExpr(a) {
			continue
		}
		if !p.callsMathOnly(a) || p.needsTemp(lit, i, a) && !hoist {
			return false
		}
	}
	return true
}

// callsMathOnly reports whether e calls nothing but package math and
// conversions.
func (p *pkgContext) callsMathOnly(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall || !ok {
			return ok
		}
		if tv, found := p.info.Types[call.Fun]; found && tv.IsType() {
			return true
		}
		if id, isID := ast.Unparen(call.Fun).(*ast.Ident); isID {
			if b, isB := p.info.Uses[id].(*types.Builtin); isB {
				switch b.Name() {
				case "len", "cap", "min", "max":
					return true
				}
			}
		}
		fn := calleeFunc(p.info, call)
		ok = fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "math"
		return ok
	})
	return ok
}

// expandCall writes lit's expression with call's arguments in place of
// its parameters, parenthesized, in a fresh copy for this call.
func (p *pkgContext) expandCall(lit *ast.FuncLit, call *ast.CallExpr) ast.Expr {
	sig := p.info.TypeOf(lit).(*types.Signature)
	args := map[types.Object]ast.Expr{}
	for i, a := range call.Args {
		args[sig.Params().At(i)] = a
	}
	body := p.cloneNode(lit.Body.List[0].(*ast.ReturnStmt).Results[0]).(ast.Expr)
	body = astutil.Apply(body, nil, func(c *astutil.Cursor) bool {
		if id, ok := c.Node().(*ast.Ident); ok {
			if a, ok := args[p.info.Uses[id]]; ok {
				c.Replace(p.paren(p.cloneNode(a).(ast.Expr)))
			}
		}
		return true
	}).(ast.Expr)
	// The call's value has the literal's result type, as Go gives it.
	return p.paren(body)
}

// paren wraps e in parentheses that carry its type.
func (p *pkgContext) paren(e ast.Expr) ast.Expr {
	out := &ast.ParenExpr{Lparen: e.Pos(), X: e, Rparen: e.End()}
	if tv, ok := p.info.Types[e]; ok {
		p.info.Types[out] = tv
	}
	return out
}

// cloneNode deep-copies a syntax tree, recording each copy's type and
// object beside the original's.
func (p *pkgContext) cloneNode(n ast.Node) ast.Node {
	return p.cloneValue(reflect.ValueOf(n)).Interface().(ast.Node)
}

var (
	objectType       = reflect.TypeFor[*ast.Object]()
	commentGroupType = reflect.TypeFor[*ast.CommentGroup]()
	scopeType        = reflect.TypeFor[*ast.Scope]()
)

func (p *pkgContext) cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == objectType || v.Type() == commentGroupType || v.Type() == scopeType {
			return v
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		if c.Elem().Kind() == reflect.Struct {
			for i := range c.Elem().NumField() {
				if f := c.Elem().Field(i); f.CanSet() {
					f.Set(p.cloneValue(f))
				}
			}
		}
		if orig, ok := v.Interface().(ast.Node); ok {
			p.recordClone(orig, c.Interface().(ast.Node))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(p.cloneValue(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(p.cloneValue(v.Index(i)))
		}
		return c
	}
	return v
}

// recordClone gives a copied node what the type checker recorded for
// the original.
func (p *pkgContext) recordClone(orig, c ast.Node) {
	info := p.info
	if e, ok := orig.(ast.Expr); ok {
		if tv, ok := info.Types[e]; ok {
			info.Types[c.(ast.Expr)] = tv
		}
	}
	if id, ok := orig.(*ast.Ident); ok {
		if o, ok := info.Uses[id]; ok {
			info.Uses[c.(*ast.Ident)] = o
		}
		if o, ok := info.Defs[id]; ok {
			info.Defs[c.(*ast.Ident)] = o
		}
		if in, ok := info.Instances[id]; ok {
			info.Instances[c.(*ast.Ident)] = in
		}
	}
	if s, ok := orig.(*ast.SelectorExpr); ok {
		if sel, ok := info.Selections[s]; ok {
			info.Selections[c.(*ast.SelectorExpr)] = sel
		}
	}
	if o, ok := info.Implicits[orig]; ok {
		info.Implicits[c] = o
	}
	if sc, ok := info.Scopes[orig]; ok {
		info.Scopes[c] = sc
	}
}
