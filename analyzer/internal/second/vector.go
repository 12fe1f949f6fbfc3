package second

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/forward"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// Vector-valued functions (SPEC §7): an output parameter the function
// fills (out=y, gonum's func(y, x []float64)), or several float results.
//
// Forward mode carries the output like an input: its tangent ty is written
// beside y, and zeroed first, since y's incoming contents are passive.
// Reverse mode needs one scalar: for several results, the pullback with
// one cotangent per result (dr1, dr2, ...); for an output parameter, a
// function gradgen writes — F's body on a local copy of y, then
// Σ dy[i]·y[i] — type-checked beside the package and differentiated like
// any other. Its y is local, so FVJP calls F first to fill the caller's y.

// VectorJVP builds FJVP of a vector-valued function.
func (p *Writer) VectorJVP(g *lower.Target, file *ast.File, fn *ast.FuncDecl) (*adjoint.Func, []lower.Diagnostic) {
	if g.Out == nil {
		// Several results: forward mode returns them, then their tangents.
		return forward.Function(p.Package, g, file)
	}
	// Reverse mode's verdict first, through the function FVJP would
	// differentiate: both modes refuse the same code.
	if _, diags := p.outputVJP(g, file, fn, p.FreshHelperName("validateVJPOf"+lower.UpperFirst(g.Decl.Name.Name)), false); len(diags) > 0 {
		return nil, diags
	}
	return p.forwardOut(g, file)
}

// forwardOut is forward mode over F with its output parameter carried as
// the last thing differentiated: FJVP(params..., tangents..., ty).
func (p *Writer) forwardOut(g *lower.Target, file *ast.File) (*adjoint.Func, []lower.Diagnostic) {
	fg := *g
	fg.Wrt = append(slices.Clone(g.Wrt), g.Out)
	fg.WrtSet = maps.Clone(g.WrtSet)
	fg.WrtSet[g.Out] = true
	fg.AdjNames = map[*types.Var]string{g.Out: "t" + g.Out.Name()}
	fn, diags := forward.Function(p.Package, &fg, file)
	if len(diags) > 0 {
		return nil, diags
	}
	// The output's incoming tangent is zero: its incoming value is passive.
	ty := fn.Params[len(fn.Params)-1].Name
	i := "i"
	for taken := funcNames(fn); taken[i]; {
		i += "1"
	}
	var zero adjoint.Stmt = adjoint.Range{Key: adjoint.Id(i), Define: true, X: adjoint.Id(p.paramIdent(g.Out)),
		Body: []adjoint.Stmt{adjoint.Set(adjoint.Index{X: adjoint.Id(ty), Index: adjoint.Id(i)}, "=", adjoint.Literal("0"))}}
	if lower.OutputStruct(g.Out.Type()) != nil {
		// *ty = T{}: its passive fields' tangents mean nothing anyway.
		zero = adjoint.Set(adjoint.Unary{Op: "*", X: adjoint.Id(ty)}, "=", adjoint.Composite{Type: gotypes.MustIR(g.Out.Type().Underlying().(*types.Pointer).Elem())})
	}
	// After the length checks (if ... { panic(...) }), before anything
	// else: a leading if of the source writes tangents (a trial found the
	// zeroing placed after every leading if, wiping what the first wrote).
	checks := 0
	for checks < len(fn.Body) && adjoint.IsPanicCheck(fn.Body[checks]) {
		checks++
	}
	fn.Body = slices.Insert(fn.Body, checks, zero)
	fn.Doc = g.Name + " calls " + g.Decl.Name.Name + ", which fills " + g.Out.Name() + ", and writes into " + ty + " the derivative of " + g.Out.Name() + " along the tangents of its inputs."
	return fn, nil
}

// paramIdent is the name a parameter keeps in generated code.
func (p *Writer) paramIdent(v *types.Var) string { return v.Name() }

// funcNames lists every identifier a generated function uses.
func funcNames(fn *adjoint.Func) map[string]bool {
	names := map[string]bool{}
	for _, prm := range fn.Params {
		names[prm.Name] = true
	}
	for _, s := range fn.Body {
		adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
			if id, ok := e.(adjoint.Ident); ok {
				names[id.Name] = true
			}
		})
		adjoint.WalkStmt(s, func(s adjoint.Stmt) {
			switch s := s.(type) {
			case adjoint.VarDecl:
				for _, n := range s.Names {
					names[n] = true
				}
			}
		})
	}
	return names
}

// VectorVJP builds FVJP.
func (p *Writer) VectorVJP(g *lower.Target, file *ast.File, fn *ast.FuncDecl) (*adjoint.Func, []lower.Diagnostic) {
	if g.Out == nil {
		return p.resultsVJP(g, file, g.Name)
	}
	inner, diags := p.sharedOutputVJP(g, file, fn)
	if len(diags) > 0 {
		return nil, diags
	}
	w := p.newHessianWriter(g, file, inner)
	w.DeclareSourceNames(g)
	made := w.writeVJP()
	w.PoolTapes(made)
	return made, nil
}

// sharedOutputVJP names the inner VJP of a function with an output
// parameter, written once for FVJP and FJacobian with the same inputs.
func (p *Writer) sharedOutputVJP(g *lower.Target, file *ast.File, fn *ast.FuncDecl) (string, []lower.Diagnostic) {
	key := outputVJPKey{decl: g.Decl, wrt: fmt.Sprint(g.Wrt)}
	if name, ok := p.outputVJPs[key]; ok {
		return name, nil
	}
	name := p.FreshHelperName("vjpOf" + lower.UpperFirst(g.Decl.Name.Name))
	innerFn, diags := p.outputVJP(g, file, fn, name, true)
	if len(diags) > 0 {
		return "", diags
	}
	p.HelperFuncs[file] = append(p.HelperFuncs[file], innerFn)
	if p.outputVJPs == nil {
		p.outputVJPs = map[outputVJPKey]string{}
	}
	p.outputVJPs[key] = name
	return name, nil
}

// outputVJPKey identifies an inner VJP: the function and its inputs.
type outputVJPKey struct {
	decl *ast.FuncDecl
	wrt  string
}

// resultsVJP is the pullback of a function with float results: its
// cotangents dr1, dr2, ... after the parameters.
func (p *Writer) resultsVJP(g *lower.Target, file *ast.File, name string) (*adjoint.Func, []lower.Diagnostic) {
	vg := *g
	vg.Name = name
	vg.Pullback = true
	for k := range g.Results {
		vg.SeedBases = append(vg.SeedBases, fmt.Sprintf("dr%d", k+1))
	}
	fn, _, diags := p.LowerFunction(&vg, file)
	if len(diags) > 0 {
		return nil, diags
	}
	var seeds []string
	for _, prm := range fn.Params[len(g.Params) : len(g.Params)+len(g.Results)] {
		seeds = append(seeds, prm.Name)
	}
	fn.Doc = name + " returns " + g.Decl.Name.Name + "'s results and adds the cotangents " + lower.JoinNames(seeds) + " times its Jacobian into the gradients of its inputs: buffers for slices and pointers, results for the rest."
	return fn, nil
}

// outputVJP writes the scalar function whose gradient is the VJP of a
// function with an output parameter, F's body on a local y then
// Σ dy[i]·y[i], for the synthetic package, and returns a placeholder
// that runSynthetic fills with its gradient: name(params..., dy,
// buffers...) (Σ dy·y, by-value gradients...). It leaves the caller's y
// alone. Without keep, the gradient only validates F: the function and
// its helpers are dropped.
func (p *Writer) outputVJP(g *lower.Target, file *ast.File, fn *ast.FuncDecl, name string, keep bool) (*adjoint.Func, []lower.Diagnostic) {
	src, diags := p.outputScalarSource(g, file, fn, name)
	if len(diags) > 0 {
		return nil, diags
	}
	p.synth.sources = append(p.synth.sources, syntheticSource{file: file, src: src})
	placeholder := &adjoint.Func{Name: name}
	if g.Recv != nil {
		placeholder.Recv = &adjoint.Param{Name: g.Recv.Name(), Type: gotypes.MustIR(g.Recv.Type())}
	}
	p.synth.jobs = append(p.synth.jobs, func(inner *synthetic) []lower.Diagnostic {
		run := func() (*adjoint.Func, []lower.Diagnostic) { return inner.reverseOutput(g, fn, name) }
		var made *adjoint.Func
		if keep {
			made, diags = run()
		} else {
			made, diags = inner.Discarding(run)
		}
		if len(diags) > 0 {
			return p.mapSyntheticDiags(g, fn, diags)
		}
		if keep {
			doc := placeholder.Doc // written while the function waited
			*placeholder = *made
			p.synth.made = append(p.synth.made, placeholder)
			if doc != "" {
				placeholder.Doc = doc
			}
		}
		return nil
	})
	return placeholder, nil
}

// reverseOutput differentiates the scalar function outputVJP wrote.
func (inner *synthetic) reverseOutput(g *lower.Target, fn *ast.FuncDecl, name string) (*adjoint.Func, []lower.Diagnostic) {
	decl := inner.decl(name)
	obj := inner.Info.Defs[decl.Name].(*types.Func)
	sig := obj.Type().(*types.Signature)
	site := inner.Decls[obj]
	ig := &lower.Target{Decl: site.Decl, Dir: &lower.Directive{Pos: g.Dir.Pos, Kind: "grad"}, Name: name, Recv: sig.Recv(),
		WrtSet: map[*types.Var]bool{}, Options: g.Options, Helper: true}
	for i := range sig.Params().Len() {
		ig.Params = append(ig.Params, sig.Params().At(i))
	}
	ig.Result = sig.Results().At(0).Type()
	ig.Results = []types.Type{ig.Result}
	if g.Recv != nil && g.WrtSet[g.Recv] {
		ig.Wrt = append(ig.Wrt, sig.Recv())
	}
	for i, v := range g.Params {
		if g.WrtSet[v] {
			ig.Wrt = append(ig.Wrt, ig.Params[i])
		}
	}
	for _, v := range ig.Wrt {
		ig.WrtSet[v] = true
	}
	out, _, diags := inner.LowerFunction(ig, site.File)
	if len(diags) > 0 {
		return nil, diags
	}
	out.Doc = name + " returns the sum of d" + g.Out.Name() + " times " + g.Decl.Name.Name + "'s output " + g.Out.Name() + " computed on a copy, and its gradient: the vector-Jacobian product behind " + g.Decl.Name.Name + "'s VJP and Jacobian."
	return out, nil
}

// mapSyntheticDiags reports errors in the function gradgen wrote at the
// user's source. The statements of F's body keep their text there (the
// body is printed as gofmt would): an error on a line whose text is that
// of exactly one line of F's body goes to that line, at the same column
// within the text. Any other goes to the directive, its message naming F.
func (p *Writer) mapSyntheticDiags(g *lower.Target, fn *ast.FuncDecl, diags []lower.Diagnostic) []lower.Diagnostic {
	var out []lower.Diagnostic
	for _, d := range diags {
		if pos, ok := p.userPosOf(d.Pos, fn); ok {
			out = append(out, lower.Diagnostic{Pos: pos, Message: d.Message})
			continue
		}
		out = append(out, lower.Diagnostic{Pos: g.Dir.Pos, Message: fmt.Sprintf("in %s: %s", fn.Name.Name, d.Message)})
	}
	return out
}

// userPosOf maps pos, in a synthetic file, to the line of fn's body with
// the same text (see mapSyntheticDiags).
func (p *Writer) userPosOf(pos token.Pos, fn *ast.FuncDecl) (token.Pos, bool) {
	at := p.Fset.Position(pos)
	line, ok := lineOf(p.synthSrc[at.Filename], at.Line)
	text := strings.TrimSpace(line)
	if !ok || text == "" || fn.Body == nil {
		return token.NoPos, false
	}
	// fn's file as the user wrote it: gradgen may have parsed a copy with
	// other functions' helpers expanded, whose positions carry the user's
	// lines and columns (line directives) but whose offsets differ.
	from, to := p.Fset.Position(fn.Body.Lbrace), p.Fset.Position(fn.Body.Rbrace)
	uf, user, ok := p.userFile(from.Filename)
	if !ok || to.Filename != from.Filename || max(from.Line, to.Line) > uf.LineCount() {
		return token.NoPos, false
	}
	lo := uf.Offset(uf.LineStart(from.Line)) + from.Column - 1
	hi := uf.Offset(uf.LineStart(to.Line)) + to.Column - 1
	if lo < 0 || hi < lo || hi > len(user) {
		return token.NoPos, false
	}
	body := string(user[lo:hi])
	i := strings.Index(body, text)
	if i < 0 || strings.Contains(body[i+len(text):], text) {
		return token.NoPos, false // not there, or twice: which one is unknown
	}
	// The column within the text, on the user's line (a one-line body
	// holds several statements).
	within := at.Column - 1 - (len(line) - len(strings.TrimLeft(line, " \t")))
	if within < 0 || within > len(text) {
		return token.NoPos, false
	}
	return uf.Pos(lo + i + within), true
}

// userFile is the file name as it is on disk, with a token.File of its own
// in the file set (made once) whose positions report its lines and
// columns, whatever copy of it gradgen parsed.
func (p *Writer) userFile(name string) (*token.File, []byte, bool) {
	if f, ok := p.userFiles[name]; ok {
		return f.tf, f.src, true
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, false
	}
	tf := p.Fset.AddFile(name, -1, len(src))
	tf.SetLinesForContent(src)
	if p.userFiles == nil {
		p.userFiles = map[string]userFile{}
	}
	p.userFiles[name] = userFile{tf, src}
	return tf, src, true
}

// A userFile is a file as the user wrote it (userFile).
type userFile struct {
	tf  *token.File
	src []byte
}

// lineOf is line n (from 1) of src, without its newline.
func lineOf(src []byte, n int) (string, bool) {
	for i := 1; len(src) > 0; i++ {
		line, rest, _ := bytes.Cut(src, []byte("\n"))
		if i == n {
			return string(line), true
		}
		src = rest
	}
	return "", false
}

// writeVJP writes FVJP for a function with an output parameter: F fills
// y, then the inner function adds dyᵀ·J into the gradients.
func (h *hessianWriter) writeVJP() *adjoint.Func {
	g := h.g
	out := &adjoint.Func{Name: g.Name}
	call := h.sourceCall()
	inner := adjoint.Call{Fun: adjoint.Id(h.inner)}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: h.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
		inner.Fun = adjoint.Selector{X: adjoint.Id(h.ParamName(g.Recv)), Sel: h.inner}
	}
	for _, prm := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: h.ParamName(prm), Type: gotypes.MustIR(prm.Type())})
		inner.Args = append(inner.Args, adjoint.Id(h.ParamName(prm)))
	}
	y := h.ParamName(g.Out)
	dy := h.Names.Fresh(lower.AdjointName(y))
	out.Params = append(out.Params, adjoint.Param{Name: dy, Type: gotypes.MustIR(g.Out.Type())})
	inner.Args = append(inner.Args, adjoint.Id(dy))
	var body []adjoint.Stmt
	body = append(body, h.LengthChecks(adjoint.Id(y), adjoint.Id(dy), g.Out.Type(), 0)...)
	lhs := []adjoint.Expr{adjoint.Id("_")}
	var rets []adjoint.Expr
	var grads []string
	for _, v := range g.Wrt {
		grad := h.Names.Fresh(lower.AdjointName(h.ParamName(v)))
		if gotypes.ByReference(v.Type()) {
			out.Params = append(out.Params, adjoint.Param{Name: grad, Type: gotypes.MustIR(gotypes.BufferType(v.Type()))})
			inner.Args = append(inner.Args, adjoint.Id(grad))
			body = append(body, h.LengthChecks(adjoint.Id(h.ParamName(v)), adjoint.Id(grad), v.Type(), 0)...)
			grads = append(grads, grad)
		} else {
			out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(v.Type())})
			lhs = append(lhs, adjoint.Id(grad))
			rets = append(rets, adjoint.Id(grad))
		}
	}
	body = append(body, h.saveIncoming(y)...)
	body = append(body, adjoint.ExprStmt{X: call})
	inner = h.withIncoming(inner, y)
	if len(rets) == 0 {
		body = append(body, adjoint.ExprStmt{X: inner})
		body[len(body)-1] = adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id("_")}, Op: "=", Rhs: []adjoint.Expr{inner}}
	} else {
		body = append(body, adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{inner}}, adjoint.Return{Results: rets})
	}
	out.Body = body
	var names []string
	for _, v := range g.Wrt {
		names = append(names, h.ParamName(v))
	}
	out.Doc = g.Name + " calls " + g.Decl.Name.Name + ", which fills " + y + ", and adds " + dy + " times the Jacobian of " + y + " into the gradients with respect to " + lower.JoinNames(names) + ": buffers for slices and pointers, results for the rest."
	return out
}

// sourceCall is the call of the source function with the generated
// function's parameters.
func (h *hessianWriter) sourceCall() adjoint.Call {
	call := h.callWithParams(h.g.Decl.Name.Name)
	call.Ellipsis = isVariadic(h.Info, h.g.Decl)
	return call
}

// callWithParams is the call of name, a method of the receiver when the
// source function is one, with the generated function's parameters as the
// source function's arguments.
func (h *hessianWriter) callWithParams(name string) adjoint.Call {
	g := h.g
	call := adjoint.Call{Fun: adjoint.Id(name)}
	if g.Recv != nil {
		call.Fun = adjoint.Selector{X: adjoint.Id(h.ParamName(g.Recv)), Sel: name}
	}
	for _, prm := range g.Params {
		call.Args = append(call.Args, adjoint.Id(h.ParamName(prm)))
	}
	return call
}

// JacobianFunction builds FJacobian: one JVP per input component when the
// inputs are fewer than the outputs, else one VJP per output component,
// decided at run time when the sizes are only known then.
func (p *Writer) JacobianFunction(g *lower.Target, file *ast.File, fn *ast.FuncDecl) (*adjoint.Func, []lower.Diagnostic) {
	vjpName, diags := p.jacobianRows(g, file, fn)
	if len(diags) > 0 {
		return nil, diags
	}
	jvpName := p.jacobianColumns(g, file)
	w := p.newHessianWriter(g, file, "")
	w.DeclareSourceNames(g)
	var band *jacBand
	if b, ok := p.jacobianBand(g); ok && jvpName != "" && !g.Options.NoActivity && !g.Options.SaveAll {
		band = &b
	}
	out, err := w.writeJacobian(jvpName, vjpName, band)
	if err != nil {
		return nil, []lower.Diagnostic{{Pos: g.Dir.Pos, Message: err.Error()}}
	}
	w.PoolTapes(out)
	return out, nil
}

// jacobianRows names the pullback FJacobian's rows come from: FVJP's
// inner function for an output parameter; for float results, FVJP when
// //gradgen:vjp writes it, else a pullback of its own.
func (p *Writer) jacobianRows(g *lower.Target, file *ast.File, fn *ast.FuncDecl) (string, []lower.Diagnostic) {
	if g.Out != nil {
		return p.sharedOutputVJP(g, file, fn)
	}
	if s := g.Sibling("vjp"); s != nil {
		return s.Name, nil
	}
	name := p.FreshHelperName("vjpOf" + lower.UpperFirst(g.Decl.Name.Name))
	vjp, diags := p.resultsVJP(g, file, name)
	if len(diags) > 0 {
		return "", diags
	}
	vjp.Doc = name + " is the pullback of " + g.Decl.Name.Name + ": its results, then the gradients of the sum of the cotangents times the results; the rows of " + g.Name + "."
	p.HelperFuncs[file] = append(p.HelperFuncs[file], vjp)
	return name, nil
}

// jacobianColumns names the JVP FJacobian's columns come from — FJVP when
// //gradgen:jvp writes it, else one of its own — or "" when forward mode
// does not take the function (a pullback rule): its Jacobian is made of
// rows alone.
func (p *Writer) jacobianColumns(g *lower.Target, file *ast.File) string {
	if s := g.Sibling("jvp"); s != nil {
		return s.Name
	}
	jg := *g
	jg.Name = p.FreshHelperName("jvpOut" + lower.UpperFirst(g.Decl.Name.Name))
	forward := func() (*adjoint.Func, []lower.Diagnostic) {
		if g.Out != nil {
			return p.forwardOut(&jg, file)
		}
		return forward.Function(p.Package, &jg, file)
	}
	if _, diags := p.Discarding(forward); len(diags) > 0 {
		return ""
	}
	jvp, _ := forward()
	jvp.Doc = jg.Name + " returns the derivative of " + g.Decl.Name.Name + "'s outputs along the tangents of its inputs: the columns of " + g.Name + "."
	p.HelperFuncs[file] = append(p.HelperFuncs[file], jvp)
	return jg.Name
}

// innerCall is a call of one of the generated function's helpers with the
// source function's arguments.
func (h *hessianWriter) innerCall(name string) adjoint.Call {
	call := adjoint.Call{Fun: adjoint.Id(name)}
	if h.g.Recv != nil {
		call.Fun = adjoint.Selector{X: adjoint.Id(h.ParamName(h.g.Recv)), Sel: name}
	}
	for _, prm := range h.g.Params {
		call.Args = append(call.Args, adjoint.Id(h.ParamName(prm)))
	}
	return call
}

// fill is the call of the source function that fills its output or sets
// the results.
func (h *hessianWriter) fill(results []string) adjoint.Stmt {
	call := h.sourceCall()
	if len(results) == 0 {
		return adjoint.ExprStmt{X: call}
	}
	var lhs []adjoint.Expr
	for _, r := range results {
		lhs = append(lhs, adjoint.Id(r))
	}
	return adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{call}}
}

// rowStart is k*n, or n or 0 written simply.
func rowStart(k int, n string) adjoint.Expr {
	switch k {
	case 0:
		return adjoint.Literal("0")
	case 1:
		return adjoint.Id(n)
	}
	return adjoint.Bin("*", adjoint.Literal(fmt.Sprint(k)), adjoint.Id(n))
}

func lenExpr(e adjoint.Expr) adjoint.Expr {
	return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{e}}
}

// staticCount is the number of float components of t, a type whose
// components are fixed by it (outputStruct).
func staticCount(t types.Type) int {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if gotypes.IsFloat(u) {
			return 1
		}
	case *types.Array:
		return int(u.Len()) * staticCount(u.Elem())
	case *types.Struct:
		n := 0
		for i := range u.NumFields() {
			n += staticCount(u.Field(i).Type())
		}
		return n
	}
	return 0
}

// allSame reports whether every type in ts is identical to the first.
func allSame(ts []types.Type) bool {
	for _, t := range ts[1:] {
		if !types.Identical(t, ts[0]) {
			return false
		}
	}
	return true
}

// outputScratch declares name, scratch of the output's type: a slice on
// the stack or made, or a pointer to an array on the stack.
func (h *hessianWriter) outputScratch(name string, t types.Type, n adjoint.Expr) []adjoint.Stmt {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		arr := h.Names.Fresh(name + "Array")
		return []adjoint.Stmt{
			adjoint.VarDecl{Names: []string{arr}, Type: gotypes.MustIR(p.Elem())},
			adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(name)}, Op: ":=", Rhs: []adjoint.Expr{adjoint.Unary{Op: "&", X: adjoint.Id(arr)}}},
		}
	}
	return h.stackOrMake(name, t, n)
}
