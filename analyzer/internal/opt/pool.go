package opt

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Tape storage reused across calls. A tape longer than the largest stack
// tier is made on the heap when its loop nest starts: one allocation per
// call, which a gradient called in a training or optimisation loop pays on
// every step, and the collector after it. PoolStorage takes that storage from
// a sync.Pool of the function's own instead, and gives it back when the
// function returns:
//
//	tapeBuf, _ := fooGradTapes.Get().(*[]float64)
//	if tapeBuf == nil {
//		tapeBuf = new([]float64)
//	}
//	defer fooGradTapes.Put(tapeBuf)
//	if cap(*tapeBuf) < n {
//		*tapeBuf = make([]float64, n)
//	}
//	xTape = (*tapeBuf)[:0:n]
//
// In the steady state that is no allocation at any length. A pool is safe
// for concurrent calls (each takes its own buffer) and holds nothing the
// collector cannot take back between cycles. Tapes are written before they
// are read, so a buffer's old contents do not matter. The pool holds a
// pointer to the slice, so putting it back allocates nothing.
//
// A sum loop's storage grows inside the loop, on the trips that need more
// (tapeBlock = make([]float64, max(tapeLen, 2*cap(tapeBlock)))). A defer
// there would be a defer in a loop, so its buffer is taken at the top of
// the function, and the growth goes into it:
//
//	if cap(*tapeBuf) < max(tapeLen, 2*cap(tapeBlock)) {
//		*tapeBuf = make([]float64, max(tapeLen, 2*cap(tapeBlock)))
//	}
//	tapeBlock = (*tapeBuf)[:max(tapeLen, 2*cap(tapeBlock))]
//
// Each storage has a buffer of its own, taken once per call: the tapes of
// two loop nests of one trip are alive together. A pool serves every
// buffer of one element type.
//
// Scratch of second derivatives (directions, H·v buffers) made beyond its
// stack array is taken the same way, and cleared, since it is read before
// it is written. Elements are floats, integers, bools, small values
// without slices, pointers or maps (points, small arrays), and slice
// headers (views taped per trip). What a pooled buffer still refers to (a
// view's memory, a string field's bytes) stays alive until the collector
// empties the pool, two cycles at most.
//
// It runs on the finished function, after the passes: they see plain
// make, and none of them needs to know pools, deferred calls or type
// assertions.

// Storage names the storage of a function that PoolStorage takes from
// pools, by the variable it is assigned to: name = make([]T, n) or
// make([]T, 0, n).
type Storage struct {
	Heap   map[string]bool // made when its loop nest starts (left alone inside a loop)
	Grown  map[string]bool // grown inside a sum loop, on the trips that need more
	Zeroed map[string]bool // read before it is written (scratch): cleared when taken
	// Exact are storage whose capacity must be its length, as make gives
	// it: a slice of the user's function, which an append must move
	// rather than extend into the rest of the buffer.
	Exact map[string]bool
	// Appended are the tapes, with their element types, that start in an
	// array on the stack and grow by append (see appendedTapes).
	Appended map[string]adjoint.Type
}

// PoolStorage rewrites the storage st names in fn to come from pools of
// fn's own, declared as fn's Globals. fresh returns a local name not yet
// used in fn; global, a package-level name not yet used in the package
// (and takes it).
func PoolStorage(fn *adjoint.Func, st Storage, fresh, global func(base string) string) {
	if len(st.Heap)+len(st.Grown)+len(st.Appended) == 0 {
		return
	}
	p := &tapePools{st: st, fresh: fresh, global: global, fn: fn, pools: map[string]string{}, grown: map[string]string{}}
	body := p.appendedTapes(p.rewrite(fn.Body, true, false))
	// After the length checks, which panic before anything is taken.
	i := 0
	for i < len(body) && adjoint.IsPanicCheck(body[i]) {
		i++
	}
	fn.Body = append(append(body[:i:i], p.top...), body[i:]...)
}

// tapePools rewrites one function's tape storage.
type tapePools struct {
	st     Storage
	fresh  func(string) string
	global func(string) string
	fn     *adjoint.Func
	pools  map[string]string // element type → the function's pool for it
	grown  map[string]string // storage → the buffer taken at the top for it, when it grows in a sum loop
	top    []adjoint.Stmt    // statements that take those buffers, for the top of the function
	// appendBufs are the buffers of the appended tapes that grow, by tape.
	appendBufs map[string]string
}

// rewrite rewrites the storage made in list; top says list is the
// function's body, loop that it is inside a loop.
func (p *tapePools) rewrite(list []adjoint.Stmt, top, loop bool) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range list {
		s = adjoint.MapBodies(s, func(body []adjoint.Stmt, isLoop bool) []adjoint.Stmt {
			return p.rewrite(body, false, loop || isLoop)
		})
		switch x := s.(type) {
		case adjoint.Assign:
			name, elem, n, empty, ok := storageMake(x)
			switch {
			case !ok:
			case p.st.Heap[name] && !loop:
				pooled := p.taken(elem)
				pooled = append(pooled, p.fill(pooled[0], name, elem, n, empty)...)
				if top {
					// A goto to the backward sweep may jump over this
					// point: its declaration goes in a block.
					pooled = []adjoint.Stmt{adjoint.Block{Body: pooled}}
				}
				out = append(out, pooled...)
				continue
			case p.st.Grown[name]:
				// One buffer per storage: two nests in a sum loop's trip
				// hold their tapes at once, and must not share one.
				buf, ok := p.grown[name]
				if !ok {
					take := p.taken(elem)
					p.top = append(p.top, take...)
					buf = takenName(take[0])
					p.grown[name] = buf
				}
				out = append(out, p.fill(adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(buf)}}, name, elem, n, empty)...)
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// takenName is the buffer the first statement of taken declares.
func takenName(s adjoint.Stmt) string {
	return s.(adjoint.Assign).Lhs[0].(adjoint.Ident).Name
}

// storageMake recognises name = make([]elem, n) or make([]elem, 0, n).
func storageMake(s adjoint.Assign) (name string, elem adjoint.Type, n adjoint.Expr, empty, ok bool) {
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 || s.Op != "=" {
		return
	}
	id, isID := s.Lhs[0].(adjoint.Ident)
	call, isCall := s.Rhs[0].(adjoint.Call)
	if !isID || !isCall || adjoint.ExprString(call.Fun) != "make" || len(call.Args) < 2 {
		return
	}
	te, isType := call.Args[0].(adjoint.TypeExpr)
	slice, isSlice := te.Type.(adjoint.Slice)
	if !isType || !isSlice {
		return
	}
	switch len(call.Args) {
	case 2:
		return id.Name, slice.Elem, call.Args[1], false, true
	case 3:
		return id.Name, slice.Elem, call.Args[2], true, true
	}
	return
}

// taken takes a buffer for elements of elem from the function's pool
// for elem (declared with the function on first use), and puts it back
// when the function returns. The first statement declares the buffer.
func (p *tapePools) taken(elem adjoint.Type) []adjoint.Stmt {
	pool := p.poolFor(elem)
	buf := p.fresh("tapeBuf")
	get := adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(pool), Sel: "Get"}}
	put := adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(pool), Sel: "Put"}, Args: []adjoint.Expr{adjoint.Id(buf)}}
	return []adjoint.Stmt{
		adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(buf), adjoint.Id("_")}, Op: ":=", Rhs: []adjoint.Expr{adjoint.TypeAssert{X: get, Type: adjoint.Pointer{Elem: adjoint.Slice{Elem: elem}}}}},
		adjoint.If{Cond: adjoint.Bin("==", adjoint.Id(buf), adjoint.Literal("nil")), Then: []adjoint.Stmt{
			adjoint.Set(adjoint.Id(buf), "=", adjoint.Call{Fun: adjoint.Id("new"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}}}),
		}},
		adjoint.Defer{Call: put},
	}
}

// poolFor is the function's pool for elements of elem, declared with the
// function on first use.
func (p *tapePools) poolFor(elem adjoint.Type) string {
	key := adjoint.TypeString(elem)
	pool, ok := p.pools[key]
	if !ok {
		base := strings.ToLower(p.fn.Name[:1]) + p.fn.Name[1:] + "Tapes"
		if len(p.pools) > 0 {
			base += strings.ToUpper(IdentChars(key)[:1]) + IdentChars(key)[1:]
		}
		pool = p.global(base)
		p.pools[key] = pool
		p.fn.Globals = append(p.fn.Globals, adjoint.Param{Name: pool, Type: adjoint.Named{Path: "sync", Name: "Pool"}})
	}
	return pool
}

// sortedNames are m's keys in order, for output that does not depend on
// map order.
func sortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// fill gives the tape name n elements of the buffer taken (its first
// statement declares it), made larger when it is too small.
func (p *tapePools) fill(taken adjoint.Stmt, name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	deref := adjoint.Unary{Op: "*", X: adjoint.Id(takenName(taken))}
	part := adjoint.SliceExpr{X: deref, Hi: n}
	if p.st.Exact[name] {
		part.Max = n
	}
	if empty {
		part = adjoint.SliceExpr{X: deref, Hi: adjoint.Literal("0"), Max: n}
	}
	out := []adjoint.Stmt{
		adjoint.If{Cond: adjoint.Bin("<", adjoint.Call{Fun: adjoint.Id("cap"), Args: []adjoint.Expr{deref}}, n), Then: []adjoint.Stmt{
			adjoint.Set(deref, "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}, n}}),
		}},
		adjoint.Set(adjoint.Id(name), "=", part),
	}
	if p.st.Zeroed[name] && !empty {
		// Scratch is read before it is written (a direction's zeros, an
		// H·v buffer added into): another call's values are cleared.
		out = append(out, adjoint.ExprStmt{X: adjoint.Call{Fun: adjoint.Id("clear"), Args: []adjoint.Expr{adjoint.Id(name)}}})
	}
	return out
}

// IdentChars keeps the letters and digits of an expression's or type's
// text ([3]float64 → 3float64, geom.Point → geomPoint, v.W → vW) for a
// name made from it.
func IdentChars(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

func itoa(n int) string { return strconv.Itoa(n) }
