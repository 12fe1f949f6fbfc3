package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// A lowered statement is the forward code of one source statement and what
// its reversal needs: the operations it performed, the active variables it
// overwrote with passive values, and the old values it saved.
type lowered struct {
	src    ast.Stmt
	fwd    []adjoint.Stmt
	ops    []*op
	zeroes []*variable        // active variables given a passive value
	saves  []save             // old values saved before being overwritten
	pend   map[*variable]bool // saves not yet restored during reversal
	seed   *variable          // for "return x": x's adjoint starts at 1
}

type save struct {
	v    *variable
	name string
}

// lowerStmts lowers a list of straight-line statements.
func (l *lowerer) lowerStmts(list []ast.Stmt) []*lowered {
	var out []*lowered
	for _, s := range list {
		switch s := s.(type) {
		case *ast.BlockStmt:
			out = append(out, l.lowerStmts(s.List)...)
		case *ast.EmptyStmt:
		default:
			if rec := l.lowerStmt(s); rec != nil {
				out = append(out, rec)
			}
		}
	}
	return out
}

// lowerStmt lowers one simple statement into forward code and operations.
func (l *lowerer) lowerStmt(s ast.Stmt) *lowered {
	l.fwd, l.ops = nil, nil
	rec := &lowered{src: s, pend: map[*variable]bool{}}
	switch s := s.(type) {
	case *ast.AssignStmt:
		l.saveOverwritten(rec, s.Lhs, s.Tok == token.DEFINE)
		l.lowerAssign(rec, s)
	case *ast.DeclStmt:
		l.lowerDecl(rec, s)
	case *ast.IncDecStmt:
		l.saveOverwritten(rec, []ast.Expr{s.X}, false)
		if v := l.activeTarget(s.X); v != nil && l.useful[s.X] {
			x := l.lowerExpr(s.X, nil)
			opName := map[token.Token]string{token.INC: "+", token.DEC: "-"}[s.Tok]
			one := operand{val: lit("1"), bval: lit("1"), typ: v.typ}
			l.emitOp(operators[opName], opName, []operand{x, one}, bin(opName, x.val, lit("1")), v.typ, "t", v)
		} else {
			l.fwd = append(l.fwd, adjoint.IncDec{X: l.conv(s.X), Inc: s.Tok == token.INC})
		}
	case *ast.ExprStmt:
		l.fwd = append(l.fwd, adjoint.ExprStmt{X: l.conv(s.X)})
	case *ast.ReturnStmt:
		l.errorf(s.Pos(), "early return is not supported yet: gradgen differentiates functions whose only return is their last statement")
	default:
		l.errorf(s.Pos(), "cannot differentiate %s: this statement is not supported yet; move it out of the annotated function or rewrite it as straight-line code", l.source(s))
	}
	rec.fwd = append(rec.fwd, l.fwd...)
	rec.ops = l.ops
	return rec
}

// saveOverwritten saves, before a statement runs, the old value of every
// variable it overwrites that backward code reads.
func (l *lowerer) saveOverwritten(rec *lowered, lhs []ast.Expr, define bool) {
	for _, x := range lhs {
		id, ok := ast.Unparen(x).(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		if define && l.info.Defs[id] != nil {
			continue // a new variable: no old value
		}
		obj, ok := l.info.ObjectOf(id).(*types.Var)
		if !ok {
			continue
		}
		v := l.variableOf(obj)
		if !l.needed[v.name] || rec.pend[v] {
			continue
		}
		name := l.names.fresh(v.name + "Prev")
		rec.fwd = append(rec.fwd, assign(adjoint.Id(name), ":=", adjoint.Id(v.name)))
		rec.saves = append(rec.saves, save{v: v, name: name})
		rec.pend[v] = true
	}
}

// activeTarget returns the variable an assignment to lhs writes, if that
// variable is varied, else nil.
func (l *lowerer) activeTarget(lhs ast.Expr) *variable {
	obj := l.rootVar(lhs)
	if obj == nil || !l.varied[obj] {
		return nil
	}
	return l.variableOf(obj)
}

func (l *lowerer) lowerDecl(rec *lowered, s *ast.DeclStmt) {
	g, ok := s.Decl.(*ast.GenDecl)
	if !ok || (g.Tok != token.VAR && g.Tok != token.CONST) {
		l.errorf(s.Pos(), "cannot differentiate %s: declare types outside the annotated function", l.source(s))
		return
	}
	for _, spec := range g.Specs {
		vs := spec.(*ast.ValueSpec)
		names := make([]string, len(vs.Names))
		for i, n := range vs.Names {
			if n.Name == "_" {
				names[i] = "_"
				continue
			}
			v := l.variableOf(l.info.Defs[n])
			names[i] = v.name
			if g.Tok == token.CONST {
				v.temp = false
			}
		}
		var typ adjoint.Type
		if vs.Type != nil {
			typ, _ = irType(l.info.TypeOf(vs.Type))
		}
		if g.Tok == token.CONST || len(vs.Values) == 0 {
			vals := make([]adjoint.Expr, len(vs.Values))
			for i, v := range vs.Values {
				vals[i] = l.conv(v)
			}
			l.fwd = append(l.fwd, adjoint.VarDecl{Const: g.Tok == token.CONST, Names: names, Type: typ, Values: vals})
			continue
		}
		lhs := make([]ast.Expr, len(vs.Names))
		for i, n := range vs.Names {
			lhs[i] = n
		}
		if typ != nil && !l.anyActive(lhs, vs.Values) {
			// Keep the declared type, which an untyped constant needs.
			l.fwd = append(l.fwd, adjoint.VarDecl{Names: names, Type: typ, Values: l.convAll(vs.Values)})
			continue
		}
		l.assignList(rec, lhs, vs.Values, true)
	}
}

func (l *lowerer) convAll(es []ast.Expr) []adjoint.Expr {
	out := make([]adjoint.Expr, len(es))
	for i, e := range es {
		out[i] = l.conv(e)
	}
	return out
}

// anyActive reports whether an assignment of rhs to lhs has backward code.
func (l *lowerer) anyActive(lhs, rhs []ast.Expr) bool {
	for i, x := range lhs {
		if !l.useful[x] || l.activeTarget(x) == nil {
			continue
		}
		if len(rhs) == len(lhs) && l.exprVaried(rhs[i]) || len(rhs) == 1 && len(lhs) > 1 && l.callArgsVaried(rhs[0]) {
			return true
		}
	}
	return false
}

func (l *lowerer) lowerAssign(rec *lowered, s *ast.AssignStmt) {
	switch s.Tok {
	case token.DEFINE, token.ASSIGN:
		l.assignList(rec, s.Lhs, s.Rhs, s.Tok == token.DEFINE)
	case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		v := l.activeTarget(s.Lhs[0])
		if v == nil || !l.useful[s.Lhs[0]] || !(l.exprVaried(s.Rhs[0]) || l.exprVaried(s.Lhs[0])) {
			l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.convAll(s.Lhs), Op: s.Tok.String(), Rhs: l.convAll(s.Rhs)})
			return
		}
		x := l.lowerExpr(s.Lhs[0], nil)
		y := l.lowerExpr(s.Rhs[0], nil)
		opName := s.Tok.String()[:1]
		l.emitOp(operators[opName], opName, []operand{x, y}, bin(opName, x.val, y.val), v.typ, "t", v)
	default:
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.convAll(s.Lhs), Op: s.Tok.String(), Rhs: l.convAll(s.Rhs)})
	}
}

// assignList lowers "lhs = rhs" and "lhs := rhs", single or parallel.
func (l *lowerer) assignList(rec *lowered, lhs, rhs []ast.Expr, define bool) {
	for _, x := range lhs {
		if id, ok := x.(*ast.Ident); ok && define && l.info.Defs[id] != nil {
			l.defining[l.variableOf(l.info.Defs[id])] = true
		}
	}
	defer clear(l.defining)
	if !l.anyActive(lhs, rhs) {
		ops := "="
		if define {
			ops = ":="
		}
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.convAll(lhs), Op: ops, Rhs: l.convAll(rhs)})
		for _, x := range lhs {
			if v := l.activeTarget(x); v != nil && l.useful[x] && !l.defining[v] {
				rec.zeroes = append(rec.zeroes, v)
			}
		}
		return
	}
	if len(lhs) != len(rhs) {
		l.assignCall(rec, lhs, rhs[0])
		return
	}
	if len(lhs) == 1 {
		l.assignOne(rec, lhs[0], rhs[0])
		return
	}
	if !l.parallelConflict(lhs, rhs) {
		for i := range lhs {
			l.assignOne(rec, lhs[i], rhs[i])
		}
		return
	}
	// Parallel assignment: every right-hand side is evaluated before any
	// variable changes, so values are taken into temporaries first.
	vals := make([]operand, len(rhs))
	for i, e := range rhs {
		vals[i] = l.lowerExpr(e, nil)
		if vals[i].v != nil && !vals[i].v.temp {
			t := l.newTemp("t", vals[i].typ)
			l.writeForward(t, vals[i].val)
			l.addCopy(vals[i], t)
			vals[i] = operand{val: adjoint.Id(t.name), bval: adjoint.Id(t.name), v: t, typ: vals[i].typ}
		} else if vals[i].v == nil {
			t := l.newTemp("t", vals[i].typ)
			l.writeForward(t, vals[i].val)
			vals[i] = operand{val: adjoint.Id(t.name), bval: adjoint.Id(t.name), typ: vals[i].typ}
		}
	}
	for i, x := range lhs {
		l.assignOperand(rec, x, vals[i])
	}
}

// parallelConflict reports whether a parallel assignment writes a
// variable that one of its right-hand sides reads.
func (l *lowerer) parallelConflict(lhs, rhs []ast.Expr) bool {
	written := map[types.Object]bool{}
	for _, x := range lhs {
		if v := l.rootVar(x); v != nil {
			written[v] = true
		}
	}
	conflict := false
	for _, e := range rhs {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && written[l.info.Uses[id]] {
				conflict = true
			}
			return true
		})
	}
	return conflict
}

// assignOne lowers a single assignment, letting the last operation of the
// right-hand side write straight into the variable.
func (l *lowerer) assignOne(rec *lowered, lhs, rhs ast.Expr) {
	v := l.activeTarget(lhs)
	if v == nil || !l.useful[lhs] || !l.exprVaried(rhs) {
		l.assignOperand(rec, lhs, l.passive(rhs))
		return
	}
	o := l.lowerExpr(rhs, v)
	if o.v != v {
		l.assignOperand(rec, lhs, o)
	}
}

// assignOperand writes an already computed operand into lhs.
func (l *lowerer) assignOperand(rec *lowered, lhs ast.Expr, o operand) {
	if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
		l.fwd = append(l.fwd, assign(adjoint.Id("_"), "=", o.val))
		return
	}
	v := l.activeTarget(lhs)
	if v == nil {
		if obj := l.rootVar(lhs); obj != nil {
			l.writeForward(l.variableOf(obj), o.val)
		} else {
			l.fwd = append(l.fwd, assign(l.conv(lhs), "=", o.val))
		}
		return
	}
	l.writeForward(v, o.val)
	if o.v == nil || !l.useful[lhs] {
		if l.useful[lhs] && !l.defining[v] {
			rec.zeroes = append(rec.zeroes, v)
		}
		return
	}
	l.addCopy(o, v)
}

func (l *lowerer) addCopy(from operand, to *variable) {
	o := &op{rule: operators["copy"], name: "=", args: []operand{from}, results: []*variable{to}, resType: to.typ}
	l.ops = append(l.ops, o)
	l.graphOp(o, from.val)
}

// assignCall lowers "a, b := f(x)" for the math functions with two results.
func (l *lowerer) assignCall(rec *lowered, lhs []ast.Expr, rhs ast.Expr) {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	r := (*rule)(nil)
	if ok {
		r = l.callRule(call)
	}
	if r == nil || r.none != "" {
		l.errorf(rhs.Pos(), "cannot differentiate %s: gradgen differentiates calls to package math; write a custom rule with //gradgen:rule", l.source(rhs))
		return
	}
	args := make([]operand, len(call.Args))
	vals := make([]adjoint.Expr, len(call.Args))
	for i, a := range call.Args {
		args[i] = l.lowerExpr(a, nil)
		vals[i] = args[i].val
	}
	tuple := l.info.TypeOf(call).(*types.Tuple)
	results := make([]*variable, len(lhs))
	direct := true
	for i, x := range lhs {
		v := l.activeTarget(x)
		if v == nil || !l.defining[v] || readsVar(args, v) {
			direct = false
		}
		results[i] = v
	}
	if !direct {
		for i := range results {
			results[i] = l.newTemp("t", tuple.At(i).Type())
		}
	}
	lhsIR := make([]adjoint.Expr, len(results))
	for i, v := range results {
		lhsIR[i] = adjoint.Id(v.name)
	}
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: lhsIR, Op: ":=", Rhs: []adjoint.Expr{adjoint.Call{Fun: l.conv(call.Fun), Args: vals}}})
	name := l.source(call.Fun)
	o := &op{rule: r, name: name, args: args, results: results, resType: tuple.At(0).Type()}
	l.ops = append(l.ops, o)
	l.graphOp(o, adjoint.Call{Fun: l.conv(call.Fun), Args: vals})
	if !direct {
		for i, x := range lhs {
			l.assignOperand(rec, x, operand{val: adjoint.Id(results[i].name), bval: adjoint.Id(results[i].name), v: results[i], typ: results[i].typ})
		}
		for _, v := range results {
			delete(l.defining, v)
		}
	}
}

// reverse writes the backward code of one lowered statement.
func (l *lowerer) reverse(rec *lowered) []adjoint.Stmt {
	var out []adjoint.Stmt
	if rec.seed != nil {
		out = append(out, l.accumulate(rec.seed, lit("1")))
	}
	for i := len(rec.ops) - 1; i >= 0; i-- {
		out = append(out, l.reverseOp(rec, rec.ops[i])...)
	}
	for _, v := range rec.zeroes {
		if !l.isZeroAdj(v) {
			out = append(out, assign(l.adjOf(v), "=", lit("0")))
			l.zero[v.adj] = true
		}
	}
	for _, s := range rec.saves {
		out = append(out, l.restore(rec, s.v)...)
	}
	if len(out) == 0 {
		return nil
	}
	return append([]adjoint.Stmt{adjoint.Comment{Text: l.source(rec.src)}}, out...)
}

// restore puts back v's saved old value, once.
func (l *lowerer) restore(rec *lowered, v *variable) []adjoint.Stmt {
	if !rec.pend[v] {
		return nil
	}
	delete(rec.pend, v)
	for _, s := range rec.saves {
		if s.v == v {
			return []adjoint.Stmt{assign(adjoint.Id(v.name), "=", adjoint.Id(s.name))}
		}
	}
	return nil
}

// contribution is one operand's share of an operation's adjoint.
type contribution struct {
	to *variable
	e  adjoint.Expr
}

// reverseOp applies the chain rule to one operation: each active operand's
// adjoint receives its vector-Jacobian product.
func (l *lowerer) reverseOp(rec *lowered, o *op) []adjoint.Stmt {
	c := &ruleCtx{T: mustIR(o.resType)}
	live := false
	for _, r := range o.results {
		c.R = append(c.R, adjoint.Id(r.name))
		var d adjoint.Expr
		switch {
		case r == nil:
		case l.seed[r] != nil:
			d = l.seed[r]
		case !l.isZeroAdj(r):
			d = l.adjOf(r)
		}
		c.D = append(c.D, d)
		live = live || d != nil
	}
	if !live {
		var out []adjoint.Stmt
		for _, r := range o.results {
			out = append(out, l.restore(rec, r)...)
		}
		return out
	}
	for _, a := range o.args {
		c.A = append(c.A, a.bval)
	}
	c.fresh = l.names.fresh
	var out []adjoint.Stmt
	if o.rule.piecewise != nil {
		c.add = func(i int, e adjoint.Expr) adjoint.Stmt {
			a := o.args[i]
			if a.v == nil || e == nil {
				return nil
			}
			d := l.adjOf(a.v)
			l.zero[a.v.adj] = false
			if m, ok := negated(e); ok {
				return assign(d, "-=", m)
			}
			return assign(d, "+=", e)
		}
		out = append(out, o.rule.piecewise(c)...)
		return append(out, l.resetResults(rec, o)...)
	}
	var contribs []contribution
	for i, a := range o.args {
		if a.v == nil || i >= len(o.rule.vjp) || o.rule.vjp[i] == nil {
			continue
		}
		if o.rule == conversion {
			c.T = mustIR(a.typ)
		}
		if e := o.rule.vjp[i](c); e != nil {
			contribs = append(contribs, contribution{a.v, e})
		}
	}
	self := o.results[0]
	if len(o.results) == 1 && readsVar(o.args, self) {
		// x = f(x, y): the old x is back before its share is computed,
		// and x's own adjoint is replaced rather than added to.
		out = append(out, l.restore(rec, self)...)
		var selfSum adjoint.Expr
		for _, ct := range sumContributions(contribs) {
			if ct.to == self {
				selfSum = ct.e
				continue
			}
			out = append(out, l.accumulate(ct.to, ct.e))
		}
		if d := l.adjOf(self); !reflect.DeepEqual(selfSum, d) {
			if selfSum == nil {
				selfSum = lit("0")
			}
			out = append(out, assign(d, "=", selfSum))
		}
		l.zero[self.adj] = false
		return out
	}
	for _, ct := range sumContributions(contribs) {
		out = append(out, l.accumulate(ct.to, ct.e))
	}
	return append(out, l.resetResults(rec, o)...)
}

// resetResults clears the adjoints of variables an operation overwrote (the
// values they held before have their own, separate adjoints) and restores
// their old values.
func (l *lowerer) resetResults(rec *lowered, o *op) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, r := range o.results {
		if r != nil && !r.singleDef() && !l.isZeroAdj(r) && l.seed[r] == nil {
			out = append(out, assign(l.adjOf(r), "=", lit("0")))
			l.zero[r.adj] = true
		}
		if r != nil {
			out = append(out, l.restore(rec, r)...)
		}
	}
	return out
}

// sumContributions merges the shares that go to the same variable (x*x
// gives x two), in order of first appearance.
func sumContributions(cs []contribution) []contribution {
	var out []contribution
	for _, c := range cs {
		merged := false
		for i := range out {
			if out[i].to == c.to {
				if reflect.DeepEqual(out[i].e, c.e) {
					out[i].e = double(c.e)
				} else {
					out[i].e = add(out[i].e, c.e)
				}
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, c)
		}
	}
	return out
}

// double is 2·e, written 2 * p * d rather than 2 * (p * d): the same
// value, since doubling is exact.
func double(e adjoint.Expr) adjoint.Expr {
	if b, ok := e.(adjoint.Binary); ok && b.Op == "*" {
		return bin("*", mul(lit("2"), b.X), b.Y)
	}
	return mul(lit("2"), e)
}

func mustIR(t types.Type) adjoint.Type {
	it, _ := irType(t)
	return it
}
