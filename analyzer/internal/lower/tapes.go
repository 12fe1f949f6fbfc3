package lower

import (
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Tapes: the stacks of old values and records that loops push going
// forward and pop going back, and their storage.

// A tape is a stack of a variable's old values, saved inside a loop.
type tape struct {
	name  string
	elem  adjoint.Type
	store adjoint.Type // when not nil, values are stored converted to this type
	sites [][]*loopCtx // the loops around each push, outermost first
}

// f64 is the storage type of every numeric tape: integer records and
// integer variables (trip counts, indexes: far below 2⁵³) are exact in it,
// and one element type lets all of a loop nest's tapes share one
// allocation.
var f64 = adjoint.Named{Name: "float64"}

// push appends e, converted to the tape's storage type.
func (t *tape) push(e adjoint.Expr) adjoint.Stmt {
	if t.store != nil {
		e = adjoint.Call{Fun: adjoint.TypeExpr{Type: t.store}, Args: []adjoint.Expr{e}}
	}
	return adjoint.Set(adjoint.Id(t.name), "=", adjoint.Call{Fun: adjoint.Id("append"), Args: []adjoint.Expr{adjoint.Id(t.name), e}})
}

// top is name[len(name)-1].
func top(name string) adjoint.Expr {
	return adjoint.Index{X: adjoint.Id(name), Index: adjoint.Bin("-", lenOf(name), adjoint.Literal("1"))}
}

func lenOf(name string) adjoint.Expr {
	return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{adjoint.Id(name)}}
}

// pop moves the top of the tape into dst.
func (t *tape) pop(dst adjoint.Expr) []adjoint.Stmt {
	var val adjoint.Expr = top(t.name)
	if t.store != nil {
		val = adjoint.Call{Fun: adjoint.TypeExpr{Type: t.elem}, Args: []adjoint.Expr{val}}
	}
	return []adjoint.Stmt{
		adjoint.Set(dst, "=", val),
		adjoint.Set(adjoint.Id(t.name), "=", adjoint.SliceExpr{X: adjoint.Id(t.name), Hi: adjoint.Bin("-", lenOf(t.name), adjoint.Literal("1"))}),
	}
}

// tapeFor returns the tape of v's old values in the current outermost
// loop: one per variable and loop nest, so that each can be given its
// capacity before its loop starts.
func (l *Lowerer) tapeFor(v *Variable, lv adjoint.Expr, t types.Type, it adjoint.Type) *tape {
	key := tapeKey{v, adjoint.TypeString(it), l.loops[0]}
	tp, ok := l.tapeOf[key]
	if !ok {
		base := v.Name
		if _, whole := lv.(adjoint.Ident); !whole {
			base += "Elem"
		}
		tp = &tape{name: l.Names.Fresh(base + "Tape"), elem: it}
		if l.tapeValues == nil {
			l.tapeValues = map[string]types.Type{}
		}
		l.tapeValues[adjoint.TypeString(it)] = t
		if storedAsFloat64(t) && !types.Identical(t, types.Typ[types.Float64]) {
			tp.store = f64
		}
		l.tapeOf[key] = tp
		l.tapes = append(l.tapes, tp)
	}
	tp.sites = append(tp.sites, append([]*loopCtx(nil), l.loops...))
	return tp
}

type tapeKey struct {
	v    *Variable
	elem string
	nest *loopCtx
}

// capacity is the number of values pushed on a tape over one run of its
// loop nest, when that can be computed before the nest starts: the sum over
// its push sites of the product of the trip counts of the loops around
// them. It is nil when a trip count is unknown (a while loop, a bound that
// the loop changes).
func capacity(sites [][]*loopCtx) adjoint.Expr {
	var total adjoint.Expr
	for _, site := range sites {
		var prod adjoint.Expr
		for _, ctx := range site {
			if ctx.trip == nil {
				return nil
			}
			if prod == nil {
				prod = ctx.trip
			} else {
				prod = adjoint.Bin("*", prod, ctx.trip)
			}
		}
		total = adjoint.Add(total, prod)
	}
	return total
}

// allocateTapes gives every tape of the loop nest starting at ctx its
// capacity, so that pushing never reallocates: storage on the stack when it
// fits (see stackTiers), else one allocation per nest and call. A tape whose
// length is not known before the nest (a while loop's) starts in a small
// stack array and grows by append beyond it.
func (l *Lowerer) allocateTapes(ctx *loopCtx) []adjoint.Stmt {
	a := &tapeAllocator{l: l, ctx: ctx, groups: map[string][]tapeAlloc{}, elems: map[string]adjoint.Type{}, trips: map[string]adjoint.Expr{}}
	for _, t := range l.tapes {
		elem := t.elem
		if t.store != nil {
			elem = t.store
		}
		a.add(t.name, elem, t.sites)
	}
	for _, r := range l.recorders {
		if r.tape {
			a.add(r.name, f64, [][]*loopCtx{r.site})
		}
	}
	for _, key := range a.order {
		for i := range a.groups[key] {
			a.groups[key][i].cap = a.namedTrips(a.groups[key][i].cap)
		}
	}
	for _, key := range a.order {
		a.allocate(a.groups[key], a.elems[key])
	}
	return a.out
}

// tapeAlloc is one tape's claim on its nest's storage.
type tapeAlloc struct {
	name string
	cap  adjoint.Expr
}

// tapeAllocator writes the storage of one loop nest's tapes. Tapes of one
// element type are grouped so that they share one block, cut into parts.
type tapeAllocator struct {
	l      *Lowerer
	ctx    *loopCtx
	groups map[string][]tapeAlloc  // by element type
	elems  map[string]adjoint.Type // each group's element type
	order  []string                // groups in the order their first tape came
	trips  map[string]adjoint.Expr // trip counts already named, by expression
	out    []adjoint.Stmt
}

// add claims storage for a tape pushed at sites, when its nest is the
// allocator's. A tape whose length is unknown before the nest gets a small
// stack array at once; the others join their element type's group.
func (a *tapeAllocator) add(name string, elem adjoint.Type, sites [][]*loopCtx) {
	if len(sites) == 0 || sites[0][0] != a.ctx {
		return
	}
	c := capacity(sites)
	if c == nil {
		if _, headers := elem.(adjoint.Slice); smallScalar(elem) || headers {
			a.growable(name, elem)
		}
		return
	}
	key := adjoint.TypeString(elem)
	if _, ok := a.groups[key]; !ok {
		a.order = append(a.order, key)
		a.elems[key] = elem
	}
	a.groups[key] = append(a.groups[key], tapeAlloc{name, c})
}

// growable starts a tape of unknown length in a stack array, or empty for
// slice headers; beyond that it grows into a buffer from the pool.
func (a *tapeAllocator) growable(name string, elem adjoint.Type) {
	l := a.l
	// Past the array, it grows into storage from the function's pool
	// (opt.PoolStorage).
	if l.appendedTapes == nil {
		l.appendedTapes = map[string]adjoint.Type{}
	}
	l.appendedTapes[name] = elem
	if _, headers := elem.(adjoint.Slice); headers {
		// Slice headers take no stack array (as in tapeStorage): the tape
		// starts empty and its first trip takes a buffer from the pool.
		return
	}
	if l.fusing || l.hoistAll {
		// Each trip of a sum loop empties the tape again: the first one's
		// storage serves them all. With early returns the goto to the
		// backward sweep must not jump over the array's declaration: it
		// goes with the function's variables too.
		array := l.hoistedArray(elem)
		a.out = append(a.out, adjoint.If{Cond: adjoint.Bin("==", capOf(name), adjoint.Literal("0")),
			Then: []adjoint.Stmt{adjoint.Set(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(array), Hi: adjoint.Literal("0")})}})
		return
	}
	array := l.Names.Fresh("tapeArray")
	a.out = append(a.out,
		adjoint.VarDecl{Names: []string{array}, Type: adjoint.Array{Len: int64(stackTiers[0]), Elem: elem}},
		adjoint.Set(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(array), Hi: adjoint.Literal("0")}))
}

// namedTrips names each trip count in a capacity once (iters := len(w)),
// rather than repeat it in every capacity that needs it.
func (a *tapeAllocator) namedTrips(e adjoint.Expr) adjoint.Expr {
	switch x := e.(type) {
	case adjoint.Binary:
		return adjoint.Binary{Op: x.Op, X: a.namedTrips(x.X), Y: a.namedTrips(x.Y)}
	case adjoint.Call:
		key := adjoint.ExprString(x)
		if id, ok := a.trips[key]; ok {
			return id
		}
		v := &Variable{Name: a.l.Names.Fresh("iters"), IR: adjoint.Named{Name: "int"}, temp: true}
		a.l.hoist(v)
		a.out = append(a.out, adjoint.Set(adjoint.Id(v.Name), "=", x))
		a.trips[key] = adjoint.Id(v.Name)
		return a.trips[key]
	}
	return e
}

// allocate writes the storage of one group: a stack array when the total
// is a small constant, the tape's own storage when it is alone, else one
// block cut into the group's tapes.
func (a *tapeAllocator) allocate(g []tapeAlloc, elem adjoint.Type) {
	l := a.l
	if a.onStack(g, elem) {
		return
	}
	if len(g) == 1 {
		if l.fusing {
			a.out = append(a.out, l.reusedStorage(g[0].name, elem, g[0].cap, true)...)
		} else {
			a.out = append(a.out, l.tapeStorage(g[0].name, elem, g[0].cap, true)...)
		}
		return
	}
	// One block of storage for the whole nest, cut into the tapes.
	buf := &Variable{Name: l.Names.Fresh("tapes"), IR: adjoint.Slice{Elem: elem}, temp: true}
	l.hoist(buf)
	var total adjoint.Expr
	for _, t := range g {
		total = add2(total, t.cap)
	}
	if _, simple := total.(adjoint.Ident); !simple {
		size := &Variable{Name: l.Names.Fresh("tapeLen"), IR: adjoint.Named{Name: "int"}, temp: true}
		l.hoist(size)
		a.out = append(a.out, adjoint.Set(adjoint.Id(size.Name), "=", total))
		total = adjoint.Id(size.Name)
	}
	if l.fusing {
		block := &Variable{Name: l.Names.Fresh("tapeBlock"), IR: adjoint.Slice{Elem: elem}, temp: true}
		l.hoist(block)
		a.out = append(a.out, l.reusedStorage(block.Name, elem, total, false)...)
		a.out = append(a.out, adjoint.Set(adjoint.Id(buf.Name), "=", adjoint.SliceExpr{X: adjoint.Id(block.Name), Hi: total}))
	} else {
		a.out = append(a.out, l.tapeStorage(buf.Name, elem, total, false)...)
	}
	// Each tape takes its part off the front: x, buf = buf[:0:n], buf[n:].
	for _, t := range g {
		a.out = append(a.out, adjoint.Assign{
			Lhs: []adjoint.Expr{adjoint.Id(t.name), adjoint.Id(buf.Name)},
			Op:  "=",
			Rhs: []adjoint.Expr{
				adjoint.SliceExpr{X: adjoint.Id(buf.Name), Hi: adjoint.Literal("0"), Max: t.cap},
				adjoint.SliceExpr{X: adjoint.Id(buf.Name), Lo: t.cap},
			},
		})
	}
}

// onStack cuts the group's tapes out of one array on the stack when their
// total is a constant that fits: no allocation at all, and a sum loop
// reuses it on every trip. It reports whether it did.
func (a *tapeAllocator) onStack(g []tapeAlloc, elem adjoint.Type) bool {
	size := int64(0)
	for _, t := range g {
		n, ok := constInt(t.cap)
		if !ok {
			return false
		}
		size += n
	}
	if size > 8192 {
		return false
	}
	buf := &Variable{Name: a.l.Names.Fresh("tapeArray"), IR: adjoint.Array{Len: size, Elem: elem}, temp: true}
	a.l.hoist(buf)
	var off int64
	for _, t := range g {
		n, _ := constInt(t.cap)
		a.out = append(a.out, adjoint.Set(adjoint.Id(t.name), "=", adjoint.SliceExpr{X: adjoint.Id(buf.Name),
			Lo: litOrNil(off), Hi: adjoint.Literal(itoa(int(off))), Max: adjoint.Literal(itoa(int(off + n)))}))
		off += n
	}
	return true
}

// stackTiers are the sizes, in elements, of the arrays on the stack that
// hold a tape whose length is known only when its loop nest starts. A make
// of that length would cost a heap allocation on every call — measured at
// ~5 µs for 8 KiB in a gradient called in a loop, mostly the collector's,
// against ~70 ns to zero an 8 KiB array — so a tape that fits takes the
// smallest array that holds it. Each array is declared in its own branch,
// so only the one taken is zeroed; two tiers keep that zeroing within a
// small factor of the tape's own writes, and the largest bounds the frame.
var stackTiers = []int{64, 1024}

// tapeStorage gives the tape (empty) or the tapes' block (whole) named name
// room for n elements of type elem: the smallest stack array of stackTiers
// that holds them, else one heap allocation.
func (l *Lowerer) tapeStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	made := makeStorage(name, elem, n, empty)
	tiers := stackTiers
	if !smallScalar(elem) {
		// Values without references (points, small arrays) take the
		// first tier only: 64 of them fit in 8 KiB.
		tiers = nil
		if vt := l.tapeValues[adjoint.TypeString(elem)]; vt != nil && SmallValue(vt) {
			tiers = stackTiers[:1]
		}
	}
	// Slice headers (views taped per trip) take no stack tier, but their
	// storage is pooled too: what a pooled buffer still points at is kept
	// alive until the collector empties the pool, two cycles at most.
	if _, headers := elem.(adjoint.Slice); len(tiers) > 0 || headers {
		if l.heapTapes == nil {
			l.heapTapes = map[string]bool{}
		}
		l.heapTapes[name] = true
	}
	if _, constant := constInt(n); constant || len(tiers) == 0 {
		return []adjoint.Stmt{made}
	}
	arrays := make([]string, len(tiers))
	for i := range tiers {
		arrays[i] = l.Names.Fresh("tapeArray")
	}
	chain := []adjoint.Stmt{made}
	for i := len(tiers) - 1; i >= 0; i-- {
		part := adjoint.SliceExpr{X: adjoint.Id(arrays[i]), Hi: n}
		if empty {
			part = adjoint.SliceExpr{X: adjoint.Id(arrays[i]), Hi: adjoint.Literal("0"), Max: n}
		}
		chain = []adjoint.Stmt{adjoint.If{
			Cond: adjoint.Bin("<=", n, adjoint.Literal(itoa(tiers[i]))),
			Then: []adjoint.Stmt{
				adjoint.VarDecl{Names: []string{arrays[i]}, Type: adjoint.Array{Len: int64(tiers[i]), Elem: elem}},
				adjoint.Set(adjoint.Id(name), "=", part),
			},
			Else: chain,
		}}
	}
	return chain
}

// reusedStorage sets up the storage of a loop nest inside a sum loop, which
// runs once per trip of that loop and empties its tapes before the next.
// Storage is set up only when a trip needs more than the last one got, so
// that later trips reuse it. An array declared in the trip would move to
// the heap (it would outlive its trip), so the one stack array, of the
// smallest tier, is declared with the function's variables; beyond it, a
// make that at least doubles the storage.
func (l *Lowerer) reusedStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	// Trips whose needs grow (an inner loop over the outer index) would
	// allocate on every trip that needs more: doubling keeps it to a few.
	grown := adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{n, adjoint.Bin("*", adjoint.Literal("2"), capOf(name))}}
	setup := []adjoint.Stmt{makeStorage(name, elem, grown, empty)}
	_, headers := elem.(adjoint.Slice)
	if vt := l.tapeValues[adjoint.TypeString(elem)]; smallScalar(elem) || headers || vt != nil && SmallValue(vt) {
		// Grown in a buffer from the function's pool (see poolTapes).
		if l.grownTapes == nil {
			l.grownTapes = map[string]bool{}
		}
		l.grownTapes[name] = true
	}
	if smallScalar(elem) {
		array := l.hoistedArray(elem)
		whole := adjoint.SliceExpr{X: adjoint.Id(array)}
		if empty {
			whole = adjoint.SliceExpr{X: adjoint.Id(array), Hi: adjoint.Literal("0")}
		}
		setup = []adjoint.Stmt{adjoint.If{
			Cond: adjoint.Bin("<=", n, adjoint.Literal(itoa(stackTiers[0]))),
			Then: []adjoint.Stmt{adjoint.Set(adjoint.Id(name), "=", whole)},
			Else: setup,
		}}
	}
	out := []adjoint.Stmt{adjoint.If{Cond: adjoint.Bin("<", capOf(name), n), Then: setup}}
	if empty {
		out = append(out, adjoint.Set(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(name), Hi: adjoint.Literal("0")}))
	}
	return out
}

// hoistedArray declares, with the function's variables, an array of the
// smallest stack tier for a tape inside a sum loop, and returns its name.
func (l *Lowerer) hoistedArray(elem adjoint.Type) string {
	v := &Variable{Name: l.Names.Fresh("tapeArray"), IR: adjoint.Array{Len: int64(stackTiers[0]), Elem: elem}, temp: true}
	l.hoist(v)
	return v.Name
}

// makeStorage is name = make([]elem, 0, n) for an empty tape, or
// make([]elem, n) for a block cut into tapes.
func makeStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) adjoint.Stmt {
	args := []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}, n}
	if empty {
		args = []adjoint.Expr{args[0], adjoint.Literal("0"), n}
	}
	return adjoint.Set(adjoint.Id(name), "=", adjoint.Call{Fun: adjoint.Id("make"), Args: args})
}

func capOf(name string) adjoint.Expr {
	return adjoint.Call{Fun: adjoint.Id("cap"), Args: []adjoint.Expr{adjoint.Id(name)}}
}

// smallScalar reports whether elem is a predeclared numeric or bool type,
// the element types whose arrays stackTiers was sized for.
func smallScalar(elem adjoint.Type) bool {
	n, ok := elem.(adjoint.Named)
	if !ok || n.Path != "" {
		return false
	}
	switch n.Name {
	case "float64", "float32", "int", "int64", "int32", "uint", "uint64", "uint32", "bool":
		return true
	}
	return false
}

// constInt evaluates a capacity made of integer literals, + and *.
func constInt(e adjoint.Expr) (int64, bool) {
	switch e := e.(type) {
	case adjoint.Lit:
		n := int64(0)
		for _, c := range e.Text {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	case adjoint.Binary:
		x, ok1 := constInt(e.X)
		y, ok2 := constInt(e.Y)
		switch {
		case !ok1 || !ok2:
		case e.Op == "+":
			return x + y, true
		case e.Op == "*":
			return x * y, true
		}
	}
	return 0, false
}

func litOrNil(n int64) adjoint.Expr {
	if n == 0 {
		return nil
	}
	return adjoint.Literal(itoa(int(n)))
}

func add2(x, y adjoint.Expr) adjoint.Expr {
	if x == nil || adjoint.IsLit(x, "0") {
		return y
	}
	return adjoint.Bin("+", x, y)
}

// SmallValue reports whether t holds no references (isRef) and 64 of it fit in
// 8 KiB: a slice of it (points, small arrays) can take its scratch on the
// stack as a float slice does.
func SmallValue(t types.Type) bool {
	if gotypes.IsRef(t) || gotypes.IsTypeParam(t) {
		return false
	}
	if _, ok := gotypes.IrType(t); !ok {
		return false
	}
	return types.SizesFor("gc", "amd64").Sizeof(t)*StackScratch <= 8192
}

// StackScratch is the length up to which a float slice of scratch lives
// in an array on the stack, as tapes do: small problems allocate nothing.
const StackScratch = 64
