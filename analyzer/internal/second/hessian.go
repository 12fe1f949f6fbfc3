package second

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// The dense Hessian is n Hessian-vector products along the unit
// directions e₀ … eₙ₋₁ of the wrt inputs' scalar components (numbered as
// SPEC §7 says: receiver first, parameters in order, a slice or array in
// index order, a struct's float fields in declaration order, a pointer
// what it points to). H·eⱼ is row j, and the product's directional
// derivative ⟨∇F, eⱼ⟩ the gradient's component j, at no further cost —
// unless one is not finite: each multiplies every partial by a tangent,
// zero but for one, and an infinite partial times zero is NaN where FGrad
// gives a number. The gradient then comes from one reverse sweep (FGrad,
// or a helper written like it) instead.

// HessianFunction builds FHessian: F's value, the gradient as FGrad gives
// it, and the n×n Hessian added into hess.
func (p *Writer) HessianFunction(g *lower.Target, file *ast.File) (*adjoint.Func, []lower.Diagnostic) {
	if b, ok := p.hessianBand(g, file); ok && !g.Options.NoActivity && !g.Options.SaveAll {
		// The compressed products are FHVP's: called when //gradgen:hvp
		// writes it too, else written as a helper.
		var innerName string
		if s := g.Sibling("hvp"); s != nil {
			innerName = s.Name
		} else {
			innerName = p.FreshHelperName("hvpOf" + lower.UpperFirst(g.Decl.Name.Name))
			inner, diags := p.InnerHVP(g, file, innerName, true)
			if len(diags) > 0 {
				return nil, diags
			}
			inner.Doc = innerName + " returns " + g.Decl.Name.Name + "'s value, adds its gradient and its Hessian's product with the direction into the buffers: " + g.Name + "'s compressed products."
			p.HelperFuncs[file] = append(p.HelperFuncs[file], inner)
		}
		h := p.newHessianWriter(g, file, innerName)
		h.DeclareSourceNames(g)
		fn := h.writeBanded(b)
		h.PoolTapes(fn)
		return fn, nil
	}
	innerName := p.FreshHelperName("hvpOf" + lower.UpperFirst(g.Decl.Name.Name))
	inner, diags := p.InnerHVP(g, file, innerName, false)
	if len(diags) > 0 {
		return nil, diags
	}
	inner.Doc = innerName + " returns " + g.Decl.Name.Name + "'s value, its directional derivative along the directions and their Hessian-vector product: a row of " + g.Name + "."
	p.HelperFuncs[file] = append(p.HelperFuncs[file], inner)
	gradName, diags := p.gradientFor(g, file)
	if len(diags) > 0 {
		return nil, diags
	}
	h := p.newHessianWriter(g, file, innerName)
	h.DeclareSourceNames(g)
	fn, err := h.write(gradName)
	if err != nil {
		return nil, []lower.Diagnostic{{Pos: g.Dir.Pos, Message: err.Error()}}
	}
	h.PoolTapes(fn)
	return fn, nil
}

// gradientFor returns the name of a function that gives g's value and
// gradient as FGrad does: FGrad itself when //gradgen:grad on the same
// function writes it, else a helper written here. The dense Hessian calls
// it when the gradient its rows give is not finite (SPEC §7: the gradient
// as FGrad gives it).
func (p *Writer) gradientFor(g *lower.Target, file *ast.File) (string, []lower.Diagnostic) {
	if s := g.Sibling("grad"); s != nil {
		return s.Name, nil
	}
	rg := *g
	rg.Name = p.FreshHelperName("gradOf" + lower.UpperFirst(g.Decl.Name.Name))
	fn, _, diags := p.LowerFunction(&rg, file)
	if len(diags) > 0 {
		return "", diags
	}
	fn.Doc = rg.Name + " returns " + g.Decl.Name.Name + "'s value and gradient, as " + lower.GradName(g.Decl.Name.Name) + " would: " + g.Name + "'s gradient where its rows' is not finite."
	fn.TypeParams = p.TypeParams(g.Decl)
	p.HelperFuncs[file] = append(p.HelperFuncs[file], fn)
	return rg.Name, nil
}

// hessianWriter writes one FHessian.
type hessianWriter struct {
	*lower.Lowerer
	w     *Writer
	g     *lower.Target
	inner string // the Hessian-vector product it calls, once per row
	// incoming is the copy of the output's incoming contents that every
	// run of F's body starts from, when F may read them (readsIncoming);
	// "" otherwise.
	incoming string
}

// newHessianWriter starts writing g's derivative calling the product inner.
func (p *Writer) newHessianWriter(g *lower.Target, file *ast.File, inner string) *hessianWriter {
	return &hessianWriter{Lowerer: p.NewLowerer(g, file, nil), w: p, g: g, inner: inner}
}

// An input is one wrt parameter with the local names of its parts.
type hessianInput struct {
	v        *types.Var
	name     string // the parameter
	dir      string // its direction
	hv       string // its H·v: a scratch buffer, or the inner call's by-value result
	grad     string // its gradient: the caller's buffer, or a by-value result
	gs       string // the rows' gradient of a buffer input, added into grad at the end
	floatTyp adjoint.Type
}

// write builds the dense FHessian: the checks and scratch buffers, one
// loop over the rows j calling the inner product along eⱼ, the gradient
// (from the rows, or from grad, FGrad's form, when theirs is not finite),
// and F's value when there is no component to loop over.
func (h *hessianWriter) write(grad string) (*adjoint.Func, error) {
	g := h.g
	out, inputs, hess := h.signature()
	body, n, err := h.prologue(inputs, hess)
	if err != nil {
		return nil, err
	}
	value := h.Names.Fresh(lower.LowerFirst(g.Decl.Name.Name))
	body = append(body, adjoint.VarDecl{Names: []string{value}, Type: gotypes.MustIR(g.Result)})
	nonFinite := h.Names.Fresh("nonFinite")
	body = append(body, adjoint.VarDecl{Names: []string{nonFinite}, Type: adjoint.Named{Name: "bool"}})
	// Row j for each component j: one loop, its component walks written
	// once each, so that the code grows with the inputs, not their square.
	j := h.Names.Fresh("j")
	rows, err := h.rows(inputs, value, hess, n, j, nonFinite)
	if err != nil {
		return nil, err
	}
	body = append(body, adjoint.For{
		Init: adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(j)}, Op: ":=", Rhs: []adjoint.Expr{adjoint.Literal("0")}},
		Cond: adjoint.Bin("<", adjoint.Id(j), adjoint.Id(n)),
		Post: adjoint.IncDec{X: adjoint.Id(j), Inc: true},
		Body: rows,
	})
	// Without components no row ran: the value is F's.
	body = append(body, adjoint.If{Cond: adjoint.Bin("==", adjoint.Id(n), adjoint.Literal("0")),
		Then: []adjoint.Stmt{adjoint.Set(adjoint.Id(value), "=", h.sourceCall())}})
	// The rows' gradient goes into the caller's buffers when it is finite;
	// else the gradient is FGrad's.
	add, err := h.addRowGradient(inputs)
	if err != nil {
		return nil, err
	}
	body = append(body, adjoint.If{Cond: adjoint.Id(nonFinite), Then: []adjoint.Stmt{h.callGradient(grad, inputs, value)}, Else: add})
	ret := adjoint.Return{Results: []adjoint.Expr{adjoint.Id(value)}}
	for _, in := range inputs {
		if !gotypes.ByReference(in.v.Type()) {
			ret.Results = append(ret.Results, adjoint.Id(in.grad))
		}
	}
	out.Body = append(body, ret)
	return out, nil
}

// signature returns FHessian without its body, its wrt inputs with their
// local names, and the name of the hess parameter: F's parameters, a
// gradient buffer per input passed by reference (the others' gradients
// are results), then hess, of F's float type. Its names must be taken
// before the body's: taking them later would rename the generated code.
func (h *hessianWriter) signature() (*adjoint.Func, []*hessianInput, string) {
	g := h.g
	hessElem := "float64"
	if b, ok := g.Result.Underlying().(*types.Basic); ok && b.Kind() == types.Float32 {
		hessElem = "float32"
	}
	out := &adjoint.Func{Name: g.Name}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: h.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
	}
	for _, prm := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: h.ParamName(prm), Type: gotypes.MustIR(prm.Type())})
	}
	out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(g.Result)})
	var inputs []*hessianInput
	for _, v := range g.Wrt {
		in := &hessianInput{v: v, name: h.ParamName(v)}
		in.dir = h.Names.Fresh(directionName(g, v))
		in.hv = h.Names.Fresh(hvName(g, v))
		in.grad = h.Names.Fresh(lower.AdjointName(in.name))
		in.gs = h.Names.Fresh("grad" + lower.UpperFirst(in.name))
		if gotypes.ByReference(v.Type()) {
			out.Params = append(out.Params, adjoint.Param{Name: in.grad, Type: gotypes.MustIR(gotypes.BufferType(v.Type()))})
		} else {
			out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(v.Type())})
		}
		inputs = append(inputs, in)
	}
	hess := h.Names.Fresh("hess")
	out.Params = append(out.Params, adjoint.Param{Name: hess, Type: adjoint.Slice{Elem: adjoint.Named{Name: hessElem}}})
	out.Doc = h.doc(inputs, hess)
	return out, inputs, hess
}

// prologue returns the statements before the rows: the buffers' length
// checks, the count n of components (and its name) with the check that
// hess holds n*n, and the scratch each input needs, a direction and an
// H·v buffer (or a by-value gradient). It fails where count or scratch
// cannot handle an input's type.
func (h *hessianWriter) prologue(inputs []*hessianInput, hess string) ([]adjoint.Stmt, string, error) {
	var body []adjoint.Stmt
	for _, in := range inputs {
		if gotypes.ByReference(in.v.Type()) {
			body = append(body, h.LengthChecks(adjoint.Id(in.name), adjoint.Id(in.grad), in.v.Type(), 0)...)
		}
	}
	// n, the number of components.
	n := h.Names.Fresh("n")
	count, err := h.count(n, inputs)
	if err != nil {
		return nil, "", err
	}
	body = append(body, count...)
	nn := adjoint.Bin("*", adjoint.Id(n), adjoint.Id(n))
	lenHess := lenExpr(adjoint.Id(hess))
	body = append(body, lower.PanicIf(adjoint.Bin("<", lenHess, nn),
		`"`+h.g.Name+`: len(`+hess+`) = %d is shorter than n*n = %d (n = %d)"`, lenHess, nn, adjoint.Id(n)))
	// Scratch: a direction per input, and an H·v buffer per reference
	// input (by-value ones come back as results).
	for _, in := range inputs {
		s, err := h.scratch(in.dir, in.v.Type(), adjoint.Id(in.name))
		if err != nil {
			return nil, "", err
		}
		body = append(body, s...)
		if gotypes.ByReference(in.v.Type()) {
			for _, name := range []string{in.hv, in.gs} {
				s, err := h.scratch(name, gotypes.BufferType(in.v.Type()), adjoint.Id(in.name))
				if err != nil {
					return nil, "", err
				}
				body = append(body, s...)
			}
		} else {
			body = append(body, adjoint.VarDecl{Names: []string{in.grad}, Type: gotypes.MustIR(in.v.Type())})
		}
	}
	return body, n, nil
}

// callGradient returns the call of grad, FGrad's form, with FHessian's
// own arguments and gradient buffers, setting value and the by-value
// gradients.
func (h *hessianWriter) callGradient(grad string, inputs []*hessianInput, value string) adjoint.Stmt {
	call := h.callWithParams(grad)
	lhs := []adjoint.Expr{adjoint.Id(value)}
	for _, in := range inputs {
		if gotypes.ByReference(in.v.Type()) {
			call.Args = append(call.Args, adjoint.Id(in.grad))
		} else {
			lhs = append(lhs, adjoint.Id(in.grad))
		}
	}
	return adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{call}}
}

// addRowGradient adds the rows' gradient of each buffer input into the
// caller's buffer (by-value inputs' gradients are results, set by the
// rows directly).
func (h *hessianWriter) addRowGradient(inputs []*hessianInput) ([]adjoint.Stmt, error) {
	var out []adjoint.Stmt
	for _, in := range inputs {
		if !gotypes.ByReference(in.v.Type()) {
			continue
		}
		s, err := h.components(in.v.Type(), adjoint.Id(in.name), func(at adjoint.Expr, _ types.Type) []adjoint.Stmt {
			return []adjoint.Stmt{adjoint.Set(rebase(at, in.name, in.grad), "+=", rebase(at, in.name, in.gs))}
		})
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

// rows is the body of the loop over j: the product along the unit
// direction eⱼ, scattered into the gradient's component j and into
// hess[j*n:].
func (h *hessianWriter) rows(inputs []*hessianInput, value, hess, n, j, nonFinite string) ([]adjoint.Stmt, error) {
	id, lit := adjoint.Id, adjoint.Literal
	k := h.Names.Fresh("k")
	// walk visits every component of every input, with k its number.
	walk := func(visit func(in *hessianInput, at adjoint.Expr, t types.Type) []adjoint.Stmt) ([]adjoint.Stmt, error) {
		out := []adjoint.Stmt{adjoint.Set(id(k), "=", lit("0"))}
		for _, in := range inputs {
			s, err := h.components(in.v.Type(), id(in.name), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
				return append(visit(in, at, t), adjoint.IncDec{X: id(k), Inc: true})
			})
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	}
	atJ := func(ss ...adjoint.Stmt) []adjoint.Stmt {
		return []adjoint.Stmt{adjoint.If{Cond: adjoint.Bin("==", id(k), id(j)), Then: ss}}
	}
	// walkJ visits component j only: a slice or array of floats is
	// indexed directly (x[j-k]) rather than walked, which would make every
	// row cost n more steps.
	walkJ := func(visit func(in *hessianInput, at adjoint.Expr, t types.Type) []adjoint.Stmt) ([]adjoint.Stmt, error) {
		out := []adjoint.Stmt{adjoint.Set(id(k), "=", lit("0"))}
		for _, in := range inputs {
			if elem, ok := floatSequence(in.v.Type()); ok {
				end := adjoint.Bin("+", id(k), lenExpr(id(in.name)))
				at := adjoint.Index{X: id(in.name), Index: adjoint.Bin("-", id(j), id(k))}
				out = append(out,
					adjoint.If{Cond: adjoint.Bin("&&", adjoint.Bin(">=", id(j), id(k)), adjoint.Bin("<", id(j), end)), Then: visit(in, at, elem)},
					adjoint.Set(id(k), "+=", lenExpr(id(in.name))))
				continue
			}
			s, err := h.components(in.v.Type(), id(in.name), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
				return append(atJ(visit(in, at, t)...), adjoint.IncDec{X: id(k), Inc: true})
			})
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	}
	out := []adjoint.Stmt{adjoint.VarDecl{Names: []string{k}, Type: adjoint.Named{Name: "int"}}}
	set, err := walkJ(func(in *hessianInput, at adjoint.Expr, _ types.Type) []adjoint.Stmt {
		return []adjoint.Stmt{adjoint.Set(rebase(at, in.name, in.dir), "=", lit("1"))}
	})
	if err != nil {
		return nil, err
	}
	out = append(out, set...)
	call := adjoint.Call{Fun: id(h.inner)}
	if h.g.Recv != nil {
		call.Fun = adjoint.Selector{X: id(h.ParamName(h.g.Recv)), Sel: h.inner}
	}
	for _, prm := range h.g.Params {
		call.Args = append(call.Args, id(h.ParamName(prm)))
	}
	for _, o := range inputs {
		call.Args = append(call.Args, id(o.dir))
	}
	for _, o := range inputs {
		if gotypes.ByReference(o.v.Type()) {
			call.Args = append(call.Args, id(o.hv))
		}
	}
	r, tan := h.Names.Fresh("r"), h.Names.Fresh("t")
	lhs := []adjoint.Expr{id(r), id(tan)}
	for _, o := range inputs {
		if !gotypes.ByReference(o.v.Type()) {
			lhs = append(lhs, id(o.hv))
		}
	}
	out = append(out, adjoint.Assign{Lhs: lhs, Op: ":=", Rhs: []adjoint.Expr{call}}, adjoint.Set(id(value), "=", id(r)),
		// t - t is 0 for every finite t, NaN for ±Inf and NaN.
		adjoint.If{Cond: adjoint.Bin("!=", adjoint.Bin("-", id(tan), id(tan)), lit("0")), Then: []adjoint.Stmt{adjoint.Set(id(nonFinite), "=", lit("true"))}})
	// ⟨∇F, eⱼ⟩ is the gradient's component j (a buffer input's into its
	// scratch: the caller's buffer is added into only if all are finite);
	// the direction goes back to 0.
	grad, err := walkJ(func(in *hessianInput, at adjoint.Expr, t types.Type) []adjoint.Stmt {
		set := adjoint.Set(rebase(at, in.name, in.grad), "+=", convertTo(id(tan), h.g.Result, t))
		if gotypes.ByReference(in.v.Type()) {
			set = adjoint.Set(rebase(at, in.name, in.gs), "=", convertTo(id(tan), h.g.Result, t))
		}
		return []adjoint.Stmt{set, adjoint.Set(rebase(at, in.name, in.dir), "=", lit("0"))}
	})
	if err != nil {
		return nil, err
	}
	out = append(out, grad...)
	hessElem := h.g.Result
	if b, ok := hessElem.Underlying().(*types.Basic); ok {
		hessElem = b
	}
	scatter, err := walk(func(in *hessianInput, at adjoint.Expr, t types.Type) []adjoint.Stmt {
		hvAt := rebase(at, in.name, in.hv)
		s := []adjoint.Stmt{adjoint.Set(adjoint.Index{X: id(hess), Index: adjoint.Bin("+", adjoint.Bin("*", id(j), id(n)), id(k))}, "+=", convertTo(hvAt, t, hessElem))}
		if gotypes.ByReference(in.v.Type()) {
			s = append(s, adjoint.Set(hvAt, "=", lit("0")))
		}
		return s
	})
	if err != nil {
		return nil, err
	}
	return append(out, scatter...), nil
}

// isVariadic reports whether fn's last parameter is variadic.
func isVariadic(info *types.Info, fn *ast.FuncDecl) bool {
	if obj, ok := info.Defs[fn.Name].(*types.Func); ok {
		return obj.Type().(*types.Signature).Variadic()
	}
	return false
}

// doc is FHessian's doc comment.
func (h *hessianWriter) doc(inputs []*hessianInput, hess string) string {
	var names, grads []string
	for _, in := range inputs {
		names = append(names, in.name)
		if gotypes.ByReference(in.v.Type()) {
			grads = append(grads, in.grad)
		}
	}
	s := h.g.Name + " returns " + h.g.Decl.Name.Name + "'s value and its gradient with respect to " + lower.JoinNames(names)
	if len(grads) > 0 {
		s += " (added into " + lower.JoinNames(grads) + ")"
	}
	return s + ", and adds its Hessian into " + hess + ", row-major: " + hess + "[i*n+j] is the second derivative with respect to components i and j, numbered in parameter order" + "."
}

// hvpDoc is FHVP's doc comment, for fn, the FHVP written for g: it names
// the directions as fn's parameters do (v, or v1 when F has a v of its
// own).
func hvpDoc(g *lower.Target, fn *adjoint.Func) string {
	var dirs []string
	for k, v := range g.Wrt {
		name := directionName(g, v)
		if i := len(g.Params) + k; i < len(fn.Params) {
			name = fn.Params[i].Name
		}
		dirs = append(dirs, name)
	}
	return g.Name + " returns " + g.Decl.Name.Name + "'s value, its gradient as " + lower.GradName(g.Decl.Name.Name) + " gives it, and the product of its Hessian with the direction " + lower.JoinNames(dirs) + " in the same form (added into buffers for slices and pointers, returned for the rest)."
}

// floatSequence reports whether t is a slice or array of floats (or a
// pointer to such an array), and its element type.
func floatSequence(t types.Type) (types.Type, bool) {
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		if a, ok := p.Elem().Underlying().(*types.Array); ok && gotypes.IsFloat(a.Elem()) {
			return a.Elem(), true
		}
		return nil, false
	}
	switch u := u.(type) {
	case *types.Slice:
		return u.Elem(), gotypes.IsFloat(u.Elem())
	case *types.Array:
		return u.Elem(), gotypes.IsFloat(u.Elem())
	}
	return nil, false
}

// count declares n, the number of the inputs' components: a float slice
// or array counts its length, anything else is walked.
func (h *hessianWriter) count(n string, inputs []*hessianInput) ([]adjoint.Stmt, error) {
	var sum adjoint.Expr
	add := func(e adjoint.Expr) {
		if sum == nil {
			sum = e
		} else {
			sum = adjoint.Bin("+", sum, e)
		}
	}
	floats := 0
	var walks []adjoint.Stmt
	for _, in := range inputs {
		switch _, seq := floatSequence(in.v.Type()); {
		case seq:
			add(lenExpr(adjoint.Id(in.name)))
		case gotypes.IsFloat(in.v.Type()):
			floats++
		default:
			w, err := h.components(in.v.Type(), adjoint.Id(in.name), func(adjoint.Expr, types.Type) []adjoint.Stmt {
				return []adjoint.Stmt{adjoint.IncDec{X: adjoint.Id(n), Inc: true}}
			})
			if err != nil {
				return nil, err
			}
			walks = append(walks, w...)
		}
	}
	if floats > 0 || sum == nil {
		add(adjoint.Literal(fmt.Sprint(floats)))
	}
	return append([]adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(n)}, Op: ":=", Rhs: []adjoint.Expr{sum}}}, walks...), nil
}

// stackOrMake declares name, a float slice of type t and length n, in an
// array on the stack when it fits, else made.
func (h *hessianWriter) stackOrMake(name string, t types.Type, n adjoint.Expr) []adjoint.Stmt {
	elem := t.Underlying().(*types.Slice).Elem()
	// Made beyond the stack array, it comes from the function's pool
	// (see poolTapes), cleared: scratch must start at zero.
	h.PooledScratch(name)
	arr := h.Names.Fresh(name + "Array")
	return []adjoint.Stmt{
		adjoint.VarDecl{Names: []string{arr}, Type: adjoint.Array{Len: lower.StackScratch, Elem: gotypes.MustIR(elem)}},
		adjoint.VarDecl{Names: []string{name}, Type: gotypes.MustIR(t)},
		adjoint.If{Cond: adjoint.Bin("<=", n, adjoint.Literal(fmt.Sprint(lower.StackScratch))),
			Then: []adjoint.Stmt{adjoint.Set(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(arr), Hi: n})},
			Else: []adjoint.Stmt{adjoint.Set(adjoint.Id(name), "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: gotypes.MustIR(t)}, n}})}},
	}
}
