package second

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// Banded Jacobians. A function F(y, x []float64) whose output element y[r]
// depends only on inputs x[j] with lo ≤ j−r ≤ hi (a discretised PDE's
// residual: rows from a stencil loop, boundary rows apart) has a Jacobian
// that is zero outside that band, whatever the point and the path taken.
// Columns whose distance is at least w = hi−lo+1 share no row, so one JVP
// along the sum of the unit directions eⱼ with j ≡ c (mod w) gives, in row
// r, the one entry of colour c in the band (Curtis, Powell and Reid): w
// JVPs instead of n, three for a three-point stencil whatever its size.
//
// The band is read from the code, soundly or not at all. The body's
// top-level statements are regions: a loop over an int counter i that
// reads x only at x[i+c] and writes y only at y[i+d] (offsets c−d), or
// any other statement that reads and writes only at anchored indexes — a
// constant k, or len(x)−c, len(y)−c, or a local set once to one of those
// lengths, minus a constant (offsets between anchors of the same base; of
// len(x) and len(y) when the lengths are equal, checked at run time). A
// value computed from x (a tainted variable, found flow-insensitively)
// may not pass between regions, nor between a loop's trips; y is never
// read. Every dependency of y[r] on x[j] then lies within one region, and
// within its offsets.

// jacBand is a Jacobian's band: entries with lo ≤ j−r ≤ hi may be nonzero.
// sameLen marks a band that holds only when len(y) == len(x).
type jacBand struct {
	lo, hi  int
	sameLen bool
}

// width is the number of colours, and of JVPs.
func (b jacBand) width() int { return b.hi - b.lo + 1 }

// anchorBase is what an anchored index counts from.
type anchorBase int

const (
	fromStart anchorBase = iota // a constant index
	fromLenX                    // len(x) − c
	fromLenY                    // len(y) − c
)

// anchor is an index base + off.
type anchor struct {
	base anchorBase
	off  int
}

// bandScan collects one region's reads of x and writes of y.
type bandScan struct {
	p       *Writer
	x, y    *types.Var
	lens    map[*types.Var]anchorBase // locals set once to len(x) or len(y)
	counter types.Object              // the loop's counter, nil in a point region
	reads   []int                     // loop offsets of x's reads
	writes  []int                     // loop offsets of y's writes
	aReads  []anchor                  // point region: x's reads
	aWrites []anchor                  // point region: y's writes
	ok      bool
}

// jacobianBand returns the band of F's Jacobian when the code shows one.
func (p *Writer) jacobianBand(g *lower.Target) (jacBand, bool) {
	if g.Out == nil || !gotypes.IsFloatSlice(g.Out.Type()) || len(g.Wrt) != 1 || g.Wrt[0] == g.Recv || !gotypes.IsFloatSlice(g.Wrt[0].Type()) {
		return jacBand{}, false
	}
	x, y := g.Wrt[0], g.Out
	body := g.Decl.Body.List
	lens := p.lengthLocals(g.Decl.Body, x, y)
	tainted := p.taintedBy(g.Decl.Body, x, y)
	regionOf, ok := p.taintedRegions(body, tainted)
	if !ok {
		return jacBand{}, false
	}
	band, found := jacBand{}, false
	for _, s := range body {
		scan, ok := p.scanRegion(s, body, regionOf, x, y, lens)
		if !ok {
			return jacBand{}, false
		}
		offs, sameLen, ok := scan.offsets()
		if !ok {
			return jacBand{}, false
		}
		band.sameLen = band.sameLen || sameLen
		for _, off := range offs {
			if !found || off < band.lo {
				band.lo = off
			}
			if !found || off > band.hi {
				band.hi = off
			}
			found = true
		}
	}
	return band, found
}

// taintedRegions returns, for each tainted variable, the index in body of
// the one top-level statement (region) that references it, and false when
// one is referenced in two: a value computed from x that passes between
// regions would make y's rows depend on x beyond any region's offsets.
func (p *Writer) taintedRegions(body []ast.Stmt, tainted map[*types.Var]bool) (map[*types.Var]int, bool) {
	// A tainted variable is referenced in one region only.
	regionOf := map[*types.Var]int{}
	for k, s := range body {
		shared := false
		ast.Inspect(s, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := p.Info.ObjectOf(id).(*types.Var); ok && tainted[v] {
					if r, seen := regionOf[v]; seen && r != k {
						shared = true
					}
					regionOf[v] = k
				}
			}
			return !shared
		})
		if shared {
			return nil, false
		}
	}
	return regionOf, true
}

// scanRegion returns the reads of x and writes of y in the region s, one
// of body's statements: a band loop's by offset from its counter, any
// other statement's by anchor. It reports false when s uses x or y
// otherwise, or when a band loop's tainted variable is declared outside
// it and so could carry a value from one trip to the next.
func (p *Writer) scanRegion(s ast.Stmt, body []ast.Stmt, regionOf map[*types.Var]int, x, y *types.Var, lens map[*types.Var]anchorBase) (*bandScan, bool) {
	scan := &bandScan{p: p, x: x, y: y, lens: lens, ok: true}
	if loopBody, counter, ok := p.bandLoop(s, x, y); ok {
		// A value computed from x in one trip and read in another
		// would pass through a variable declared outside the body
		// (work[i] = x[i] read as work[i-1] next trip). Defence in
		// depth: checkRepeatable refuses such writes into parameters
		// and receivers first, and a local declared outside is
		// referenced in two regions.
		outside := false
		for v, k := range regionOf {
			if body[k] == s && (v.Pos() < s.Pos() || v.Pos() >= s.End()) {
				outside = true
			}
		}
		if outside {
			return nil, false
		}
		scan.counter = counter
		if r, ok := s.(*ast.RangeStmt); ok && p.isVar(r.X, x) && r.Value != nil {
			scan.reads = append(scan.reads, 0) // the value is x[i]
		}
		scan.walk(loopBody)
	} else {
		scan.walk(s)
	}
	return scan, scan.ok
}

// offsets returns the offsets j−r of the region's entries, from each read
// of x[j] paired with each write of y[r], and whether one holds only when
// len(y) == len(x) (a read counted from len(x), a write from len(y)). It
// reports false when a constant index is paired with one counted from an
// end, whose distance depends on the length.
func (s *bandScan) offsets() (offs []int, sameLen, ok bool) {
	for _, c := range s.reads {
		for _, d := range s.writes {
			offs = append(offs, c-d)
		}
	}
	for _, c := range s.aReads {
		for _, d := range s.aWrites {
			switch {
			case c.base == d.base:
			case c.base != fromStart && d.base != fromStart:
				sameLen = true
			default:
				return nil, false, false // a constant row, a column counted from the end
			}
			offs = append(offs, c.off-d.off)
		}
	}
	return offs, sameLen, true
}

// bandLoop reports whether s is a loop over an int counter that its body
// does not assign — for i := a; cond; i++ or for i := range e — whose
// header reads x only as len(x) or range x, and y (nil for a Hessian's
// band) only as len(y) or range y without a value.
func (p *Writer) bandLoop(s ast.Stmt, x, y *types.Var) (*ast.BlockStmt, types.Object, bool) {
	var counter types.Object
	var body *ast.BlockStmt
	switch s := s.(type) {
	case *ast.ForStmt:
		init, ok := s.Init.(*ast.AssignStmt)
		if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || p.usesBeyondLen(init, x) {
			return nil, nil, false
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		if !ok {
			return nil, nil, false
		}
		counter = p.Info.Defs[id]
		inc, ok := s.Post.(*ast.IncDecStmt)
		if !ok || inc.Tok != token.INC || p.Info.Uses[gotypes.IdentOf(inc.X)] != counter || p.usesBeyondLen(init, y) ||
			s.Cond != nil && (p.usesBeyondLen(s.Cond, x) || p.usesBeyondLen(s.Cond, y)) {
			return nil, nil, false
		}
		body = s.Body
	case *ast.RangeStmt:
		id, ok := s.Key.(*ast.Ident)
		if !ok || s.Tok != token.DEFINE || id.Name == "_" || !p.isVar(s.X, x) && p.usesBeyondLen(s.X, x) {
			return nil, nil, false
		}
		if p.usesBeyondLen(s.X, y) && !(p.isVar(s.X, y) && s.Value == nil) {
			return nil, nil, false // y's elements read
		}
		counter = p.Info.Defs[id]
		body = s.Body
	default:
		return nil, nil, false
	}
	if counter == nil || !types.Identical(counter.Type(), types.Typ[types.Int]) {
		return nil, nil, false
	}
	assigned := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id := gotypes.IdentOf(l); id != nil && p.Info.ObjectOf(id) == counter {
					assigned = true
				}
			}
		case *ast.IncDecStmt:
			if id := gotypes.IdentOf(n.X); id != nil && p.Info.ObjectOf(id) == counter {
				assigned = true
			}
		case *ast.UnaryExpr:
			if id := gotypes.IdentOf(n.X); n.Op == token.AND && id != nil && p.Info.ObjectOf(id) == counter {
				assigned = true
			}
		}
		return !assigned
	})
	return body, counter, !assigned
}

// walk collects n's reads of x and writes of y, and clears ok at any
// other use of them.
func (s *bandScan) walk(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		if !s.ok {
			return false
		}
		switch m := m.(type) {
		case *ast.CallExpr:
			if id := gotypes.IdentOf(m.Fun); id != nil && id.Name == "len" && len(m.Args) == 1 && (s.p.isVar(m.Args[0], s.x) || s.p.isVar(m.Args[0], s.y)) {
				return false
			}
		case *ast.AssignStmt:
			if m.Tok != token.ASSIGN {
				break // y[i] += ... is refused before; x is never written
			}
			for _, l := range m.Lhs {
				if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok && s.p.isVar(ix.X, s.y) {
					s.index(ix.Index, true)
					if s.p.usesBeyondLen(ix.Index, s.y) || s.p.usesBeyondLen(ix.Index, s.x) {
						s.ok = false
					}
				} else {
					s.walk(l)
				}
			}
			for _, r := range m.Rhs {
				s.walk(r)
			}
			return false
		case *ast.IndexExpr:
			if s.p.isVar(m.X, s.x) {
				s.index(m.Index, false)
				if s.p.usesBeyondLen(m.Index, s.x) || s.p.usesBeyondLen(m.Index, s.y) {
					s.ok = false // x[x[0]]
				}
				return false
			}
		case *ast.Ident:
			if v := s.p.Info.Uses[m]; v == s.x || v == s.y {
				s.ok = false // x or y itself: passed on, sliced, read
			}
		}
		return true
	})
}

// index records an index of x (a read) or y (a write).
func (s *bandScan) index(e ast.Expr, write bool) {
	if s.counter != nil {
		off, ok := s.p.offsetOf(e, s.counter)
		if !ok {
			s.ok = false
			return
		}
		if write {
			s.writes = append(s.writes, off)
		} else {
			s.reads = append(s.reads, off)
		}
		return
	}
	a, ok := s.anchorOf(e)
	if !ok {
		s.ok = false
		return
	}
	if write {
		s.aWrites = append(s.aWrites, a)
	} else {
		s.aReads = append(s.aReads, a)
	}
}

// anchorOf reads a constant index, len(x) or len(y) or a local holding
// one of them, plus or minus constants.
func (s *bandScan) anchorOf(e ast.Expr) (anchor, bool) {
	e = ast.Unparen(e)
	if k, ok := s.p.smallConst(e); ok {
		return anchor{fromStart, k}, true
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		if id := gotypes.IdentOf(e.Fun); id != nil && id.Name == "len" && len(e.Args) == 1 {
			switch {
			case s.p.isVar(e.Args[0], s.x):
				return anchor{fromLenX, 0}, true
			case s.p.isVar(e.Args[0], s.y):
				return anchor{fromLenY, 0}, true
			}
		}
	case *ast.Ident:
		if v, ok := s.p.Info.Uses[e].(*types.Var); ok {
			if base, ok := s.lens[v]; ok {
				return anchor{base, 0}, true
			}
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD && e.Op != token.SUB {
			break
		}
		if a, ok := s.anchorOf(e.X); ok && a.base != fromStart {
			if k, ok := s.p.smallConst(e.Y); ok {
				if e.Op == token.SUB {
					k = -k
				}
				return anchor{a.base, a.off + k}, true
			}
		}
		if a, ok := s.anchorOf(e.Y); ok && a.base != fromStart && e.Op == token.ADD {
			if k, ok := s.p.smallConst(e.X); ok {
				return anchor{a.base, a.off + k}, true
			}
		}
	}
	return anchor{}, false
}

// smallConst is e's value when e is an integer constant of moderate size.
func (p *Writer) smallConst(e ast.Expr) (int, bool) {
	tv, ok := p.Info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return 0, false
	}
	v, exact := constant.Int64Val(tv.Value)
	return int(v), exact && v > -1<<20 && v < 1<<20
}

// lengthLocals finds the locals set once, where declared, to len(x) or
// len(y) and never assigned again (n := len(x)).
func (p *Writer) lengthLocals(body *ast.BlockStmt, x, y *types.Var) map[*types.Var]anchorBase {
	lens := map[*types.Var]anchorBase{}
	writes := map[*types.Var]int{}
	record := func(lhs, rhs ast.Expr, define bool) {
		id := gotypes.IdentOf(lhs)
		if id == nil {
			return
		}
		v, ok := p.Info.ObjectOf(id).(*types.Var)
		if !ok {
			return
		}
		writes[v]++
		call, ok := ast.Unparen(rhs).(*ast.CallExpr)
		if !define || !ok || len(call.Args) != 1 {
			return
		}
		if fn := gotypes.IdentOf(call.Fun); fn != nil && fn.Name == "len" {
			if _, builtin := p.Info.Uses[fn].(*types.Builtin); builtin {
				switch {
				case p.isVar(call.Args[0], x):
					lens[v] = fromLenX
				case p.isVar(call.Args[0], y):
					lens[v] = fromLenY
				}
			}
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for k, l := range n.Lhs {
				var r ast.Expr
				if len(n.Rhs) == len(n.Lhs) {
					r = n.Rhs[k]
				}
				record(l, r, n.Tok == token.DEFINE)
			}
		case *ast.ValueSpec:
			for k, name := range n.Names {
				var r ast.Expr
				if len(n.Values) == len(n.Names) {
					r = n.Values[k]
				}
				record(name, r, true)
			}
		case *ast.IncDecStmt:
			record(n.X, nil, false)
		case *ast.RangeStmt:
			if n.Key != nil {
				record(n.Key, nil, false)
			}
			if n.Value != nil {
				record(n.Value, nil, false)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				record(n.X, nil, false) // its address taken: it may change
			}
		}
		return true
	})
	for v := range lens {
		if writes[v] != 1 {
			delete(lens, v)
		}
	}
	return lens
}

// taintedBy finds the variables that may hold a value computed from x:
// those assigned (whole, or an element or field) in a statement that
// reads x or a tainted variable, to a fixed point, whatever the order and
// the path.
func (p *Writer) taintedBy(body *ast.BlockStmt, x, y *types.Var) map[*types.Var]bool {
	tainted := map[*types.Var]bool{}
	reads := func(n ast.Node) bool {
		if n == nil {
			return false
		}
		found := false
		ast.Inspect(n, func(m ast.Node) bool {
			if call, ok := m.(*ast.CallExpr); ok {
				if id := gotypes.IdentOf(call.Fun); id != nil && id.Name == "len" && len(call.Args) == 1 && p.isVar(call.Args[0], x) {
					return false
				}
			}
			if id, ok := m.(*ast.Ident); ok {
				if v, ok := p.Info.Uses[id].(*types.Var); ok && (v == x || tainted[v]) {
					found = true
				}
			}
			return !found
		})
		return found
	}
	for changed := true; changed; {
		changed = false
		mark := func(lhs ast.Expr) {
			if v := p.RootVar(lhs); v != nil && !tainted[v] && v != x && v != y {
				tainted[v] = true
				changed = true
			}
		}
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				// Any right-hand side, and an index on the left (h[k] = c
				// with k tainted would not be, but the element's value
				// then depends on where x sent it: taint it anyway).
				if reads(n) {
					for _, l := range n.Lhs {
						mark(l)
					}
				}
			case *ast.ValueSpec:
				if reads(n) {
					for _, name := range n.Names {
						mark(name)
					}
				}
			case *ast.IncDecStmt:
				if reads(n.X) {
					mark(n.X)
				}
			case *ast.RangeStmt:
				if reads(n.X) && n.Value != nil {
					mark(n.Value)
				}
			}
			return true
		})
	}
	return tainted
}

// bandedColumns is FJacobian's compressed branch: jac cleared, then one
// JVP per colour c along the sum of eⱼ with j ≡ c (mod w), each row's
// entry of that colour taken from the output tangent.
func (h *hessianWriter) bandedColumns(b jacBand, jvp string, in *hessianInput, y, jac, n, m string, elemType, jacType types.Type) ([]adjoint.Stmt, error) {
	id, lit, set := adjoint.Id, adjoint.Literal, adjoint.Set
	w := lit(fmt.Sprint(b.width()))
	plus := func(e adjoint.Expr, k int) adjoint.Expr {
		switch {
		case k > 0:
			return adjoint.Bin("+", e, lit(fmt.Sprint(k)))
		case k < 0:
			return adjoint.Bin("-", e, lit(fmt.Sprint(-k)))
		}
		return e
	}
	v, ty := h.Names.Fresh("v"), h.Names.Fresh("t"+y)
	out, err := h.scratch(v, in.v.Type(), id(in.name))
	if err != nil {
		return nil, err
	}
	out = append(out, h.outputScratch(ty, h.g.Out.Type(), lenExpr(id(y)))...)
	k := h.Names.Fresh("k")
	out = append(out, adjoint.Range{Key: id(k), Define: true, X: adjoint.SliceExpr{X: id(jac), Hi: adjoint.Bin("*", id(m), id(n))},
		Body: []adjoint.Stmt{set(adjoint.Index{X: id(jac), Index: id(k)}, "=", lit("0"))}})
	c, j, i := h.Names.Fresh("c"), h.Names.Fresh("j"), h.Names.Fresh("i")
	each := func(value string) adjoint.Stmt { // for j := c; j < n; j += w { v[j] = value }
		return adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(j)}, Op: ":=", Rhs: []adjoint.Expr{id(c)}},
			Cond: adjoint.Bin("<", id(j), id(n)), Post: set(id(j), "+=", w),
			Body: []adjoint.Stmt{set(adjoint.Index{X: id(v), Index: id(j)}, "=", lit(value))}}
	}
	call := h.innerCall(jvp)
	call.Args = append(call.Args, id(v), id(ty))
	// Row i's column of colour c in the band: j = i+lo + ((c−i−lo) mod w).
	col := plus(id(i), b.lo)
	offset := adjoint.Bin("%", adjoint.Paren{X: adjoint.Bin("+", adjoint.Bin("%", adjoint.Paren{X: plus(adjoint.Bin("-", id(c), id(i)), -b.lo)}, w), w)}, w)
	recover := adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(i)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}},
		Cond: adjoint.Bin("<", id(i), id(m)), Post: adjoint.IncDec{X: id(i), Inc: true}, Body: []adjoint.Stmt{
			adjoint.Assign{Lhs: []adjoint.Expr{id(j)}, Op: ":=", Rhs: []adjoint.Expr{adjoint.Bin("+", col, offset)}},
			adjoint.If{Cond: adjoint.Bin("&&", adjoint.Bin(">=", id(j), lit("0")), adjoint.Bin("<", id(j), id(n))), Then: []adjoint.Stmt{
				set(adjoint.Index{X: id(jac), Index: adjoint.Bin("+", adjoint.Bin("*", id(i), id(n)), id(j))}, "=", convertTo(adjoint.Index{X: id(ty), Index: id(i)}, elemType, jacType)),
			}},
		}}
	out = append(out, adjoint.For{Init: adjoint.Assign{Lhs: []adjoint.Expr{id(c)}, Op: ":=", Rhs: []adjoint.Expr{lit("0")}},
		Cond: adjoint.Bin("<", id(c), w), Post: adjoint.IncDec{X: id(c), Inc: true},
		Body: slices.Concat([]adjoint.Stmt{each("1")}, h.restoreIncoming(y), []adjoint.Stmt{adjoint.ExprStmt{X: call}, recover, each("0")})})
	return out, nil
}

// bandedCondition is when the compressed branch runs: fewer colours than
// columns and rows, and, for a band that assumes it, equal lengths.
func bandedCondition(b jacBand, n, m string) adjoint.Expr {
	w := adjoint.Literal(fmt.Sprint(b.width()))
	cond := adjoint.Bin("&&", adjoint.Bin("<", w, adjoint.Id(n)), adjoint.Bin("<", w, adjoint.Id(m)))
	if b.sameLen {
		cond = adjoint.Bin("&&", cond, adjoint.Bin("==", adjoint.Id(m), adjoint.Id(n)))
	}
	return cond
}
