package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Control flow is reversed structurally. The forward sweep records what
// the backward sweep cannot recompute — which branch an if took, how many
// times a loop ran, whether a statement ran to its end or left early — and
// the backward sweep replays the same structure in reverse: an if on the
// recorded branch, a loop counting the recorded trips down. Outside loops a
// record is a local variable; inside loops, where each iteration records
// again, it is a stack (a tape) pushed going forward and popped going back.

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
	return assign(adjoint.Id(t.name), "=", adjoint.Call{Fun: adjoint.Id("append"), Args: []adjoint.Expr{adjoint.Id(t.name), e}})
}

// top is name[len(name)-1].
func top(name string) adjoint.Expr {
	return adjoint.Index{X: adjoint.Id(name), Index: bin("-", lenOf(name), lit("1"))}
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
		assign(dst, "=", val),
		assign(adjoint.Id(t.name), "=", adjoint.SliceExpr{X: adjoint.Id(t.name), Hi: bin("-", lenOf(t.name), lit("1"))}),
	}
}

// tapeFor returns the tape of v's old values in the current outermost
// loop: one per variable and loop nest, so that each can be given its
// capacity before its loop starts.
func (l *lowerer) tapeFor(v *variable, lv adjoint.Expr, t types.Type, it adjoint.Type) *tape {
	key := tapeKey{v, adjoint.TypeString(it), l.loops[0]}
	tp, ok := l.tapeOf[key]
	if !ok {
		base := v.name
		if _, whole := lv.(adjoint.Ident); !whole {
			base += "Elem"
		}
		tp = &tape{name: l.names.fresh(base + "Tape"), elem: it}
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
	v    *variable
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
				prod = bin("*", prod, ctx.trip)
			}
		}
		total = add(total, prod)
	}
	return total
}

// allocateTapes gives every tape of the loop nest starting at ctx its
// capacity, so that pushing never reallocates: storage on the stack when it
// fits (see stackTiers), else one allocation per nest and call. A tape whose
// length is not known before the nest (a while loop's) starts in a small
// stack array and grows by append beyond it.
func (l *lowerer) allocateTapes(ctx *loopCtx) []adjoint.Stmt {
	type alloc struct {
		name string
		cap  adjoint.Expr
	}
	groups := map[string][]alloc{}
	elems := map[string]adjoint.Type{}
	var order []string
	var out []adjoint.Stmt
	add := func(name string, elem adjoint.Type, sites [][]*loopCtx) {
		if len(sites) == 0 || sites[0][0] != ctx {
			return
		}
		c := capacity(sites)
		if c == nil {
			if !smallScalar(elem) {
				return
			}
			if l.fusing || l.hoistAll {
				// Each trip of a sum loop empties the tape again: the
				// first one's storage serves them all. With early returns
				// the goto to the backward sweep must not jump over the
				// array's declaration: it goes with the function's
				// variables too.
				array := l.hoistedArray(elem)
				out = append(out, adjoint.If{Cond: bin("==", capOf(name), lit("0")),
					Then: []adjoint.Stmt{assign(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(array), Hi: lit("0")})}})
				return
			}
			array := l.names.fresh("tapeArray")
			out = append(out,
				adjoint.VarDecl{Names: []string{array}, Type: adjoint.Array{Len: int64(stackTiers[0]), Elem: elem}},
				assign(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(array), Hi: lit("0")}))
			return
		}
		key := adjoint.TypeString(elem)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
			elems[key] = elem
		}
		groups[key] = append(groups[key], alloc{name, c})
	}
	for _, t := range l.tapes {
		elem := t.elem
		if t.store != nil {
			elem = t.store
		}
		add(t.name, elem, t.sites)
	}
	for _, r := range l.recorders {
		if r.tape {
			add(r.name, f64, [][]*loopCtx{r.site})
		}
	}
	// Name each trip count once, rather than repeat it in every capacity.
	trips := map[string]adjoint.Expr{}
	named := func(e adjoint.Expr) adjoint.Expr {
		var visit func(adjoint.Expr) adjoint.Expr
		visit = func(e adjoint.Expr) adjoint.Expr {
			switch x := e.(type) {
			case adjoint.Binary:
				return adjoint.Binary{Op: x.Op, X: visit(x.X), Y: visit(x.Y)}
			case adjoint.Call:
				key := adjoint.ExprString(x)
				if id, ok := trips[key]; ok {
					return id
				}
				v := &variable{name: l.names.fresh("iters"), ir: adjoint.Named{Name: "int"}, temp: true}
				l.hoist(v)
				out = append(out, assign(adjoint.Id(v.name), "=", x))
				trips[key] = adjoint.Id(v.name)
				return trips[key]
			}
			return e
		}
		return visit(e)
	}
	for _, key := range order {
		for i := range groups[key] {
			groups[key][i].cap = named(groups[key][i].cap)
		}
	}
	for _, key := range order {
		g := groups[key]
		// A constant total fits in an array on the stack: no allocation
		// at all, and a sum loop reuses it on every trip.
		size := int64(0)
		constant := true
		for _, a := range g {
			n, ok := constInt(a.cap)
			constant = constant && ok
			size += n
		}
		if constant && size <= 8192 {
			buf := &variable{name: l.names.fresh("tapeArray"), ir: adjoint.Array{Len: size, Elem: elems[key]}, temp: true}
			l.hoist(buf)
			var off int64
			for _, a := range g {
				n, _ := constInt(a.cap)
				out = append(out, assign(adjoint.Id(a.name), "=", adjoint.SliceExpr{X: adjoint.Id(buf.name),
					Lo: litOrNil(off), Hi: lit(itoa(int(off))), Max: lit(itoa(int(off + n)))}))
				off += n
			}
			continue
		}
		if len(g) == 1 {
			if l.fusing {
				out = append(out, l.reusedStorage(g[0].name, elems[key], g[0].cap, true)...)
			} else {
				out = append(out, l.tapeStorage(g[0].name, elems[key], g[0].cap, true)...)
			}
			continue
		}
		// One block of storage for the whole nest, cut into the tapes.
		buf := &variable{name: l.names.fresh("tapes"), ir: adjoint.Slice{Elem: elems[key]}, temp: true}
		l.hoist(buf)
		var total adjoint.Expr
		for _, a := range g {
			total = add2(total, a.cap)
		}
		if _, simple := total.(adjoint.Ident); !simple {
			size := &variable{name: l.names.fresh("tapeLen"), ir: adjoint.Named{Name: "int"}, temp: true}
			l.hoist(size)
			out = append(out, assign(adjoint.Id(size.name), "=", total))
			total = adjoint.Id(size.name)
		}
		if l.fusing {
			block := &variable{name: l.names.fresh("tapeBlock"), ir: adjoint.Slice{Elem: elems[key]}, temp: true}
			l.hoist(block)
			out = append(out, l.reusedStorage(block.name, elems[key], total, false)...)
			out = append(out, assign(adjoint.Id(buf.name), "=", adjoint.SliceExpr{X: adjoint.Id(block.name), Hi: total}))
		} else {
			out = append(out, l.tapeStorage(buf.name, elems[key], total, false)...)
		}
		// Each tape takes its part off the front: x, buf = buf[:0:n], buf[n:].
		for _, a := range g {
			out = append(out, adjoint.Assign{
				Lhs: []adjoint.Expr{adjoint.Id(a.name), adjoint.Id(buf.name)},
				Op:  "=",
				Rhs: []adjoint.Expr{
					adjoint.SliceExpr{X: adjoint.Id(buf.name), Hi: lit("0"), Max: a.cap},
					adjoint.SliceExpr{X: adjoint.Id(buf.name), Lo: a.cap},
				},
			})
		}
	}
	return out
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
func (l *lowerer) tapeStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	made := makeStorage(name, elem, n, empty)
	if _, constant := constInt(n); constant || !smallScalar(elem) {
		return []adjoint.Stmt{made}
	}
	arrays := make([]string, len(stackTiers))
	for i := range stackTiers {
		arrays[i] = l.names.fresh("tapeArray")
	}
	chain := []adjoint.Stmt{made}
	for i := len(stackTiers) - 1; i >= 0; i-- {
		part := adjoint.SliceExpr{X: adjoint.Id(arrays[i]), Hi: n}
		if empty {
			part = adjoint.SliceExpr{X: adjoint.Id(arrays[i]), Hi: lit("0"), Max: n}
		}
		chain = []adjoint.Stmt{adjoint.If{
			Cond: bin("<=", n, lit(itoa(stackTiers[i]))),
			Then: []adjoint.Stmt{
				adjoint.VarDecl{Names: []string{arrays[i]}, Type: adjoint.Array{Len: int64(stackTiers[i]), Elem: elem}},
				assign(adjoint.Id(name), "=", part),
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
func (l *lowerer) reusedStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	// Trips whose needs grow (an inner loop over the outer index) would
	// allocate on every trip that needs more: doubling keeps it to a few.
	grown := adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{n, bin("*", lit("2"), capOf(name))}}
	setup := []adjoint.Stmt{makeStorage(name, elem, grown, empty)}
	if smallScalar(elem) {
		array := l.hoistedArray(elem)
		whole := adjoint.SliceExpr{X: adjoint.Id(array)}
		if empty {
			whole = adjoint.SliceExpr{X: adjoint.Id(array), Hi: lit("0")}
		}
		setup = []adjoint.Stmt{adjoint.If{
			Cond: bin("<=", n, lit(itoa(stackTiers[0]))),
			Then: []adjoint.Stmt{assign(adjoint.Id(name), "=", whole)},
			Else: setup,
		}}
	}
	out := []adjoint.Stmt{adjoint.If{Cond: bin("<", capOf(name), n), Then: setup}}
	if empty {
		out = append(out, assign(adjoint.Id(name), "=", adjoint.SliceExpr{X: adjoint.Id(name), Hi: lit("0")}))
	}
	return out
}

// hoistedArray declares, with the function's variables, an array of the
// smallest stack tier for a tape inside a sum loop, and returns its name.
func (l *lowerer) hoistedArray(elem adjoint.Type) string {
	v := &variable{name: l.names.fresh("tapeArray"), ir: adjoint.Array{Len: int64(stackTiers[0]), Elem: elem}, temp: true}
	l.hoist(v)
	return v.name
}

// makeStorage is name = make([]elem, 0, n) for an empty tape, or
// make([]elem, n) for a block cut into tapes.
func makeStorage(name string, elem adjoint.Type, n adjoint.Expr, empty bool) adjoint.Stmt {
	args := []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}, n}
	if empty {
		args = []adjoint.Expr{args[0], lit("0"), n}
	}
	return assign(adjoint.Id(name), "=", adjoint.Call{Fun: adjoint.Id("make"), Args: args})
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
	return lit(itoa(int(n)))
}

func add2(x, y adjoint.Expr) adjoint.Expr {
	if x == nil || isLit(x, "0") {
		return y
	}
	return bin("+", x, y)
}

// A recorder holds one fact per execution of a statement: a bool, or an
// int. Outside loops it is a variable, inside loops a tape.
type recorder struct {
	name string
	typ  adjoint.Type
	tape bool
	site []*loopCtx // for a tape, the loops around its statement
}

// start records e for a new execution.
func (r *recorder) start(e adjoint.Expr) adjoint.Stmt {
	if r.tape {
		return (&tape{name: r.name}).push(asNumber(e))
	}
	return assign(adjoint.Id(r.name), "=", e)
}

// set changes the record of the current execution.
func (r *recorder) set(e adjoint.Expr) adjoint.Stmt {
	if r.tape {
		return assign(top(r.name), "=", asNumber(e))
	}
	return assign(adjoint.Id(r.name), "=", e)
}

// asNumber writes a record's constant as a float64 for a tape: true is 1.
func asNumber(e adjoint.Expr) adjoint.Expr {
	switch {
	case isLit(e, "true"):
		return lit("1")
	case isLit(e, "false"):
		return lit("0")
	}
	return e
}

// storedAsFloat64 reports whether values of t survive a round trip
// through float64 exactly (for integers: those a loop counts with).
func storedAsFloat64(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return false
	}
	switch b.Kind() {
	case types.Float64, types.Float32, types.Int, types.Int8, types.Int16, types.Int32,
		types.Uint8, types.Uint16, types.Uint32:
		return true
	}
	return false
}

// inc adds one to the record of the current execution.
func (r *recorder) inc() adjoint.Stmt {
	if r.tape {
		return adjoint.IncDec{X: top(r.name), Inc: true}
	}
	return adjoint.IncDec{X: adjoint.Id(r.name), Inc: true}
}

// load reads the record back in the backward sweep: for a tape, it pops
// the top into a local.
func (l *lowerer) load(r *recorder) ([]adjoint.Stmt, adjoint.Expr) {
	if !r.tape {
		return nil, adjoint.Id(r.name)
	}
	local := l.names.fresh(r.name[:len(r.name)-len("Tape")])
	var val adjoint.Expr = adjoint.Call{Fun: adjoint.Id("int"), Args: []adjoint.Expr{top(r.name)}}
	if isLit(adjoint.Id(r.typ.(adjoint.Named).Name), "bool") || r.typ.(adjoint.Named).Name == "bool" {
		val = bin("!=", top(r.name), lit("0"))
	}
	return []adjoint.Stmt{
		assign(adjoint.Id(local), ":=", val),
		assign(adjoint.Id(r.name), "=", adjoint.SliceExpr{X: adjoint.Id(r.name), Hi: bin("-", lenOf(r.name), lit("1"))}),
	}, adjoint.Id(local)
}

// A branchRec is an if or a switch: its branches and how the taken one is
// recorded.
type branchRec struct {
	branches [][]*lowered
	record   *recorder // nil when no branch has backward code
	isSwitch bool
}

// A loopRec is a for or range loop.
type loopRec struct {
	pre   []*lowered // the init statement, run once before the loop
	post  *lowered   // the post statement, or nil
	body  []*lowered
	count *recorder // iterations started
	// constTrips is the trip count of a loop that always runs a constant
	// number of times, which needs no record.
	constTrips adjoint.Expr
	broke      *recorder // whether the last iteration left early (break, return)
	// rangeIndex and rangeValue are set again from the recorded count in
	// the backward sweep, when backward code reads them.
	rangeIndex *variable
	rangeValue *variable
	rangeX     adjoint.Expr
}

// loopCtx is what a loop being lowered tells the statements inside it.
type loopCtx struct {
	stmt  ast.Stmt // the for or range statement
	label string
	broke *recorder // created on the first break or return out of this loop
	rec   *lowered
	// trip is the loop's trip count as an expression that can be
	// evaluated before its outermost enclosing loop starts, or nil.
	trip adjoint.Expr
	// index is the variable that only the loop itself advances (a range
	// key, a counting loop's counter), "" if none.
	index string
}

// lowerBlock lowers a list of statements, and decides which of them must
// record whether they ran to their end.
func (l *lowerer) lowerBlock(list []ast.Stmt) []*lowered {
	var out []*lowered
	for _, s := range list {
		out = append(out, l.lowerAny(s, "")...)
	}
	return out
}

// forward assembles the forward code of lowered statements, with the
// completion records that statements leaving early need.
func (l *lowerer) forward(recs []*lowered) []adjoint.Stmt {
	var out []adjoint.Stmt
	for i, r := range recs {
		if r.exits && r.done == nil && hasBackward(recs[i+1:]) {
			r.done = l.newRecorderAt("done", "bool", r.inLoop)
		}
		if r.done != nil {
			out = append(out, r.done.start(lit("false")))
		}
		out = append(out, r.fwd...)
		if r.done != nil {
			out = append(out, r.done.set(lit("true")))
		}
	}
	return out
}

// newRecorderAt makes a record of one fact per execution of a statement:
// a variable, or inside a loop a tape.
func (l *lowerer) newRecorderAt(base, typ string, inLoop bool) *recorder {
	r := &recorder{typ: adjoint.Named{Name: typ}, tape: inLoop}
	if inLoop {
		r.site = append([]*loopCtx(nil), l.loops...)
		r.name = l.names.fresh(base + "Tape")
	} else {
		r.name = l.names.fresh(base)
	}
	l.recorders = append(l.recorders, r)
	return r
}

// hasBackward reports whether any of recs has backward code.
func hasBackward(recs []*lowered) bool {
	for _, r := range recs {
		if r.hasBackward() {
			return true
		}
	}
	return false
}

func (r *lowered) hasBackward() bool {
	switch {
	case len(r.ops) > 0 || len(r.zeroes) > 0 || len(r.saves) > 0 || len(r.undo) > 0 || r.seed != nil:
		return true
	case r.branch != nil:
		for _, b := range r.branch.branches {
			if hasBackward(b) {
				return true
			}
		}
	case r.loop != nil:
		return hasBackward(r.loop.pre) || hasBackward(r.loop.body) || r.loop.post != nil && r.loop.post.hasBackward()
	}
	return false
}

// lowerAny lowers one statement of any kind.
func (l *lowerer) lowerAny(s ast.Stmt, label string) []*lowered {
	switch s := s.(type) {
	case *ast.BlockStmt:
		return l.lowerBlock(s.List)
	case *ast.EmptyStmt:
		return nil
	case *ast.LabeledStmt:
		switch s.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt:
			return l.lowerAny(s.Stmt, s.Label.Name)
		}
		l.errorf(s.Pos(), "labels are supported on loops and switches only: gradgen does not support goto")
		return nil
	case *ast.IfStmt:
		return l.lowerIf(s)
	case *ast.SwitchStmt:
		return l.lowerSwitch(s, label)
	case *ast.ForStmt:
		if s == l.fused {
			return l.lowerFused(s, label)
		}
		return l.lowerFor(s, label)
	case *ast.RangeStmt:
		if s == l.fused {
			return l.lowerFused(s, label)
		}
		return l.lowerRange(s, label)
	case *ast.BranchStmt:
		return l.lowerBranch(s)
	case *ast.ReturnStmt:
		return []*lowered{l.lowerReturn(s)}
	case *ast.GoStmt:
		l.errorf(s.Pos(), "cannot differentiate a go statement: a gradient cannot follow a goroutine; compute in the annotated function and start goroutines outside it")
	case *ast.DeferStmt:
		l.errorf(s.Pos(), "cannot differentiate a defer statement: move the deferred work out of the annotated function")
	case *ast.SelectStmt, *ast.SendStmt:
		l.errorf(s.Pos(), "cannot differentiate channel operations: move them out of the annotated function")
	case *ast.TypeSwitchStmt:
		l.errorf(s.Pos(), "cannot differentiate a type switch: gradgen does not follow interfaces; switch outside the annotated function")
	default:
		return []*lowered{l.lowerStmt(s)}
	}
	return nil
}

// lowerIf lowers if/else if/else. The init statement runs before, as its
// own statement (local names are unique, so widening its scope is safe).
func (l *lowerer) lowerIf(s *ast.IfStmt) []*lowered {
	var out []*lowered
	if s.Init != nil {
		out = append(out, l.lowerAny(s.Init, "")...)
	}
	cond := l.conv(s.Cond)
	inLoop := l.loopDepth > 0
	l.depth++
	then := l.lowerBlock(s.Body.List)
	var els []*lowered
	if s.Else != nil {
		els = l.lowerAny(s.Else, "")
	}
	l.depth--
	rec := &lowered{src: &ast.IfStmt{If: s.If, Cond: s.Cond, Body: &ast.BlockStmt{}}, inLoop: inLoop,
		branch: &branchRec{branches: [][]*lowered{then, els}}}
	rec.exits = exitsAny(then) || exitsAny(els)
	thenFwd, elseFwd := l.forward(then), l.forward(els)
	if hasBackward(then) || hasBackward(els) {
		r := l.newRecorderAt("cond", "bool", inLoop)
		rec.branch.record = r
		thenFwd = append([]adjoint.Stmt{r.start(lit("true"))}, thenFwd...)
		elseFwd = append([]adjoint.Stmt{r.start(lit("false"))}, elseFwd...)
	}
	rec.fwd = []adjoint.Stmt{adjoint.If{Cond: cond, Then: thenFwd, Else: elseFwd}}
	return append(out, rec)
}

func exitsAny(recs []*lowered) bool {
	for _, r := range recs {
		if r.exits {
			return true
		}
	}
	return false
}

// lowerSwitch lowers a tagged or tagless switch, recording the case taken.
func (l *lowerer) lowerSwitch(s *ast.SwitchStmt, label string) []*lowered {
	var out []*lowered
	if s.Init != nil {
		out = append(out, l.lowerAny(s.Init, "")...)
	}
	var tag adjoint.Expr
	if s.Tag != nil {
		tag = l.conv(s.Tag)
	}
	inLoop := l.loopDepth > 0
	l.depth++
	l.switches = append(l.switches, s)
	var bodies [][]*lowered
	var lists [][]adjoint.Expr
	hasDefault := false
	for _, c := range s.Body.List {
		cc := c.(*ast.CaseClause)
		if cc.List == nil {
			hasDefault = true
		}
		if n := len(cc.Body); n > 0 {
			if b, ok := cc.Body[n-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				l.errorf(b.Pos(), "fallthrough is not supported: repeat the code of the next case, or use if/else")
			}
		}
		bodies = append(bodies, l.lowerBlock(cc.Body))
		lists = append(lists, l.convAll(cc.List))
	}
	l.switches = l.switches[:len(l.switches)-1]
	l.depth--
	rec := &lowered{src: &ast.SwitchStmt{Switch: s.Switch, Tag: s.Tag, Body: &ast.BlockStmt{}}, inLoop: inLoop,
		branch: &branchRec{branches: bodies, isSwitch: true}}
	for _, b := range bodies {
		rec.exits = rec.exits || exitsAny(b)
	}
	var r *recorder
	for _, b := range bodies {
		if hasBackward(b) {
			r = l.newRecorderAt("taken", "int", inLoop)
			rec.branch.record = r
			break
		}
	}
	sw := adjoint.Switch{Label: label, Tag: tag}
	for i, b := range bodies {
		body := l.forward(b)
		if r != nil {
			body = append([]adjoint.Stmt{r.start(lit(itoa(i)))}, body...)
		}
		sw.Cases = append(sw.Cases, adjoint.Case{List: lists[i], Body: body})
	}
	if r != nil && !hasDefault {
		sw.Cases = append(sw.Cases, adjoint.Case{Body: []adjoint.Stmt{r.start(lit("-1"))}})
	}
	rec.fwd = []adjoint.Stmt{sw}
	return append(out, rec)
}

// enterLoop and leaveLoop bracket the lowering of a loop's body.
func (l *lowerer) enterLoop(s ast.Stmt, label string, rec *lowered) *loopCtx {
	ctx := &loopCtx{stmt: s, label: label, rec: rec}
	l.loops = append(l.loops, ctx)
	l.loopDepth++
	l.depth++
	return ctx
}

func (l *lowerer) leaveLoop() {
	l.loops = l.loops[:len(l.loops)-1]
	l.loopDepth--
	l.depth--
}

// lowerFor lowers a three-clause or condition-only for loop.
func (l *lowerer) lowerFor(s *ast.ForStmt, label string) []*lowered {
	rec := &lowered{src: &ast.ForStmt{For: s.For, Cond: s.Cond, Body: &ast.BlockStmt{}}, inLoop: l.loopDepth > 0, loop: &loopRec{}}
	if s.Init != nil {
		rec.loop.pre = l.lowerAny(s.Init, "")
	}
	var cond adjoint.Expr
	if s.Cond != nil {
		cond = l.conv(s.Cond)
	}
	trip := l.tripCount(s)
	ctx := l.enterLoop(s, label, rec)
	ctx.trip = trip
	if trip != nil {
		ctx.index = l.variableOf(l.info.ObjectOf(s.Init.(*ast.AssignStmt).Lhs[0].(*ast.Ident))).name
	}
	if s.Post != nil {
		rec.loop.post = l.lowerStmt(s.Post)
	}
	rec.loop.body = l.lowerBlock(s.Body.List)
	l.leaveLoop()
	rec.exits = l.loopExits(s)

	var post adjoint.Stmt
	var postCode []adjoint.Stmt
	if p := rec.loop.post; p != nil {
		if post = singleStmt(p.fwd); post == nil {
			postCode = p.fwd
		}
	}
	rec.fwd = append(l.forward(rec.loop.pre), l.loopForward(rec, ctx, func(body []adjoint.Stmt) adjoint.Stmt {
		if postCode == nil {
			return adjoint.For{Label: label, Cond: cond, Post: post, Body: body}
		}
		// A post statement that takes several statements (it saves old
		// values) runs at the top of every trip but the first, which keeps
		// continue's meaning.
		first := l.names.fresh("first")
		head := ifElse(adjoint.Unary{Op: "!", X: adjoint.Id(first)}, postCode, nil)
		if cond != nil {
			head = append(head, adjoint.If{Cond: adjoint.Unary{Op: "!", X: adjoint.Paren{X: cond}}, Then: []adjoint.Stmt{adjoint.Branch{Tok: "break"}}})
		}
		return adjoint.For{Label: label, Init: assign(adjoint.Id(first), ":=", lit("true")),
			Post: assign(adjoint.Id(first), "=", lit("false")), Body: append(head, body...)}
	})...)
	return []*lowered{rec}
}

// singleStmt turns forward code into one simple statement for a for
// clause: "x = ..." alone, or a push onto a tape followed by "x = ..."
// merged into one parallel assignment.
func singleStmt(code []adjoint.Stmt) adjoint.Stmt {
	switch len(code) {
	case 1:
		return code[0]
	case 2:
		a, ok1 := code[0].(adjoint.Assign)
		if !ok1 || a.Op != "=" || len(a.Lhs) != 1 {
			return nil
		}
		var lhs, rhs adjoint.Expr
		switch b := code[1].(type) {
		case adjoint.Assign:
			if len(b.Lhs) != 1 || b.Op == ":=" {
				return nil
			}
			lhs, rhs = b.Lhs[0], b.Rhs[0]
			if b.Op != "=" { // x op= y is x = x op (y)
				rhs = bin(strings.TrimSuffix(b.Op, "="), b.Lhs[0], adjoint.Paren{X: b.Rhs[0]})
			}
		case adjoint.IncDec:
			op := "-"
			if b.Inc {
				op = "+"
			}
			lhs, rhs = b.X, bin(op, b.X, lit("1"))
		default:
			return nil
		}
		return adjoint.Assign{Lhs: []adjoint.Expr{a.Lhs[0], lhs}, Op: "=", Rhs: []adjoint.Expr{a.Rhs[0], rhs}}
	}
	return nil
}

// loopForward wraps a loop's body with the records of its trips.
func (l *lowerer) loopForward(rec *lowered, ctx *loopCtx, build func([]adjoint.Stmt) adjoint.Stmt) []adjoint.Stmt {
	body := l.forwardInLoop(ctx, rec.loop.body)
	lp := rec.loop
	if !hasBackward([]*lowered{rec}) {
		if ctx.broke != nil {
			// Nothing goes back through the loop: whether it was left
			// early is recorded nowhere, and set nowhere.
			set := adjoint.StmtString(ctx.broke.set(lit("true")))
			body, _ = removeStmts(body, func(s adjoint.Stmt) bool { return adjoint.StmtString(s) == set })
		}
		return []adjoint.Stmt{build(body)}
	}
	lp.broke = ctx.broke
	var out []adjoint.Stmt
	if t, ok := ctx.trip.(adjoint.Lit); ok && lp.broke == nil {
		// A loop over an array always runs len(array) times: nothing to
		// record.
		lp.constTrips = t
		if len(l.loops) == 0 {
			out = l.allocateTapes(ctx)
		}
		return append(out, build(body))
	}
	lp.count = l.newRecorderAt("trips", "int", rec.inLoop)
	if len(l.loops) == 0 {
		out = l.allocateTapes(ctx)
	}
	out = append(out, lp.count.start(lit("0")))
	if lp.broke != nil {
		out = append(out, lp.broke.start(lit("false")))
	}
	return append(out, build(append([]adjoint.Stmt{lp.count.inc()}, body...)))
}

// tripCount returns the number of trips of a counting loop, as an
// expression that can be evaluated before the loop nest it belongs to
// starts, or nil. It knows range over integers, slices and arrays, and
// for i := a; i < b; i++ (and <=, and the mirror loops counting down),
// when nothing in the loop nest assigns the variables of a and b.
func (l *lowerer) tripCount(s ast.Stmt) adjoint.Expr {
	nest := s
	if len(l.loops) > 0 {
		nest = l.loops[0].stmt
	}
	invariant := func(es ...ast.Expr) bool {
		assigned := l.assignedIn(nest)
		ok := true
		for _, e := range es {
			ast.Inspect(e, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Ident:
					if assigned[l.info.Uses[n]] {
						ok = false
					}
				case *ast.CallExpr:
					if tv := l.info.Types[n.Fun]; !tv.IsType() && !tv.IsBuiltin() {
						ok = false // a call may have side effects
					}
				}
				return true
			})
		}
		return ok
	}
	switch s := s.(type) {
	case *ast.RangeStmt:
		if u, ok := l.info.TypeOf(s.X).Underlying().(*types.Array); ok {
			return lit(itoa(int(u.Len())))
		}
		if !invariant(s.X) {
			return nil
		}
		switch u := l.info.TypeOf(s.X).Underlying().(type) {
		case *types.Basic:
			if u.Info()&types.IsInteger != 0 {
				return adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{lit("0"), l.conv(s.X)}}
			}
		case *types.Array:
			return lit(itoa(int(u.Len())))
		case *types.Slice:
			return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{l.conv(s.X)}}
		}
	case *ast.ForStmt:
		init, ok := s.Init.(*ast.AssignStmt)
		if !ok || len(init.Lhs) != 1 || len(init.Rhs) != 1 || s.Cond == nil || s.Post == nil {
			return nil
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		post, ok2 := s.Post.(*ast.IncDecStmt)
		cond, ok3 := s.Cond.(*ast.BinaryExpr)
		if !ok || !ok2 || !ok3 || identOf(post.X) == nil || l.info.ObjectOf(identOf(post.X)) != l.info.ObjectOf(id) ||
			identOf(cond.X) == nil || l.info.ObjectOf(identOf(cond.X)) != l.info.ObjectOf(id) {
			return nil
		}
		if b, ok := l.info.ObjectOf(id).Type().Underlying().(*types.Basic); !ok || b.Info()&types.IsInteger == 0 {
			return nil
		}
		// The counter itself may change only in the post statement.
		counter := l.info.ObjectOf(id)
		changed := false
		ast.Inspect(s.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, x := range n.Lhs {
					if l.rootVar(x) == counter {
						changed = true
					}
				}
			case *ast.IncDecStmt:
				if l.rootVar(n.X) == counter {
					changed = true
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND && l.rootVar(n.X) == counter {
					changed = true
				}
			}
			return true
		})
		if changed || !invariant(init.Rhs[0], cond.Y) {
			return nil
		}
		a, b := l.conv(init.Rhs[0]), l.conv(cond.Y)
		minus := func(x, y adjoint.Expr) adjoint.Expr {
			if isLit(y, "0") {
				return x
			}
			return bin("-", x, adjoint.Operand(y, "-", true))
		}
		var n adjoint.Expr
		switch {
		case post.Tok == token.INC && cond.Op == token.LSS:
			n = minus(b, a)
		case post.Tok == token.INC && cond.Op == token.LEQ:
			n = bin("+", minus(b, a), lit("1"))
		case post.Tok == token.DEC && cond.Op == token.GTR:
			n = minus(a, b)
		case post.Tok == token.DEC && cond.Op == token.GEQ:
			n = bin("+", minus(a, b), lit("1"))
		default:
			return nil
		}
		return adjoint.Call{Fun: adjoint.Id("max"), Args: []adjoint.Expr{lit("0"), n}}
	}
	return nil
}

// assignedIn returns the variables that statements inside s assign or
// take the address of.
func (l *lowerer) assignedIn(s ast.Stmt) map[types.Object]bool {
	out := map[types.Object]bool{}
	mark := func(x ast.Expr) {
		if v := l.rootVar(x); v != nil {
			out[v] = true
		}
	}
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				mark(x)
			}
		case *ast.IncDecStmt:
			mark(n.X)
		case *ast.RangeStmt:
			if n.Key != nil {
				mark(n.Key)
			}
			if n.Value != nil {
				mark(n.Value)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		}
		return true
	})
	return out
}

// forwardInLoop assembles a loop body's forward code; completion records
// inside it are tapes.
func (l *lowerer) forwardInLoop(ctx *loopCtx, recs []*lowered) []adjoint.Stmt {
	l.loopDepth++
	l.loops = append(l.loops, ctx)
	defer func() {
		l.loopDepth--
		l.loops = l.loops[:len(l.loops)-1]
	}()
	return l.forward(recs)
}

// brokeRecorder returns the record of a loop left early, creating it.
func (l *lowerer) brokeRecorder(ctx *loopCtx) *recorder {
	if ctx.broke == nil {
		// It is recorded once per run of its loop: its site is the loops
		// around that loop.
		saved := l.loops
		for i, c := range l.loops {
			if c == ctx {
				l.loops = l.loops[:i]
				break
			}
		}
		ctx.broke = l.newRecorderAt("broke", "bool", ctx.rec.inLoop)
		l.loops = saved
	}
	return ctx.broke
}

// lowerRange lowers a range loop over an integer, a slice or an array.
func (l *lowerer) lowerRange(s *ast.RangeStmt, label string) []*lowered {
	rec := &lowered{src: &ast.RangeStmt{For: s.For, Key: s.Key, Value: s.Value, Tok: s.Tok, X: s.X, Body: &ast.BlockStmt{}},
		inLoop: l.loopDepth > 0, loop: &loopRec{}, loops: l.loopStmts()}
	xt := l.info.TypeOf(s.X)
	switch u := xt.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsInteger == 0 && u.Info()&types.IsString == 0 {
			l.errorf(s.X.Pos(), "cannot range over %s here", xt)
		}
	case *types.Slice, *types.Array:
	case *types.Pointer:
		if _, ok := u.Elem().Underlying().(*types.Array); !ok {
			l.errorf(s.X.Pos(), "cannot range over %s here", xt)
		}
	default:
		l.errorf(s.X.Pos(), "cannot differentiate a loop over %s: gradgen reverses loops over integers, slices and arrays; loop over a slice of keys instead", xt)
	}
	x := l.conv(s.X)
	// The value of a range over an active slice is an alias of its
	// element: its adjoint is the element's, dxs[i] for xs[i], which needs
	// the index even where the source names none.
	var aliasKey *variable
	if id, ok := s.Value.(*ast.Ident); ok && id.Name != "_" && l.exprVaried(s.X) {
		if kid, ok := s.Key.(*ast.Ident); ok && kid.Name != "_" {
			aliasKey = l.variableOf(l.info.ObjectOf(kid))
		} else {
			aliasKey = l.newTemp("i", types.Typ[types.Int])
		}
		vv := l.variableOf(l.info.ObjectOf(id))
		vv.alias = adjoint.Index{X: l.adjPath(s.X), Index: adjoint.Id(aliasKey.name)}
		for _, n := range []ast.Node{s.Body} {
			ast.Inspect(n, func(m ast.Node) bool {
				if as, ok := m.(*ast.AssignStmt); ok {
					for _, lhs := range as.Lhs {
						if l.rootVar(lhs) == l.info.ObjectOf(id) {
							l.errorf(lhs.Pos(), "cannot assign to %s, the value of a range over an active slice: gradgen reads it as the element going back; assign the new value to a new variable (%s2 := ...)", id.Name, id.Name)
						}
					}
				}
				return true
			})
		}
	}
	trip := l.tripCount(s)
	ctx := l.enterLoop(s, label, rec)
	ctx.trip = trip
	if id, ok := s.Key.(*ast.Ident); ok && id.Name != "_" && !l.assignedIn(s.Body)[l.info.ObjectOf(id)] {
		ctx.index = l.variableOf(l.info.ObjectOf(id)).name
	}
	rec.loop.body = l.lowerBlock(s.Body.List)
	l.leaveLoop()
	rec.exits = l.loopExits(s)

	// Backward code that reads the index or the value gets them back from
	// the trip count, so the forward loop must leave them visible.
	key, value := s.Key, s.Value
	var keyVar, valueVar *variable
	if id, ok := key.(*ast.Ident); ok && id.Name != "_" {
		keyVar = l.variableOf(l.info.ObjectOf(id))
	}
	if aliasKey != nil {
		keyVar = aliasKey
	}
	if id, ok := value.(*ast.Ident); ok && id.Name != "_" {
		valueVar = l.variableOf(l.info.ObjectOf(id))
	}
	needValue := valueVar != nil && l.needed[valueVar.name] && hasBackward([]*lowered{rec})
	needKey := keyVar != nil && (l.needed[keyVar.name] || aliasKey != nil) && hasBackward([]*lowered{rec})
	if needValue {
		// The value comes back from its index, which comes back too.
		if keyVar == nil {
			keyVar = l.newTemp("i", types.Typ[types.Int])
		}
		needKey = true
	}
	define := s.Tok == token.DEFINE
	if needKey || needValue || l.hoistAll {
		define = false
		for _, v := range []*variable{keyVar, valueVar} {
			if v != nil {
				l.hoist(v)
			}
		}
	}
	if needKey {
		rec.loop.rangeIndex = keyVar
	}
	if needValue {
		rec.loop.rangeValue = valueVar
		rec.loop.rangeX = x
	}
	var keyIR, valueIR adjoint.Expr
	if keyVar != nil {
		keyIR = adjoint.Id(keyVar.name)
	} else if valueVar != nil {
		keyIR = adjoint.Id("_")
	}
	if valueVar != nil {
		valueIR = adjoint.Id(valueVar.name)
	}
	rec.fwd = l.loopForward(rec, ctx, func(body []adjoint.Stmt) adjoint.Stmt {
		return adjoint.Range{Label: label, Key: keyIR, Value: valueIR, Define: define && keyIR != nil, X: x, Body: body}
	})
	return []*lowered{rec}
}

// loopExits reports whether control can leave the loop s other than by
// its condition: a return, or a break or continue aimed at an outer loop.
func (l *lowerer) loopExits(s ast.Stmt) bool {
	return l.leavesStmt(s)
}

// leavesStmt reports whether a return, or a branch whose target lies
// outside s, occurs inside s.
func (l *lowerer) leavesStmt(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		case *ast.BranchStmt:
			if t := l.targets[n]; t != nil && (t.Pos() < s.Pos() || t.End() > s.End()) {
				found = true
			}
		}
		return true
	})
	return found
}

// lowerBranch lowers break and continue. A break records that its loop
// was left early, so that the backward sweep skips the post statement the
// last iteration never ran.
func (l *lowerer) lowerBranch(s *ast.BranchStmt) []*lowered {
	rec := &lowered{src: s, inLoop: l.loopDepth > 0, pend: map[string]bool{}}
	label := ""
	if s.Label != nil {
		label = s.Label.Name
	}
	// The loops this jump leaves skip their post statement on this trip:
	// for a break, the loops inside its target and the target itself; for
	// a continue, only the loops inside its target.
	leaves := func(includeTarget bool) {
		target := l.targets[s]
		for i := len(l.loops) - 1; i >= 0; i-- {
			ctx := l.loops[i]
			if ctx.stmt == target && !includeTarget {
				break
			}
			rec.fwd = append(rec.fwd, l.brokeRecorder(ctx).set(lit("true")))
			if ctx.stmt == target {
				break
			}
		}
	}
	switch s.Tok {
	case token.BREAK:
		if isLoop(l.targets[s]) {
			leaves(true)
		} else {
			// A break out of a switch leaves the loops inside the switch.
			for i := len(l.loops) - 1; i >= 0 && inside(l.loops[i].stmt, l.targets[s]); i-- {
				rec.fwd = append(rec.fwd, l.brokeRecorder(l.loops[i]).set(lit("true")))
			}
		}
	case token.CONTINUE:
		leaves(false)
	case token.GOTO:
		l.errorf(s.Pos(), "cannot differentiate goto: rewrite it with loops, break and continue")
		return nil
	case token.FALLTHROUGH:
		return nil // reported by lowerSwitch
	}
	rec.fwd = append(rec.fwd, adjoint.Branch{Tok: s.Tok.String(), Label: label})
	rec.exits = true
	return []*lowered{rec}
}

// resolveTargets maps every break and continue of the body to the
// statement it leaves or continues.
func (l *lowerer) resolveTargets(body *ast.BlockStmt) {
	l.targets = map[*ast.BranchStmt]ast.Stmt{}
	labels := map[string]ast.Stmt{}
	var walk func(n ast.Node, loops, breakables []ast.Stmt)
	walk = func(n ast.Node, loops, breakables []ast.Stmt) {
		ast.Inspect(n, func(m ast.Node) bool {
			if m == n {
				return true
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.LabeledStmt:
				labels[m.Label.Name] = m.Stmt
			case *ast.ForStmt, *ast.RangeStmt:
				s := m.(ast.Stmt)
				walk(m, append(loops, s), append(breakables, s))
				return false
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				s := m.(ast.Stmt)
				walk(m, loops, append(breakables, s))
				return false
			case *ast.BranchStmt:
				switch {
				case m.Label != nil:
					l.targets[m] = labels[m.Label.Name]
				case m.Tok == token.BREAK && len(breakables) > 0:
					l.targets[m] = breakables[len(breakables)-1]
				case m.Tok == token.CONTINUE && len(loops) > 0:
					l.targets[m] = loops[len(loops)-1]
				}
			}
			return true
		})
	}
	walk(body, nil, nil)
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}

// backward writes the backward code of a block: its statements in reverse,
// each after a statement that may have left early guarded by that
// statement's completion record.
func (l *lowerer) backward(recs []*lowered) []adjoint.Stmt {
	// A statement after one that may have left early runs only when that
	// one completed: for the guards of untaken paths its backward code is
	// nested that much deeper, so values before the exit that only it
	// reads are guarded by their adjoints (b := math.Sqrt(-x); if x > 0
	// { return x*x }; return b).
	base := l.exitDepth
	defer func() { l.exitDepth = base }()
	exits := make([]int, len(recs))
	for i := 1; i < len(recs); i++ {
		exits[i] = exits[i-1]
		if recs[i-1].done != nil {
			exits[i]++
		}
	}
	var out []adjoint.Stmt
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		l.exitDepth = base + exits[i]
		if r.done != nil {
			pre, ran := l.load(r.done)
			guarded := out
			out = pre
			if len(guarded) > 0 {
				out = append(out, adjoint.If{Cond: ran, Then: guarded})
				l.forgetZeros(guarded)
			}
		}
		out = append(out, l.reverseAny(r)...)
	}
	return out
}

// forgetZeros marks every adjoint that code mentions as possibly non-zero:
// code that runs conditionally, or repeatedly, leaves no adjoint known.
func (l *lowerer) forgetZeros(code []adjoint.Stmt) {
	for _, s := range code {
		walkStmt(s, func(e adjoint.Expr) {
			if id, ok := e.(adjoint.Ident); ok {
				delete(l.zero, id.Name)
			}
		})
	}
}

// nestedBackward writes backward code that runs conditionally or
// repeatedly: no adjoint's value is known inside it.
func (l *lowerer) nestedBackward(write func() []adjoint.Stmt) []adjoint.Stmt {
	saved := l.zero
	l.zero = map[string]bool{}
	l.revDepth++
	code := write()
	l.revDepth--
	l.zero = saved
	l.forgetZeros(code)
	return code
}

// reverseAny writes the backward code of one lowered statement.
func (l *lowerer) reverseAny(r *lowered) []adjoint.Stmt {
	switch {
	case r.branch != nil:
		return l.reverseBranch(r)
	case r.loop != nil:
		return l.reverseLoop(r)
	}
	return l.reverse(r)
}

// header is the first line of a compound statement, for comments.
func (l *lowerer) header(s ast.Stmt) string {
	text := l.source(s)
	if i := strings.Index(text, "{"); i > 0 {
		text = strings.TrimSpace(text[:i])
	}
	return text
}

func (l *lowerer) reverseBranch(r *lowered) []adjoint.Stmt {
	b := r.branch
	if b.record == nil {
		return nil
	}
	pre, taken := l.load(b.record)
	out := append([]adjoint.Stmt{adjoint.Comment{Text: l.header(r.src)}}, pre...)
	if !b.isSwitch {
		then := l.nestedBackward(func() []adjoint.Stmt { return l.backward(b.branches[0]) })
		els := l.nestedBackward(func() []adjoint.Stmt { return l.backward(b.branches[1]) })
		return append(out, ifElse(taken, then, els)...)
	}
	sw := adjoint.Switch{Tag: taken}
	for i, body := range b.branches {
		code := l.nestedBackward(func() []adjoint.Stmt { return l.backward(body) })
		if len(code) > 0 {
			sw.Cases = append(sw.Cases, adjoint.Case{List: []adjoint.Expr{lit(itoa(i))}, Body: code})
		}
	}
	if len(sw.Cases) == 0 {
		return append(out[:1], pre...)
	}
	return append(out, sw)
}

// reverseLoop runs the loop's body backward as many times as it ran
// forward, from the last trip to the first.
func (l *lowerer) reverseLoop(r *lowered) []adjoint.Stmt {
	lp := r.loop
	if lp.count == nil && lp.constTrips == nil {
		return l.backward(lp.pre)
	}
	out := []adjoint.Stmt{adjoint.Comment{Text: l.header(r.src)}}
	var trips adjoint.Expr
	if lp.constTrips != nil {
		name := l.names.fresh("trip")
		trips = adjoint.Id(name)
		defer func() {
			for i, s := range out {
				if f, ok := s.(adjoint.For); ok && f.Init == nil {
					f.Init = assign(trips, ":=", lp.constTrips)
					out[i] = f
				}
			}
		}()
	} else {
		var pre []adjoint.Stmt
		pre, trips = l.load(lp.count)
		out = append(out, pre...)
	}
	var broke adjoint.Expr
	if lp.broke != nil {
		var bpre []adjoint.Stmt
		bpre, broke = l.load(lp.broke)
		out = append(out, bpre...)
	}
	body := l.nestedBackward(func() []adjoint.Stmt {
		var body []adjoint.Stmt
		// The post statement ran after every trip but one left early.
		var post []adjoint.Stmt
		if lp.post != nil {
			post = l.reverse(lp.post)
		}
		switch {
		case broke != nil:
			body = append(body, ifElse(broke, []adjoint.Stmt{assign(broke, "=", lit("false"))}, post)...)
		default:
			body = append(body, post...)
		}
		if lp.rangeIndex != nil {
			body = append(body, assign(adjoint.Id(lp.rangeIndex.name), "=", bin("-", trips, lit("1"))))
		}
		if lp.rangeValue != nil {
			reload := assign(adjoint.Id(lp.rangeValue.name), "=", adjoint.Index{X: lp.rangeX, Index: adjoint.Id(lp.rangeIndex.name)})
			// It reads what it ranges over as it was: a later write to it
			// (var ar [3]float64 on the next trip of an outer loop) must
			// save and restore it.
			l.noteReaders(r, []adjoint.Stmt{reload}, false)
			body = append(body, reload)
		}
		return append(body, l.backward(lp.body)...)
	})
	out = append(out, adjoint.For{Cond: bin(">", trips, lit("0")), Post: adjoint.IncDec{X: trips}, Body: body})
	return append(out, l.backward(lp.pre)...)
}

func isLoop(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return true
	}
	return false
}

// inside reports whether s lies within outer.
func inside(s, outer ast.Stmt) bool {
	return outer != nil && s.Pos() >= outer.Pos() && s.End() <= outer.End()
}
