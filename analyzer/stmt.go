package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// A lowered statement is the forward code of one source statement and what
// its reversal needs. A simple statement keeps the operations it performed,
// the active variables it overwrote with passive values, and the old
// values it saved; a compound one (if, switch, for) keeps its parts.
type lowered struct {
	src       ast.Stmt
	fwd       []adjoint.Stmt
	ops       []*op
	zeroes    []*variable     // active variables given a passive value
	saves     []save          // old values saved before being overwritten
	pend      map[string]bool // saves not yet restored during reversal, by lvalue
	seed      *variable       // for "return x": x's adjoint starts at 1
	undo      []adjoint.Stmt  // inverse of an integer update (i++ is undone by i--)
	inLoop    bool            // lowered inside a loop: temporaries are recomputed
	loops     []ast.Stmt      // the loops around it
	loopIndex string          // the innermost loop's own index variable, "" if none

	// Compound statements.
	branch *branchRec // if and switch
	loop   *loopRec   // for and range
	fused  bool       // a sum loop: header and body, run forward and backward in one pass
	header adjoint.Stmt
	body   []*lowered
	// done records whether the statement ran to its end; set when it can
	// leave early (break, continue, return) and code after it needs to know.
	done  *recorder
	exits bool // control can leave the statement other than at its end
}

type save struct {
	v    *variable
	lv   adjoint.Expr // what was saved: the variable, or an element of it
	name string       // the saved value's variable, or nil with a tape
	tape *tape
}

// lowerStmt lowers one simple statement into forward code and operations.
func (l *lowerer) lowerStmt(s ast.Stmt) *lowered {
	l.fwd, l.ops = nil, nil
	rec := &lowered{src: s, pend: map[string]bool{}, inLoop: l.loopDepth > 0, loops: l.loopStmts()}
	if n := len(l.loops); n > 0 {
		rec.loopIndex = l.loops[n-1].index
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		if !l.invertible(rec, s.Lhs[0], s.Tok, s.Rhs) {
			l.saveOverwritten(rec, s.Lhs, s.Tok == token.DEFINE)
		}
		l.lowerAssign(rec, s)
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR && l.loopDepth > 0 {
			// Inside a loop a declaration overwrites the last trip's value.
			for _, spec := range g.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					l.saveOverwritten(rec, []ast.Expr{n}, true)
				}
			}
		}
		l.lowerDecl(rec, s)
	case *ast.IncDecStmt:
		if !l.invertible(rec, s.X, s.Tok, nil) {
			l.saveOverwritten(rec, []ast.Expr{s.X}, false)
		}
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
	default:
		l.errorf(s.Pos(), "cannot differentiate %s: gradgen does not support this statement; move it out of the annotated function", l.source(s))
	}
	l.tapeCalls()
	rec.fwd = append(rec.fwd, l.fwd...)
	rec.ops = l.ops
	return rec
}

// tapeCalls keeps, inside loops, the results of math functions whose
// derivative reads them (Exp, Sqrt, Tanh...) on a tape instead of
// recomputing them going back: a push and a pop cost less than the call,
// and the call's operand then need not be kept at all. A result that the
// statement stores into an element is read back from there instead.
func (l *lowerer) tapeCalls() {
	if l.loopDepth == 0 || l.saveAll {
		return
	}
	stored := map[*variable]bool{}
	for _, o := range l.ops {
		if o.store != nil && o.args[0].v != nil {
			stored[o.args[0].v] = true
		}
	}
	for i := len(l.ops) - 1; i >= 0; i-- {
		o := l.ops[i]
		call, isCall := o.fwd.(adjoint.Call)
		if !isCall || len(o.results) != 1 || !o.results[0].temp || stored[o.results[0]] || o.rule.piecewise != nil || !o.rule.usesResult(len(o.args)) {
			continue
		}
		if q, ok := call.Fun.(adjoint.Qual); !ok || q.Path != "math" {
			continue
		}
		v := o.results[0]
		o.taped = l.tapeFor(v, adjoint.Id(v.name), v.typ, v.ir)
		l.fwd = append(l.fwd[:o.fwdAt], append([]adjoint.Stmt{o.taped.push(adjoint.Id(v.name))}, l.fwd[o.fwdAt:]...)...)
	}
}

// invertible handles an integer update that the backward sweep can undo
// exactly instead of saving the old value: i++, i--, i += n and i -= n
// where n does not read i. It records the inverse and reports true.
func (l *lowerer) invertible(rec *lowered, x ast.Expr, tok token.Token, rhs []ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	obj, ok := l.info.ObjectOf(id).(*types.Var)
	if !ok || l.saveAll {
		return false
	}
	b, ok := obj.Type().Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsInteger == 0 {
		return false
	}
	v := l.variableOf(obj)
	if !l.needed[v.name] {
		return false
	}
	switch tok {
	case token.INC:
		rec.undo = []adjoint.Stmt{adjoint.IncDec{X: adjoint.Id(v.name)}}
	case token.DEC:
		rec.undo = []adjoint.Stmt{adjoint.IncDec{X: adjoint.Id(v.name), Inc: true}}
	case token.ADD_ASSIGN, token.SUB_ASSIGN:
		reads := false
		ast.Inspect(rhs[0], func(n ast.Node) bool {
			if i, ok := n.(*ast.Ident); ok && l.info.Uses[i] == obj {
				reads = true
			}
			return true
		})
		if reads {
			return false
		}
		op := "-="
		if tok == token.SUB_ASSIGN {
			op = "+="
		}
		rec.undo = []adjoint.Stmt{assign(adjoint.Id(v.name), op, l.conv(rhs[0]))}
	default:
		return false
	}
	return true
}

// saveOverwritten saves, before a statement runs, the old value of every
// variable it overwrites that backward code reads.
func (l *lowerer) saveOverwritten(rec *lowered, lhs []ast.Expr, define bool) {
	for _, x := range lhs {
		x = ast.Unparen(x)
		if id, ok := x.(*ast.Ident); ok {
			if id.Name == "_" || define && l.info.Defs[id] != nil && l.loopDepth == 0 {
				continue // a new variable: no old value
			}
		}
		obj := l.rootVar(x)
		if obj == nil {
			continue
		}
		v := l.variableOf(obj)
		_, whole := x.(*ast.Ident)
		if !whole && l.aliasNeeded(v) {
			// Written through a view (r := h[0:]; r[0] += ...) while
			// backward code reads the memory under another name (h).
			l.saveValue(rec, v, l.conv(x), l.info.TypeOf(x))
			continue
		}
		if whole && isRef(v.typ) && l.varied[obj] {
			// The adjoint view may be needed though the value is not.
			l.ensureShadow(v)
		}
		if !l.needed[v.name] && !(whole && v.shadow != nil && l.needed[v.shadow.name]) {
			continue
		}
		if whole {
			if l.needed[v.name] {
				l.saveValue(rec, v, adjoint.Id(v.name), v.typ)
			}
			if v.shadow != nil && l.needed[v.shadow.name] {
				l.saveValue(rec, v.shadow, adjoint.Id(v.shadow.name), v.shadow.typ)
			}
			continue
		}
		// An element or field: save the value it holds.
		l.saveValue(rec, v, l.conv(x), l.info.TypeOf(x))
	}
}

// saveValue saves the value of the lvalue lv (of variable v) before the
// statement overwrites it: in a local outside loops, on a tape inside.
func (l *lowerer) saveValue(rec *lowered, v *variable, lv adjoint.Expr, t types.Type) {
	key := adjoint.ExprString(lv)
	if rec.pend[key] || !l.readBefore(v.name, rec, lv) && !l.aliasReadBefore(v, rec, lv) {
		return
	}
	if l.fusing && v.obj != nil && l.fusedAccs[v.obj] {
		return // an accumulator of the sum loop: saved around the loop instead
	}
	rec.pend[key] = true
	it, _ := irType(t)
	if l.loopDepth > 0 {
		// Each iteration overwrites it again: a stack of old values.
		tp := l.tapeFor(v, lv, t, it)
		rec.fwd = append(rec.fwd, tp.push(lv))
		rec.saves = append(rec.saves, save{v: v, lv: lv, tape: tp})
		return
	}
	base := v.name
	if _, whole := lv.(adjoint.Ident); !whole {
		base += "Elem"
	}
	sv := &variable{name: l.names.fresh(base + "Prev"), typ: t, ir: it, temp: true}
	rec.fwd = append(rec.fwd, assign(adjoint.Id(sv.name), l.declareOp(sv), lv))
	rec.saves = append(rec.saves, save{v: v, lv: lv, name: sv.name})
}

// aliases are the variables that may share v's memory: the slice it is a
// view of, and the other views of that slice.
func (l *lowerer) aliases(v *variable) []*variable {
	if !isRef(v.typ) {
		return nil
	}
	root := v
	if v.viewOf != nil {
		root = v.viewOf
	}
	var out []*variable
	for _, u := range l.vars {
		if u != v && (u == root || u.viewOf == root) {
			out = append(out, u)
		}
	}
	return out
}

// aliasNeeded reports whether backward code reads v's memory under
// another name.
func (l *lowerer) aliasNeeded(v *variable) bool {
	for _, u := range l.aliases(v) {
		if l.needed[u.name] {
			return true
		}
	}
	return false
}

func (l *lowerer) aliasReadBefore(v *variable, rec *lowered, lv adjoint.Expr) bool {
	for _, u := range l.aliases(v) {
		if l.readBefore(u.name, rec, lv) {
			return true
		}
	}
	return false
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
		if g.Tok == token.CONST {
			// Constants move to the top of the function, where backward
			// code that names them can see them.
			l.consts = append(l.consts, adjoint.VarDecl{Const: true, Names: names, Type: typ, Values: l.convAll(vs.Values)})
			continue
		}
		lhs := make([]ast.Expr, len(vs.Names))
		for i, n := range vs.Names {
			lhs[i] = n
		}
		if len(vs.Values) == 0 || typ != nil && !l.anyActive(lhs, vs.Values) {
			// var c float64 inside a loop zeroes c on every trip: its
			// adjoint is reset there going back.
			for _, x := range lhs {
				if v := l.activeTarget(x); v != nil && l.loopDepth > 0 && !isRef(v.typ) {
					rec.zeroes = append(rec.zeroes, v)
				}
			}
			// An active slice or pointer declared without a value gets its
			// adjoint view declared beside it: a later v = w[i:] sets both.
			var shadows []*variable
			if len(vs.Values) == 0 {
				for _, n := range vs.Names {
					if obj, ok := l.info.Defs[n].(*types.Var); ok && l.varied[obj] && refVar(obj.Type()) {
						shadows = append(shadows, l.ensureShadow(l.variableOf(obj)))
					}
				}
			}
			// Keep the declared type, which an untyped constant needs.
			if l.depth == 0 && !l.hoistAll {
				l.fwd = append(l.fwd, adjoint.VarDecl{Names: names, Type: typ, Values: l.convAll(vs.Values)})
				for _, sh := range shadows {
					l.fwd = append(l.fwd, adjoint.VarDecl{Names: []string{sh.name}, Type: sh.ir})
				}
				continue
			}
			for _, sh := range shadows {
				l.hoist(sh)
				l.fwd = append(l.fwd, assign(adjoint.Id(sh.name), "=", lit("nil")))
			}
			var vals []adjoint.Expr
			for i, n := range vs.Names {
				if n.Name == "_" {
					continue
				}
				v := l.variableOf(l.info.Defs[n])
				l.hoist(v)
				val := l.zeroValue(n, v.typ)
				if len(vs.Values) > 0 {
					val = l.conv(vs.Values[i])
				}
				vals = append(vals, val)
			}
			kept := []adjoint.Expr{}
			for _, name := range names {
				if name != "_" {
					kept = append(kept, adjoint.Id(name))
				}
			}
			l.fwd = append(l.fwd, adjoint.Assign{Lhs: kept, Op: "=", Rhs: vals})
			continue
		}
		l.assignList(rec, lhs, vs.Values, true)
	}
}

// refVar reports whether t is a slice or a pointer: a variable of it
// refers to memory, and its adjoint is a view of that memory's buffer.
func refVar(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Slice, *types.Pointer:
		return true
	}
	return false
}

// zeroValue is the zero value of t, for "var x T" moved to the top.
func (l *lowerer) zeroValue(at ast.Node, t types.Type) adjoint.Expr {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return lit("false")
		case u.Info()&types.IsString != 0:
			return lit(`""`)
		}
		return lit("0")
	case *types.Array, *types.Struct:
		if it, ok := irType(t); ok {
			return adjoint.Composite{Type: it}
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return lit("nil")
	}
	l.errorf(at.Pos(), "gradgen cannot declare a variable of type %s here", t)
	return lit("0")
}

func (l *lowerer) convAll(es []ast.Expr) []adjoint.Expr {
	out := make([]adjoint.Expr, len(es))
	for i, e := range es {
		out[i] = l.conv(e)
	}
	return out
}

// anyActive reports whether an assignment of rhs to lhs has backward code,
// or sets an adjoint view.
func (l *lowerer) anyActive(lhs, rhs []ast.Expr) bool {
	for i, x := range lhs {
		v := l.activeTarget(x)
		if v == nil {
			continue
		}
		if _, whole := ast.Unparen(x).(*ast.Ident); !whole || isRef(v.typ) {
			return true
		}
		if !l.useful[x] {
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
		if _, whole := ast.Unparen(s.Lhs[0]).(*ast.Ident); !whole && l.activeTarget(s.Lhs[0]) != nil {
			l.storeElem(rec, s.Lhs[0], s.Tok, s.Rhs[0])
			return
		}
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
			if l.depth > 0 || l.hoistAll {
				ops = "="
				for _, x := range lhs {
					if id, ok := x.(*ast.Ident); ok && l.info.Defs[id] != nil {
						l.hoist(l.variableOf(l.info.Defs[id]))
					}
				}
			}
		}
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.convAll(lhs), Op: ops, Rhs: l.convAll(rhs)})
		for _, x := range lhs {
			if v := l.activeTarget(x); v != nil && l.useful[x] && (!l.defining[v] || l.loopDepth > 0) {
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
	if _, whole := ast.Unparen(lhs).(*ast.Ident); !whole && v != nil {
		l.storeElem(rec, lhs, token.ASSIGN, rhs)
		return
	}
	if v != nil && isRef(v.typ) {
		l.assignRef(rec, v, rhs)
		return
	}
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
	if _, whole := ast.Unparen(lhs).(*ast.Ident); !whole && v != nil {
		l.storeOperand(lhs, token.ASSIGN, o)
		return
	}
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
		if l.useful[lhs] && (!l.defining[v] || l.loopDepth > 0) {
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
	if ok && r == nil && l.lowerMultiCall(rec, lhs, call) {
		return
	}
	if r != nil && r.none != "" {
		l.errorf(rhs.Pos(), "cannot differentiate %s: %s; wrap the result you need in a one-result helper (func lgamma(x float64) float64) and supply its derivative with a //gradgen:rule function", l.source(rhs), r.none)
		return
	}
	if r == nil {
		l.errorf(rhs.Pos(), "cannot differentiate %s: gradgen differentiates calls to package math and to functions of this package; write a custom rule with //gradgen:rule", l.source(rhs))
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
		if v == nil || !l.defining[v] || readsVar(args, v) || l.loopDepth > 0 {
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
	tok := ":="
	if l.depth > 0 || l.hoistAll {
		// Backward code outside the block reads them, and a goto to the
		// backward sweep must not jump over their declarations.
		tok = "="
	}
	for i, v := range results {
		lhsIR[i] = adjoint.Id(v.name)
		if tok == "=" {
			l.hoist(v)
		}
	}
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: lhsIR, Op: tok, Rhs: []adjoint.Expr{adjoint.Call{Fun: l.conv(call.Fun), Args: vals}}})
	name := l.source(call.Fun)
	o := &op{rule: r, name: name, args: args, results: results, resType: tuple.At(0).Type(), fwd: adjoint.Call{Fun: l.conv(call.Fun), Args: vals}}
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

// reverse writes the backward code of one simple statement.
func (l *lowerer) reverse(rec *lowered) []adjoint.Stmt {
	// Variables the statement gave a passive value lose their adjoint
	// first: the statement wrote them after every read of their old value
	// (x, y = 0.5, x+y), so going back the reset comes before those reads
	// add into it.
	var zeroes []adjoint.Stmt
	for _, v := range rec.zeroes {
		if !l.isZeroAdj(v) && v.shadow == nil {
			zeroes = append(zeroes, assign(l.adjOf(v), "=", l.zeroOf(v)))
			l.zero[v.adj] = true
		}
	}
	// Variables the statement wrote without an operation (a passive value,
	// or a value nothing reads) get their old values back first too:
	// recomputing the statement's temporaries reads them (x, y = 0.5, f(x)).
	written := map[*variable]bool{}
	for _, o := range rec.ops {
		for _, r := range o.results {
			written[r] = true
		}
	}
	for _, sv := range rec.saves {
		if _, whole := sv.lv.(adjoint.Ident); whole && !written[sv.v] && sv.v.shadow == nil {
			zeroes = append(zeroes, l.restoreVar(rec, sv.v)...)
		}
	}
	var out []adjoint.Stmt
	if rec.seed != nil {
		out = append(out, l.accumulate(rec.seed, l.seedValue(0)))
	}
	// A value whose adjoint only a path the call may not have taken adds
	// into is used on no path when that adjoint is zero: its backward code
	// then must not run, or an Inf or NaN in the value (Exp(1000·x) meant
	// for x < 0) would leak into the gradient as Inf·0.
	guard := l.pathGuard(rec)
	ownReads := 0 // the read-backs that lead out
	var restored []adjoint.Stmt
	if guard != nil {
		l.revDepth++
		l.restoreLog = &restored
	}
	// The statement's temporaries start with no share of the adjoint.
	for _, o := range rec.ops {
		for _, r := range o.results {
			if r.temp {
				l.logicalZero[r] = true
			}
		}
	}
	// Inside a loop, the operations that write the statement's variables
	// come last and are reversed first, restoring the variables' old
	// values; then the temporaries that the rest needs are recomputed
	// from those values, where a straight-line function still has them.
	split := len(rec.ops)
	if rec.inLoop {
		for split > 0 && rec.ops[split-1].writes() {
			split--
		}
	}
	// A temporary stored into an element still sits in that element until
	// the store is reversed: read it back then, rather than recompute it.
	stored := map[*variable]adjoint.Expr{}
	var readBack []adjoint.Stmt
	if rec.inLoop {
		for _, o := range rec.ops[split:] {
			if o.store != nil && o.store.opAssign == "" && o.args[0].v != nil && o.args[0].v.temp && o.args[0].path == nil {
				stored[o.args[0].v] = o.store.lv
			}
		}
		// Only a temporary that is its operation's sole result can be read
		// back: a call's partials come from the same call and need it redone.
		for _, o := range rec.ops {
			if len(o.results) > 1 {
				for _, r := range o.results {
					delete(stored, r)
				}
			}
		}
	}
	for i := len(rec.ops) - 1; i >= split; i-- {
		out = append(out, l.reverseOp(rec, rec.ops[i])...)
	}
	var rest []adjoint.Stmt
	for i := split - 1; i >= 0; i-- {
		rest = append(rest, l.reverseOp(rec, rec.ops[i])...)
	}
	if rec.inLoop {
		var recomputed []adjoint.Stmt
		readBack, recomputed = l.recompute(rec.ops[:split], append(append([]adjoint.Stmt(nil), out...), rest...), stored)
		out = append(readBack, out...)
		ownReads = len(readBack)
		out = append(out, recomputed...)
	}
	out = append(out, rest...)
	if guard != nil {
		// When the guard fails the values the statement overwrote still
		// come back.
		l.revDepth--
		l.restoreLog = nil
		if len(out) > 0 && l.readsPrimal(out) {
			// Values read back from tapes come off them either way.
			out = []adjoint.Stmt{adjoint.If{Cond: guard, Then: out, Else: append(append([]adjoint.Stmt(nil), readBack...), restored...)}}
			ownReads = 0 // inside the guard: counted with the rest, conservatively
		}
	}
	for _, o := range rec.ops {
		for _, r := range o.results {
			delete(l.logicalZero, r)
		}
	}
	out = append(out, rec.undo...)
	for i := len(rec.saves) - 1; i >= 0; i-- {
		out = append(out, l.restore(rec, rec.saves[i].lv)...)
	}
	if len(out)+len(zeroes) == 0 {
		return nil
	}
	// Reading back what the statement itself stored reads its output, not
	// a value it overwrote: it does not count for the saves.
	l.noteReaders(rec, out[ownReads:], false)
	// Reading back what the statement stored needs that value still there
	// when its reversal runs: later writes to it must restore it. Its own
	// write on a later trip of a loop need not, when each trip writes
	// another element (h[j] with j the loop's index).
	if indexedBy(readBack, rec.loopIndex) {
		l.noteReaders(rec, readBack, true)
	} else {
		l.noteReaders(rec, readBack, false)
	}
	return append(append([]adjoint.Stmt{adjoint.Comment{Text: l.source(rec.src)}}, zeroes...), out...)
}

// readsPrimal reports whether backward code reads a value of the forward
// sweep, which may be Inf or NaN; code made of adjoints and constants
// (the reversal of x - y) cannot turn a zero adjoint into a NaN.
func (l *lowerer) readsPrimal(code []adjoint.Stmt) bool {
	found := false
	for _, s := range code {
		walkReads(s, func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok && l.byName[id.Name] != nil {
					found = true
				}
			})
		})
	}
	return found
}

// pathGuard returns "dv != 0" when rec writes a variable v whose adjoint
// backward code has added into only inside branches or loops nested deeper
// than rec; nil when its backward code may run unguarded.
func (l *lowerer) pathGuard(rec *lowered) adjoint.Expr {
	if l.fusing || rec.seed != nil {
		return nil
	}
	// Every adjoint the statement's backward code starts from must be one
	// of those: one added into at this depth keeps it running.
	var guard adjoint.Expr
	for _, o := range rec.ops {
		if o.store != nil {
			// An element's adjoint: followed by its array's. When every
			// addition into the array is on a path that may not have
			// been taken, the element's adjoint guards the statement
			// (a[0] = math.Sqrt(x), read only after if x > 0).
			st := o.store
			if st.root == nil || st.root.adj == "" || st.root.shadow != nil || len(l.aliases(st.root)) > 0 {
				return nil
			}
			if depth, seen := l.elemAddDepth[adjoint.ExprString(st.adj)]; seen && depth <= l.revDepth+l.exitDepth {
				return nil
			}
			nonzero := bin("!=", st.adj, lit("0"))
			if guard == nil {
				guard = nonzero
			} else {
				guard = bin("||", guard, nonzero)
			}
			continue
		}
		for _, r := range o.results {
			if r.temp || r.adj == "" {
				continue
			}
			depth, seen := l.adjDepth[r.adj]
			if !seen {
				continue // never added into: zero, whatever the path
			}
			if depth <= l.revDepth+l.exitDepth {
				return nil
			}
			nonzero := bin("!=", adjoint.Id(r.adj), lit("0"))
			if guard == nil {
				guard = nonzero
			} else {
				guard = bin("||", guard, nonzero)
			}
		}
	}
	return guard
}

// A reader is a statement whose backward code reads a variable.
type reader struct {
	pos   token.Pos
	loops []ast.Stmt // the loops around it (a sum loop does not count)
	// ownOutput marks a statement reading back the element it stored,
	// indexed by index, its innermost loop's own index: a different one on
	// each trip.
	ownOutput bool
	index     string
}

// noteReaders records which variables a statement's backward code reads,
// for the to-be-recorded analysis of the second lowering.
func (l *lowerer) noteReaders(rec *lowered, code []adjoint.Stmt, distinct bool) {
	if l.readersOut == nil {
		l.readersOut = map[string][]reader{}
	}
	seen := map[string]bool{}
	for _, s := range code {
		walkReads(s, func(e adjoint.Expr) {
			adjoint.WalkExpr(e, func(x adjoint.Expr) {
				if id, ok := x.(adjoint.Ident); ok && !seen[id.Name] && l.byName[id.Name] != nil {
					seen[id.Name] = true
					r := reader{pos: rec.src.Pos(), loops: rec.loops, ownOutput: distinct}
					if distinct {
						r.index = rec.loopIndex
					}
					l.readersOut[id.Name] = append(l.readersOut[id.Name], r)
				}
			})
		})
	}
}

// indexedBy reports whether every read-back reads an element indexed by
// the variable idx (the innermost loop's own index).
func indexedBy(code []adjoint.Stmt, idx string) bool {
	if len(code) == 0 || idx == "" {
		return false
	}
	for _, s := range code {
		a, ok := s.(adjoint.Assign)
		if !ok || len(a.Rhs) != 1 {
			return false
		}
		ix, ok := a.Rhs[0].(adjoint.Index)
		if !ok {
			return false
		}
		if id, ok := ix.Index.(adjoint.Ident); !ok || id.Name != idx {
			return false
		}
	}
	return true
}

// readBefore reports whether backward code may read the value a statement
// overwrites: a reader at or before the statement in forward order (its
// backward code runs after the statement's), or a reader in a loop that
// also holds the statement (an earlier trip reads it).
func (l *lowerer) readBefore(name string, rec *lowered, lv adjoint.Expr) bool {
	if l.readers == nil {
		return true
	}
	for _, r := range l.readers[name] {
		if r.ownOutput && r.pos == rec.src.Pos() {
			continue // its own write, to another element on each trip
		}
		if r.pos <= rec.src.Pos() {
			return true
		}
		if r.ownOutput && rec.loopIndex == r.index && indexedBy([]adjoint.Stmt{assign(adjoint.Id("_"), "=", lv)}, r.index) {
			continue // this write, too, is to another element on each trip
		}
		for _, a := range r.loops {
			for _, b := range rec.loops {
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

// recompute writes again the forward operations whose results code reads,
// and those they read in turn, in their forward order.
// recompute returns the statements that read back stored temporaries and
// those that recompute the others.
func (l *lowerer) recompute(ops []*op, code []adjoint.Stmt, stored map[*variable]adjoint.Expr) (readBack, recomputed []adjoint.Stmt) {
	reads := map[string]bool{}
	mark := func(e adjoint.Expr) {
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				reads[id.Name] = true
			}
		})
	}
	for _, s := range code {
		walkStmt(s, mark)
	}
	need := make([]bool, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		for _, r := range ops[i].results {
			if reads[r.name] && ops[i].fwd != nil {
				need[i] = true
			}
		}
		if need[i] && stored[ops[i].results[0]] == nil && ops[i].taped == nil {
			mark(ops[i].fwd)
		}
	}
	// Taped results come off their tapes in the reverse order of their
	// pushes.
	for i := len(ops) - 1; i >= 0; i-- {
		if o := ops[i]; o.taped != nil {
			readBack = append(readBack, o.taped.pop(adjoint.Id(o.results[0].name))...)
		}
	}
	for i, o := range ops {
		if need[i] && o.taped == nil {
			if lv := stored[o.results[0]]; lv != nil {
				readBack = append(readBack, assign(adjoint.Id(o.results[0].name), "=", lv))
				continue
			}
			lhs := make([]adjoint.Expr, len(o.results))
			for k, r := range o.results {
				lhs[k] = adjoint.Id(r.name)
			}
			recomputed = append(recomputed, adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{o.fwd}})
		}
	}
	return readBack, recomputed
}

// restore puts back the saved old value of lv, once.
func (l *lowerer) restore(rec *lowered, lv adjoint.Expr) []adjoint.Stmt {
	key := adjoint.ExprString(lv)
	if !rec.pend[key] {
		return nil
	}
	delete(rec.pend, key)
	for _, s := range rec.saves {
		if adjoint.ExprString(s.lv) == key {
			out := []adjoint.Stmt{assign(s.lv, "=", adjoint.Id(s.name))}
			if s.tape != nil {
				out = s.tape.pop(s.lv)
			}
			if l.restoreLog != nil {
				*l.restoreLog = append(*l.restoreLog, out...)
			}
			return out
		}
	}
	return nil
}

// restoreVar restores v's saved value, and its adjoint view's.
func (l *lowerer) restoreVar(rec *lowered, v *variable) []adjoint.Stmt {
	out := l.restore(rec, adjoint.Id(v.name))
	if v.shadow != nil {
		out = append(out, l.restore(rec, adjoint.Id(v.shadow.name))...)
	}
	return out
}

// contribution is one operand's share of an operation's adjoint.
type contribution struct {
	to   *variable
	path adjoint.Expr // an element of to's adjoint, or nil
	e    adjoint.Expr
}

// reverseOp applies the chain rule to one operation: each active operand's
// adjoint receives its vector-Jacobian product.
func (l *lowerer) reverseOp(rec *lowered, o *op) []adjoint.Stmt {
	if o.store != nil {
		return l.reverseStore(rec, o)
	}
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
			out = append(out, l.restoreVar(rec, r)...)
		}
		return out
	}
	for _, a := range o.args {
		c.A = append(c.A, a.bval)
	}
	var out []adjoint.Stmt
	c.fresh = l.names.fresh
	if o.rule.piecewise != nil {
		// Piecewise rules add into adjoints inside branches: a temporary's
		// adjoint must really hold zero first (in a loop it holds the last
		// trip's value).
		for _, a := range o.args {
			if a.v != nil && l.logicalZero[a.v] && l.revDepth > 0 {
				out = append(out, assign(l.adjOf(a.v), "=", lit("0")))
			}
		}
		c.add = func(i int, e adjoint.Expr) adjoint.Stmt {
			a := o.args[i]
			if a.v == nil || e == nil {
				return nil
			}
			if a.path != nil {
				return l.accumulateTo(a.v, a.path, e)
			}
			d := l.adjOf(a.v)
			l.zero[a.v.adj] = false
			l.noteAdd(a.v)
			delete(l.logicalZero, a.v)
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
			contribs = append(contribs, contribution{a.v, a.path, e})
		}
	}
	self := o.results[0]
	if len(o.results) == 1 && readsWhole(o.args, self) {
		// x = f(x, y): the old x is back before its share is computed,
		// and x's own adjoint is replaced rather than added to.
		out = append(out, l.restoreVar(rec, self)...)
		var selfSum adjoint.Expr
		for _, ct := range sumContributions(contribs) {
			if ct.to == self && ct.path == nil {
				selfSum = ct.e
				continue
			}
			out = append(out, l.accumulateTo(ct.to, ct.path, ct.e))
		}
		if d := l.adjOf(self); !reflect.DeepEqual(selfSum, d) {
			if selfSum == nil {
				selfSum = lit("0")
			}
			out = append(out, assign(d, "=", selfSum))
		}
		l.zero[self.adj] = false
		l.noteAdd(self)
		return out
	}
	for _, ct := range sumContributions(contribs) {
		out = append(out, l.accumulateTo(ct.to, ct.path, ct.e))
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
			out = append(out, l.restoreVar(rec, r)...)
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
			if out[i].to == c.to && reflect.DeepEqual(out[i].path, c.path) {
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

// zeroOf is the zero value of v's adjoint: 0, or T{} for an array or struct.
func (l *lowerer) zeroOf(v *variable) adjoint.Expr {
	if isFloat(v.typ) {
		return lit("0")
	}
	return adjoint.Composite{Type: v.ir}
}

// readsWhole reports whether an operation reads the whole variable v (not
// an element of it).
func readsWhole(args []operand, v *variable) bool {
	for _, a := range args {
		if a.v == v && a.path == nil {
			return true
		}
		// A passive operand computed from v (x = q.energy(math.Ceil(2*x)))
		// reads the old value too when backward code recomputes it.
		if a.v == nil && a.bval != nil && mentionsExpr(a.bval, v.name) {
			return true
		}
	}
	return false
}

func mustIR(t types.Type) adjoint.Type {
	it, _ := irType(t)
	return it
}
