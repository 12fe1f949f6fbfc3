package opt

import "github.com/gradgen/gradgen/analyzer/adjoint"

// Seed factoring shortens the chain of dependent floating-point operations
// that a loop carries from one trip of the backward sweep to the next.
//
// Reversing x = r*x*(1-x) pushes the seed through the expression's
// temporaries, one multiply or add at a time, and the new dx comes out at
// the end of a chain that starts from the old one:
//
//	dt2 = dx; dx = 0; dt = t1*dt2; dt1 = t*dt2; dx = -dt1; dr += x*dt; dx += r*dt
//
// Every adjoint there is a multiple of one seed, so the same values are
//
//	dt2 = dx; dr += x*t1*dt2; dx = (r*t1 - t)*dt2
//
// where the coefficients depend only on primal values: the processor works
// them out alongside the previous trip, and the loop-carried path through dx
// is one multiply instead of three operations. For the logistic map that is
// a third of the backward sweep's time. A statement that adds into another
// variable (omega -= h*math.Sin(theta), reversed as dt1 = domega; dt = -dt1;
// dsin = h*dt; dtheta += math.Cos(theta)*dsin) carries the chain from
// domega to dtheta, and is shortened alike (dtheta -= math.Cos(theta)*h*dt1).
// Tapenade and ADIC call this statement-level preaccumulation. The rounding
// differs from the unfactored code's — products associate differently — as
// a hand-written gradient's would; the function's value, computed in the
// forward sweep, is untouched.
//
// The rewrite is applied to one source statement's reversal at a time (the
// statements between two comments of the backward sweep), inside loops
// only, and only when it is certain to compute the same and to do less:
// straight-line assignments; one seed S, copied first into X (X = S), which
// nothing writes again; every adjoint written there linear in S with primal
// coefficients (a read of another adjoint's value from before the
// statement, a product of adjoints, a constant term or a call other than
// package math's stops it); primal statements (restores, recomputed
// temporaries) that can all move before the adjoint statements, because no
// adjoint statement reads a value a later primal statement replaces; fewer
// adjoint statements after the rewrite than before; and no more calls (a
// math call in a coefficient that two adjoints share would run twice).

// maxCoefficientOps bounds the operations in one factored coefficient:
// beyond it, spelling out every path's product could cost more work than
// the chain it shortens.
const maxCoefficientOps = 12

// FactorSeeds applies seed factoring to the loops in list. adj names the
// adjoint variables; reads counts every name's reads in the whole function.
func FactorSeeds(list []adjoint.Stmt, adj map[string]bool, reads map[string]int, inLoop bool) []adjoint.Stmt {
	out := make([]adjoint.Stmt, 0, len(list))
	flush := func(seg []adjoint.Stmt) {
		if inLoop {
			if factored, ok := factorSegment(seg, adj, reads); ok {
				seg = factored
			}
		}
		out = append(out, seg...)
	}
	var seg []adjoint.Stmt
	for _, s := range list {
		if a, ok := s.(adjoint.Assign); ok {
			seg = append(seg, a)
			continue
		}
		flush(seg)
		seg = nil
		s = adjoint.MapBodies(s, func(body []adjoint.Stmt, loop bool) []adjoint.Stmt {
			return FactorSeeds(body, adj, reads, inLoop || loop)
		})
		out = append(out, s)
	}
	flush(seg)
	return out
}

// A linearForm is an adjoint's value in terms of the seed: coef·seed (coef
// nil for zero), plus the adjoint's own value before the segment when keep
// is set (an accumulation: dr += ...).
type linearForm struct {
	keep bool
	coef adjoint.Expr
}

// factorSegment rewrites one statement's reversal, or reports that it
// cannot be rewritten safely or usefully.
func factorSegment(seg []adjoint.Stmt, adj map[string]bool, reads map[string]int) ([]adjoint.Stmt, bool) {
	f := &factoring{adj: adj}
	primal, adjStmts, ok := f.split(seg)
	if !ok || len(adjStmts) < 2 {
		return nil, false
	}
	// The first adjoint statement copies the seed: X = S.
	first := adjStmts[0]
	f.holder = first.Lhs[0].(adjoint.Ident).Name
	seedID, ok := first.Rhs[0].(adjoint.Ident)
	if first.Op != "=" || !ok || !adj[seedID.Name] || seedID.Name == f.holder {
		return nil, false
	}
	f.seed = seedID.Name
	f.forms = map[string]linearForm{f.holder: {coef: adjoint.One}}
	if !f.accumulate(adjStmts[1:]) {
		return nil, false
	}
	out := make([]adjoint.Stmt, 0, len(seg))
	for _, a := range primal {
		out = append(out, a)
	}
	out = append(out, first)
	out, ok = f.emit(out, reads)
	if !ok {
		return nil, false
	}
	// Only fewer adjoint statements make it worth rewriting; and a call
	// that two coefficients now share would run twice (the compiler merges
	// repeated arithmetic, not calls).
	before := make([]adjoint.Stmt, len(adjStmts))
	for i, a := range adjStmts {
		before[i] = a
	}
	if len(out)-len(primal) >= len(adjStmts) || countCalls(out[len(primal):]) > countCalls(before) {
		return nil, false
	}
	return out, true
}

// factoring is the state of one segment's rewrite: which names are
// adjoints, the seed S and its copy X (the holder), and each adjoint's
// linear form in S as the segment's statements are followed.
type factoring struct {
	adj          map[string]bool
	seed, holder string
	forms        map[string]linearForm
	order        []string        // adjoints in order of first write
	readFirst    map[string]bool // adjoints read before the segment writes them
	segReads     map[string]int  // reads of each adjoint inside the segment
}

func (f *factoring) mentionsAdj(e adjoint.Expr) bool {
	found := false
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		if id, ok := x.(adjoint.Ident); ok && f.adj[id.Name] {
			found = true
		}
	})
	return found
}

// split separates the segment into its primal and adjoint statements, and
// reports whether the primal ones may move first: no adjoint statement may
// read a name that a later primal statement writes, and every statement
// must be of a form the rewrite understands.
func (f *factoring) split(seg []adjoint.Stmt) (primal, adjStmts []adjoint.Assign, ok bool) {
	var adjAt []int                  // each adjoint statement's position
	assignedAt := map[string][]int{} // positions of the primal writes to each name
	for i, s := range seg {
		a := s.(adjoint.Assign)
		lhsAdj := false
		for _, x := range a.Lhs {
			lhsAdj = lhsAdj || f.mentionsAdj(x)
		}
		if !lhsAdj {
			for _, x := range a.Rhs {
				if f.mentionsAdj(x) {
					return nil, nil, false
				}
			}
			primal = append(primal, a)
			for _, x := range a.Lhs {
				name := writtenName(x)
				if name == "" {
					return nil, nil, false
				}
				assignedAt[name] = append(assignedAt[name], i)
			}
			continue
		}
		if len(a.Lhs) != 1 || len(a.Rhs) != 1 || (a.Op != "=" && a.Op != "+=" && a.Op != "-=") {
			return nil, nil, false
		}
		if _, ok := a.Lhs[0].(adjoint.Ident); !ok || hasImpureCall(a.Rhs[0]) {
			return nil, nil, false
		}
		adjStmts = append(adjStmts, a)
		adjAt = append(adjAt, i)
	}
	for k, a := range adjStmts {
		bad := false
		adjoint.WalkExpr(a.Rhs[0], func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok && !f.adj[id.Name] {
				for _, at := range assignedAt[id.Name] {
					if at > adjAt[k] {
						bad = true
					}
				}
			}
		})
		if bad {
			return nil, nil, false
		}
	}
	return primal, adjStmts, true
}

// current is an adjoint's form at this point of the segment: the seed
// and X are 1·S until written; another adjoint keeps its own value.
func (f *factoring) current(name string) linearForm {
	if form, ok := f.forms[name]; ok {
		return form
	}
	if name == f.seed {
		return linearForm{coef: adjoint.One}
	}
	return linearForm{keep: true}
}

// linear is e's coefficient of S (nil for zero), or false when e is not
// linear in S: a primal term, a product of two adjoints, a second seed.
func (f *factoring) linear(e adjoint.Expr) (adjoint.Expr, bool) {
	if !f.mentionsAdj(e) {
		// A primal term makes the value affine, not linear.
		return nil, adjoint.IsLit(e, "0")
	}
	switch e := e.(type) {
	case adjoint.Ident:
		form := f.current(e.Name)
		if form.keep {
			return nil, false // a second seed
		}
		return form.coef, true
	case adjoint.Paren:
		return f.linear(e.X)
	case adjoint.Unary:
		if e.Op != "-" {
			return nil, false
		}
		c, ok := f.linear(e.X)
		if !ok || c == nil {
			return nil, ok
		}
		return adjoint.Neg(c), true
	case adjoint.Binary:
		return f.linearBinary(e)
	}
	return nil, false
}

func (f *factoring) linearBinary(e adjoint.Binary) (adjoint.Expr, bool) {
	switch e.Op {
	case "+", "-":
		x, ok1 := f.linear(e.X)
		y, ok2 := f.linear(e.Y)
		if !ok1 || !ok2 {
			return nil, false
		}
		if e.Op == "-" && y != nil {
			y = adjoint.Neg(y)
		}
		return plus(x, y), true
	case "*":
		if f.mentionsAdj(e.X) && f.mentionsAdj(e.Y) {
			return nil, false
		}
		if f.mentionsAdj(e.Y) {
			c, ok := f.linear(e.Y)
			if !ok || c == nil {
				return nil, ok
			}
			return times(e.X, c), true
		}
		c, ok := f.linear(e.X)
		if !ok || c == nil {
			return nil, ok
		}
		return times(c, e.Y), true
	case "/":
		if f.mentionsAdj(e.Y) {
			return nil, false
		}
		c, ok := f.linear(e.X)
		if !ok || c == nil {
			return nil, ok
		}
		return adjoint.Div(c, e.Y), true
	}
	return nil, false
}

// accumulate follows the adjoint statements after X = S, giving each
// adjoint they write its linear form in S and counting the reads.
func (f *factoring) accumulate(adjStmts []adjoint.Assign) bool {
	f.readFirst, f.segReads = map[string]bool{}, map[string]int{}
	written := map[string]bool{}
	for _, a := range adjStmts {
		name := a.Lhs[0].(adjoint.Ident).Name
		adjoint.WalkExpr(a.Rhs[0], func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok && f.adj[id.Name] {
				f.segReads[id.Name]++
				if !written[id.Name] {
					f.readFirst[id.Name] = true
				}
			}
		})
		if a.Op != "=" {
			f.segReads[name]++
			if !written[name] {
				f.readFirst[name] = true
			}
		}
		if name == f.holder {
			return false // the seed's copy must last the segment
		}
		c, ok := f.linear(a.Rhs[0])
		if !ok {
			return false
		}
		form := f.current(name)
		switch a.Op {
		case "=":
			form = linearForm{coef: c}
		case "+=":
			form.coef = plus(form.coef, c)
		case "-=":
			if c != nil {
				form.coef = plus(form.coef, adjoint.Neg(c))
			}
		}
		f.forms[name] = form
		if !written[name] {
			f.order = append(f.order, name)
			written[name] = true
		}
	}
	f.segReads[f.seed]++ // read by X = S, before anything writes it
	f.readFirst[f.seed] = true
	return true
}

// emit appends to out each adjoint's final value as a multiple of X,
// leaving out the temporaries whose work the coefficients did; it reports
// false when a coefficient grows too long to be worth it.
func (f *factoring) emit(out []adjoint.Stmt, reads map[string]int) ([]adjoint.Stmt, bool) {
	for _, name := range f.order {
		// A temporary adjoint of this statement, written before it is read
		// and read nowhere else, has done its work inside the coefficients.
		if !f.readFirst[name] && reads[name] == f.segReads[name] {
			continue
		}
		form := f.forms[name]
		if name == f.seed && !form.keep && form.coef == adjoint.One {
			continue // the statement passes its adjoint through: x += ...
		}
		if form.coef != nil && countOps(form.coef) > maxCoefficientOps {
			return nil, false
		}
		x := adjoint.Id(f.holder)
		switch {
		case !form.keep && form.coef == nil:
			out = append(out, adjoint.Set(adjoint.Id(name), "=", adjoint.Literal("0")))
		case !form.keep:
			out = append(out, adjoint.Set(adjoint.Id(name), "=", adjoint.Mul(form.coef, x)))
		case form.coef == nil:
		default:
			if m, ok := adjoint.Negated(form.coef); ok {
				out = append(out, adjoint.Set(adjoint.Id(name), "-=", adjoint.Mul(m, x)))
			} else {
				out = append(out, adjoint.Set(adjoint.Id(name), "+=", adjoint.Mul(form.coef, x)))
			}
		}
	}
	return out, true
}

// countCalls counts the calls in list, conversions aside.
func countCalls(list []adjoint.Stmt) int {
	n := 0
	for _, s := range list {
		adjoint.WalkStmtExprs(s, func(x adjoint.Expr) {
			if c, ok := x.(adjoint.Call); ok {
				if _, conv := c.Fun.(adjoint.TypeExpr); !conv {
					n++
				}
			}
		})
	}
	return n
}

// times is mul with a negation brought out to the front, where plus can
// turn it into a subtraction: a * -b → -(a * b), the same value.
func times(x, y adjoint.Expr) adjoint.Expr {
	if m, ok := adjoint.Negated(y); ok {
		return adjoint.Neg(adjoint.Mul(x, m))
	}
	return adjoint.Mul(x, y)
}

// countOps counts the binary and unary operations in e.
func countOps(e adjoint.Expr) int {
	n := 0
	adjoint.WalkExpr(e, func(x adjoint.Expr) {
		switch x.(type) {
		case adjoint.Binary, adjoint.Unary:
			n++
		}
	})
	return n
}

// CountReads counts how often each name is read in list: every mention but
// the plain left-hand side of = and :=.
func CountReads(list []adjoint.Stmt) map[string]int {
	reads := map[string]int{}
	for _, s := range list {
		adjoint.WalkStmtExprs(s, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				reads[id.Name]++
			}
		})
		adjoint.WalkStmt(s, func(s adjoint.Stmt) {
			if a, ok := s.(adjoint.Assign); ok && (a.Op == "=" || a.Op == ":=") {
				for _, x := range a.Lhs {
					if id, ok := x.(adjoint.Ident); ok {
						reads[id.Name]--
					}
				}
			}
		})
	}
	return reads
}

// writtenName is the variable an assignment to x writes: x itself, or the
// slice or array x indexes.
func writtenName(x adjoint.Expr) string {
	if id, ok := x.(adjoint.Ident); ok {
		return id.Name
	}
	return baseName(x)
}

// plus is add, but puts a negated first term second (-a + b → b - a): the
// same value, since floating-point addition commutes, and one operation
// fewer.
func plus(x, y adjoint.Expr) adjoint.Expr {
	if x != nil && y != nil {
		if m, ok := adjoint.Negated(x); ok {
			if _, both := adjoint.Negated(y); !both {
				return adjoint.Bin("-", y, m)
			}
		}
	}
	return adjoint.Add(x, y)
}
