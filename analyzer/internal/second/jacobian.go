package second

import (
	"fmt"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// jacobianWriter writes FJacobian over the column function jvp (a JVP per
// input component, or per colour of a band) and the row function vjp (a
// VJP per output component), choosing between them at run time. Names
// are taken in the order the function reads, so that the output is
// stable.
type jacobianWriter struct {
	*hessianWriter
	jvp, vjp string
	band     *jacBand
	// elemType is the outputs' float type, jacType jac's elements'.
	elemType, jacType types.Type
	jac, n, m, y      string // y is the output parameter, "" for float results
	results           []string
	inputs            []*hessianInput
	structOut         bool // the output is a pointer to a struct of floats
}

// writeJacobian writes FJacobian over the column function jvp ("" when
// forward mode does not take the function), the row function vjp and the
// band, when the code shows one.
func (h *hessianWriter) writeJacobian(jvp, vjp string, band *jacBand) (*adjoint.Func, error) {
	w := &jacobianWriter{hessianWriter: h, jvp: jvp, vjp: vjp, band: band}
	out := w.signature()
	body, err := w.prologue()
	if err != nil {
		return nil, err
	}
	cols, err := w.columns()
	if err != nil {
		return nil, err
	}
	rows, err := w.rows()
	if err != nil {
		return nil, err
	}
	id := adjoint.Id
	switch {
	case jvp == "":
		body = append(body, rows...) // forward mode does not take the function
	case band != nil:
		banded, err := h.bandedColumns(*band, jvp, w.inputs[0], w.y, w.jac, w.n, w.m, w.elemType, w.jacType)
		if err != nil {
			return nil, err
		}
		body = append(body, adjoint.If{Cond: bandedCondition(*band, w.n, w.m), Then: banded,
			Else: []adjoint.Stmt{adjoint.If{Cond: adjoint.Bin("<=", id(w.n), id(w.m)), Then: cols, Else: rows}}})
		lengths := ""
		if band.sameLen {
			lengths = ", when len(" + w.y + ") == len(" + w.inputs[0].name + ")"
		}
		jvps := fmt.Sprintf("%d JVPs along compressed directions give", band.width())
		if band.width() == 1 {
			jvps = "one JVP along a compressed direction gives"
		}
		out.Doc += fmt.Sprintf(" The Jacobian is banded (%d <= j-i <= %d, read from the code): %s it%s.", band.lo, band.hi, jvps, lengths)
	default:
		body = append(body, adjoint.If{Cond: adjoint.Bin("<=", id(w.n), id(w.m)), Then: cols, Else: rows})
	}
	out.Body = body
	if len(w.results) > 0 {
		ret := adjoint.Return{}
		for _, r := range w.results {
			ret.Results = append(ret.Results, id(r))
		}
		out.Body = append(body, ret)
	}
	return out, nil
}

// signature is FJacobian's parameters, results and doc comment; it names
// jac, the results and the inputs' directions and gradients.
func (w *jacobianWriter) signature() *adjoint.Func {
	g := w.g
	if g.Out != nil {
		w.elemType = lower.OutputElem(g.Out.Type())
	} else {
		w.elemType = g.Results[0]
	}
	jacElem := "float64"
	w.jacType = types.Typ[types.Float64]
	if b, ok := w.elemType.Underlying().(*types.Basic); ok && b.Kind() == types.Float32 {
		jacElem = "float32"
		w.jacType = types.Typ[types.Float32]
	}
	out := &adjoint.Func{Name: g.Name}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: w.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
	}
	for _, prm := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: w.ParamName(prm), Type: gotypes.MustIR(prm.Type())})
	}
	w.jac = w.Names.Fresh("jac")
	out.Params = append(out.Params, adjoint.Param{Name: w.jac, Type: adjoint.Slice{Elem: adjoint.Named{Name: jacElem}}})
	for _, t := range g.Results {
		out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(t)})
		w.results = append(w.results, w.Names.Fresh("r"))
	}
	var names []string
	for _, v := range g.Wrt {
		in := &hessianInput{v: v, name: w.ParamName(v)}
		in.dir = w.Names.Fresh(directionName(g, v))
		in.grad = w.Names.Fresh(lower.AdjointName(in.name))
		w.inputs = append(w.inputs, in)
		names = append(names, in.name)
	}
	what := g.Decl.Name.Name + "'s results, which it returns,"
	if g.Out != nil {
		what = w.ParamName(g.Out) + " (filled as " + g.Decl.Name.Name + " fills it)"
	}
	out.Doc = g.Name + " writes into " + w.jac + " the Jacobian of " + what + " with respect to " + lower.JoinNames(names) + ", row-major: " + w.jac + "[i*n+j] is the derivative of output component i with respect to input component j."
	return out
}

// prologue declares the results, counts n and m, checks jac's length and
// keeps the output's incoming contents when F may read them.
func (w *jacobianWriter) prologue() ([]adjoint.Stmt, error) {
	g := w.g
	id, lit := adjoint.Id, adjoint.Literal
	var body []adjoint.Stmt
	if len(w.results) > 0 {
		body = append(body, adjoint.VarDecl{Names: w.results, Type: gotypes.MustIR(g.Results[0])})
		if !allSame(g.Results) {
			body = body[:0]
			for k, r := range w.results {
				body = append(body, adjoint.VarDecl{Names: []string{r}, Type: gotypes.MustIR(g.Results[k])})
			}
		}
	}
	w.n, w.m = w.Names.Fresh("n"), w.Names.Fresh("m")
	count, err := w.count(w.n, w.inputs)
	if err != nil {
		return nil, err
	}
	body = append(body, count...)
	w.structOut = g.Out != nil && lower.OutputStruct(g.Out.Type()) != nil
	if g.Out != nil {
		w.y = w.ParamName(g.Out)
		size := lenExpr(id(w.y))
		if w.structOut {
			size = lit(fmt.Sprint(staticCount(g.Out.Type().Underlying().(*types.Pointer).Elem())))
		}
		body = append(body, adjoint.Assign{Lhs: []adjoint.Expr{id(w.m)}, Op: ":=", Rhs: []adjoint.Expr{size}})
	} else {
		body = append(body, adjoint.Assign{Lhs: []adjoint.Expr{id(w.m)}, Op: ":=", Rhs: []adjoint.Expr{lit(fmt.Sprint(len(w.results)))}})
	}
	mn := adjoint.Bin("*", id(w.m), id(w.n))
	body = append(body, lower.PanicIf(adjoint.Bin("<", lenExpr(id(w.jac)), mn),
		`"`+g.Name+`: len(`+w.jac+`) = %d is shorter than m*n = %d (m = %d, n = %d)"`, lenExpr(id(w.jac)), mn, id(w.m), id(w.n)))
	if g.Out != nil {
		body = append(body, w.saveIncoming(w.y)...)
	}
	return body, nil
}

// columns is the branch of one JVP per input component, each writing
// column j.
func (w *jacobianWriter) columns() ([]adjoint.Stmt, error) {
	g := w.g
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	var cols []adjoint.Stmt
	for _, in := range w.inputs {
		s, err := w.scratch(in.dir, in.v.Type(), id(in.name))
		if err != nil {
			return nil, err
		}
		cols = append(cols, s...)
	}
	ty := w.Names.Fresh("t" + w.y)
	var tans []string
	if g.Out != nil {
		cols = append(cols, w.outputScratch(ty, g.Out.Type(), lenExpr(id(w.y)))...)
	} else {
		for range w.results {
			tans = append(tans, w.Names.Fresh("t"))
		}
		cols = append(cols, adjoint.VarDecl{Names: tans, Type: gotypes.MustIR(g.Results[0])})
		if !allSame(g.Results) {
			cols = cols[:len(cols)-1]
			for k, t := range tans {
				cols = append(cols, adjoint.VarDecl{Names: []string{t}, Type: gotypes.MustIR(g.Results[k])})
			}
		}
	}
	j := w.Names.Fresh("j")
	cols = append(cols, adjoint.Assign{Lhs: []adjoint.Expr{id(j)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}})
	for _, in := range w.inputs {
		loop, err := w.components(in.v.Type(), id(in.name), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
			dirAt := rebase(at, in.name, in.dir)
			call := w.innerCall(w.jvp)
			for _, o := range w.inputs {
				call.Args = append(call.Args, id(o.dir))
			}
			s := append([]adjoint.Stmt{set(dirAt, "=", lit("1"))}, w.restoreIncoming(w.y)...)
			s = append(s, w.column(call, ty, tans, j)...)
			return append(s, set(dirAt, "=", lit("0")), adjoint.IncDec{X: id(j), Inc: true})
		})
		if err != nil {
			return nil, err
		}
		cols = append(cols, loop...)
	}
	return append(cols, adjoint.If{Cond: adjoint.Bin("==", id(w.n), lit("0")), Then: []adjoint.Stmt{w.fill(w.results)}}), nil
}

// column calls the JVP and writes the output's tangent (ty, or tans for
// float results) into column j.
func (w *jacobianWriter) column(call adjoint.Call, ty string, tans []string, j string) []adjoint.Stmt {
	g := w.g
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	entry := func(row adjoint.Expr) adjoint.Expr {
		return adjoint.Index{X: id(w.jac), Index: adjoint.Bin("+", row, id(j))}
	}
	var s []adjoint.Stmt
	switch {
	case w.structOut:
		// Row k of column j from each float of the tangent.
		call.Args = append(call.Args, id(ty))
		k := w.Names.Fresh("k")
		copyOut, err := w.components(g.Out.Type(), id(ty), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
			return []adjoint.Stmt{set(entry(adjoint.Bin("*", id(k), id(w.n))), "=", convertTo(at, t, w.jacType)), adjoint.IncDec{X: id(k), Inc: true}}
		})
		if err != nil {
			panic(err) // outputStruct's types have fixed components
		}
		s = append(s, adjoint.ExprStmt{X: call}, adjoint.Assign{Lhs: []adjoint.Expr{id(k)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}})
		s = append(s, copyOut...)
	case g.Out != nil:
		call.Args = append(call.Args, id(ty))
		i := w.Names.Fresh("i")
		s = append(s, adjoint.ExprStmt{X: call}, adjoint.Range{Key: id(i), Define: true, X: id(w.y), Body: []adjoint.Stmt{
			set(entry(adjoint.Bin("*", id(i), id(w.n))), "=", convertTo(adjoint.Index{X: id(ty), Index: id(i)}, w.elemType, w.jacType)),
		}})
	default:
		var lhs []adjoint.Expr
		for _, r := range w.results {
			lhs = append(lhs, id(r))
		}
		for _, t := range tans {
			lhs = append(lhs, id(t))
		}
		s = append(s, adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{call}})
		for k, t := range tans {
			s = append(s, set(entry(rowStart(k, w.n)), "=", convertTo(id(t), g.Results[k], w.jacType)))
		}
	}
	return s
}

// rows is the branch of one VJP per output component, each writing a row.
func (w *jacobianWriter) rows() ([]adjoint.Stmt, error) {
	g := w.g
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	rows := []adjoint.Stmt{w.fill(w.results)}
	for _, in := range w.inputs {
		if gotypes.ByReference(in.v.Type()) {
			s, err := w.scratch(in.grad, gotypes.BufferType(in.v.Type()), id(in.name))
			if err != nil {
				return nil, err
			}
			rows = append(rows, s...)
		}
	}
	switch {
	case w.structOut:
		// Row k from each float of the cotangent in turn.
		dy := w.Names.Fresh("d" + w.y)
		k := w.Names.Fresh("k")
		rows = append(rows, w.outputScratch(dy, g.Out.Type(), nil)...)
		rows = append(rows, adjoint.Assign{Lhs: []adjoint.Expr{id(k)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}})
		seeds, err := w.components(g.Out.Type(), id(dy), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
			s := []adjoint.Stmt{set(at, "=", lit("1"))}
			s = append(s, w.row(func(c *adjoint.Call) { c.Args = append(c.Args, id(dy)) }, id(k), []adjoint.Expr{id("_")})...)
			return append(s, set(at, "=", lit("0")), adjoint.IncDec{X: id(k), Inc: true})
		})
		if err != nil {
			return nil, err
		}
		rows = append(rows, seeds...)
	case g.Out != nil:
		dy := w.Names.Fresh("d" + w.y)
		i := w.Names.Fresh("i")
		rows = append(rows, w.outputScratch(dy, g.Out.Type(), lenExpr(id(w.y)))...)
		loop := []adjoint.Stmt{set(adjoint.Index{X: id(dy), Index: id(i)}, "=", lit("1"))}
		loop = append(loop, w.row(func(c *adjoint.Call) { c.Args = append(c.Args, id(dy)) }, id(i), []adjoint.Expr{id("_")})...)
		loop = append(loop, set(adjoint.Index{X: id(dy), Index: id(i)}, "=", lit("0")))
		rows = append(rows, adjoint.Range{Key: id(i), Define: true, X: id(w.y), Body: loop})
	default:
		for k := range w.results {
			var lhs []adjoint.Expr
			for _, r := range w.results {
				lhs = append(lhs, id(r))
			}
			rows = append(rows, adjoint.Block{Body: w.row(func(c *adjoint.Call) {
				for kk := range w.results {
					if kk == k {
						c.Args = append(c.Args, lit("1"))
					} else {
						c.Args = append(c.Args, lit("0"))
					}
				}
			}, lit(fmt.Sprint(k)), lhs)})
		}
	}
	return rows, nil
}

// row calls the VJP with the cotangent seed sets and writes the gradients
// into row k, zeroing the buffers for the next row.
func (w *jacobianWriter) row(seed func(call *adjoint.Call), k adjoint.Expr, lhs []adjoint.Expr) []adjoint.Stmt {
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	call := w.withIncoming(w.innerCall(w.vjp), w.y)
	seed(&call)
	var byVal []string
	var s []adjoint.Stmt
	for _, in := range w.inputs {
		if gotypes.ByReference(in.v.Type()) {
			call.Args = append(call.Args, id(in.grad))
		} else {
			g := w.Names.Fresh(in.grad)
			byVal = append(byVal, g)
			lhs = append(lhs, id(g))
			s = append(s, adjoint.VarDecl{Names: []string{g}, Type: gotypes.MustIR(in.v.Type())})
		}
	}
	s = append(s, adjoint.Assign{Lhs: lhs, Op: "=", Rhs: []adjoint.Expr{call}})
	col := w.Names.Fresh("c")
	s = append(s, adjoint.Assign{Lhs: []adjoint.Expr{id(col)}, Op: ":=", Rhs: []adjoint.Expr{adjoint.Bin("*", k, id(w.n))}})
	b := 0
	for _, in := range w.inputs {
		src := in.grad
		if !gotypes.ByReference(in.v.Type()) {
			src = byVal[b]
			b++
		}
		scatter, _ := w.components(in.v.Type(), id(in.name), func(at adjoint.Expr, t types.Type) []adjoint.Stmt {
			gAt := rebase(at, in.name, src)
			st := []adjoint.Stmt{set(adjoint.Index{X: id(w.jac), Index: id(col)}, "=", convertTo(gAt, t, w.jacType)), adjoint.IncDec{X: id(col), Inc: true}}
			if gotypes.ByReference(in.v.Type()) {
				st = append(st, set(gAt, "=", lit("0")))
			}
			return st
		})
		s = append(s, scatter...)
	}
	return s
}
