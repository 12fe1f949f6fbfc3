package second

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// Banded Hessians. A function of one float slice x that sums, over a loop
// counter i, terms reading x only at i+c for constants c (Rosenbrock: x[i]
// and x[i+1]) has a Hessian that is zero outside the band |i−j| ≤ b, where
// b is the spread of the offsets: each term's second derivatives couple
// only the elements it reads. The band is read from the code, so it holds
// at every point, whatever the branches take.
//
// Columns j and j' whose distance is at least 2b+1 share no row of the
// band, so one Hessian-vector product along the sum of all unit directions
// eⱼ with j ≡ c (mod 2b+1) gives, in row i, the one entry H[i][j] with
// j ≡ c and |i−j| ≤ b (Curtis, Powell and Reid's compression for a band):
// 2b+1 products instead of n — 3 for Rosenbrock whatever its size.

// hessianBand returns the half-bandwidth of F's Hessian when the code
// shows one, and false when the Hessian is to be computed dense.
func (p *Writer) hessianBand(g *lower.Target, file *ast.File) (int, bool) {
	x, loop, ok := p.bandSum(g, file)
	if !ok {
		return 0, false
	}
	// An int counter (a narrower one wraps: i-1 at i = 0 is 255 for a
	// uint8, and the offsets would not be distances) that the body does
	// not assign, and a header that reads x only as len(x) or range x.
	loopBody, counter, ok := p.bandLoop(loop, x, nil)
	if !ok {
		return 0, false
	}
	lo, hi, ok := p.offsetSpread(loopBody, x, counter)
	if !ok {
		return 0, false
	}
	if _, isRange := loop.(*ast.RangeStmt); isRange && p.isVar(loop.(*ast.RangeStmt).X, x) {
		lo, hi = min(lo, 0), max(hi, 0)
	}
	return hi - lo, true
}

// bandSum returns F's one wrt input x, a float slice, and the loop that
// ends F before its return, when F has the shape a band is read from:
// nothing but that loop reads x (beyond len(x)), and the loop is a sum
// (no active state carried from trip to trip but accumulators, the result
// linear in them), so that each trip's terms alone couple elements.
func (p *Writer) bandSum(g *lower.Target, file *ast.File) (*types.Var, ast.Stmt, bool) {
	if len(g.Wrt) != 1 || !gotypes.IsFloatSlice(g.Wrt[0].Type()) || g.Wrt[0] == g.Recv {
		return nil, nil, false
	}
	x := g.Wrt[0]
	body := g.Decl.Body.List
	if len(body) < 2 {
		return nil, nil, false
	}
	ret, ok := body[len(body)-1].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil, nil, false
	}
	loop := body[len(body)-2]
	uses := func(n ast.Node) bool { return p.usesBeyondLen(n, x) }
	for _, s := range body[:len(body)-2] {
		if uses(s) {
			return nil, nil, false
		}
	}
	if uses(ret) {
		return nil, nil, false
	}
	// The loop is a sum: no active state carried from trip to trip but
	// accumulators, and the result linear in them.
	l := p.NewLowerer(g, file, nil)
	if !l.Analyze(g) || !l.SumLoop(loop, ret) {
		return nil, nil, false
	}
	return x, loop, true
}

// offsetSpread returns the least and greatest offset c of the reads
// x[i+c] in loopBody (both 0 when there is none), and false when the body
// uses x otherwise (any other index, x itself, its address), since then
// no band can be read.
func (p *Writer) offsetSpread(loopBody *ast.BlockStmt, x *types.Var, counter types.Object) (lo, hi int, ok bool) {
	// Every read of x in the body is x[i+c].
	ok = true
	seen := false
	ast.Inspect(loopBody, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if id := gotypes.IdentOf(n.Fun); id != nil && id.Name == "len" && len(n.Args) == 1 && p.isVar(n.Args[0], x) {
				return false
			}
		case *ast.IndexExpr:
			if p.isVar(n.X, x) {
				c, isOffset := p.offsetOf(n.Index, counter)
				if !isOffset {
					ok = false
					return false
				}
				if !seen || c < lo {
					lo = c
				}
				if !seen || c > hi {
					hi = c
				}
				seen = true
				if p.usesBeyondLen(n.Index, x) {
					ok = false // x[x[0]]
				}
				return false
			}
		case *ast.Ident:
			if p.Info.Uses[n] == x {
				ok = false // x itself: passed on, sliced, its address taken
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && p.usesBeyondLen(n.X, x) {
				ok = false
			}
		}
		return true
	})
	return lo, hi, ok
}

// isVar reports whether e is the variable v.
func (p *Writer) isVar(e ast.Expr, v *types.Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && p.Info.Uses[id] == v
}

// usesBeyondLen reports whether n uses x other than as len(x).
func (p *Writer) usesBeyondLen(n ast.Node, x *types.Var) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if call, ok := m.(*ast.CallExpr); ok {
			if id := gotypes.IdentOf(call.Fun); id != nil && id.Name == "len" && len(call.Args) == 1 && p.isVar(call.Args[0], x) {
				return false
			}
		}
		if id, ok := m.(*ast.Ident); ok && p.Info.Uses[id] == x {
			found = true
		}
		return !found
	})
	return found
}

// offsetOf reads an index i+c, c+i or i-c (or i) with c an integer
// constant and i the counter.
func (p *Writer) offsetOf(e ast.Expr, counter types.Object) (int, bool) {
	e = ast.Unparen(e)
	if id, ok := e.(*ast.Ident); ok && p.Info.Uses[id] == counter {
		return 0, true
	}
	b, ok := e.(*ast.BinaryExpr)
	if !ok || b.Op != token.ADD && b.Op != token.SUB {
		return 0, false
	}
	constOf := func(e ast.Expr) (int, bool) {
		tv, ok := p.Info.Types[e]
		if !ok || tv.Value == nil {
			return 0, false
		}
		v, exact := constant.Int64Val(constant.ToInt(tv.Value))
		return int(v), exact && v > -1<<20 && v < 1<<20
	}
	isCounter := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && p.Info.Uses[id] == counter
	}
	switch {
	case isCounter(b.X):
		c, ok := constOf(b.Y)
		if b.Op == token.SUB {
			c = -c
		}
		return c, ok
	case isCounter(b.Y) && b.Op == token.ADD:
		return constOf(b.X)
	}
	return 0, false
}

// writeBanded writes FHessian for a band of half-width b: 2b+1 products
// along compressed directions, each row's entries recovered by colour.
// inner is the Hessian-vector product in FHVP's form.
func (h *hessianWriter) writeBanded(b int) *adjoint.Func {
	g := h.g
	id, lit := adjoint.Id, adjoint.Literal
	set := adjoint.Set
	x := h.ParamName(g.Wrt[0])
	elem := g.Wrt[0].Type().Underlying().(*types.Slice).Elem()
	out := &adjoint.Func{Name: g.Name}
	for _, prm := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: h.ParamName(prm), Type: gotypes.MustIR(prm.Type())})
	}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: h.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
	}
	dx := h.Names.Fresh(lower.AdjointName(x))
	hess := h.Names.Fresh("hess")
	hessElem := "float64"
	if bt, ok := g.Result.Underlying().(*types.Basic); ok && bt.Kind() == types.Float32 {
		hessElem = "float32"
	}
	out.Params = append(out.Params, adjoint.Param{Name: dx, Type: gotypes.MustIR(g.Wrt[0].Type())}, adjoint.Param{Name: hess, Type: adjoint.Slice{Elem: adjoint.Named{Name: hessElem}}})
	out.Results = []adjoint.Param{{Type: gotypes.MustIR(g.Result)}}
	out.Doc = g.Name + " returns " + g.Decl.Name.Name + "'s value and its gradient with respect to " + x + " (added into " + dx + "), and adds its Hessian into " + hess + ", row-major: " + hess + "[i*n+j] is the second derivative with respect to " + x + "[i] and " + x + "[j]. " +
		fmt.Sprintf("The Hessian is banded (|i-j| <= %d, read from the code): %d Hessian-vector products along compressed directions give it.", b, 2*b+1)
	var body []adjoint.Stmt
	body = append(body, h.LengthChecks(id(x), id(dx), g.Wrt[0].Type(), 0)...)
	n := h.Names.Fresh("n")
	body = append(body, adjoint.Assign{Lhs: []adjoint.Expr{id(n)}, Op: ":=", Rhs: []adjoint.Expr{lenExpr(id(x))}})
	nn := adjoint.Bin("*", id(n), id(n))
	body = append(body, lower.PanicIf(adjoint.Bin("<", lenExpr(id(hess)), nn),
		`"`+g.Name+`: len(`+hess+`) = %d is shorter than n*n = %d (n = %d)"`, lenExpr(id(hess)), nn, id(n)))
	v, hv, gs := h.Names.Fresh("v"), h.Names.Fresh("hv"), h.Names.Fresh("gradScratch")
	for _, name := range []string{v, hv, gs} {
		body = append(body, h.stackOrMake(name, g.Wrt[0].Type(), id(n))...)
	}
	value := h.Names.Fresh(lower.LowerFirst(g.Decl.Name.Name))
	body = append(body, adjoint.VarDecl{Names: []string{value}, Type: gotypes.MustIR(g.Result)})
	colours := fmt.Sprint(2*b + 1)
	c, j, i, d, grad := h.Names.Fresh("c"), h.Names.Fresh("j"), h.Names.Fresh("i"), h.Names.Fresh("d"), h.Names.Fresh("grad")
	each := func(do adjoint.Stmt) adjoint.Stmt { // for j := c; j < n; j += 2b+1
		return adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(j)}, Op: ":=", Rhs: []adjoint.Expr{id(c)}},
			Cond: adjoint.Bin("<", id(j), id(n)), Post: set(id(j), "+=", lit(colours)), Body: []adjoint.Stmt{do}}
	}
	call := adjoint.Call{Fun: id(h.inner)}
	if g.Recv != nil {
		call.Fun = adjoint.Selector{X: id(h.ParamName(g.Recv)), Sel: h.inner}
	}
	for _, prm := range g.Params {
		call.Args = append(call.Args, id(h.ParamName(prm)))
	}
	call.Args = append(call.Args, id(v), id(grad), id(hv))
	// Row i's entry of colour c: the column j ≡ c within the band.
	recover := []adjoint.Stmt{
		adjoint.Assign{Lhs: []adjoint.Expr{id(d)}, Op: ":=", Rhs: []adjoint.Expr{
			adjoint.Bin("%", adjoint.Paren{X: adjoint.Bin("+", adjoint.Bin("%", adjoint.Paren{X: adjoint.Bin("-", id(c), id(i))}, lit(colours)), lit(colours))}, lit(colours))}},
		adjoint.If{Cond: adjoint.Bin(">", id(d), lit(fmt.Sprint(b))), Then: []adjoint.Stmt{set(id(d), "-=", lit(colours))}},
		adjoint.If{Cond: adjoint.Bin("&&", adjoint.Bin(">=", adjoint.Bin("+", id(i), id(d)), lit("0")), adjoint.Bin("<", adjoint.Bin("+", id(i), id(d)), id(n))),
			Then: []adjoint.Stmt{set(adjoint.Index{X: id(hess), Index: adjoint.Bin("+", adjoint.Bin("*", id(i), id(n)), adjoint.Bin("+", id(i), id(d)))}, "+=", convertTo(adjoint.Index{X: id(hv), Index: id(i)}, elem, types.Typ[kindOf(hessElem)]))}},
		set(adjoint.Index{X: id(hv), Index: id(i)}, "=", lit("0")),
	}
	loop := []adjoint.Stmt{
		each(set(adjoint.Index{X: id(v), Index: id(j)}, "=", lit("1"))),
		// The gradient once, into the caller's buffer; the other products'
		// copies go to scratch.
		adjoint.Assign{Lhs: []adjoint.Expr{id(grad)}, Op: ":=", Rhs: []adjoint.Expr{id(gs)}},
		adjoint.If{Cond: adjoint.Bin("==", id(c), lit("0")), Then: []adjoint.Stmt{set(id(grad), "=", id(dx))}},
		set(id(value), "=", call),
		adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(i)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}},
			Cond: adjoint.Bin("<", id(i), id(n)), Post: adjoint.IncDec{X: id(i), Inc: true}, Body: recover},
		each(set(adjoint.Index{X: id(v), Index: id(j)}, "=", lit("0"))),
	}
	body = append(body, adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(c)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}},
		Cond: adjoint.Bin("&&", adjoint.Bin("<", id(c), lit(colours)), adjoint.Bin("<", id(c), id(n))), Post: adjoint.IncDec{X: id(c), Inc: true}, Body: loop})
	body = append(body, adjoint.If{Cond: adjoint.Bin("==", id(n), lit("0")), Then: []adjoint.Stmt{set(id(value), "=", h.sourceCall())}})
	out.Body = append(body, adjoint.Return{Results: []adjoint.Expr{id(value)}})
	return out
}

func kindOf(name string) types.BasicKind {
	if name == "float32" {
		return types.Float32
	}
	return types.Float64
}
