package opt

import "github.com/gradgen/gradgen/analyzer/adjoint"

// Tapes of loops whose trip count nothing knows before they run (for x > 1
// { ... }) start in an array on the stack and grow by append: past the
// array, append allocates, again at every doubling, on every call. Such a
// tape grows into a buffer from the function's pool instead, taken on the
// first trip that needs it (a loop of a few trips takes nothing) and put
// back before the function returns. At the top of each trip of the
// innermost loop that pushes onto it, the tape is given room for what the
// trip pushes (k values, in its body and post statement), so the appends
// themselves never allocate:
//
//	if cap(xTape)-len(xTape) < k {
//		if xTapeBuf == nil {
//			xTapeBuf, _ = fooGradTapes.Get().(*[]float64)
//			if xTapeBuf == nil {
//				xTapeBuf = new([]float64)
//			}
//		}
//		if cap(*xTapeBuf) < 2*cap(xTape)+k {
//			*xTapeBuf = make([]float64, 2*cap(xTape)+k)
//		}
//		xTape = (*xTapeBuf)[:copy(*xTapeBuf, xTape)]
//	}
//
// When xTape already lies in the buffer, its capacity is the buffer's, so
// the buffer is made anew before the copy, which reads the old one
// through xTape.

// appendedTapes rewrites the tapes grown by append, by name with their
// element types.
func (p *tapePools) appendedTapes(body []adjoint.Stmt) []adjoint.Stmt {
	if len(p.st.Appended) == 0 {
		return body
	}
	p.appendBufs = map[string]string{}
	body = p.roomPerTrip(body)
	if len(p.appendBufs) == 0 {
		return body
	}
	var puts []adjoint.Stmt
	for _, name := range sortedNames(p.appendBufs) {
		buf := p.appendBufs[name]
		pool := p.poolFor(p.st.Appended[name])
		p.top = append(p.top, adjoint.VarDecl{Names: []string{buf}, Type: adjoint.Pointer{Elem: adjoint.Slice{Elem: p.st.Appended[name]}}})
		puts = append(puts, adjoint.If{Cond: adjoint.Bin("!=", adjoint.Id(buf), adjoint.Literal("nil")), Then: []adjoint.Stmt{
			adjoint.ExprStmt{X: adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(pool), Sel: "Put"}, Args: []adjoint.Expr{adjoint.Id(buf)}}},
		}})
	}
	return beforeReturns(body, puts)
}

// roomPerTrip adds the room-making code to the body of every loop that
// pushes onto an appended tape itself (not in a loop inside it).
func (p *tapePools) roomPerTrip(list []adjoint.Stmt) []adjoint.Stmt {
	out := make([]adjoint.Stmt, 0, len(list))
	for _, s := range list {
		switch x := s.(type) {
		case adjoint.For:
			var post []adjoint.Stmt
			if x.Post != nil {
				post = []adjoint.Stmt{x.Post}
			}
			x.Body = p.roomed(x.Body, post)
			s = x
		case adjoint.Range:
			x.Body = p.roomed(x.Body, nil)
			s = x
		default:
			s = adjoint.MapBodies(s, func(body []adjoint.Stmt, _ bool) []adjoint.Stmt { return p.roomPerTrip(body) })
		}
		out = append(out, s)
	}
	return out
}

// roomed makes room in a trip's statements for the pushes they make
// outside inner loops: at the top, and again after every statement that
// holds a loop, whose trips may take the room up (an outer trip that
// pushes after its inner loop would append past the buffer). after is
// what runs once list is done (a for loop's post statement): its pushes
// count with the last run of statements.
func (p *tapePools) roomed(list, after []adjoint.Stmt) []adjoint.Stmt {
	var out, run []adjoint.Stmt
	flush := func(last bool) {
		pushes := map[string]int{}
		p.countPushes(run, pushes)
		if last {
			p.countPushes(after, pushes)
		}
		out = append(out, p.room(pushes)...)
		out = append(out, run...)
		run = nil
	}
	for _, s := range list {
		if !holdsLoop(s) {
			run = append(run, s)
			continue
		}
		flush(false)
		switch s.(type) {
		case adjoint.For, adjoint.Range:
			out = append(out, p.roomPerTrip([]adjoint.Stmt{s})...)
		default:
			// A branch holding a loop: each of its bodies makes its own
			// room, before and after its loops.
			out = append(out, adjoint.MapBodies(s, func(body []adjoint.Stmt, _ bool) []adjoint.Stmt { return p.roomed(body, nil) }))
		}
	}
	flush(true)
	return out
}

// holdsLoop reports whether s is or holds a for or range loop.
func holdsLoop(s adjoint.Stmt) bool {
	found := false
	adjoint.WalkStmt(s, func(x adjoint.Stmt) {
		switch x.(type) {
		case adjoint.For, adjoint.Range:
			found = true
		}
	})
	return found
}

// countPushes counts the values list pushes onto each appended tape,
// every branch's (an upper bound), outside the loops inside it.
func (p *tapePools) countPushes(list []adjoint.Stmt, pushes map[string]int) {
	for _, s := range list {
		if x, ok := s.(adjoint.Assign); ok {
			for i, lhs := range x.Lhs {
				id, ok := lhs.(adjoint.Ident)
				if !ok || i >= len(x.Rhs) {
					continue
				}
				if _, appended := p.st.Appended[id.Name]; !appended {
					continue
				}
				if call, ok := x.Rhs[i].(adjoint.Call); ok && adjoint.ExprString(call.Fun) == "append" && len(call.Args) > 1 {
					pushes[id.Name] += len(call.Args) - 1
				}
			}
			continue
		}
		adjoint.MapBodies(s, func(body []adjoint.Stmt, loop bool) []adjoint.Stmt {
			if !loop {
				p.countPushes(body, pushes)
			}
			return body
		})
	}
}

// room makes room for one trip's pushes, tape by tape.
func (p *tapePools) room(pushes map[string]int) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, name := range sortedNames(pushes) {
		k := adjoint.Literal(itoa(pushes[name]))
		elem := p.st.Appended[name]
		buf, ok := p.appendBufs[name]
		if !ok {
			buf = p.fresh(name + "Buf")
			p.appendBufs[name] = buf
		}
		tape, bufID := adjoint.Id(name), adjoint.Id(buf)
		deref := adjoint.Unary{Op: "*", X: bufID}
		capOf := func(e adjoint.Expr) adjoint.Expr {
			return adjoint.Call{Fun: adjoint.Id("cap"), Args: []adjoint.Expr{e}}
		}
		lenOf := func(e adjoint.Expr) adjoint.Expr {
			return adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{e}}
		}
		want := adjoint.Bin("+", adjoint.Bin("*", adjoint.Literal("2"), capOf(tape)), k)
		get := adjoint.Call{Fun: adjoint.Selector{X: adjoint.Id(p.poolFor(elem)), Sel: "Get"}}
		out = append(out, adjoint.If{Cond: adjoint.Bin("<", adjoint.Bin("-", capOf(tape), lenOf(tape)), k), Then: []adjoint.Stmt{
			adjoint.If{Cond: adjoint.Bin("==", bufID, adjoint.Literal("nil")), Then: []adjoint.Stmt{
				adjoint.Assign{Lhs: []adjoint.Expr{bufID, adjoint.Id("_")}, Op: "=", Rhs: []adjoint.Expr{adjoint.TypeAssert{X: get, Type: adjoint.Pointer{Elem: adjoint.Slice{Elem: elem}}}}},
				adjoint.If{Cond: adjoint.Bin("==", bufID, adjoint.Literal("nil")), Then: []adjoint.Stmt{
					adjoint.Set(bufID, "=", adjoint.Call{Fun: adjoint.Id("new"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}}}),
				}},
			}},
			adjoint.If{Cond: adjoint.Bin("<", capOf(deref), want), Then: []adjoint.Stmt{
				adjoint.Set(deref, "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: adjoint.Slice{Elem: elem}}, want}}),
			}},
			adjoint.Set(tape, "=", adjoint.SliceExpr{X: deref, Hi: adjoint.Call{Fun: adjoint.Id("copy"), Args: []adjoint.Expr{deref, tape}}}),
		}})
	}
	return out
}

// beforeReturns puts stmts before every return statement in list.
func beforeReturns(list, stmts []adjoint.Stmt) []adjoint.Stmt {
	var out []adjoint.Stmt
	for _, s := range list {
		if _, ret := s.(adjoint.Return); ret {
			out = append(out, stmts...)
		}
		out = append(out, adjoint.MapBodies(s, func(body []adjoint.Stmt, _ bool) []adjoint.Stmt { return beforeReturns(body, stmts) }))
	}
	return out
}
