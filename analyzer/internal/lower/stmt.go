package lower

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// A lowered statement is the forward code of one source statement and what
// its reversal needs. A simple statement keeps the operations it performed,
// the active variables it overwrote with passive values, and the old
// values it saved; a compound one (if, switch, for) keeps its parts.
type lowered struct {
	src       ast.Stmt
	fwd       []adjoint.Stmt
	ops       []*op
	zeroes    []*Variable     // active variables given a passive value
	saves     []save          // old values saved before being overwritten
	pend      map[string]bool // saves not yet restored during reversal, by lvalue
	seed      *Variable       // for "return x": x's adjoint starts at 1
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
	v    *Variable
	lv   adjoint.Expr // what was saved: the variable, or an element of it
	name string       // the saved value's variable, or nil with a tape
	tape *tape
}

// lowerStmt lowers one simple statement into forward code and operations.
func (l *Lowerer) lowerStmt(s ast.Stmt) *lowered {
	l.fwd, l.ops = nil, nil
	rec := &lowered{src: s, pend: map[string]bool{}, inLoop: l.loopDepth > 0, loops: l.loopStmts()}
	if n := len(l.loops); n > 0 {
		rec.loopIndex = l.loops[n-1].index
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		if len(s.Lhs) == 1 && len(s.Rhs) == 1 && l.freshRow(s.Lhs[0], s.Rhs[0]) {
			// A row set once: nothing to save.
		} else if !l.invertible(rec, s.Lhs[0], s.Tok, s.Rhs) {
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
		// An int or bool field or element of an active value (r.N++) is
		// passive code; only a float variable's x++ is an operation.
		if _, isVar := ast.Unparen(s.X).(*ast.Ident); !isVar && l.activeTarget(s.X) != nil && l.useful[s.X] && gotypes.IsFloat(l.Info.TypeOf(s.X)) {
			// h[j]++ on a float element or field is h[j] += 1.
			one := &ast.BasicLit{ValuePos: s.TokPos, Kind: token.INT, Value: "1"}
			l.Info.Types[one] = types.TypeAndValue{Type: l.Info.TypeOf(s.X), Value: constant.MakeInt64(1)}
			tok := map[token.Token]token.Token{token.INC: token.ADD_ASSIGN, token.DEC: token.SUB_ASSIGN}[s.Tok]
			l.storeElem(rec, s.X, tok, one)
		} else if v := l.activeTarget(s.X); v != nil && l.useful[s.X] && gotypes.IsDifferentiable(l.Info.TypeOf(s.X)) {
			x := l.lowerExpr(s.X, nil)
			opName := map[token.Token]string{token.INC: "+", token.DEC: "-"}[s.Tok]
			one := Operand{Val: adjoint.Literal("1"), Bval: adjoint.Literal("1"), Typ: v.Typ}
			l.emitOp(rules.Operators[opName], opName, []Operand{x, one}, adjoint.Bin(opName, x.Val, adjoint.Literal("1")), v.Typ, "t", v)
		} else {
			l.fwd = append(l.fwd, adjoint.IncDec{X: l.Conv(s.X), Inc: s.Tok == token.INC})
		}
	case *ast.ExprStmt:
		l.fwd = append(l.fwd, adjoint.ExprStmt{X: l.Conv(s.X)})
	default:
		l.Errorf(s.Pos(), "cannot differentiate %s: gradgen does not support this statement; move it out of the annotated function", l.Source(s))
	}
	l.tapeCalls(rec)
	rec.fwd = append(rec.fwd, l.fwd...)
	rec.ops = l.ops
	return rec
}

// tapeCalls keeps, inside loops, the results of math functions whose
// derivative reads them (Exp, Sqrt, Tanh...) on a tape instead of
// recomputing them going back: a push and a pop cost less than the call,
// and the call's operand then need not be kept at all. A result that the
// statement stores into an element is read back from there instead, and
// so is one it copies into a variable whose old value it saves anyway.
func (l *Lowerer) tapeCalls(rec *lowered) {
	if l.loopDepth == 0 || l.saveAll {
		return
	}
	stored := map[*Variable]bool{}
	for _, o := range l.ops {
		if o.store != nil && o.args[0].v != nil {
			stored[o.args[0].v] = true
		}
	}
	for r := range copiedTemps(rec, l.ops) {
		stored[r] = true
	}
	for i := len(l.ops) - 1; i >= 0; i-- {
		o := l.ops[i]
		call, isCall := o.fwd.(adjoint.Call)
		if !isCall || len(o.results) != 1 || !o.results[0].temp || stored[o.results[0]] || o.rule.Piecewise() || !o.rule.UsesResult(len(o.args)) {
			continue
		}
		if q, ok := call.Fun.(adjoint.Qual); !ok || q.Path != "math" {
			continue
		}
		v := o.results[0]
		o.taped = l.tapeFor(v, adjoint.Id(v.Name), v.Typ, v.IR)
		l.fwd = append(l.fwd[:o.fwdAt], append([]adjoint.Stmt{o.taped.push(adjoint.Id(v.Name))}, l.fwd[o.fwdAt:]...)...)
	}
}

// activeTarget returns the variable an assignment to lhs writes, if that
// variable is varied, else nil.
func (l *Lowerer) activeTarget(lhs ast.Expr) *Variable {
	obj := l.RootVar(lhs)
	if obj == nil || !l.Varied[obj] {
		return nil
	}
	return l.VariableOf(obj)
}

func (l *Lowerer) lowerDecl(rec *lowered, s *ast.DeclStmt) {
	g, ok := s.Decl.(*ast.GenDecl)
	if !ok || (g.Tok != token.VAR && g.Tok != token.CONST) {
		l.Errorf(s.Pos(), "cannot differentiate %s: declare types outside the annotated function", l.Source(s))
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
			v := l.VariableOf(l.Info.Defs[n])
			names[i] = v.Name
			if g.Tok == token.CONST {
				v.temp = false
			}
		}
		var typ adjoint.Type
		if vs.Type != nil {
			typ, _ = gotypes.IrType(l.Info.TypeOf(vs.Type))
		}
		if g.Tok == token.CONST {
			// Constants move to the top of the function, where backward
			// code that names them can see them.
			l.consts = append(l.consts, adjoint.VarDecl{Const: true, Names: names, Type: typ, Values: l.ConvAll(vs.Values)})
			continue
		}
		lhs := make([]ast.Expr, len(vs.Names))
		for i, n := range vs.Names {
			lhs[i] = n
		}
		if len(vs.Values) == 0 || typ != nil && !l.AnyActive(lhs, vs.Values) {
			l.lowerPassiveVar(rec, vs, names, typ, lhs)
			continue
		}
		if vs.Type != nil && len(lhs) > 1 && len(vs.Values) == len(lhs) {
			// var a, b float64 = 3, x: one name at a time, each taking
			// the declared type (together they printed a := 3, an int).
			// The values cannot read the names being declared.
			for i, n := range vs.Names {
				one := &ast.ValueSpec{Names: []*ast.Ident{n}, Type: vs.Type, Values: vs.Values[i : i+1]}
				l.lowerDecl(rec, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: g.TokPos, Tok: token.VAR, Specs: []ast.Spec{one}}})
			}
			continue
		}
		l.assignList(rec, lhs, vs.Values, true)
	}
}

// lowerPassiveVar lowers one spec of a var declaration without values,
// or with passive values and a declared type. Outside blocks that hoist
// their variables it stays a declaration, which keeps the declared type an
// untyped constant needs; else the variables are hoisted and assigned.
func (l *Lowerer) lowerPassiveVar(rec *lowered, vs *ast.ValueSpec, names []string, typ adjoint.Type, lhs []ast.Expr) {
	// var c float64 inside a loop zeroes c on every trip: its
	// adjoint is reset there going back.
	for _, x := range lhs {
		if v := l.activeTarget(x); v != nil && l.loopDepth > 0 && !gotypes.IsRef(v.Typ) {
			rec.zeroes = append(rec.zeroes, v)
		}
	}
	// An active slice or pointer declared without a value gets its
	// adjoint view declared beside it: a later v = w[i:] sets both.
	var shadows []*Variable
	if len(vs.Values) == 0 {
		for _, n := range vs.Names {
			if obj, ok := l.Info.Defs[n].(*types.Var); ok && l.Varied[obj] && gotypes.RefVar(obj.Type()) {
				shadows = append(shadows, l.ensureShadow(l.VariableOf(obj)))
			}
		}
	}
	// Keep the declared type, which an untyped constant needs.
	if l.depth == 0 && !l.hoistAll {
		l.fwd = append(l.fwd, adjoint.VarDecl{Names: names, Type: typ, Values: l.ConvAll(vs.Values)})
		for _, sh := range shadows {
			l.fwd = append(l.fwd, adjoint.VarDecl{Names: []string{sh.Name}, Type: sh.IR})
		}
		return
	}
	for _, sh := range shadows {
		l.hoist(sh)
		l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(sh.Name), "=", adjoint.Literal("nil")))
	}
	var vals []adjoint.Expr
	for i, n := range vs.Names {
		if n.Name == "_" {
			return
		}
		v := l.VariableOf(l.Info.Defs[n])
		l.hoist(v)
		val := l.ZeroValue(n, v.Typ)
		if len(vs.Values) > 0 {
			val = l.Conv(vs.Values[i])
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
}

// ZeroValue is the zero value of t, for "var x T" moved to the top.
func (l *Lowerer) ZeroValue(at ast.Node, t types.Type) adjoint.Expr {
	if gotypes.IsTypeParam(t) {
		return adjoint.Literal("0") // a float type parameter's
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return adjoint.Literal("false")
		case u.Info()&types.IsString != 0:
			return adjoint.Literal(`""`)
		}
		return adjoint.Literal("0")
	case *types.Array, *types.Struct:
		if it, ok := gotypes.IrType(t); ok {
			return adjoint.Composite{Type: it}
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return adjoint.Literal("nil")
	}
	l.Errorf(at.Pos(), "gradgen cannot declare a variable of type %s here", t)
	return adjoint.Literal("0")
}

// ConvAll converts each of es to the IR (Conv).
func (l *Lowerer) ConvAll(es []ast.Expr) []adjoint.Expr {
	out := make([]adjoint.Expr, len(es))
	for i, e := range es {
		out[i] = l.Conv(e)
	}
	return out
}

// AnyActive reports whether an assignment of rhs to lhs has backward code,
// or sets an adjoint view.
func (l *Lowerer) AnyActive(lhs, rhs []ast.Expr) bool {
	for i, x := range lhs {
		v := l.activeTarget(x)
		if v == nil {
			continue
		}
		if _, whole := ast.Unparen(x).(*ast.Ident); !whole || gotypes.IsRef(v.Typ) {
			return true
		}
		if !l.useful[x] {
			continue
		}
		if len(rhs) == len(lhs) && l.ExprVaried(rhs[i]) || len(rhs) == 1 && len(lhs) > 1 && l.CallArgsVaried(rhs[0]) {
			return true
		}
	}
	return false
}

func (l *Lowerer) lowerAssign(rec *lowered, s *ast.AssignStmt) {
	switch s.Tok {
	case token.DEFINE, token.ASSIGN:
		l.assignList(rec, s.Lhs, s.Rhs, s.Tok == token.DEFINE)
	case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		if _, whole := ast.Unparen(s.Lhs[0]).(*ast.Ident); !whole && l.activeTarget(s.Lhs[0]) != nil {
			l.storeElem(rec, s.Lhs[0], s.Tok, s.Rhs[0])
			return
		}
		v := l.activeTarget(s.Lhs[0])
		if v == nil || !l.useful[s.Lhs[0]] || !(l.ExprVaried(s.Rhs[0]) || l.ExprVaried(s.Lhs[0])) {
			l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.ConvAll(s.Lhs), Op: s.Tok.String(), Rhs: l.ConvAll(s.Rhs)})
			return
		}
		x := l.lowerExpr(s.Lhs[0], nil)
		y := l.lowerExpr(s.Rhs[0], nil)
		opName := s.Tok.String()[:1]
		l.emitOp(rules.Operators[opName], opName, []Operand{x, y}, adjoint.Bin(opName, x.Val, y.Val), v.Typ, "t", v)
	default:
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.ConvAll(s.Lhs), Op: s.Tok.String(), Rhs: l.ConvAll(s.Rhs)})
	}
}

// assignList lowers "lhs = rhs" and "lhs := rhs", single or parallel.
func (l *Lowerer) assignList(rec *lowered, lhs, rhs []ast.Expr, define bool) {
	for _, x := range lhs {
		if id, ok := x.(*ast.Ident); ok && define && l.Info.Defs[id] != nil {
			l.defining[l.VariableOf(l.Info.Defs[id])] = true
		}
	}
	defer clear(l.defining)
	if !l.AnyActive(lhs, rhs) {
		if define && len(lhs) == 1 && len(rhs) == 1 && l.poolPassive(lhs[0], rhs[0]) {
			return
		}
		ops := "="
		if define {
			ops = ":="
			if l.depth > 0 || l.hoistAll {
				ops = "="
				for _, x := range lhs {
					if id, ok := x.(*ast.Ident); ok && l.Info.Defs[id] != nil {
						l.hoist(l.VariableOf(l.Info.Defs[id]))
					}
				}
			}
		}
		l.fwd = append(l.fwd, adjoint.Assign{Lhs: l.ConvAll(lhs), Op: ops, Rhs: l.ConvAll(rhs)})
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
	vals := make([]Operand, len(rhs))
	for i, e := range rhs {
		vals[i] = l.lowerExpr(e, nil)
		if vals[i].v != nil && !vals[i].v.temp {
			t := l.NewTemp("t", vals[i].Typ)
			l.writeForward(t, vals[i].Val)
			l.addCopy(vals[i], t)
			vals[i] = Operand{Val: adjoint.Id(t.Name), Bval: adjoint.Id(t.Name), v: t, Typ: vals[i].Typ}
		} else if vals[i].v == nil {
			t := l.NewTemp("t", vals[i].Typ)
			l.writeForward(t, vals[i].Val)
			vals[i] = Operand{Val: adjoint.Id(t.Name), Bval: adjoint.Id(t.Name), Typ: vals[i].Typ}
		}
	}
	for i, x := range lhs {
		l.assignOperand(rec, x, vals[i])
	}
}

// parallelConflict reports whether a parallel assignment writes a
// variable that one of its right-hand sides reads.
func (l *Lowerer) parallelConflict(lhs, rhs []ast.Expr) bool {
	written := map[types.Object]bool{}
	for _, x := range lhs {
		if v := l.RootVar(x); v != nil {
			written[v] = true
		}
	}
	conflict := false
	for _, e := range rhs {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && written[l.Info.Uses[id]] {
				conflict = true
			}
			return true
		})
	}
	return conflict
}

// assignOne lowers a single assignment, letting the last operation of the
// right-hand side write straight into the variable.
func (l *Lowerer) assignOne(rec *lowered, lhs, rhs ast.Expr) {
	v := l.activeTarget(lhs)
	if _, whole := ast.Unparen(lhs).(*ast.Ident); !whole && v != nil {
		l.storeElem(rec, lhs, token.ASSIGN, rhs)
		return
	}
	if v != nil && gotypes.IsRef(v.Typ) {
		l.assignRef(rec, v, rhs)
		return
	}
	if v == nil || !l.useful[lhs] || !l.ExprVaried(rhs) {
		l.assignOperand(rec, lhs, l.Passive(rhs))
		return
	}
	o := l.lowerExpr(rhs, v)
	if o.v != v {
		l.assignOperand(rec, lhs, o)
	}
}

// assignOperand writes an already computed operand into lhs.
func (l *Lowerer) assignOperand(rec *lowered, lhs ast.Expr, o Operand) {
	if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
		l.fwd = append(l.fwd, adjoint.Set(adjoint.Id("_"), "=", o.Val))
		return
	}
	v := l.activeTarget(lhs)
	if _, whole := ast.Unparen(lhs).(*ast.Ident); !whole && v != nil {
		l.storeOperand(lhs, token.ASSIGN, o)
		return
	}
	if v == nil {
		// A passive variable written whole goes through writeForward (its
		// saves, its hoisted declaration); an element or field of one is a
		// plain store (d[0] in h[0], d[0] = x[0], v[0]).
		if id, whole := ast.Unparen(lhs).(*ast.Ident); whole && l.RootVar(id) != nil {
			l.writeForward(l.VariableOf(l.RootVar(id)), o.Val)
		} else {
			l.fwd = append(l.fwd, adjoint.Set(l.Conv(lhs), "=", o.Val))
		}
		return
	}
	l.writeForward(v, o.Val)
	if o.v == nil || !l.useful[lhs] {
		if l.useful[lhs] && (!l.defining[v] || l.loopDepth > 0) {
			rec.zeroes = append(rec.zeroes, v)
		}
		return
	}
	l.addCopy(o, v)
}

func (l *Lowerer) addCopy(from Operand, to *Variable) {
	o := &op{rule: rules.Operators["copy"], name: "=", args: []Operand{from}, results: []*Variable{to}, resType: to.Typ}
	l.ops = append(l.ops, o)
	l.graphOp(o, from.Val)
}

// assignCall lowers "a, b := f(x)" for the math functions with two results.
func (l *Lowerer) assignCall(rec *lowered, lhs []ast.Expr, rhs ast.Expr) {
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	r := (*rules.Rule)(nil)
	if ok {
		r = l.CallRule(call)
	}
	if ok && r == nil && l.lowerMultiCall(rec, lhs, call) {
		return
	}
	if r != nil && r.None != "" {
		l.Errorf(rhs.Pos(), "cannot differentiate %s: %s; wrap the result you need in a one-result helper (func lgamma(x float64) float64) and supply its derivative with a //gradgen:rule function", l.Source(rhs), r.None)
		return
	}
	if r == nil {
		l.Errorf(rhs.Pos(), "cannot differentiate %s: gradgen differentiates calls to package math and to functions of this package; write a custom rule with //gradgen:rule", l.Source(rhs))
		return
	}
	args := make([]Operand, len(call.Args))
	vals := make([]adjoint.Expr, len(call.Args))
	for i, a := range call.Args {
		args[i] = l.lowerExpr(a, nil)
		vals[i] = args[i].Val
	}
	tuple := l.Info.TypeOf(call).(*types.Tuple)
	results := make([]*Variable, len(lhs))
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
			results[i] = l.NewTemp("t", tuple.At(i).Type())
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
		lhsIR[i] = adjoint.Id(v.Name)
		if tok == "=" {
			l.hoist(v)
		}
	}
	l.fwd = append(l.fwd, adjoint.Assign{Lhs: lhsIR, Op: tok, Rhs: []adjoint.Expr{adjoint.Call{Fun: l.Conv(call.Fun), Args: vals}}})
	name := l.Source(call.Fun)
	o := &op{rule: r, name: name, args: args, results: results, resType: tuple.At(0).Type(), fwd: adjoint.Call{Fun: l.Conv(call.Fun), Args: vals}}
	l.ops = append(l.ops, o)
	l.graphOp(o, adjoint.Call{Fun: l.Conv(call.Fun), Args: vals})
	if !direct {
		for i, x := range lhs {
			l.assignOperand(rec, x, Operand{Val: adjoint.Id(results[i].Name), Bval: adjoint.Id(results[i].Name), v: results[i], Typ: results[i].Typ})
		}
		for _, v := range results {
			delete(l.defining, v)
		}
	}
}
