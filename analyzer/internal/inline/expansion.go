package inline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
	"golang.org/x/tools/go/ast/astutil"
)

// An expansion is one call's expansion being written.
type expansion struct {
	in *inliner
	// the function expanded: a declaration's or a literal's parts, and
	// the node whose span holds its own names
	recv  *ast.FieldList
	ftype *ast.FuncType
	fbody *ast.BlockStmt
	span  ast.Node
	site  token.Pos
	// names are the new names of the helper's locals and bound
	// parameters; subst the argument written for a parameter used as it
	// is; pointee the variable a pointer parameter points at (its uses
	// s.X, *s become v.X, v).
	names   map[types.Object]string
	subst   map[types.Object]ast.Expr
	pointee map[types.Object]ast.Expr
	bindL   []ast.Expr
	bindR   []ast.Expr
	badName string // a name that means something else at the call
}

// fresh returns name, or name with a number, unused by the caller.
func (e *expansion) fresh(name string) string {
	n := name
	for k := 1; e.in.taken[n]; k++ {
		n = fmt.Sprintf("%s%d", name, k)
	}
	e.in.taken[n] = true
	return n
}

// params decides, for each parameter, substitution or binding.
func (e *expansion) params(sig *types.Signature, recv ast.Expr, call *ast.CallExpr) bool {
	params, args := expandedOperands(sig, recv, call)
	if len(args) != len(params) {
		return false
	}
	assigned := e.assignedParams()
	written := e.writtenVars()
	readOnly := e.calleeReadOnly(call)
	for i, pv := range params {
		arg := args[i]
		// The parameter's object in the helper's declaration.
		obj := e.paramObject(i, sig.Recv() != nil)
		if obj == nil {
			if !e.in.p.CallsNothing(arg) {
				return false
			}
			continue // a blank parameter: its argument computes nothing
		}
		if _, isPtr := pv.Type().Underlying().(*types.Pointer); isPtr {
			if !e.pointerParam(obj, arg, i == 0 && sig.Recv() != nil, assigned[obj]) {
				return false
			}
			continue
		}
		if e.substituteArg(obj, pv, arg, assigned[obj], written[obj], readOnly) {
			continue
		}
		if !e.bindParam(obj, pv, arg) {
			return false
		}
	}
	return true
}

// expandedOperands returns the callee's parameters, the receiver first, and
// the operands call passes them, in the same order, so that the i-th of
// each can be matched (their counts differ for a spread call f(g()),
// which is not expanded; target has refused variadic callees).
func expandedOperands(sig *types.Signature, recv ast.Expr, call *ast.CallExpr) ([]*types.Var, []ast.Expr) {
	var params []*types.Var
	var args []ast.Expr
	if sig.Recv() != nil {
		params, args = append(params, sig.Recv()), append(args, recv)
	}
	for i := range sig.Params().Len() {
		params = append(params, sig.Params().At(i))
	}
	args = append(args, call.Args...)
	return params, args
}

// writtenVars returns the variables the body writes, fields and elements
// included: a parameter in it cannot stand for the caller's variable,
// which would then be written too.
func (e *expansion) writtenVars() map[types.Object]bool {
	written := map[types.Object]bool{}
	rewrite.ForEachWrite(e.fbody, func(x ast.Expr) {
		if root := e.in.p.RootVar(ast.Unparen(x)); root != nil {
			written[root] = true
		}
	})
	return written
}

// calleeReadOnly reports whether the call is to a declared function
// shown to write nothing of the caller's through what it is passed. A
// literal may write the variables it captures, so it never is.
func (e *expansion) calleeReadOnly(call *ast.CallExpr) bool {
	if fn, _ := e.in.callee(call); fn != nil && e.in.literalCalled(call) == nil {
		return !e.in.p.MayWrite(fn, map[*types.Func]bool{})
	}
	return false
}

// pointerParam decides a pointer parameter obj, passed arg: its uses
// become the variable it points at (&v, or v for a method called on an
// addressable v), or the caller's pointer variable itself. It reports
// false when neither is possible (the body assigns the parameter, or
// arg is some other expression), and the call is then not expanded.
func (e *expansion) pointerParam(obj types.Object, arg ast.Expr, isRecv, assigned bool) bool {
	if assigned {
		return false
	}
	if isRecv {
		if _, argPtr := e.in.p.Info.TypeOf(arg).Underlying().(*types.Pointer); !argPtr {
			if !variablePath(arg) {
				return false
			}
			e.pointee[obj] = arg // st.Step(h): s is &st
			return true
		}
	}
	switch a := ast.Unparen(arg).(type) {
	case *ast.UnaryExpr:
		if a.Op != token.AND || !variablePath(a.X) {
			return false
		}
		e.pointee[obj] = a.X
	case *ast.Ident:
		e.subst[obj] = a
	default:
		return false
	}
	return true
}

// substituteArg reports whether the non-pointer parameter obj may be
// written as the caller's variable arg itself, and records it if so: a
// slice variable the body never reassigns, or a struct or array
// nothing writes while the body runs. Either way no copy is made, and
// none need be saved for the backward sweep.
func (e *expansion) substituteArg(obj types.Object, pv *types.Var, arg ast.Expr, assigned, written, readOnly bool) bool {
	info := e.in.p.Info
	if id, isID := ast.Unparen(arg).(*ast.Ident); isID && gotypes.RefVar(pv.Type()) && !assigned && info.Types[arg].Value == nil {
		if _, isVar := info.Uses[id].(*types.Var); isVar {
			e.subst[obj] = id
			return true
		}
	}
	if id, isID := ast.Unparen(arg).(*ast.Ident); isID && gotypes.ByValueAggregate(pv.Type()) && !written && readOnly {
		// A struct or array the helper only reads, passed as a
		// variable nothing writes while the body runs: its uses
		// read the variable, with no copy made (and none saved).
		if v, isVar := info.Uses[id].(*types.Var); isVar && v.Parent() != e.in.p.Pkg.Scope() && types.Identical(v.Type(), pv.Type()) {
			e.subst[obj] = id
			return true
		}
	}
	return false
}

// bindParam binds obj to a fresh local set to arg (name := arg), as Go
// passes a value. It reports false when the parameter's type cannot be
// written at the call, which a constant or a differently typed argument
// needs.
func (e *expansion) bindParam(obj types.Object, pv *types.Var, arg ast.Expr) bool {
	info := e.in.p.Info
	name := e.fresh(obj.Name())
	e.names[obj] = name
	value := arg
	// A constant is typed by the parameter in the call; := would
	// give it its default type.
	if at := info.TypeOf(arg); at == nil || info.Types[arg].Value != nil && !defaultTyped(arg, pv.Type()) || !types.Identical(at, pv.Type()) {
		t := e.in.typeExpr(pv.Type())
		if t == nil {
			return false
		}
		value = &ast.CallExpr{Fun: t, Args: []ast.Expr{arg}}
	}
	e.bindL = append(e.bindL, &ast.Ident{NamePos: e.site, Name: name})
	e.bindR = append(e.bindR, value)
	return true
}

// paramObject is the object of the helper's i-th parameter (the receiver
// first), nil for a blank or unnamed one.
func (e *expansion) paramObject(i int, hasRecv bool) types.Object {
	var names []*ast.Ident
	var fields []*ast.Field
	if hasRecv {
		fields = append(fields, e.recv.List...)
	}
	fields = append(fields, e.ftype.Params.List...)
	for _, f := range fields {
		if len(f.Names) == 0 {
			names = append(names, nil)
		}
		names = append(names, f.Names...)
	}
	if i >= len(names) || names[i] == nil || names[i].Name == "_" {
		return nil
	}
	return e.in.p.Info.Defs[names[i]]
}

// assignedParams are the parameters the body assigns or takes the
// address of.
func (e *expansion) assignedParams() map[types.Object]bool {
	out := map[types.Object]bool{}
	rewrite.ForEachWrite(e.fbody, func(x ast.Expr) {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			out[e.in.p.Info.ObjectOf(id)] = true
		}
	})
	return out
}

// defaultTyped reports whether the constant e written bare takes the type
// t (0.1 is a float64, 2 an int). The checker records a constant's value
// converted to the type the call gives it, so the literal's own token
// decides.
func defaultTyped(e ast.Expr, t types.Type) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	if !ok {
		return false
	}
	switch lit.Kind {
	case token.FLOAT:
		return types.Identical(t, types.Typ[types.Float64])
	case token.INT:
		return types.Identical(t, types.Typ[types.Int])
	}
	return false
}

// variablePath reports whether e is a variable or a field path of one
// (v, v.f.g): its address is fixed while the expansion runs.
func variablePath(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return variablePath(e.X)
	case *ast.IndexExpr:
		// bs[i].Move(h): an element at an index the body cannot change
		// (a variable of the caller's, or a constant).
		switch ast.Unparen(e.Index).(type) {
		case *ast.Ident, *ast.BasicLit:
			return variablePath(e.X)
		}
	}
	return false
}

// locals names the helper's locals afresh.
func (e *expansion) locals() bool {
	for id, obj := range e.in.p.Info.Defs {
		if obj == nil || id.Pos() < e.fbody.Pos() || id.Pos() >= e.fbody.End() {
			continue
		}
		if _, isVar := obj.(*types.Var); !isVar {
			return false // a local type or constant: keep the call
		}
		if _, done := e.names[obj]; !done && id.Name != "_" {
			e.names[obj] = ""
		}
	}
	// Named results are locals of the expansion too.
	if e.ftype.Results != nil {
		for _, f := range e.ftype.Results.List {
			for _, id := range f.Names {
				if obj := e.in.p.Info.Defs[id]; obj != nil && id.Name != "_" {
					if _, done := e.names[obj]; !done {
						e.names[obj] = ""
					}
				}
			}
		}
	}
	// In the order of the declarations, so that names are stable.
	objs := make([]types.Object, 0, len(e.names))
	for obj, n := range e.names {
		if n == "" {
			objs = append(objs, obj)
		}
	}
	slices.SortFunc(objs, func(a, b types.Object) int { return int(a.Pos() - b.Pos()) })
	for _, obj := range objs {
		e.names[obj] = e.fresh(obj.Name())
	}
	return true
}

// outerNames checks that every name the body reads that is not its own
// (a package-level name, or a variable a literal captures) means the same
// at the call.
func (e *expansion) outerNames() bool {
	name, changed := e.in.p.NameChangedAt(e.fbody, e.span, e.site)
	e.badName = name
	return !changed
}

// body writes the expansion's block: the bindings, then the helper's
// statements with its names replaced, its final return left out; it
// returns the final return's value, rewritten alike, for the caller's
// assignment.
func (e *expansion) body(final *ast.ReturnStmt) (*ast.BlockStmt, ast.Expr) {
	info := e.in.p.Info
	clone := e.in.p.CloneNode(e.fbody).(*ast.BlockStmt)
	if final != nil {
		clone.List = clone.List[:len(clone.List)-1]
	}
	pointee := func(x ast.Expr) ast.Expr {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			if v := e.pointee[info.ObjectOf(id)]; v != nil {
				return e.in.p.CloneNode(v).(ast.Expr)
			}
		}
		return nil
	}
	replace := func(c *astutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.StarExpr:
			if v := pointee(n.X); v != nil {
				c.Replace(v) // *s is the variable s points at
				return false
			}
		case *ast.SelectorExpr:
			if v := pointee(n.X); v != nil {
				n.X = v // s.X is v.X
			}
		case *ast.IndexExpr:
			if v := pointee(n.X); v != nil {
				n.X = v // s[i], s a pointer to an array, is v[i]
			}
		case *ast.RangeStmt:
			// range s and range v agree for a pointer to an array but
			// when the body writes v and reads the range's value, which
			// gradgen refuses for a range over an array.
			if v := pointee(n.X); v != nil {
				n.X = v
			}
		case *ast.CallExpr:
			if len(n.Args) == 1 && gotypes.IsBuiltinCall(info, n, "len", "cap") {
				if v := pointee(n.Args[0]); v != nil {
					n.Args[0] = v // len(s) is len(v)
				}
			}
		case *ast.Ident:
			if sel, isSel := c.Parent().(*ast.SelectorExpr); isSel && sel.Sel == n {
				return false // a field or method name
			}
			obj := info.ObjectOf(n)
			if obj == nil {
				return true
			}
			if v := e.pointee[obj]; v != nil {
				c.Replace(&ast.UnaryExpr{OpPos: n.Pos(), Op: token.AND, X: e.in.p.CloneNode(v).(ast.Expr)})
				return false
			}
			if v := e.subst[obj]; v != nil {
				c.Replace(e.in.p.CloneNode(v))
				return false
			}
			if name := e.names[obj]; name != "" {
				n.Name = name
			}
		}
		return true
	}
	out := astutil.Apply(clone, replace, nil).(*ast.BlockStmt)
	var value ast.Expr
	if final != nil && len(final.Results) == 1 {
		r := astutil.Apply(e.in.p.CloneNode(final), replace, nil).(*ast.ReturnStmt)
		value = r.Results[0]
	}
	block := &ast.BlockStmt{Lbrace: e.site}
	// One statement per parameter (forward mode refuses a slice in a
	// parallel assignment); the names are fresh, so no argument reads a
	// parameter bound before it.
	for i := range e.bindL {
		block.List = append(block.List, &ast.AssignStmt{Lhs: e.bindL[i : i+1], TokPos: e.site, Tok: token.DEFINE, Rhs: e.bindR[i : i+1]})
	}
	block.List = append(block.List, out.List...)
	return block, value
}
