package forward

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// A dest is where an operation's value and tangent go: a source variable,
// an element of one, or a new temporary.
type dest struct {
	val, tan adjoint.Expr
	define   bool   // declare both (:=)
	root     string // the variable written, whose old value operands may read
	typ      types.Type
	noTan    bool         // the destination carries no tangent (a passive element)
	declType adjoint.Type // the type a var declaration names, or nil
}

// tempDest is a new temporary of type t, and its tangent.
func (f *fwdLowerer) tempDest(base string, t types.Type) *dest {
	v := f.NewTemp(base, t)
	return &dest{val: adjoint.Id(v.Name), tan: adjoint.Id(f.tangentName(v)), define: true, root: v.Name, typ: t}
}

// lvalueDest is the destination of an assignment to lhs.
func (f *fwdLowerer) lvalueDest(lhs ast.Expr, define bool) *dest {
	d := &dest{val: f.Conv(lhs), define: define, typ: f.Info.TypeOf(lhs)}
	root := f.RootVar(lhs)
	if root == nil {
		d.noTan = true
		return d
	}
	d.root = f.VariableOf(root).Name
	if !f.hasTangent(root) {
		d.noTan = true
		return d
	}
	d.tan = f.tangentOf(lhs)
	return d
}

// tangentOf is the tangent of a variable, element or field: dx, dx[i],
// dp.X.
func (f *fwdLowerer) tangentOf(e ast.Expr) adjoint.Expr {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return adjoint.Id(f.tangentName(f.VariableOf(f.Info.ObjectOf(e))))
	case *ast.IndexExpr:
		return adjoint.Index{X: f.tangentOf(e.X), Index: f.Conv(e.Index)}
	case *ast.SelectorExpr:
		return adjoint.Selector{X: f.tangentOf(e.X), Sel: e.Sel.Name}
	case *ast.StarExpr:
		return adjoint.Unary{Op: "*", X: f.tangentOf(e.X)}
	case *ast.SliceExpr:
		s := adjoint.SliceExpr{X: f.tangentOf(e.X)}
		if e.Low != nil {
			s.Lo = f.Conv(e.Low)
		}
		if e.High != nil {
			s.Hi = f.Conv(e.High)
		}
		if e.Max != nil {
			s.Max = f.Conv(e.Max)
		}
		return s
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return adjoint.Unary{Op: "&", X: f.tangentOf(e.X)}
		}
	}
	f.Errorf(e.Pos(), "forward mode (//gradgen:jvp) cannot follow the tangent of %s: keep active slices, arrays and structs in variables and index them", f.Source(e))
	return adjoint.Id("_")
}

// adjPathOf is the tangent of an aggregate expression (a slice, array,
// struct or pointer), or nil when it carries none.
func (f *fwdLowerer) adjPathOf(e ast.Expr) adjoint.Expr {
	root := f.RootVar(e)
	if root == nil || !f.hasTangent(root) {
		return nil
	}
	return f.tangentOf(e)
}

// passiveVal is a passive operand's value. adjoint.One that calls a function is
// computed once, into a temporary, since the tangent reads it too and the
// call may have effects (SPEC §3: every call runs as often as in the
// source).
func (f *fwdLowerer) passiveVal(e ast.Expr) adjoint.Expr {
	o := f.Passive(e)
	if !f.callsFunction(e) {
		return o.Bval
	}
	t := f.NewTemp("p", f.Info.TypeOf(e))
	f.emit(adjoint.Set(adjoint.Id(t.Name), ":=", o.Val))
	return adjoint.Id(t.Name)
}

// callsFunction reports whether e calls a function (not a conversion or
// len/cap).
func (f *fwdLowerer) callsFunction(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if tv, ok := f.Info.Types[call.Fun]; ok && tv.IsType() {
			return true
		}
		if b, ok := f.Info.Uses[gotypes.IdentOf(call.Fun)].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
			return true
		}
		found = true
		return false
	})
	return found
}

// expr writes the statements that compute e and its tangent, and returns
// both as expressions (the tangent nil when it is zero). into, when not
// nil, receives the last operation's value and tangent.
func (f *fwdLowerer) expr(e ast.Expr, into *dest) (adjoint.Expr, adjoint.Expr) {
	t := f.Info.TypeOf(e)
	if !f.ExprVaried(e) || !gotypes.IsFloat(t) {
		if tv := f.Info.Types[e]; tv.Value != nil && gotypes.IsFloat(tv.Type) {
			return f.store(into, lower.FloatLit(tv.Value, tv.Type), nil)
		}
		return f.store(into, f.passiveVal(e), nil)
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return f.expr(e.X, into)
	case *ast.Ident, *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr:
		val := f.Conv(e)
		root := f.RootVar(e)
		if root == nil || !f.hasTangent(root) {
			return f.store(into, val, nil)
		}
		return f.store(into, val, f.tangentOf(e))
	case *ast.BinaryExpr:
		x, tx := f.expr(e.X, nil)
		y, ty := f.expr(e.Y, nil)
		op := e.Op.String()
		return f.op(rules.Operators[op], []adjoint.Expr{x, y}, []adjoint.Expr{tx, ty}, adjoint.Bin(op, x, y), t, "t", into, op)
	case *ast.UnaryExpr:
		if e.Op == token.ADD {
			return f.expr(e.X, into)
		}
		if e.Op == token.SUB {
			x, tx := f.expr(e.X, nil)
			return f.op(rules.Operators["neg"], []adjoint.Expr{x}, []adjoint.Expr{tx}, adjoint.Unary{Op: "-", X: x}, t, "t", into, "neg")
		}
	case *ast.CallExpr:
		return f.call(e, into)
	}
	f.Errorf(e.Pos(), "forward mode (//gradgen:jvp) cannot differentiate %s: use //gradgen:grad", f.Source(e))
	return adjoint.Id("_"), nil
}

// store copies a value and its tangent into a destination, when there is
// one, and returns what holds them.
func (f *fwdLowerer) store(into *dest, val, tan adjoint.Expr) (adjoint.Expr, adjoint.Expr) {
	if into == nil {
		return val, tan
	}
	f.writeDest(into, val, tan)
	return into.val, into.tan
}

// writeDest writes "dst = val" and its tangent "ddst = tan" (a zero tangent
// when tan is nil). The tangent goes first: it may read the old value.
func (f *fwdLowerer) writeDest(d *dest, val, tan adjoint.Expr) {
	f.writeTan(d, tan)
	f.writeVal(d, val)
}

func (f *fwdLowerer) writeVal(d *dest, val adjoint.Expr) {
	tok := "="
	if d.define {
		tok = ":="
		if d.declType != nil {
			f.emit(adjoint.VarDecl{Names: []string{adjoint.ExprString(d.val)}, Type: d.declType, Values: []adjoint.Expr{val}})
			return
		}
	}
	// x = x op y prints as x op= y, as the source wrote it.
	if b, ok := val.(adjoint.Binary); ok && tok == "=" && reflect.DeepEqual(b.X, d.val) && strings.Contains("+-*/", b.Op) {
		f.emit(adjoint.Set(d.val, b.Op+"=", b.Y))
		return
	}
	f.emit(adjoint.Set(d.val, tok, val))
}

func (f *fwdLowerer) writeTan(d *dest, tan adjoint.Expr) {
	if d.noTan || d.tan == nil {
		return
	}
	tok := "="
	if d.define {
		tok = ":="
	}
	if tan == nil {
		if d.define {
			f.emit(adjoint.VarDecl{Names: []string{adjoint.ExprString(d.tan)}, Type: gotypes.MustIR(d.typ)})
			return
		}
		tan = f.ZeroValue(nil, d.typ)
	}
	if !d.define && opt.SameExpr(tan, d.tan) {
		return // x += 1 leaves dx as it is
	}
	if d.define && d.declType != nil {
		f.emit(adjoint.VarDecl{Names: []string{adjoint.ExprString(d.tan)}, Type: d.declType, Values: []adjoint.Expr{tan}})
		return
	}
	if b, ok := tan.(adjoint.Binary); ok && tok == "=" && reflect.DeepEqual(b.X, d.tan) && (b.Op == "+" || b.Op == "-") {
		f.emit(adjoint.Set(d.tan, b.Op+"=", b.Y))
		return
	}
	f.emit(adjoint.Set(d.tan, tok, tan))
}

// reads reports whether any of es reads the variable named name.
func reads(name string, es ...adjoint.Expr) bool {
	found := false
	for _, e := range es {
		if e == nil {
			continue
		}
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok && id.Name == name {
				found = true
			}
		})
	}
	return found
}

// op writes one operation: its value fwd, of type t, from operands with
// values a and tangents ta, and its tangent from the rule's partials.
func (f *fwdLowerer) op(r *rules.Rule, a, ta []adjoint.Expr, fwd adjoint.Expr, t types.Type, base string, into *dest, name string) (adjoint.Expr, adjoint.Expr) {
	if r.Pullback != nil && r.Guarded == nil {
		// A call's pullback has no partials to push tangents through; calls
		// get pushforward helpers instead (call), never this.
		panic("forward mode met a rule with a pullback and no partials")
	}
	if r.Guarded != nil {
		return f.piecewiseOp(r, a, ta, fwd, t, base, into)
	}
	if r.Zero {
		d := into
		if d == nil {
			d = f.tempDest(base, t)
		}
		f.writeDest(d, fwd, nil)
		return d.val, nil
	}
	probe := adjoint.Ident{Name: "\x00result"}
	tan := f.tangentExpr(r, a, ta, probe, name)
	usesResult := reads(probe.Name, tan)
	if into == nil && !usesResult && (tan == nil || plainTangent(tan)) {
		// t := s - 20 has s's tangent: no copy of it is made. Nothing
		// writes a tangent before the statement has read its operands'.
		v := f.NewTemp(base, t)
		f.emit(adjoint.Set(adjoint.Id(v.Name), ":=", fwd))
		return adjoint.Id(v.Name), tan
	}
	d := into
	if d == nil {
		d = f.tempDest(base, t)
	}
	if usesResult && (reads(d.root, a...) || reads(d.root, ta...)) {
		// The tangent needs the new value and the operands' old ones:
		// compute into a temporary first.
		tmp := f.tempDest(base, t)
		f.writeVal(tmp, fwd)
		f.writeTan(tmp, f.tangentExpr(r, a, ta, tmp.val, name))
		f.writeDest(d, tmp.val, tmp.tan)
		return d.val, d.tan
	}
	if usesResult {
		f.writeVal(d, fwd)
		f.writeTan(d, f.tangentExpr(r, a, ta, d.val, name))
	} else {
		f.writeDest(d, fwd, tan)
	}
	if tan == nil || d.noTan {
		return d.val, nil
	}
	return d.val, d.tan
}

// tangentExpr is Σ ∂r/∂aᵢ · ṫᵢ over the operands with a tangent, the
// result read as res.
func (f *fwdLowerer) tangentExpr(r *rules.Rule, a, ta []adjoint.Expr, res adjoint.Expr, name string) adjoint.Expr {
	if name == "/" {
		// d(x/y) = (dx - r·dy)/y: one division, as a careful person writes it.
		num := adjoint.Add(ta[0], negOpt(adjoint.Mul(res, ta[1])))
		if num == nil {
			return nil
		}
		return adjoint.Div(num, a[1])
	}
	if r == rules.Conversion {
		return nil // handled by the caller
	}
	if name == "*" && ta[0] != nil && ta[1] != nil && adjoint.ExprString(a[0]) == adjoint.ExprString(a[1]) && adjoint.ExprString(ta[0]) == adjoint.ExprString(ta[1]) {
		// d(x·x) = 2·x·dx, one product where the rule's two shares would
		// write two (and a second derivative differentiate both).
		return adjoint.Mul(adjoint.Mul(adjoint.Literal("2"), a[0]), ta[0])
	}
	var sum adjoint.Expr
	for i, t := range ta {
		if t == nil || len(r.Jac) == 0 || i >= len(r.Jac[0]) || r.Jac[0][i] == nil {
			continue
		}
		sum = adjoint.Add(sum, adjoint.Mul(r.Jac[0][i](a, []adjoint.Expr{res}), t))
	}
	return sum
}

// piecewiseOp writes an operation whose partials hold under guards (abs,
// max, pow): the value goes into a temporary, and the tangent is added
// into its own under the same guards, Σᵢ ∂r/∂aᵢ · ṫᵢ in each arm.
func (f *fwdLowerer) piecewiseOp(r *rules.Rule, a, ta []adjoint.Expr, fwd adjoint.Expr, t types.Type, base string, into *dest) (adjoint.Expr, adjoint.Expr) {
	tmp := f.tempDest(base, t)
	f.writeVal(tmp, fwd)
	f.emit(adjoint.VarDecl{Names: []string{adjoint.ExprString(tmp.tan)}, Type: gotypes.MustIR(t)})
	v := rules.Vals{A: a, R: []adjoint.Expr{tmp.val}, T: gotypes.MustIR(t)}
	f.emit(r.Guarded(len(a)).WriteTangent(v, ta, f.Names.Fresh, func(e adjoint.Expr) adjoint.Stmt {
		if m, ok := adjoint.Negated(e); ok {
			return adjoint.Set(tmp.tan, "-=", m)
		}
		return adjoint.Set(tmp.tan, "+=", e)
	})...)
	tan := tmp.tan
	if !slices.ContainsFunc(ta, func(e adjoint.Expr) bool { return e != nil }) {
		tan = nil
	}
	if into == nil {
		return tmp.val, tan
	}
	f.writeDest(into, tmp.val, tan)
	return into.val, into.tan
}

// inlineExpr writes e and its tangent as two expressions, without
// statements (for a loop's post statement), or reports that it cannot.
func (f *fwdLowerer) inlineExpr(e ast.Expr) (adjoint.Expr, adjoint.Expr, bool) {
	t := f.Info.TypeOf(e)
	if !f.ExprVaried(e) || !gotypes.IsFloat(t) {
		if f.callsFunction(e) {
			return nil, nil, false
		}
		return f.Passive(e).Bval, nil, true
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		v, tan, ok := f.inlineExpr(e.X)
		return adjoint.Paren{X: v}, tan, ok
	case *ast.Ident, *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr:
		if root := f.RootVar(e); root == nil || !f.hasTangent(root) {
			return f.Conv(e), nil, true
		}
		return f.Conv(e), f.tangentOf(e), true
	case *ast.BinaryExpr:
		x, tx, ok1 := f.inlineExpr(e.X)
		y, ty, ok2 := f.inlineExpr(e.Y)
		return f.inlineOp(e.Op.String(), lower.Operand{Val: x, Typ: f.Info.TypeOf(e.X)}, tx, lower.Operand{Val: y, Typ: f.Info.TypeOf(e.Y)}, ty, ok1 && ok2)
	case *ast.UnaryExpr:
		x, tx, ok := f.inlineExpr(e.X)
		if e.Op == token.SUB {
			return adjoint.Unary{Op: "-", X: x}, negOpt(tx), ok
		}
		return x, tx, ok && e.Op == token.ADD
	case *ast.CallExpr:
		return f.inlineCall(e)
	}
	return nil, nil, false
}

// inlineCall is a conversion or a call to a math function with partials
// (not a piecewise one) and its tangent, as expressions; a partial that
// reads the result reads the call again.
func (f *fwdLowerer) inlineCall(call *ast.CallExpr) (adjoint.Expr, adjoint.Expr, bool) {
	var a, ta []adjoint.Expr
	for _, arg := range call.Args {
		v, t, ok := f.inlineExpr(arg)
		if !ok {
			return nil, nil, false
		}
		a, ta = append(a, v), append(ta, t)
	}
	fun := f.Conv(call.Fun)
	val := adjoint.Call{Fun: fun, Args: a}
	if tv, ok := f.Info.Types[call.Fun]; ok && tv.IsType() {
		if ta[0] == nil {
			return val, nil, true
		}
		return val, adjoint.Call{Fun: fun, Args: []adjoint.Expr{ta[0]}}, true
	}
	r := f.CallRule(call)
	if fn, _ := f.CalleeOf(call); r == nil || fn != nil && f.Rules[fn] != nil || r.Piecewise() || r.None != "" || r.Variadic {
		return nil, nil, false
	}
	if r.Zero {
		return val, nil, true
	}
	if len(r.Jac) != 1 {
		return nil, nil, false
	}
	return val, f.tangentExpr(r, a, ta, val, ""), true
}

// inlineOp is x op y and its tangent as expressions, for + - * /.
func (f *fwdLowerer) inlineOp(op string, x lower.Operand, tx adjoint.Expr, y lower.Operand, ty adjoint.Expr, ok bool) (adjoint.Expr, adjoint.Expr, bool) {
	if !ok || !strings.Contains("+-*/", op) {
		return nil, nil, false
	}
	val := adjoint.Bin(op, x.Val, y.Val)
	if op == "/" {
		// (dx - (x/y)·dy)/y, the quotient recomputed.
		num := adjoint.Add(tx, negOpt(adjoint.Mul(val, ty)))
		if num == nil {
			return val, nil, true
		}
		return val, adjoint.Div(num, y.Val), true
	}
	tan := f.tangentExpr(rules.Operators[op], []adjoint.Expr{x.Val, y.Val}, []adjoint.Expr{tx, ty}, nil, op)
	return val, tan, true
}

// negOpt is -x, or nil (no term) when x is nil.
func negOpt(x adjoint.Expr) adjoint.Expr {
	if x == nil {
		return nil
	}
	return adjoint.Neg(x)
}

// plainTangent reports whether a tangent is a variable, element or field,
// or its negation: free to read again where a copy of it would be read.
func plainTangent(e adjoint.Expr) bool {
	switch e := e.(type) {
	case adjoint.Ident:
		return true
	case adjoint.Unary:
		return e.Op == "-" && plainTangent(e.X)
	case adjoint.Index:
		return plainTangent(e.X) && simpleIndex(e.Index)
	case adjoint.Selector:
		return plainTangent(e.X)
	}
	return false
}

// simpleIndex reports whether an index reads only variables and constants.
func simpleIndex(e adjoint.Expr) bool {
	switch e := e.(type) {
	case adjoint.Ident, adjoint.Lit:
		return true
	case adjoint.Binary:
		return simpleIndex(e.X) && simpleIndex(e.Y)
	case adjoint.Paren:
		return simpleIndex(e.X)
	}
	return false
}
