package forward

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// writesTangent reports whether an assignment to lhs writes a variable
// that carries a tangent.
func (f *fwdLowerer) writesTangent(lhs []ast.Expr) bool {
	for _, x := range lhs {
		if root := f.RootVar(x); root != nil && f.hasTangent(root) {
			return true
		}
	}
	return false
}

// assignStmt writes an assignment and its tangents.
func (f *fwdLowerer) assignStmt(s *ast.AssignStmt) {
	if !f.writesTangent(s.Lhs) || len(s.Lhs) == 1 && !gotypes.IsDifferentiable(f.Info.TypeOf(s.Lhs[0])) {
		// Passive code, an int field of an active struct included.
		if len(s.Lhs) == 1 && len(s.Rhs) == 1 && s.Tok == token.DEFINE && f.PoolableFwd(s.Lhs[0], s.Rhs[0]) {
			// Scratch with no tangent (weights filled with constants):
			// from the pool, as the reverse sweep takes it (poolPassive).
			f.pooledMake(adjoint.ExprString(f.Conv(s.Lhs[0])), gotypes.MustIR(f.Info.TypeOf(s.Lhs[0])), s.Rhs[0])
			return
		}
		f.emit(adjoint.Assign{Lhs: f.ConvAll(s.Lhs), Op: s.Tok.String(), Rhs: f.ConvAll(s.Rhs)})
		return
	}
	switch s.Tok {
	case token.DEFINE, token.ASSIGN:
		f.assign(s.Lhs, s.Rhs, s.Tok, nil)
	case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		lhs := s.Lhs[0]
		t := f.Info.TypeOf(lhs)
		if !gotypes.IsFloat(t) {
			f.Errorf(s.Pos(), "forward mode (//gradgen:jvp) cannot differentiate %s", f.Source(s))
			return
		}
		d := f.lvalueDest(lhs, false)
		y, ty := f.expr(s.Rhs[0], nil)
		op := s.Tok.String()[:1]
		f.op(rules.Operators[op], []adjoint.Expr{d.val, y}, []adjoint.Expr{d.tan, ty}, adjoint.Bin(op, d.val, y), t, "t", d, op)
	default:
		f.Errorf(s.Pos(), "forward mode (//gradgen:jvp) cannot differentiate %s", f.Source(s))
	}
}

// defines reports whether lhs is declared by the assignment (x := ...).
func (f *fwdLowerer) defines(lhs ast.Expr, tok token.Token) bool {
	id, ok := lhs.(*ast.Ident)
	return ok && tok == token.DEFINE && f.Info.Defs[id] != nil
}

// assign writes lhs = rhs (tok "=" or ":="); declType is the type a var
// declaration names, or nil.
func (f *fwdLowerer) assign(lhs, rhs []ast.Expr, tok token.Token, declType ast.Expr) {
	switch {
	case len(lhs) == 1 && len(rhs) == 1:
		f.assignOne(lhs[0], rhs[0], tok, declType)
	case len(rhs) == 1:
		f.assignResults(lhs, rhs[0], tok)
	default:
		f.assignParallel(lhs, rhs, tok)
	}
}

func (f *fwdLowerer) assignOne(lhs, rhs ast.Expr, tok token.Token, declType ast.Expr) {
	if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
		f.emit(adjoint.Set(adjoint.Id("_"), "=", f.Conv(rhs)))
		return
	}
	t := f.Info.TypeOf(lhs)
	define := f.defines(lhs, tok)
	if !gotypes.IsFloat(t) {
		f.assignAggregate(lhs, rhs, define)
		return
	}
	d := f.lvalueDest(lhs, define)
	if declType != nil {
		d.declType = gotypes.MustIR(f.Info.TypeOf(declType))
	}
	if tv := f.Info.Types[rhs]; tv.Value != nil && define {
		// x := 2.0 keeps the constant as the source wrote it: its text
		// decides the variable's type.
		f.writeDest(d, f.Conv(rhs), nil)
		return
	}
	f.expr(rhs, d)
}

// assignParallel writes a, b = e1, e2: every value and tangent is read
// before any is written, in one parallel assignment.
func (f *fwdLowerer) assignParallel(lhs, rhs []ast.Expr, tok token.Token) {
	var left, right, tanLeft, tanRight []adjoint.Expr
	for i, x := range lhs {
		t := f.Info.TypeOf(x)
		val, tan := f.expr(rhs[i], nil)
		if gotypes.IsFloat(t) && f.Info.Types[rhs[i]].Value != nil {
			val = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(t)}, Args: []adjoint.Expr{f.Conv(rhs[i])}}
		}
		if !gotypes.IsFloat(t) && f.ExprVaried(rhs[i]) {
			f.Errorf(rhs[i].Pos(), "forward mode (//gradgen:jvp) cannot assign %s in a parallel assignment: assign it on its own", f.Source(rhs[i]))
			return
		}
		left = append(left, f.Conv(x))
		right = append(right, val)
		root := f.RootVar(x)
		if root == nil || !f.hasTangent(root) {
			continue
		}
		if !gotypes.IsFloat(t) {
			f.Errorf(x.Pos(), "forward mode (//gradgen:jvp) cannot assign %s in a parallel assignment: assign it on its own", f.Source(x))
			return
		}
		if tan == nil {
			tan = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(t)}, Args: []adjoint.Expr{adjoint.Literal("0")}}
		}
		tanLeft = append(tanLeft, f.tangentOf(x))
		tanRight = append(tanRight, tan)
	}
	f.emit(adjoint.Assign{Lhs: append(left, tanLeft...), Op: tok.String(), Rhs: append(right, tanRight...)})
}

// assignResults writes a, b := f(x) for a call with several results.
func (f *fwdLowerer) assignResults(lhs []ast.Expr, rhs ast.Expr, tok token.Token) {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok || !f.callVaried(call) {
		// Passive: a map read, a type assertion, a passive call.
		f.emit(adjoint.Assign{Lhs: f.ConvAll(lhs), Op: tok.String(), Rhs: []adjoint.Expr{f.Conv(rhs)}})
		for _, x := range lhs {
			if root := f.RootVar(x); root != nil && f.hasTangent(root) && gotypes.IsFloat(f.Info.TypeOf(x)) {
				f.writeTan(f.lvalueDest(x, f.defines(x, tok)), nil)
			} else if root != nil && f.hasTangent(root) {
				f.Errorf(x.Pos(), "forward mode (//gradgen:jvp) cannot give %s a tangent here: assign it on its own", f.Source(x))
			}
		}
		return
	}
	vals, tans, ok := f.resultsOf(call)
	if !ok {
		return
	}
	var left, right []adjoint.Expr
	for i, x := range lhs {
		left = append(left, f.Conv(x))
		right = append(right, vals[i])
	}
	for i, x := range lhs {
		root := f.RootVar(x)
		if root == nil || !f.hasTangent(root) {
			continue
		}
		t := f.Info.TypeOf(x)
		if !gotypes.IsFloat(t) {
			f.Errorf(x.Pos(), "forward mode (//gradgen:jvp) cannot give %s a tangent here", f.Source(x))
			return
		}
		tan := tans[i]
		if tan == nil {
			tan = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(t)}, Args: []adjoint.Expr{adjoint.Literal("0")}}
		}
		left = append(left, f.tangentOf(x))
		right = append(right, tan)
	}
	f.emit(adjoint.Assign{Lhs: left, Op: tok.String(), Rhs: right})
}

// resultsOf writes a call with several results into temporaries, and
// returns the results and their tangents (nil for none).
func (f *fwdLowerer) resultsOf(call *ast.CallExpr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	if r := f.CallRule(call); r != nil {
		if fn, _ := f.CalleeOf(call); fn == nil || f.Rules[fn] == nil {
			return f.ruleResults(r, call)
		}
	}
	return f.pushforward(call)
}

// ruleResults writes a call to a math function with several results
// (Sincos, Frexp, Modf) and its tangents from the rule's partials.
func (f *fwdLowerer) ruleResults(r *rules.Rule, call *ast.CallExpr) ([]adjoint.Expr, []adjoint.Expr, bool) {
	var a, ta []adjoint.Expr
	for _, arg := range call.Args {
		v, t := f.expr(arg, nil)
		a = append(a, v)
		ta = append(ta, t)
	}
	tuple := f.Info.TypeOf(call).(*types.Tuple)
	var res []adjoint.Expr
	for i := range tuple.Len() {
		res = append(res, adjoint.Id(f.NewTemp("r", tuple.At(i).Type()).Name))
	}
	f.emit(adjoint.Assign{Lhs: res, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: f.Conv(call.Fun), Args: a}}})
	tans := make([]adjoint.Expr, len(res))
	for k := range res {
		if k >= len(r.Jac) {
			continue
		}
		var sum adjoint.Expr
		for i, t := range ta {
			if t != nil && i < len(r.Jac[k]) && r.Jac[k][i] != nil {
				sum = adjoint.Add(sum, adjoint.Mul(r.Jac[k][i](a, res), t))
			}
		}
		if sum != nil {
			v := f.NewTemp("dr", tuple.At(k).Type())
			f.tangents[v.Name] = true
			f.emit(adjoint.Set(adjoint.Id(v.Name), ":=", sum))
			tans[k] = adjoint.Id(v.Name)
		}
	}
	return res, tans, true
}

// assignAggregate writes an assignment of a slice, array, struct or
// pointer that carries a tangent. It is long because each kind of right
// side (a composite literal, a make, a passive value, a variable or view,
// an address, a call) gets its case.
func (f *fwdLowerer) assignAggregate(lhs, rhs ast.Expr, define bool) {
	d := f.lvalueDest(lhs, define)
	tok := "="
	if define {
		tok = ":="
	}
	if lit, ok := ast.Unparen(rhs).(*ast.CompositeLit); ok {
		val, tan := f.composite(lit)
		if d.noTan {
			f.emit(adjoint.Set(d.val, tok, val))
			return
		}
		f.emit(adjoint.Set(d.val, tok, val), adjoint.Set(d.tan, tok, tan))
		return
	}
	if call, ok := ast.Unparen(rhs).(*ast.CallExpr); ok && f.isBuiltin(call, "make", "new") {
		made := []adjoint.Expr{d.val}
		if !d.noTan {
			made = append(made, d.tan)
		}
		if define && f.PoolableFwd(lhs, rhs) {
			// From the pool, as in reverse mode (poolableLocal).
			for _, x := range made {
				f.pooledMake(adjoint.ExprString(x), gotypes.MustIR(f.Info.TypeOf(lhs)), rhs)
			}
			return
		}
		f.emit(adjoint.Set(d.val, tok, f.Conv(rhs)))
		if !d.noTan {
			tan := f.Conv(rhs)
			if once := f.MadeOnce(rhs, adjoint.ExprString(d.val)); once != nil {
				tan = once // as long as the value: make's length is evaluated once
			}
			f.emit(adjoint.Set(d.tan, tok, tan))
		}
		return
	}
	if d.noTan {
		f.emit(adjoint.Set(d.val, tok, f.Conv(rhs)))
		return
	}
	if !f.ExprVaried(rhs) {
		// A passive value: its tangent is zero, shaped like it.
		f.emit(adjoint.Set(d.val, tok, f.Conv(rhs)))
		if _, isIdent := ast.Unparen(lhs).(*ast.Ident); !isIdent {
			f.Errorf(lhs.Pos(), "forward mode (//gradgen:jvp) cannot give %s a tangent: assign a variable", f.Source(lhs))
			return
		}
		v := f.VariableOf(f.RootVar(lhs))
		if define {
			f.emit(f.zeroTangentLike(v, d.val))
			return
		}
		z := f.zeroTangentLike(v, d.val)
		if a, ok := z.(adjoint.Assign); ok {
			a.Op = "="
			z = a
		} else if z != nil {
			z = adjoint.Set(d.tan, "=", f.ZeroValue(lhs, v.Typ))
		}
		f.emit(z)
		return
	}
	switch e := ast.Unparen(rhs).(type) {
	case *ast.Ident, *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr, *ast.SliceExpr:
		// The tangent first: it reads the bounds' old values, as the
		// value does.
		tan := f.adjPathOf(e)
		if tan == nil {
			break
		}
		f.emit(adjoint.Set(d.tan, tok, tan), adjoint.Set(d.val, tok, f.Conv(rhs)))
		return
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			if tan := f.adjPathOf(e.X); tan != nil {
				f.emit(adjoint.Set(d.tan, tok, adjoint.Unary{Op: "&", X: tan}), adjoint.Set(d.val, tok, f.Conv(rhs)))
				return
			}
		}
	}
	f.Errorf(rhs.Pos(), "forward mode (//gradgen:jvp) cannot yet follow the tangent of %s: use //gradgen:grad, or assign its float elements one by one", f.Source(rhs))
}

// isBuiltin reports whether call calls one of the named builtins.
func (f *fwdLowerer) isBuiltin(call *ast.CallExpr, names ...string) bool {
	return gotypes.IsBuiltinCall(f.Info, call, names...)
}

// composite writes a composite literal's elements, and returns the value
// and its tangent: []float64{a*b, c} gives {t, c} and {dt, dc}.
func (f *fwdLowerer) composite(e *ast.CompositeLit) (adjoint.Expr, adjoint.Expr) {
	t := f.Info.TypeOf(e)
	it := gotypes.MustIR(t)
	var st *types.Struct
	if s, ok := t.Underlying().(*types.Struct); ok {
		st = s
	}
	var vals, tans []adjoint.Expr
	for i, elt := range e.Elts {
		var key adjoint.Expr
		x := elt
		field := ""
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			x = kv.Value
			if st != nil {
				field = kv.Key.(*ast.Ident).Name
				key = adjoint.Id(field)
			} else {
				key = f.Conv(kv.Key)
			}
		} else if st != nil {
			field = st.Field(i).Name()
		}
		xt := f.Info.TypeOf(x)
		var val, tan adjoint.Expr
		switch {
		case gotypes.IsFloat(xt):
			val, tan = f.expr(x, nil)
			if tv := f.Info.Types[x]; tv.Value != nil {
				val = f.Conv(x)
			}
		case !gotypes.IsDifferentiable(xt):
			val = f.passiveVal(x)
		default:
			val = f.Conv(x)
			if f.ExprVaried(x) {
				tan = f.adjPathOf(x)
				if tan == nil {
					f.Errorf(x.Pos(), "forward mode (//gradgen:jvp) cannot yet follow the tangent of %s in a composite literal: assign it to a variable first", f.Source(x))
				}
			} else if _, isComp := x.(*ast.CompositeLit); isComp && !gotypes.HasReferences(xt) {
				// A constant row ({1, 0} in [2][2]float64{{1, 0}, {0, 1}}):
				// its tangent is the zero value of its type.
				tan = adjoint.Composite{Type: gotypes.MustIR(xt)}
			} else if isComp || gotypes.HasSlices(xt) {
				f.Errorf(x.Pos(), "forward mode (//gradgen:jvp) cannot yet give %s a tangent in a composite literal: assign it to a variable first", f.Source(x))
			}
		}
		if key != nil {
			vals = append(vals, adjoint.KeyValue{Key: key, Value: val})
		} else {
			vals = append(vals, val)
		}
		switch {
		case st != nil && tan != nil:
			tans = append(tans, adjoint.KeyValue{Key: adjoint.Id(field), Value: tan})
		case st != nil:
		case tan == nil && key != nil:
			// Kept: the index places the elements after it, and a
			// slice's length counts it ([]float64{3: 1, b}: b's tangent
			// is at 4).
			tans = append(tans, adjoint.KeyValue{Key: key, Value: adjoint.Literal("0")})
		case tan == nil:
			tans = append(tans, adjoint.Literal("0"))
		case key != nil:
			tans = append(tans, adjoint.KeyValue{Key: key, Value: tan})
		default:
			tans = append(tans, tan)
		}
	}
	return adjoint.Composite{Type: it, Elts: vals}, adjoint.Composite{Type: it, Elts: tans}
}

// callVaried reports whether a call's arguments or receiver depend on the
// differentiated parameters (exprVaried does not look into calls with
// several results).
func (f *fwdLowerer) callVaried(call *ast.CallExpr) bool {
	if f.CallArgsVaried(call) {
		return true
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s, ok := f.Info.Selections[sel]; ok && s.Kind() == types.MethodVal {
			return f.ExprVaried(sel.X)
		}
	}
	return false
}

// pooledMake declares name, of type t, and makes it by made (a make the
// pool can serve, poolableFwd): opt.PoolStorage takes it from the
// function's pool, once per call, or once per trip inside a loop.
func (f *fwdLowerer) pooledMake(name string, t adjoint.Type, made ast.Expr) {
	f.emit(adjoint.VarDecl{Names: []string{name}, Type: t}, adjoint.Set(adjoint.Id(name), "=", f.Conv(made)))
	f.PooledExactIn(name, f.InLoop(made))
}
