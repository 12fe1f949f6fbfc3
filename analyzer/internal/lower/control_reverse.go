package lower

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// backward writes the backward code of a block: its statements in reverse,
// each after a statement that may have left early guarded by that
// statement's completion record.
func (l *Lowerer) backward(recs []*lowered) []adjoint.Stmt {
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
func (l *Lowerer) forgetZeros(code []adjoint.Stmt) {
	for _, s := range code {
		adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
			if id, ok := e.(adjoint.Ident); ok {
				delete(l.zero, id.Name)
			}
		})
	}
}

// nestedBackward writes backward code that runs conditionally or
// repeatedly: no adjoint's value is known inside it.
func (l *Lowerer) nestedBackward(write func() []adjoint.Stmt) []adjoint.Stmt {
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
func (l *Lowerer) reverseAny(r *lowered) []adjoint.Stmt {
	switch {
	case r.branch != nil:
		return l.reverseBranch(r)
	case r.loop != nil:
		return l.reverseLoop(r)
	}
	return l.reverse(r)
}

// header is the first line of a compound statement, for comments.
func (l *Lowerer) header(s ast.Stmt) string {
	text := l.Source(s)
	if i := strings.Index(text, "{"); i > 0 {
		text = strings.TrimSpace(text[:i])
	}
	return text
}

func (l *Lowerer) reverseBranch(r *lowered) []adjoint.Stmt {
	b := r.branch
	if b.record == nil {
		return nil
	}
	pre, taken := l.load(b.record)
	out := append([]adjoint.Stmt{adjoint.Comment{Text: l.header(r.src)}}, pre...)
	if !b.isSwitch {
		then := l.nestedBackward(func() []adjoint.Stmt { return l.backward(b.branches[0]) })
		els := l.nestedBackward(func() []adjoint.Stmt { return l.backward(b.branches[1]) })
		return append(out, adjoint.IfElse(taken, then, els)...)
	}
	sw := adjoint.Switch{Tag: taken}
	for i, body := range b.branches {
		code := l.nestedBackward(func() []adjoint.Stmt { return l.backward(body) })
		if len(code) > 0 {
			sw.Cases = append(sw.Cases, adjoint.Case{List: []adjoint.Expr{adjoint.Literal(itoa(i))}, Body: code})
		}
	}
	if len(sw.Cases) == 0 {
		return append(out[:1], pre...)
	}
	return append(out, sw)
}

// reverseLoop runs the loop's body backward as many times as it ran
// forward, from the last trip to the first.
func (l *Lowerer) reverseLoop(r *lowered) []adjoint.Stmt {
	lp := r.loop
	if lp.count == nil && lp.constTrips == nil {
		return l.backward(lp.pre)
	}
	out := []adjoint.Stmt{adjoint.Comment{Text: l.header(r.src)}}
	var trips adjoint.Expr
	var init adjoint.Stmt
	if lp.constTrips != nil {
		trips = adjoint.Id(l.Names.Fresh("trip"))
		init = adjoint.Set(trips, ":=", lp.constTrips)
		if lp.counter != nil {
			out = append(out, resetCounter(lp.counter, lp.constTrips))
		}
	} else {
		var pre []adjoint.Stmt
		pre, trips = l.load(lp.count)
		out = append(out, pre...)
		if lp.counter != nil {
			out = append(out, resetCounter(lp.counter, trips))
		}
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
			body = append(body, adjoint.IfElse(broke, []adjoint.Stmt{adjoint.Set(broke, "=", adjoint.Literal("false"))}, post)...)
		default:
			body = append(body, post...)
		}
		if lp.rangeIndex != nil {
			var index adjoint.Expr = adjoint.Bin("-", trips, adjoint.Literal("1"))
			if b, ok := lp.rangeIndex.Typ.Underlying().(*types.Basic); ok && b.Kind() != types.Int {
				// The key of a range over an int32 is an int32; the count
				// recorded is an int.
				index = adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(lp.rangeIndex.Typ)}, Args: []adjoint.Expr{index}}
			}
			body = append(body, adjoint.Set(adjoint.Id(lp.rangeIndex.Name), "=", index))
		}
		if lp.rangeValue != nil {
			reload := adjoint.Set(adjoint.Id(lp.rangeValue.Name), "=", adjoint.Index{X: lp.rangeX, Index: adjoint.Id(lp.rangeIndex.Name)})
			// It reads what it ranges over as it was: a later write to it
			// (var ar [3]float64 on the next trip of an outer loop) must
			// save and restore it.
			l.noteReaders(r, []adjoint.Stmt{reload}, false)
			body = append(body, reload)
		}
		body = append(body, lp.views...)
		body = append(body, l.replayBackward(lp)...)
		return append(body, l.backward(lp.body)...)
	})
	out = append(out, adjoint.For{Init: init, Cond: adjoint.Bin(">", trips, adjoint.Literal("0")), Post: adjoint.IncDec{X: trips}, Body: body})
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
func inside(s ast.Node, outer ast.Stmt) bool {
	return outer != nil && s.Pos() >= outer.Pos() && s.End() <= outer.End()
}
