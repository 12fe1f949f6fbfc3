package analyzer

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// Tape storage reused across calls. A tape longer than the largest stack
// tier is made on the heap when its loop nest starts: one allocation per
// call, which a gradient called in a training or optimisation loop pays on
// every step, and the collector after it. poolTapes takes that storage from
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
// It runs on the finished function, after the passes: they see plain
// make, and none of them needs to know pools, deferred calls or type
// assertions. Storage made inside a loop of the generated code (a sum
// loop's, which grows as it goes) is left alone: a defer there would run
// only at the function's end, once per trip.

// poolTapes rewrites the heap storage of fn's tapes to come from pools.
func (l *lowerer) poolTapes(fn *adjoint.Func) {
	if len(l.heapTapes) == 0 {
		return
	}
	pools := map[string]string{} // element type → pool name
	var rewrite func(list []adjoint.Stmt, top bool) []adjoint.Stmt
	rewrite = func(list []adjoint.Stmt, top bool) []adjoint.Stmt {
		var out []adjoint.Stmt
		for _, s := range list {
			switch x := s.(type) {
			case adjoint.If:
				x.Then, x.Else = rewrite(x.Then, false), rewrite(x.Else, false)
				s = x
			case adjoint.Block:
				x.Body = rewrite(x.Body, false)
				s = x
			case adjoint.Assign:
				if name, elem, n, empty, ok := l.heapTapeMake(x); ok {
					pooled := l.pooled(fn, pools, name, elem, n, empty)
					if top {
						// A goto to the backward sweep may jump over
						// this point: its declaration goes in a block.
						pooled = []adjoint.Stmt{adjoint.Block{Body: pooled}}
					}
					out = append(out, pooled...)
					continue
				}
			}
			out = append(out, s)
		}
		return out
	}
	fn.Body = rewrite(fn.Body, true)
}

// heapTapeMake recognises name = make([]elem, n) or make([]elem, 0, n) for
// a tape's storage made on the heap.
func (l *lowerer) heapTapeMake(s adjoint.Assign) (name string, elem adjoint.Type, n adjoint.Expr, empty, ok bool) {
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 || s.Op != "=" {
		return
	}
	id, isID := s.Lhs[0].(adjoint.Ident)
	call, isCall := s.Rhs[0].(adjoint.Call)
	if !isID || !isCall || !l.heapTapes[id.Name] || adjoint.ExprString(call.Fun) != "make" {
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

// pooled is the storage of the tape name, n elements of elem, taken from
// the function's pool for elem (declared with the function on first use).
func (l *lowerer) pooled(fn *adjoint.Func, pools map[string]string, name string, elem adjoint.Type, n adjoint.Expr, empty bool) []adjoint.Stmt {
	key := adjoint.TypeString(elem)
	pool, ok := pools[key]
	if !ok {
		base := lowerFirst(fn.Name) + "Tapes"
		if len(pools) > 0 {
			base += upperFirst(key)
		}
		pool = l.freshHelperName(base)
		pools[key] = pool
		fn.Globals = append(fn.Globals, adjoint.Param{Name: pool, Type: adjoint.Named{Path: "sync", Name: "Pool"}})
	}
	ptr := adjoint.Pointer{Elem: adjoint.Slice{Elem: elem}}
	buf := l.names.fresh("tapeBuf")
	deref := adjoint.Unary{Op: "*", X: adjoint.Id(buf)}
	get := adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(pool), Sel: "Get"}}
	put := adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(pool), Sel: "Put"}, Args: []adjoint.Expr{adjoint.Id(buf)}}
	part := adjoint.SliceExpr{X: deref, Hi: n}
	if empty {
		part = adjoint.SliceExpr{X: deref, Hi: adjoint.Literal("0"), Max: n}
	}
	return []adjoint.Stmt{
		adjoint.Assign{Lhs: []adjoint.Expr{adjoint.Id(buf), adjoint.Id("_")}, Op: ":=", Rhs: []adjoint.Expr{adjoint.TypeAssert{X: get, Type: ptr}}},
		adjoint.If{Cond: adjoint.Bin("==", adjoint.Id(buf), adjoint.Literal("nil")), Then: []adjoint.Stmt{
			adjoint.Set(adjoint.Id(buf), "=", adjoint.Call{Fun: adjoint.Id("new"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}}}),
		}},
		adjoint.Defer{Call: put},
		adjoint.If{Cond: adjoint.Bin("<", adjoint.Call{Fun: adjoint.Id("cap"), Args: []adjoint.Expr{deref}}, n), Then: []adjoint.Stmt{
			adjoint.Set(deref, "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}, n}}),
		}},
		adjoint.Set(adjoint.Id(name), "=", part),
	}
}
