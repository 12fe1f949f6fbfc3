package main

import (
	"fmt"
	"strings"
)

// The productions of data, calls and the constructs the tracker issue
// names; the forms of the math functions.

func init() {
	loopOK := func(g *progGen, d int) bool { return d > 0 && len(g.loops) < 2 }
	productions = append(productions, []production{
		// Data.
		{name: "elemupdate", weight: 2, stmt: func(g *progGen, d int) {
			pts, sls := writable(g.sc.pts), writable(g.sc.sls)
			var target string
			switch k := g.intn(3); {
			case k == 0 && len(pts) > 0:
				p := pick(g, pts)
				g.mark(p.prod, "structs")
				target = p.name + pick(g, []string{".X", ".Y", ".A[0]", ".A[1]"})
			case k == 1 && len(sls) > 0:
				s := pick(g, sls)
				g.mark(s.prod)
				target = fmt.Sprintf("%s[%s]", s.name, g.index(s.n))
			default:
				a := g.array()
				target = fmt.Sprintf("%s[%s]", a.name, g.index(a.n))
			}
			switch g.intn(3) {
			case 0:
				g.line("%s = %s", target, g.bounded(g.expr(2)))
			case 1:
				g.line("%s += math.Tanh(%s)", target, g.expr(2))
			default:
				g.line("%s *= 1 + 0.5*math.Tanh(%s)", target, g.expr(2))
			}
		}},
		{name: "localarray", weight: 1, stmt: func(g *progGen, d int) {
			la, n := g.fresh("la"), pick(g, []int{3, 5, 16})
			g.line("var %s [%d]float64", la, n)
			if g.chance(0.5) {
				i := g.fresh("i")
				g.line("for %s := range %s {", i, la)
				g.sc.ints = append(g.sc.ints, i)
				g.line("\t%s[%s] = %s * float64(%s+1)", la, i, g.expr(1), i)
				g.sc.ints = g.sc.ints[:len(g.sc.ints)-1]
				g.line("}")
			} else {
				g.line("%s[0], %s[2] = %s, %s", la, la, g.expr(2), g.expr(2))
			}
			g.sc.arrs = append(g.sc.arrs, val{name: la, n: n, prod: "localarray", local: true})
		}},
		{name: "make", weight: 1, stmt: func(g *progGen, d int) {
			h, i := g.fresh("h"), g.fresh("i")
			w := g.sc.sls[0] // w
			n, size := 2+g.intn(3), ""
			if n > w.n {
				n = w.n
			}
			size = fmt.Sprint(n)
			if g.chance(0.3) && w.n >= 2 {
				n, size = w.n/2, "len(w)/2"
			}
			g.line("%s := make([]float64, %s)", h, size)
			g.line("for %s := range %s {", i, h)
			g.sc.ints = append(g.sc.ints, i)
			g.line("\t%s[%s] = w[%s] * %s", h, i, i, g.expr(1))
			g.sc.ints = g.sc.ints[:len(g.sc.ints)-1]
			g.line("}")
			g.sc.sls = append(g.sc.sls, val{name: h, n: n, prod: "make", local: true})
		}},
		{name: "views", weight: 1, ok: func(g *progGen, d int) bool { return g.longSlice(2) != nil }, stmt: func(g *progGen, d int) {
			s := g.longSlice(2)
			g.mark(s.prod)
			r := g.fresh("r")
			lo := g.intn(s.n - 1)
			hi := lo + 1 + g.intn(s.n-lo-1) + 1
			if hi > s.n {
				hi = s.n
			}
			switch g.intn(4) {
			case 0:
				g.line("%s := %s[%d:%d]", r, s.name, lo, hi)
			case 1:
				g.line("%s := %s[%d:%d:%d]", r, s.name, lo, hi, hi)
			case 2:
				hi = s.n
				g.line("%s := %s[%d:]", r, s.name, lo)
			default:
				lo = 0
				g.line("%s := %s[:%d]", r, s.name, hi)
			}
			if s.ro {
				g.line("y += %s[0] * %s", r, g.bounded(g.expr(1)))
			} else {
				g.line("%s[0] += 0.5 * %s", r, g.bounded(g.expr(1)))
			}
			g.sc.sls = append(g.sc.sls, val{name: r, n: hi - lo, prod: "views", local: true, ro: s.ro})
		}},
		{name: "statebuf", weight: 1, ok: func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 }, stmt: func(g *progGen, d int) {
			// A new-state buffer written by an inner loop on every outer
			// trip and read after it, as an RNN does: the backward sweep
			// needs each trip's elements, which the next trip overwrites.
			nb, t, j := g.fresh("nb"), g.fresh("t"), g.fresh("j")
			g.line("%s := make([]float64, 2)", nb)
			g.line("for %s := range 2 {", t)
			g.line("\tfor %s := range 2 {", j)
			g.line("\t\t%s[%s] = math.Tanh(%s + 0.5*y + float64(%s))", nb, j, g.squash(g.expr(1)), t)
			g.line("\t}")
			g.line("\ty += 0.25 * (%s[0] + 0.5*%s[1])", nb, nb)
			g.line("}")
		}},
		{name: "innercount", weight: 1, ok: func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 && g.sc.sls[0].n == 6 }, stmt: func(g *progGen, d int) {
			// A counting loop inside a recurrence, its counter indexing a
			// parameter: the backward sweep sets the counter from the trip
			// count. A second one, its counter read after it, keeps it.
			t, i, k := g.fresh("t"), g.fresh("i"), g.fresh("k")
			g.line("%s := 0", k)
			g.line("for %s := range 2 {", t)
			g.line("	for %s := 0; %s < 3; %s++ {", i, i, i)
			g.line("		y += w[%s*3+%s] * %s", t, i, g.squash(g.expr(1)))
			g.line("	}")
			g.line("	for %s = 1; %s < 3; %s++ {", k, k, k)
			g.line("		y += 0.25 * w[%s] * w[%s-1]", k, k)
			g.line("	}")
			g.line("	y = 0.5*y*float64(%s) + math.Sin(y)", k)
			g.line("}")
		}},
		{name: "resetsum", weight: 1, ok: func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 && g.sc.sls[0].n == 6 }, stmt: func(g *progGen, d int) {
			// A sum set before an inner loop on every trip of a recurrence
			// and read after it: the inner trips save nothing, since the
			// restore of its setting follows them going back, unless code
			// between the setting and the loop, or the loop itself, reads it.
			t, i, s := g.fresh("t"), g.fresh("i"), g.fresh("s")
			g.line("for %s := range 2 {", t)
			g.line("	%s := %s", s, g.squash(g.expr(1)))
			if g.chance(0.4) {
				g.line("	y += 0.5 * math.Sin(%s)", s)
			}
			g.line("	for %s := 0; %s < 3; %s++ {", i, i, i)
			switch g.intn(3) {
			case 0:
				g.line("		%s += w[%s*3+%s] * w[%s*3+%s]", s, t, i, t, i)
			case 1:
				g.line("		%s = 0.5*%s + w[%s*3+%s]*y", s, s, t, i)
			default:
				g.line("		%s += 0.25 * y * w[%s*3+%s]", s, t, i)
			}
			g.line("	}")
			g.line("	y = 0.5*y + math.Exp(-%s*%s)", s, s)
			g.line("}")
		}},
		{name: "loopviews", weight: 1, ok: func(g *progGen, d int) bool { return loopOK(g, d) && g.sc.sls[0].n == 6 }, stmt: func(g *progGen, d int) {
			// A view of the parameter, read, and one of a local, written,
			// taken anew on every trip.
			j, v, lw, lv := g.fresh("j"), g.fresh("wv"), g.fresh("lw"), g.fresh("lv")
			local := g.chance(0.5)
			if local {
				g.line("%s := make([]float64, 6)", lw)
			}
			g.line("for %s := range 2 {", j)
			g.loopBody(d-1, j, func() {
				g.line("%s := w[%s*3 : %s*3+3]", v, j, j)
				g.line("y += %s[%d] * %s", v, g.intn(3), g.squash(g.expr(1)))
				g.sc.sls = append(g.sc.sls, val{name: v, n: 3, prod: "loopviews", local: true, ro: true})
				if local {
					g.line("%s := %s[%s*3 : %s*3+3]", lv, lw, j, j)
					g.line("%s[%d] = %s[%d] * %s", lv, g.intn(3), v, g.intn(3), g.squash(g.expr(1)))
					g.sc.sls = append(g.sc.sls, val{name: lv, n: 3, prod: "loopviews", local: true})
				}
			})
			g.line("}")
			if local {
				g.sc.sls = append(g.sc.sls, val{name: lw, n: 6, prod: "loopviews", local: true})
			}
		}},
		{name: "wholecopy", weight: 1, ok: func(g *progGen, d int) bool { return len(g.sc.pts)+len(g.sc.arrs) > 0 }, stmt: func(g *progGen, d int) {
			// Whole-value copies of structs and arrays, then written: the
			// source keeps its value.
			if len(g.sc.pts) > 0 && (len(g.sc.arrs) == 0 || g.chance(0.6)) {
				src := pick(g, g.sc.pts)
				g.mark(src.prod)
				cp := g.fresh("cp")
				switch g.intn(5) {
				case 4:
					// A struct value as an element of a literal.
					pl := g.fresh("pl")
					g.line("%s := [2]Pt{%s, %s}", pl, src.name, src.name)
					g.line("%s[1].Y *= 1 + 0.5*math.Tanh(%s)", pl, g.expr(1))
					g.line("y += 0.25 * math.Tanh(%s[0].X*%s[1].Y+%s[1].A[1])", pl, pl, pl)
					return
				case 0:
					g.line("%s := %s", cp, src.name)
				case 1:
					g.line("var %s = %s", cp, src.name)
				case 2:
					g.line("var %s Pt", cp)
					g.line("%s = %s", cp, src.name)
				default:
					fa := g.fresh("fa")
					g.line("%s := %s.A", fa, src.name)
					g.line("%s[1] *= 1 + 0.5*math.Tanh(%s)", fa, g.expr(1))
					g.line("y += 0.25 * math.Tanh(%s[0]*%s[1])", fa, fa)
					return
				}
				g.line("%s.X *= 1 + 0.5*math.Tanh(%s)", cp, g.expr(1))
				g.line("y += 0.25 * math.Tanh(%s.Y*%s.A[0]+%s.A[1])", cp, cp, cp)
				g.sc.pts = append(g.sc.pts, val{name: cp, prod: "wholecopy", local: true})
				return
			}
			src := pick(g, g.sc.arrs)
			g.mark(src.prod)
			ca := g.fresh("ca")
			g.line("%s := %s", ca, src.name)
			g.line("%s[%d] = %s", ca, g.intn(src.n), g.bounded(g.expr(1)))
			g.line("y += 0.25 * math.Tanh(%s[0]*%s[1])", ca, ca)
			g.sc.arrs = append(g.sc.arrs, val{name: ca, n: src.n, prod: "wholecopy", local: true})
		}},
		{name: "anonstruct", weight: 1, stmt: func(g *progGen, d int) {
			// Values of unnamed struct types: an accumulator, or a Go
			// table ranged over.
			if g.chance(0.5) {
				as := g.fresh("as")
				g.line("var %s struct{ S, Q float64 }", as)
				g.line("%s.S = %s", as, g.bounded(g.expr(1)))
				g.line("%s.Q += %s.S * %s", as, as, g.bounded(g.expr(1)))
				g.line("y += 0.25 * math.Tanh(%s.S*%s.Q)", as, as)
				return
			}
			at, e := g.fresh("at"), g.fresh("e")
			g.line("%s := []struct{ X, W float64 }{{X: %s, W: 2}, {W: 0.5, X: %s}}", at, g.bounded(g.expr(1)), g.bounded(g.expr(1)))
			g.line("for _, %s := range %s {", e, at)
			g.line("	y += %s.W * math.Tanh(%s.X)", e, e)
			g.line("}")
		}},
		{name: "rowbuild", weight: 1, ok: func(g *progGen, d int) bool { return g.top }, stmt: func(g *progGen, d int) {
			// A local [][]float64 built row by row with make, in the
			// loop over its rows (at the top level: one loop around the
			// rows' statement).
			rm, i, j := g.fresh("rm"), g.fresh("i"), g.fresh("j")
			g.line("%s := make([][]float64, 3)", rm)
			g.line("for %s := range %s {", i, rm)
			g.line("	%s[%s] = make([]float64, 2)", rm, i)
			g.line("	for %s := range %s[%s] {", j, rm, i)
			g.sc.ints = append(g.sc.ints, i, j)
			g.line("		%s[%s][%s] = %s * float64(%s+%s+1)", rm, i, j, g.bounded(g.expr(1)), i, j)
			g.sc.ints = g.sc.ints[:len(g.sc.ints)-2]
			g.line("	}")
			g.line("}")
			g.line("y += %s[%d][0] * %s[%d][1]", rm, g.intn(3), rm, g.intn(3))
		}},
		{name: "copyslice", weight: 1, stmt: func(g *progGen, d int) {
			// copy between fresh slices, as a statement and for its count.
			// They stay out of the scope: a later reslice would make the
			// copy one gradgen cannot prove free of overlap.
			cs, cd, i := g.fresh("cs"), g.fresh("cd"), g.fresh("i")
			g.line("%s := make([]float64, 3)", cs)
			g.line("for %s := range %s {", i, cs)
			g.sc.ints = append(g.sc.ints, i)
			g.line("	%s[%s] = %s * float64(%s+1)", cs, i, g.bounded(g.expr(1)), i)
			g.sc.ints = g.sc.ints[:len(g.sc.ints)-1]
			g.line("}")
			if g.chance(0.3) {
				// Into a local array: memory of its own.
				ca := g.fresh("ca")
				g.line("var %s [4]float64", ca)
				g.line("copy(%s[1:], %s)", ca, cs)
				g.line("%s[2] *= %s", ca, g.bounded(g.expr(1)))
				g.line("y += %s[1]*%s[2] + %s[3]", ca, ca, ca)
				return
			}
			g.line("%s := make([]float64, 4)", cd)
			if g.chance(0.5) {
				g.line("copy(%s, %s)", cd, cs)
				g.line("%s[3] = %s", cd, g.bounded(g.expr(1)))
				g.line("y += %s[0]*%s[3] + %s[2]", cd, cd, cd)
				return
			}
			nc := g.fresh("nc")
			g.line("%s := copy(%s[1:], %s[:2])", nc, cd, cs)
			g.line("%s[1] *= %s", cd, g.bounded(g.expr(1)))
			g.line("y += %s[1]*%s[2] + float64(%s)*%s[2]", cd, cd, nc, cs)
		}},
		{name: "reslice", weight: 1, stmt: func(g *progGen, d int) {
			var cands []int
			for i, s := range g.sc.sls {
				if s.local && s.n >= 2 && !strings.ContainsAny(s.name, ".[") {
					cands = append(cands, i)
				}
			}
			if g.top && len(cands) > 0 && g.chance(0.6) {
				// At the top level, where the new length is known to
				// every statement after it.
				s := &g.sc.sls[pick(g, cands)]
				if g.chance(0.5) {
					g.line("%s = %s[:%d]", s.name, s.name, s.n-1)
				} else {
					g.line("%s = %s[1:]", s.name, s.name)
				}
				s.n--
				return
			}
			s := pick(g, g.sc.sls)
			g.mark(s.prod, "while", "len")
			t := g.fresh("t")
			g.line("%s := %s", t, s.name)
			g.line("for len(%s) > 1 {", t)
			g.line("\ty += %s[0] * %s", t, g.squash(g.expr(1)))
			g.line("\t%s = %s[1:]", t, t)
			g.line("}")
			g.sc.sls = append(g.sc.sls, val{name: t, n: min(1, s.n), prod: "reslice", local: true, ro: s.ro})
		}},
		{name: "intcode", weight: 1, stmt: func(g *progGen, d int) {
			k, b, s := g.fresh("k"), g.fresh("b"), g.fresh("str")
			g.line("%s := %s*3 + 1", k, g.intExpr())
			g.line("%s := %s%%2 == 0 || n > 2", b, k)
			g.line("%s := \"abcd\"[%s%%3:]", s, k)
			g.line("if %s && len(%s) > 1 {", b, s)
			g.line("\ty += 0.5 * %s", g.bounded(g.expr(1)))
			g.line("}")
			g.sc.ints = append(g.sc.ints, k)
			if g.chance(0.5) {
				// Integer scratch, as long as a float slice: indexes
				// that pick elements, never differentiated.
				ix, i, length := g.fresh("ix"), g.fresh("i"), "n + 2"
				if len(g.sc.sls) > 0 {
					length = "len(" + pick(g, g.sc.sls).name + ") + 1"
				}
				g.line("%s := make([]int, %s)", ix, length)
				g.line("for %s := range %s {", i, ix)
				g.line("\t%s[%s] = (%s*%s + 1) %% 3", ix, i, i, k)
				g.line("}")
				g.line("y += 0.25 * float64(%s[len(%s)-1]) * %s", ix, ix, g.bounded(g.expr(1)))
			}
		}},
		{name: "byvaluearr", fn: true},
		{name: "variadic", fn: true},
		{name: "namedresult", fn: true},
		{name: "byvaluestruct", fn: true},
		{name: "pointers", fn: true},
		{name: "structslice", fn: true},
		{name: "matrix", fn: true},

		// Math with two results.
		{name: "sincos", weight: 1, stmt: func(g *progGen, d int) {
			s, c := g.fresh("s"), g.fresh("c")
			g.line("%s, %s := math.Sincos(%s)", s, c, g.expr(2))
			g.sc.vars = append(g.sc.vars, s, c)
		}},
		{name: "modf", weight: 1, stmt: func(g *progGen, d int) {
			ip, fr := g.fresh("ip"), g.fresh("fr")
			g.line("%s, %s := math.Modf(3 * %s)", ip, fr, g.expr(2))
			g.sc.vars = append(g.sc.vars, ip, fr)
		}},
		{name: "frexp", weight: 1, stmt: func(g *progGen, d int) {
			fr, ex := g.fresh("fr"), g.fresh("ex")
			// The argument stays in (0.5, 1.5): Frexp of a subnormal has a
			// derivative of up to 2^1073, which overflows to +Inf, and
			// reverse mode then takes Inf - Inf for an argument that is an
			// exact 0 by cancellation (Frexp(Nextafter(y-y, 2)), seed 1),
			// where the derivative is 0 and forward mode's Ldexp(0, 1073)
			// is 0. Not 0.25 below: fr is y·2^-ex exactly, and with a later
			// y += 0.25*fr the two updates could cancel y to an exact 0.
			g.line("%s, %s := math.Frexp(1 + 0.5*math.Tanh(%s))", fr, ex, g.expr(2))
			g.line("y += 0.3 * %s * float64(%s)", fr, ex)
			g.sc.vars = append(g.sc.vars, fr)
		}},

		// Calls.
		{name: "helper1", weight: 2, expr: func(g *progGen, d int) string {
			if g.chance(0.25) {
				// A constant argument of a helper expanded in place must
				// stay a float there: 3 / 4 * x is integer division.
				return fmt.Sprintf("scaled(%s, %s)", pick(g, []string{"3", "5", "(1 << 2)", "7.5", "-3"}), g.expr(d))
			}
			return fmt.Sprintf(pick(g, []string{"sq(%s)", "softsign(%s)", "sigmoid(%s)"}), g.expr(d))
		}},
		{name: "helperN", weight: 1, expr: func(g *progGen, d int) string {
			if g.chance(0.5) {
				return fmt.Sprintf("smooth3(%s)", g.expr(d))
			}
			return fmt.Sprintf("bell(%s, 1.5+math.Sin(%s))", g.expr(d), g.expr(d))
		}},
		{name: "generichelper", weight: 1, expr: func(g *progGen, d int) string {
			switch g.intn(3) {
			case 0:
				return fmt.Sprintf("gscale(%s, 1.5)", g.expr(d))
			case 1:
				return fmt.Sprintf("gscale[float64](%s, 0.5)", g.expr(d))
			}
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			return fmt.Sprintf("gsum(%s)", s.name)
		}},
		{name: "helperslice", weight: 1, expr: func(g *progGen, d int) string {
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			return fmt.Sprintf("dot3(%s, %s)", s.name, g.expr(d))
		}},
		{name: "helpervariadic", weight: 1, expr: func(g *progGen, d int) string {
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			if g.chance(0.5) {
				return fmt.Sprintf("vmean(%s, %s[1:]...)", g.expr(d), s.name)
			}
			return fmt.Sprintf("vmean(%s, %s...)", g.expr(d), s.name)
		}, stmt: func(g *progGen, d int) {
			// Several results from a variadic helper.
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			m, q := g.fresh("m"), g.fresh("q")
			g.line("%s, %s := vstats(%s...)", m, q, s.name)
			g.sc.vars = append(g.sc.vars, m, q)
		}},
		{name: "funclit", weight: 1, stmt: func(g *progGen, d int) {
			// A literal capturing what is in scope, called with a variable
			// or a math expression (computed once when the body reads its
			// parameter twice); sometimes a captured variable changes
			// between two calls, which must see its current value.
			f, t := g.fresh("f"), g.fresh("t")
			n := len(g.sc.vars)
			g.sc.vars = append(g.sc.vars, t)
			body := g.expr(2)
			g.sc.vars = g.sc.vars[:n]
			// t / 4 with a constant argument is integer division unless
			// the constant keeps the parameter's type.
			g.line("%s := func(%s float64) float64 { return %s / 4 * (1 + 0.5*math.Tanh(%s)) }", f, t, t, body)
			arg := pick(g, g.sc.vars)
			switch g.intn(4) {
			case 0, 1:
				arg = fmt.Sprintf("%s*0.5 + math.Sin(%s)", pick(g, g.sc.vars), pick(g, g.sc.vars))
			case 2:
				arg = pick(g, []string{"3", "5", "(1 << 3)"})
			}
			g.line("y += %s", g.bounded(fmt.Sprintf("%s(%s)", f, arg)))
			if g.chance(0.5) {
				if v := g.scalar(); v != "" {
					g.line("%s = %s * 0.5", v, v)
				}
				g.line("y += %s", g.bounded(fmt.Sprintf("%s(%s)", f, pick(g, g.sc.vars))))
			}
		}},
		{name: "funclitstmt", weight: 1, stmt: func(g *progGen, d int) {
			// Literals of several statements, called as statements: one
			// writes a captured accumulator, one returns a value through
			// a local and a branch; a captured variable may change
			// between calls.
			acc, fa, fv, t, u := g.fresh("acc"), g.fresh("fa"), g.fresh("fv"), g.fresh("t"), g.fresh("u")
			n := len(g.sc.vars)
			g.sc.vars = append(g.sc.vars, t)
			e1, e2 := g.expr(1), g.expr(1)
			g.sc.vars = g.sc.vars[:n]
			g.line("%s := 0.0", acc)
			g.line("%s := func(%s float64) {", fa, t)
			g.line("	%s := %s * (1 + 0.5*math.Tanh(%s))", u, t, e1)
			g.line("	%s += math.Tanh(%s)", acc, u)
			g.line("}")
			g.line("%s := func(%s float64) float64 {", fv, t)
			g.line("	%s := math.Tanh(%s * %s)", u, t, e2)
			g.line("	if %s > 0.5 {", u)
			g.line("		%s = 0.5 + 0.25*%s", u, u)
			g.line("	}")
			g.line("	return %s * %s", u, u)
			g.line("}")
			g.line("%s(%s)", fa, pick(g, g.sc.vars))
			if v := g.scalar(); v != "" && g.chance(0.5) {
				g.line("%s = %s * 0.5", v, v)
			}
			g.line("%s(%s)", fa, pick(g, g.sc.vars))
			r := g.fresh("r")
			g.line("%s := %s(%s)", r, fv, pick(g, g.sc.vars))
			g.line("%s += %s(%s)", r, fv, acc)
			g.line("y += 0.5 * %s(%s)", fv, pick(g, g.sc.vars)) // inside an expression
			g.line("y += %s + %s", acc, r)
		}},
		{name: "helper2", weight: 1, stmt: func(g *progGen, d int) {
			r, t := g.fresh("r"), g.fresh("t")
			g.line("%s, %s := polar(%s, %s)", r, t, g.expr(2), g.expr(2))
			g.sc.vars = append(g.sc.vars, r, t)
		}},
		{name: "valuehelper", weight: 1, stmt: func(g *progGen, d int) {
			// Helpers with struct and array parameters and results by
			// value, a value receiver, a slice result: expanded at the
			// call, inside expressions too.
			switch k := g.intn(5); {
			case k == 4:
				q := g.fresh("q")
				g.line("%s := ptClamp(%s, %.2f)", q, g.pt(1), g.rng.Float64()-0.5)
				g.line("y += 0.25 * math.Tanh(%s.X*%s.Y)", q, q)
			case k == 0:
				q := g.fresh("q")
				g.line("%s := ptMid(%s, %s)", q, g.pt(1), g.pt(1))
				g.line("y += 0.25 * math.Tanh(%s.X*%s.A[1])", q, q)
				g.sc.pts = append(g.sc.pts, val{name: q, prod: "valuehelper", local: true})
			case k == 1:
				g.line("y += 0.25 * math.Tanh(%s.norm()) * %s", g.pt(1), g.expr(1))
			case k == 2 && len(g.sc.arrs) > 0:
				a := pick(g, g.sc.arrs)
				if a.n == 3 {
					g.mark(a.prod)
					ra := g.fresh("ra")
					g.line("%s := arrRot(%s, %s)", ra, a.name, g.bounded(g.expr(1)))
					g.line("y += 0.25 * %s[0] * %s[2]", ra, ra)
					g.sc.arrs = append(g.sc.arrs, val{name: ra, n: 3, prod: "valuehelper", local: true})
					return
				}
				fallthrough
			default:
				if s := g.longSlice(2); s != nil {
					g.mark(s.prod)
					sv := g.fresh("sv")
					g.line("%s := scaled2(%s, %s)", sv, s.name, g.bounded(g.expr(1)))
					g.line("y += %s[0] * %s[1]", sv, sv)
					return
				}
				g.line("y += 0.25 * math.Tanh(ptMid(%s, %s).Y)", g.pt(1), g.pt(1))
			}
		}},
		{name: "effectcall", weight: 1, stmt: func(g *progGen, d int) {
			// Calls with effects inside expressions (draws from a
			// generator the function makes): each computed once, first,
			// into a variable that backward code reads. The statement
			// reads local values only: beside a package-level variable,
			// which the call might change, it is refused.
			rg := g.fresh("rg")
			g.line("%s := newRand(n)", rg)
			a, b := pick(g, g.sc.vars), pick(g, g.sc.vars)
			switch g.intn(3) {
			case 0:
				g.line("y += math.Tanh(%s) * (%s.Float64() - 0.5)", a, rg)
			case 1:
				g.line("y = 0.5*y + math.Tanh(%s)*float64(%s.IntN(3)+1) + %s.Float64()*math.Sin(%s)", a, rg, rg, b)
			default:
				if s := g.longSlice(2); s != nil && !strings.ContainsAny(s.name, ".(") {
					g.mark(s.prod)
					g.line("y += 0.5 * %s[%s.IntN(2)] * math.Tanh(y)", s.name, rg)
					return
				}
				// The first draw's variable is then an argument of max.
				g.line("y += max(math.Tanh(%s), %s.Float64()) + 0.5*%s.Float64()", a, rg, rg)
			}
		}},
		{name: "litexpr", weight: 1, stmt: func(g *progGen, d int) {
			// Composite literals inside expressions: passed, indexed,
			// assigned to a variable that exists.
			switch g.intn(4) {
			case 0:
				g.line("y += 0.25 * math.Tanh(ptMid(Pt{X: %s, Y: 0.5}, %s).X)", g.bounded(g.expr(1)), g.pt(1))
			case 1:
				g.line("y += 0.25 * dot3([]float64{%s, %s}, 0.5)", g.bounded(g.expr(1)), g.bounded(g.expr(1)))
			case 2:
				g.line("y += [3]float64{%s, 0.5, %s}[%d]", g.bounded(g.expr(1)), g.bounded(g.expr(1)), g.intn(3))
			default:
				lp := g.fresh("lp")
				g.line("%s := Pt{X: %s}", lp, g.bounded(g.expr(1)))
				g.line("%s = Pt{X: %s.X * 0.5, Y: %s, A: [2]float64{%s.X, 1}}", lp, lp, g.bounded(g.expr(1)), lp)
				g.line("y += 0.25 * math.Tanh(%s.X*%s.Y+%s.A[0])", lp, lp, lp)
			}
		}},
		{name: "writer", weight: 1, stmt: func(g *progGen, d int) {
			// Helpers that write into what they are passed: a slice,
			// a local struct through a pointer receiver, a local array
			// through &.
			var pts, arrs []val
			for _, p := range g.sc.pts {
				if p.local && !p.ro && !strings.ContainsAny(p.name, ".[") {
					pts = append(pts, p)
				}
			}
			for _, a := range g.sc.arrs {
				if a.local && !a.ro && a.n == 3 && !strings.ContainsAny(a.name, ".[") {
					arrs = append(arrs, a)
				}
			}
			switch k := g.intn(4); {
			case k == 3:
				// A pointer method on an element of a local slice.
				ps, j := g.fresh("ps"), g.fresh("j")
				g.line("%s := make([]Pt, 2)", ps)
				g.line("%s[0].X = %s", ps, g.bounded(g.expr(1)))
				g.line("%s[1].Y = %s", ps, g.bounded(g.expr(1)))
				g.line("for %s := range %s {", j, ps)
				g.line("	%s[%s].shift(0.5 * %s[1-%s].X)", ps, j, ps, j)
				g.line("}")
				g.line("%s[1].shift(%s)", ps, g.bounded(g.expr(1)))
				g.line("y += %s[0].X*%s[1].Y + %s[1].A[1]", ps, ps, ps)
			case k == 1 && len(pts) > 0:
				p := pick(g, pts)
				g.mark(p.prod)
				g.line("%s.shift(%s)", p.name, g.bounded(g.expr(1)))
			case k == 2 && len(arrs) > 0:
				a := pick(g, arrs)
				g.mark(a.prod)
				g.line("bump(&%s, %s)", a.name, g.expr(1))
			default:
				wb := g.fresh("wb")
				g.line("%s := make([]float64, 2)", wb)
				if k := g.intn(6); k == 0 {
					r := g.fresh("r")
					g.line("%s := fill2(%s, %s)", r, g.bounded(g.expr(1)), wb)
					g.sc.vars = append(g.sc.vars, r)
				} else if k == 3 {
					// Writes through a view the helper declares with var.
					g.line("fill2(%s, %s)", g.bounded(g.expr(1)), wb)
					g.line("tailMix(%s, %s)", wb, g.bounded(g.expr(1)))
				} else if k == 4 {
					// Passive weights filled through a struct holding them.
					hw := g.fresh("hw")
					g.line("%s := make([]float64, 2)", hw)
					g.line("heldFill(%s, 0.75)", hw)
					g.line("%s[0] = %s * %s[1]", wb, g.bounded(g.expr(1)), hw)
					g.line("%s[1] = %s[0] - %s", wb, hw, g.bounded(g.expr(1)))
				} else if k == 5 {
					// An early return, and loop variables named alike.
					g.line("fillBranch(%s, %s)", g.bounded(g.expr(1)), wb)
				} else if k == 1 {
					// Inside an expression: computed first, into a temporary
					// (its argument calls nothing, which hoisting needs).
					g.line("y += 0.5 * math.Tanh(fill2(math.Tanh(%s), %s))", pick(g, g.sc.vars), wb)
				} else {
					g.line("fill2(%s, %s)", g.bounded(g.expr(1)), wb)
				}
				g.line("y += %s[0] * %s[1]", wb, wb)
			}
		}},
		{name: "methodptr", weight: 1, exprNeeds: "q", expr: func(g *progGen, d int) string {
			return fmt.Sprintf("q.energy(%s)", g.expr(d))
		}},
		{name: "method2", weight: 1, needs: "q", stmt: func(g *progGen, d int) {
			// Half the time the receiver is the only active operand.
			r, t, arg := g.fresh("r"), g.fresh("t"), "0.5"
			if g.chance(0.5) {
				arg = g.expr(2)
			}
			g.line("%s, %s := q.split(%s)", r, t, arg)
			g.sc.vars = append(g.sc.vars, r, t)
		}},
		{name: "recvvalue", fn: true},
		{name: "recvptr", fn: true},
		{name: "vecout", fn: true},
		{name: "generic", fn: true},
		{name: "rule", weight: 1, expr: func(g *progGen, d int) string {
			if g.chance(0.5) {
				return fmt.Sprintf("softplus(%s)", g.expr(d))
			}
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			return fmt.Sprintf("scaledSumsq(%s, %s)", s.name, g.expr(d))
		}},
		{name: "otherpkg", weight: 1, expr: func(g *progGen, d int) string {
			// Calls into another package of the module (randomDep):
			// its rules and its exported gradients serve them.
			switch g.intn(4) {
			case 0:
				return fmt.Sprintf("dep.Softsign(%s)", g.expr(d))
			case 1:
				return fmt.Sprintf("dep.Bump(%s, 1.5+0.5*math.Tanh(%s))", g.expr(d), g.expr(d))
			case 2:
				return fmt.Sprintf("dep.Wave(%s, %s)", g.expr(d), pick(g, []string{"1.5", "table[2]", "coef[0]"}))
			}
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			return fmt.Sprintf("dep.Sumsq(%s, %s)", s.name, g.expr(d))
		}},
		{name: "rulemath", weight: 1, expr: func(g *progGen, d int) string {
			return fmt.Sprintf("math.Gamma(1.5 + 0.5*math.Sin(%s))", g.expr(d))
		}},

		// What the tracker issue names.
		{name: "loopvar", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			i, c := g.fresh("i"), g.fresh("c")
			g.line("for %s := range %s {", i, g.tripCount())
			g.loopBody(d-1, i, func() {
				g.line("var %s float64", c)
				g.line("if %s%%2 == 0 {", i)
				g.line("\t%s = %s", c, g.expr(2))
				g.line("}")
				g.sc.vars = append(g.sc.vars, c)
			})
			g.line("}")
		}},
		{name: "varbound", weight: 1, ok: func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 && g.sc.sls[0].n == 6 }, stmt: func(g *progGen, d int) {
			// An inner loop bounded by a variable declared with var in the
			// outer loop's body: a new bound on every outer trip.
			t, m, i := g.fresh("t"), g.fresh("m"), g.fresh("i")
			g.line("for %s := range 3 {", t)
			if g.chance(0.5) {
				g.line("	var %s = %s + 1", m, t)
			} else {
				g.line("	var %s int = 3 - %s", m, t)
			}
			g.line("	for %s := 0; %s < %s; %s++ {", i, i, m, i)
			g.line("		y = 0.5*y + math.Sin(y*w[%s+%s]) * %s", t, i, g.squash(g.expr(1)))
			g.line("	}")
			g.line("}")
		}},
		{name: "sidecounter", weight: 1, stmt: func(g *progGen, d int) {
			// A call with effects runs exactly as often as in the source:
			// its result goes into a variable first (gradgen refuses it as
			// an operand, which the backward sweep would evaluate again).
			k, c := g.fresh("k"), g.fresh("c")
			g.line("%s := n", k)
			g.sc.ctrs = append(g.sc.ctrs, k)
			switch g.intn(3) {
			case 0:
				g.line("for range 3 {")
				g.line("\t%s := next(&%s)", c, k)
				g.line("\ty += (x + %s) * %s", g.squash(g.expr(1)), c)
				g.line("}")
			case 1:
				v := g.fresh("v")
				g.line("%s := next(&%s)", c, k)
				g.line("%s := %s * %s", v, g.expr(2), c)
				g.sc.vars = append(g.sc.vars, v)
			default:
				g.line("if next(&%s) > 0.4 {", k)
				g.line("\ty += %s", g.bounded(g.expr(1)))
				g.line("}")
			}
		}},
		{name: "siderand", weight: 1, stmt: func(g *progGen, d int) {
			r, u := g.fresh("rng"), g.fresh("u")
			g.line("%s := rand.New(rand.NewPCG(uint64(n)+1, 7))", r)
			g.sc.rngs = append(g.sc.rngs, r)
			g.line("%s := %s.Float64()", u, r)
			g.line("y += %s * %s", g.bounded(g.expr(2)), u)
		}},
		{name: "nanpath", fn: true},
		{name: "negreturn", fn: true},
		{name: "sumbranch", fn: true},
	}...)
}

// mathForms writes each function of package math through a form that
// keeps it where it is smooth and finite (@1, @2, @3: arguments).
// TestRandomCoversReadme requires a form for every function of the
// README's table of derivative rules.
var mathForms = []struct{ name, form string }{
	{"Abs", "math.Abs(@1)"},
	{"Acos", "math.Acos(0.9 * math.Tanh(@1))"},
	{"Asin", "math.Asin(0.9 * math.Tanh(@1))"},
	{"Acosh", "math.Acosh(1.5 + @1*@1)"},
	{"Asinh", "math.Asinh(@1)"},
	{"Atan", "math.Atan(@1)"},
	{"Atanh", "math.Atanh(0.5 * math.Sin(@1))"},
	{"Atan2", "math.Atan2(@1, 1.5+math.Cos(@2))"},
	{"Cbrt", "math.Cbrt(2 + math.Sin(@1))"},
	{"Ceil", "math.Ceil(2 * @1)"},
	{"Floor", "math.Floor(2 * @1)"},
	{"Trunc", "math.Trunc(2 * @1)"},
	{"Round", "math.Round(2 * @1)"},
	{"RoundToEven", "math.RoundToEven(2 * @1)"},
	{"Logb", "math.Logb(1.5 + @1*@1)"},
	{"Copysign", "math.Copysign(@1, @2)"},
	{"Cos", "math.Cos(@1)"},
	{"Sin", "math.Sin(@1)"},
	{"Tan", "math.Tan(0.7 * math.Sin(@1))"},
	{"Cosh", "math.Cosh(math.Sin(@1))"},
	{"Sinh", "math.Sinh(math.Sin(@1))"},
	{"Tanh", "math.Tanh(@1)"},
	{"Dim", "math.Dim(@1, @2)"},
	{"Erf", "math.Erf(@1)"},
	{"Erfc", "math.Erfc(@1)"},
	{"Erfinv", "math.Erfinv(0.9 * math.Tanh(@1))"},
	{"Erfcinv", "math.Erfcinv(1 + 0.9*math.Tanh(@1))"},
	{"Exp", "math.Exp(math.Sin(@1))"},
	{"Exp2", "math.Exp2(math.Sin(@1))"},
	{"Expm1", "math.Expm1(math.Sin(@1))"},
	{"FMA", "math.FMA(@1, @2, @3)"},
	{"Hypot", "math.Hypot(@1, 0.5)"},
	{"Hypot", "math.Hypot(@1, @2)"},
	{"J0", "math.J0(@1)"},
	{"J1", "math.J1(@1)"},
	{"Jn", "math.Jn(2, @1)"},
	{"Y0", "math.Y0(1 + @1*@1)"},
	{"Y1", "math.Y1(1 + @1*@1)"},
	{"Yn", "math.Yn(2, 1+@1*@1)"},
	{"Ldexp", "math.Ldexp(@1, 2)"},
	{"Ldexp", "math.Ldexp(@1, n-1)"},
	{"Log", "math.Log(2 + math.Cos(@1))"},
	{"Log10", "math.Log10(2 + math.Cos(@1))"},
	{"Log2", "math.Log2(2 + math.Cos(@1))"},
	{"Log1p", "math.Log1p(@1 * @1)"},
	{"Max", "math.Max(@1, @2)"},
	{"Min", "math.Min(@1, @2)"},
	{"Mod", "math.Mod(@1, 1.5+math.Sin(@2))"},
	{"Remainder", "math.Remainder(@1, 1.5+math.Sin(@2))"},
	{"Nextafter", "math.Nextafter(@1, 2)"},
	{"Nextafter32", "float64(math.Nextafter32(float32(@1), 2))"},
	{"Pow", "math.Pow(1.5+math.Sin(@1), 1.3)"},
	{"Pow", "math.Pow(1.5+math.Sin(@1), math.Cos(@2))"},
	{"Sqrt", "math.Sqrt(1 + @1*@1)"},
}
