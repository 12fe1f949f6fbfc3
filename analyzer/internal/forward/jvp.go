// Package forward is forward mode (//gradgen:jvp). It writes each value's
// tangent beside it: the source's control flow is copied as it is, and
// every statement that computes an active value is followed (or preceded,
// when it overwrites an operand) by the statement that computes its
// tangent, from the same rule table's partials that reverse mode
// multiplies by adjoints. No tape, no recorder, no second sweep.
//
// It shares internal/lower's front end — directives, signatures,
// validation, activity — and runs only on functions reverse mode accepts,
// so that both modes refuse the same constructs (fail closed) and can check
// each other (the dot-product test). The tangent of a variable x is held in
// the variable's adjoint slot, named dx, and the tangent of an element x[i]
// is dx[i], as its adjoint would be.
package forward

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// fwdLowerer writes the JVP of one function.
type fwdLowerer struct {
	*lower.Lowerer
	out      []adjoint.Stmt  // statements of the block being written
	tangents map[string]bool // names of tangents and temporaries forward mode made, which cleanup may drop
	results  []types.Type
	// sanityFailed is set once the sanity check has reported: later passes
	// would only repeat it.
	sanityFailed bool
}

// Function builds the JVP of g (a user's //gradgen:jvp function, or
// a pushforward helper of a callee).
func Function(p *lower.Package, g *lower.Target, file *ast.File) (fn *adjoint.Func, diags []lower.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("GRADGEN_PANIC") != "" {
				panic(r)
			}
			fn = nil
			diags = []lower.Diagnostic{{Pos: g.Decl.Name.Pos(), Message: fmt.Sprintf("internal error differentiating %s: %v; please report it with this function", g.Decl.Name.Name, r)}}
		}
	}()
	f := &fwdLowerer{Lowerer: p.NewLowerer(g, file, nil), tangents: map[string]bool{}, results: g.Results}
	if !f.Analyze(g) {
		return nil, f.Diags
	}
	fn = f.lowerForward(g)
	if len(f.Diags) > 0 {
		return nil, f.Diags
	}
	return fn, nil
}

// lowerForward writes the whole JVP function.
func (f *fwdLowerer) lowerForward(g *lower.Target) *adjoint.Func {
	out := &adjoint.Func{Name: g.Name, Doc: f.forwardDoc(g)}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: f.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
	}
	for _, p := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: f.ParamName(p), Type: gotypes.MustIR(p.Type())})
	}
	for _, v := range g.Wrt {
		pv := f.VariableOf(v)
		out.Params = append(out.Params, adjoint.Param{Name: adjoint.ExprString(f.AdjOf(pv)), Type: gotypes.MustIR(v.Type())})
	}
	for _, t := range g.Results {
		out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(t)})
	}
	for _, t := range g.Results {
		if gotypes.IsFloat(t) {
			out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(t)})
		}
	}
	// Tangents must be at least as long as their parameters.
	for _, v := range g.Wrt {
		if gotypes.HasSlices(v.Type()) {
			pv := f.VariableOf(v)
			out.Body = append(out.Body, f.LengthChecks(adjoint.Id(pv.Name), f.AdjOf(pv), v.Type(), 0)...)
		}
	}
	// A parameter not differentiated against that the body sets to an
	// active value starts with a zero tangent.
	params := append([]*types.Var(nil), g.Params...)
	if g.Recv != nil {
		params = append(params, g.Recv)
	}
	for _, p := range params {
		if f.Varied[p] && !g.WrtSet[p] {
			pv := f.VariableOf(p)
			if gotypes.ByReference(p.Type()) {
				// Its memory is the caller's: a tangent here would have no
				// counterpart there (reverse mode refuses such writes too).
				f.Errorf(p.Pos(), "forward mode cannot follow writes of active values into %s, which is not differentiated against: add it to wrt=, or copy it into a local variable", p.Name())
				continue
			}
			// A float, or an array or struct passed by value: a copy
			// whose tangent starts at zero.
			out.Body = append(out.Body, adjoint.VarDecl{Names: []string{f.tangentName(pv)}, Type: pv.IR})
		}
	}
	sw := &opt.Sweeps{Fwd: append(out.Body, f.block(g.Decl.Body.List)...)}
	check := func(pass string, sw *opt.Sweeps) {
		fn := *out
		fn.Body = sw.Fwd
		f.sanityCheck(pass, &fn, false)
	}
	check("lowering", sw)
	optimise := !g.Options.NoActivity && !g.Options.SaveAll
	opt.Run(f.passes(), sw, optimise, check)
	out.Body = sw.Fwd
	f.PoolTapes(out)
	f.sanityCheck("pooling", out, true)
	return out
}

// forwardDoc is the JVP's doc comment.
func (f *fwdLowerer) forwardDoc(g *lower.Target) string {
	var names []string
	for _, v := range g.Wrt {
		names = append(names, f.VariableOf(v).Name)
	}
	var tans []string
	for _, v := range g.Wrt {
		tans = append(tans, f.tangentName(f.VariableOf(v)))
	}
	if g.Helper {
		return g.Name + " is the pushforward of " + g.Decl.Name.Name + ": its results, then their tangents along " + lower.JoinNames(tans) + "."
	}
	call := g.Decl.Name.Name + "(" + lower.JoinNames(f.sourceParams(g)) + ")"
	if g.Recv != nil {
		call = f.ParamName(g.Recv) + "." + call
	}
	if len(names) == 0 {
		return g.Name + " returns " + call + " and a zero directional derivative: it depends on no differentiable parameter."
	}
	return g.Name + " returns " + call + " and its directional derivative: the sum of its partial derivatives with respect to " + lower.JoinNames(names) + " times the tangents " + lower.JoinNames(tans) + "."
}

func (f *fwdLowerer) sourceParams(g *lower.Target) []string {
	var out []string
	for _, p := range g.Params {
		out = append(out, f.ParamName(p))
	}
	return out
}

// tangentName is the name of v's tangent, made on first use.
func (f *fwdLowerer) tangentName(v *lower.Variable) string {
	if v.Adj == "" {
		f.AdjOf(v)
		f.tangents[v.Adj] = true
	}
	return v.Adj
}

// hasTangent reports whether the variable obj carries a tangent.
func (f *fwdLowerer) hasTangent(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	return ok && f.Varied[v] && gotypes.IsDifferentiable(v.Type())
}

// emit appends statements to the block being written.
func (f *fwdLowerer) emit(ss ...adjoint.Stmt) {
	for _, s := range ss {
		if s != nil && !selfAssignment(s) {
			f.out = append(f.out, s)
		}
	}
}

// selfAssignment reports whether s is x = x, which a conversion to the
// value's own type (s = float64(s)) or its tangent's leaves: it does
// nothing, and go vet reports it.
func selfAssignment(s adjoint.Stmt) bool {
	a, ok := s.(adjoint.Assign)
	if !ok || a.Op != "=" || len(a.Lhs) != len(a.Rhs) {
		return false
	}
	for i := range a.Lhs {
		l, isL := a.Lhs[i].(adjoint.Ident)
		r, isR := a.Rhs[i].(adjoint.Ident)
		if !isL || !isR || l.Name != r.Name {
			return false
		}
	}
	return true
}

// zeroTangent sets v's tangent to zero (declaring it with tok ":=").
func (f *fwdLowerer) zeroTangent(v *lower.Variable, tok string) adjoint.Stmt {
	name := f.tangentName(v)
	if tok == ":=" {
		return adjoint.VarDecl{Names: []string{name}, Type: v.IR}
	}
	return adjoint.Set(adjoint.Id(name), "=", f.ZeroValue(nil, v.Typ))
}

// returnStmt returns the values and their tangents.
func (f *fwdLowerer) returnStmt(s *ast.ReturnStmt) {
	var vals, tans []adjoint.Expr
	for i, e := range s.Results {
		if i >= len(f.results) {
			break
		}
		val, tan := f.expr(e, nil)
		vals = append(vals, val)
		if !gotypes.IsFloat(f.results[i]) {
			continue
		}
		if tan == nil {
			tan = adjoint.Literal("0")
		}
		tans = append(tans, tan)
	}
	if len(s.Results) == 1 && len(f.results) > 1 {
		f.Errorf(s.Pos(), "forward mode (//gradgen:jvp) cannot return a call's several results at once: assign them to variables first")
		return
	}
	f.emit(adjoint.Return{Results: append(vals, tans...)})
}

// declStmt writes var and const declarations.
func (f *fwdLowerer) declStmt(s *ast.DeclStmt) {
	g, ok := s.Decl.(*ast.GenDecl)
	if !ok || g.Tok != token.VAR && g.Tok != token.CONST {
		f.Errorf(s.Pos(), "cannot differentiate %s: declare types outside the annotated function", f.Source(s))
		return
	}
	for _, spec := range g.Specs {
		vs := spec.(*ast.ValueSpec)
		var typ adjoint.Type
		if vs.Type != nil {
			typ, _ = gotypes.IrType(f.Info.TypeOf(vs.Type))
		}
		names := make([]string, len(vs.Names))
		lhs := make([]ast.Expr, len(vs.Names))
		for i, n := range vs.Names {
			lhs[i] = n
			names[i] = "_"
			if n.Name != "_" {
				names[i] = f.VariableOf(f.Info.Defs[n]).Name
			}
		}
		if g.Tok == token.CONST {
			f.emit(adjoint.VarDecl{Const: true, Names: names, Type: typ, Values: f.ConvAll(vs.Values)})
			continue
		}
		if len(vs.Values) > 0 && f.AnyActive(lhs, vs.Values) {
			f.assign(lhs, vs.Values, token.DEFINE, vs.Type)
			continue
		}
		if len(vs.Names) == 1 && len(vs.Values) == 1 && names[0] != "_" && f.PoolableFwd(vs.Names[0], vs.Values[0]) {
			// var w = make([]float64, n) with no tangent: from the pool,
			// as w := make(...) is (assignStmt).
			f.pooledMake(names[0], gotypes.MustIR(f.Info.TypeOf(vs.Names[0])), vs.Values[0])
			continue
		}
		f.emit(adjoint.VarDecl{Names: names, Type: typ, Values: f.ConvAll(vs.Values)})
		for _, n := range vs.Names {
			if obj := f.Info.Defs[n]; obj != nil && f.hasTangent(obj) {
				f.emit(f.zeroTangentLike(f.VariableOf(obj), adjoint.Id(f.VariableOf(obj).Name)))
			}
		}
	}
}

// zeroTangentLike declares v's tangent as a zero of the shape of val (v's
// value, just set): zero for a float, array or struct, a slice of val's
// length for a slice.
func (f *fwdLowerer) zeroTangentLike(v *lower.Variable, val adjoint.Expr) adjoint.Stmt {
	name := f.tangentName(v)
	switch u := v.Typ.Underlying().(type) {
	case *types.Slice:
		if gotypes.IsFloat(u.Elem()) {
			return adjoint.Set(adjoint.Id(name), ":=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: v.IR}, adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{val}}}})
		}
		f.Errorf(f.Fn.Pos(), "forward mode (//gradgen:jvp) cannot give %s a tangent: it is a slice of %s; keep active values in flat float slices", v.Name, u.Elem())
		return nil
	case *types.Pointer:
		f.Errorf(f.Fn.Pos(), "forward mode (//gradgen:jvp) cannot give the pointer %s a tangent: point it at a variable that is differentiated", v.Name)
		return nil
	}
	return adjoint.VarDecl{Names: []string{name}, Type: v.IR}
}
