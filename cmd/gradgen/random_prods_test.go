package main

import (
	"fmt"
	"strings"
)

// The productions of the program generator, by name: here expressions,
// statements and control flow; in random_prods_data_test.go data, calls
// and the constructs the tracker issue names. readmeCoverage
// (random_readme_test.go) maps the README's items to these names;
// GRADGEN_RANDOM_ONLY takes them.

var productions []production

func init() {
	d0 := func(g *progGen, d int) bool { return d > 0 }
	inLoop := func(g *progGen, d int) bool { return len(g.loops) > 0 }
	// Loops nest two deep at most (16 trips): damped updates stay bounded.
	loopOK := func(g *progGen, d int) bool { return d > 0 && len(g.loops) < 2 }
	nestOK := func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 }
	productions = append(productions, []production{
		// Expressions.
		{name: "arith", weight: 8, expr: func(g *progGen, d int) string {
			if g.intn(4) == 0 {
				return fmt.Sprintf("(%s) / (2 + math.Sin(%s))", g.expr(d), g.expr(d))
			}
			return fmt.Sprintf("(%s %s %s)", g.expr(d), pick(g, []string{"+", "-", "*"}), g.expr(d))
		}},
		{name: "unary", weight: 2, expr: func(g *progGen, d int) string {
			if g.chance(0.3) {
				return "(+(" + g.expr(d) + "))"
			}
			if g.chance(0.5) {
				return "(-" + g.leaf() + ")"
			}
			return "(-(" + g.expr(d) + "))"
		}},
		{name: "constexpr", weight: 1, expr: func(g *progGen, d int) string {
			return fmt.Sprintf(pick(g, []string{"(%s) * (1.0 / 3)", "(%s) / (math.Sqrt2 * 2)", "math.Ln2 * (%s)",
				"(%s) * (2*math.Pi - 6)", "(%s) / 0.7", "(%s) * (1 - 1.0/3)"}), g.expr(d))
		}},
		{name: "convint", weight: 1, expr: func(g *progGen, d int) string {
			if g.chance(0.5) {
				return fmt.Sprintf("(%s) * float64(%s+1) / 4", g.expr(d), g.intExpr())
			}
			return fmt.Sprintf("(float64(%s)*0.25 + %s)", g.intExpr(), g.expr(d))
		}},
		{name: "conv32", weight: 1, expr: func(g *progGen, d int) string {
			g.f32 = true
			return fmt.Sprintf("float64(float32(%s))", g.expr(d))
		}, stmt: func(g *progGen, d int) {
			g.f32 = true
			if g.chance(0.5) {
				f := g.fresh("f")
				// Squashed: float32 products of large values round more
				// than finite differences can tell apart from an error.
				g.line("var %s float32 = float32(%s)", f, g.squash(g.expr(1)))
				g.line("%s *= 1.5", f)
				g.line("y += float64(%s)", f)
				return
			}
			h, i := g.fresh("hf"), g.fresh("i")
			g.line("%s := make([]float32, 3)", h)
			g.line("for %s := range %s {", i, h)
			g.sc.ints = append(g.sc.ints, i)
			g.line("\t%s[%s] = float32(%s)", h, i, g.squash(g.expr(1)))
			g.sc.ints = g.sc.ints[:len(g.sc.ints)-1]
			g.line("}")
			g.line("y += float64(%s[0]*%s[1]) + float64(%s[2])", h, h, h)
		}},
		{name: "math", weight: 5, expr: func(g *progGen, d int) string {
			f := pick(g, mathForms)
			if strings.Contains(f.form, "float32") {
				g.f32 = true
			}
			return strings.NewReplacer("@1", g.expr(d), "@2", g.expr(d), "@3", g.expr(d)).Replace(f.form)
		}},
		{name: "minmax", weight: 1, expr: func(g *progGen, d int) string {
			switch g.intn(4) {
			case 0:
				return fmt.Sprintf("min(%s, %s)", g.expr(d), g.expr(d))
			case 1:
				return fmt.Sprintf("max(%s, %s, %s)", g.expr(d), g.expr(d), g.expr(d))
			case 2:
				return fmt.Sprintf("math.Max(%s, %s)", g.expr(d), g.expr(d))
			default:
				return fmt.Sprintf("math.Min(%s, %s)", g.expr(d), g.expr(d))
			}
		}},
		{name: "len", weight: 1, expr: func(g *progGen, d int) string {
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			return fmt.Sprintf("(%s) * float64(len(%s)) / 4", g.expr(d), s.name)
		}},
		{name: "pkgdata", weight: 0}, // a leaf: table[k], coef[k]
		{name: "slices", weight: 0},  // a leaf: w[k] and other slices' elements
		{name: "structs", weight: 1, stmt: func(g *progGen, d int) {
			pt := g.fresh("pt")
			g.line("var %s Pt", pt)
			g.line("%s.X = %s", pt, g.expr(1))
			if g.chance(0.5) {
				g.line("%s.Y = %s", pt, g.expr(1))
			}
			g.line("%s.A[%d] = %s", pt, g.intn(2), g.expr(1))
			g.sc.pts = append(g.sc.pts, val{name: pt, prod: "structs", local: true})
		}}, // also a leaf: fields of the structs in scope
		{name: "complit", weight: 1, stmt: func(g *progGen, d int) {
			// Composite literals whose elements depend on the parameters.
			switch g.intn(4) {
			case 3:
				// A constant nested array literal (a rotation): passive,
				// its tangent zero in forward mode, read beside active
				// values.
				rot := g.fresh("rot")
				g.line("%s := [2][2]float64{{0.6, -0.8}, {0.8, 0.6}}", rot)
				g.line("y += %s[0][1]*%s + %s[1][0]*%s", rot, g.bounded(g.expr(1)), rot, g.bounded(g.expr(1)))
			case 0:
				pt := g.fresh("pt")
				if g.chance(0.5) {
					g.line("%s := Pt{X: %s, A: [2]float64{%s, 1}}", pt, g.expr(1), g.expr(1))
				} else {
					g.line("var %s = Pt{%s, %s, [2]float64{0.5, %s}}", pt, g.expr(1), g.expr(1), g.expr(1))
				}
				g.sc.pts = append(g.sc.pts, val{name: pt, prod: "complit", local: true})
			case 1:
				cl := g.fresh("cl")
				g.line("%s := []float64{%s, 0.25, %s}", cl, g.expr(1), g.expr(1))
				g.sc.sls = append(g.sc.sls, val{name: cl, n: 3, prod: "complit", local: true})
			default:
				ca := g.fresh("ca")
				g.line("%s := [3]float64{%s, 2: %s}", ca, g.expr(1), g.expr(1))
				g.sc.arrs = append(g.sc.arrs, val{name: ca, n: 3, prod: "complit", local: true})
			}
		}},

		// Statements.
		{name: "define", weight: 4, stmt: func(g *progGen, d int) {
			v := g.fresh("v")
			g.line("%s := %s", v, g.expr(3))
			g.sc.vars = append(g.sc.vars, v)
		}},
		{name: "vardecl", weight: 1, stmt: func(g *progGen, d int) {
			v := g.fresh("v")
			switch g.intn(4) {
			case 0:
				g.line("var %s float64 = %s", v, g.expr(2))
			case 1:
				g.line("var %s = %s", v, g.expr(2))
			case 2:
				g.line("var %s float64", v)
				g.line("if %s {", g.cond())
				g.line("\t%s = %s", v, g.expr(2))
				g.line("}")
			default:
				v2 := g.fresh("v")
				g.line("var %s, %s = %s, %s", v, v2, g.expr(2), g.expr(2))
				g.sc.vars = append(g.sc.vars, v2)
			}
			g.sc.vars = append(g.sc.vars, v)
		}},
		{name: "constdecl", weight: 1, stmt: func(g *progGen, d int) {
			c := g.fresh("c")
			if g.chance(0.5) {
				g.line("const %s = %s", c, g.constant())
			} else {
				g.line("const %s float64 = 1.0 / %d", c, 2+g.intn(5))
			}
			g.line("y += %s * %s", c, g.bounded(g.expr(2)))
		}},
		{name: "assign", weight: 2, stmt: func(g *progGen, d int) {
			v := g.scalar()
			if v == "" {
				v = "x"
			}
			g.line("%s = %s", v, g.bounded(g.expr(2)))
		}},
		{name: "opassign", weight: 3, stmt: func(g *progGen, d int) {
			v := g.scalar()
			if v == "" || g.chance(0.3) {
				v = "y"
			}
			switch g.intn(5) {
			case 0:
				g.line("%s += math.Tanh(%s)", v, g.expr(2))
			case 1:
				g.line("%s -= math.Tanh(%s)", v, g.expr(2))
			case 2:
				g.line("%s *= 1 + 0.5*math.Tanh(%s)", v, g.expr(2))
			case 3:
				g.line("%s /= 1.5 + 0.5*math.Sin(%s)", v, g.expr(2))
			default:
				g.line("%s += %s", v, g.bounded(g.expr(2)))
			}
		}},
		{name: "incdec", weight: 1, stmt: func(g *progGen, d int) {
			v := g.scalar()
			if v == "" {
				v = "y"
			}
			g.line("%s%s", v, pick(g, []string{"++", "--"}))
		}},
		{name: "parallel", weight: 1, stmt: func(g *progGen, d int) {
			a, b := g.scalar(), "y"
			if a == "" {
				a = "x"
			}
			switch g.intn(3) {
			case 0:
				g.line("%s, %s = %s, %s", a, b, b, a)
			case 1:
				g.line("%s, %s = %s, %s", a, b, g.bounded(g.expr(1)), g.bounded(g.expr(1)))
			default:
				v1, v2 := g.fresh("v"), g.fresh("v")
				g.line("%s, %s := %s, %s", v1, v2, g.expr(2), g.expr(2))
				g.sc.vars = append(g.sc.vars, v1, v2)
			}
		}},
		{name: "shadow", weight: 1, ok: d0, stmt: func(g *progGen, d int) {
			v := g.scalar()
			if v == "" {
				v = "x"
			}
			g.line("{")
			g.body(d-1, func() {
				g.line("%s := 0.5*%s + %s", v, v, g.expr(1))
				g.sc.vars = append(g.sc.vars, v)
			})
			g.line("}")
		}},
		{name: "block", weight: 1, ok: d0, stmt: func(g *progGen, d int) {
			g.line("{")
			g.body(d-1, nil)
			g.line("}")
		}},

		// Control flow.
		{name: "ifelse", weight: 2, ok: d0, stmt: func(g *progGen, d int) {
			g.line("if %s {", g.cond())
			g.body(d-1, nil)
			switch g.intn(3) {
			case 0:
				g.line("} else {")
				g.body(d-1, nil)
			case 1:
				g.line("} else if %s {", g.cond())
				g.body(d-1, nil)
				g.line("} else {")
				g.body(d-1, nil)
			}
			g.line("}")
		}},
		{name: "compare", weight: 1, ok: d0, stmt: func(g *progGen, d int) {
			// A condition on float values: the function jumps where it
			// changes, and the oracle skips the points near a jump.
			g.line("if %s %s %s {", g.expr(1), pick(g, []string{">", "<", ">=", "<="}), g.constant())
			g.body(d-1, nil)
			if g.chance(0.5) {
				g.line("} else {")
				g.body(d-1, nil)
			}
			g.line("}")
		}},
		{name: "switchtag", weight: 1, ok: d0, stmt: func(g *progGen, d int) {
			k := g.fresh("k")
			g.line("switch %s := %s %% 3; %s {", k, g.intExpr(), k)
			addK := func() { g.sc.ints = append(g.sc.ints, k) }
			g.line("case 0:")
			g.body(d-1, addK)
			g.line("case 1, 2:")
			g.body(d-1, addK)
			g.line("}")
		}},
		{name: "switchless", weight: 1, ok: d0, stmt: func(g *progGen, d int) {
			g.mark("compare")
			t := g.fresh("t")
			g.line("switch %s := %s; {", t, g.expr(2))
			addT := func() { g.sc.vars = append(g.sc.vars, t) }
			g.line("case %s > %s:", t, g.constant())
			g.body(d-1, addT)
			g.line("case %s:", g.cond())
			g.body(d-1, addT)
			g.line("default:")
			g.body(d-1, addT)
			g.line("}")
		}},
		{name: "for3", weight: 2, ok: loopOK, stmt: func(g *progGen, d int) { g.simpleLoop(d, "for3") }},
		{name: "overwrite2", weight: 1, ok: func(g *progGen, d int) bool { return d > 0 && len(g.loops) == 0 }, stmt: func(g *progGen, d int) {
			// The carried value overwritten twice in a trip, first by a
			// statement whose reversal reads no value: a replayed trip
			// must run it again before the second's reversal reads y.
			g.line("for range %s {", g.tripCount())
			g.line("	y += %s", g.bounded(g.expr(1)))
			g.line("	y = math.Sin(y) * %s", g.squash(g.expr(1)))
			g.line("}")
		}},
		{name: "while", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			if g.chance(0.3) {
				// A trip count that depends on the input: the function
				// jumps where it changes.
				g.mark("compare")
				t := g.fresh("t")
				g.line("%s := 0.0", t)
				g.line("for %s < 1 {", t)
				g.line("\t%s += 0.35 + 0.1*math.Sin(%s)", t, g.expr(1))
				g.loopBody(d-1, "", nil)
				g.line("}")
				return
			}
			g.simpleLoop(d, "while")
		}},
		{name: "rangeint", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			if g.chance(0.2) {
				g.line("for range %s {", g.tripCount())
				g.loopBody(d-1, "", nil)
				g.line("}")
				return
			}
			g.simpleLoop(d, "rangeint")
		}},
		{name: "rangeslice", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			s := pick(g, g.sc.sls)
			g.mark(s.prod)
			i, v := g.fresh("i"), g.fresh("v")
			if s.n < 1 || g.chance(0.5) {
				g.simpleLoop(d, "rangeslice")
				return
			}
			g.line("for %s, %s := range %s {", i, v, s.name)
			// The body writes no slice in scope: not the one ranged over,
			// nor a view of it (gradgen refuses both).
			saved := append([]val(nil), g.sc.sls...)
			for k := range g.sc.sls {
				g.sc.sls[k].ro = true
			}
			defer func() {
				for k := range saved {
					g.sc.sls[k].ro = saved[k].ro
				}
			}()
			g.loopBody(d-1, i, func() {
				// Bounded: a local slice may hold values computed from y,
				// and y fed back through them grows without bound.
				g.line("y += 0.5 * math.Tanh(%s * %s[(%s+1)%%len(%s)])", v, s.name, i, s.name)
				g.sc.vars = append(g.sc.vars, v)
				g.ro[v] = true
			})
			g.line("}")
		}},
		{name: "rangearray", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			a := g.array()
			i, v := g.fresh("i"), g.fresh("v")
			// Half the time a local array the body writes: Go ranges over
			// a copy, and v is the value before the write.
			writes := a.local && !a.ro && !strings.ContainsAny(a.name, ".[") && g.chance(0.5)
			g.line("for %s, %s := range %s {", i, v, a.name)
			// The body's other statements do not write the array.
			for k := range g.sc.arrs {
				if g.sc.arrs[k].name == a.name && !g.sc.arrs[k].ro {
					g.sc.arrs[k].ro = true
					defer func() { g.sc.arrs[k].ro = false }()
				}
			}
			g.loopBody(d-1, i, func() {
				if writes {
					g.line("%s[(%s+1)%%%d] = %s * 0.5", a.name, i, a.n, v)
				}
				g.line("y += 0.25 * math.Tanh(%s) * float64(%s+1)", v, i)
				g.sc.vars = append(g.sc.vars, v)
				g.ro[v] = true
			})
			g.line("}")
		}},
		{name: "rangevalue", weight: 1, ok: loopOK, stmt: func(g *progGen, d int) {
			v := g.fresh("v")
			switch {
			case g.params["ps"] && g.chance(0.4):
				g.line("for _, %s := range ps {", v)
				g.loopBody(d-1, "", func() {
					g.sc.pts = append(g.sc.pts, val{name: v, prod: "structslice", local: true, ro: true})
				})
			case g.params["m"] && g.chance(0.4):
				g.line("for _, %s := range m {", v)
				g.loopBody(d-1, "", func() {
					g.sc.sls = append(g.sc.sls, val{name: v, n: 3, prod: "matrix", local: true, ro: true})
				})
			default:
				s := pick(g, g.sc.sls)
				g.mark(s.prod)
				g.line("for _, %s := range %s {", v, s.name)
				// The body writes no slice: one may be a view of the one
				// ranged over, whose value the loop reads (gradgen refuses
				// that write).
				var made []int
				for k := range g.sc.sls {
					if !g.sc.sls[k].ro {
						g.sc.sls[k].ro = true
						made = append(made, k)
					}
				}
				g.loopBody(d-1, "", func() {
					g.sc.vars = append(g.sc.vars, v)
					g.ro[v] = true
				})
				for _, k := range made {
					g.sc.sls[k].ro = false
				}
			}
			g.line("}")
		}},
		{name: "nested", weight: 1, ok: nestOK, stmt: func(g *progGen, d int) {
			i, _ := g.loopHeader("")
			g.loopBody(d-1, i, func() {
				j, _ := g.loopHeader("")
				g.loopBody(d-1, j, nil)
				g.line("}")
			})
			g.line("}")
		}},
		{name: "break", weight: 1, ok: inLoop, deps: []string{"for3", "rangeint"}, stmt: func(g *progGen, d int) {
			g.line("if %s {", g.cond())
			g.line("\tbreak")
			g.line("}")
		}},
		{name: "continue", weight: 1, ok: inLoop, deps: []string{"for3", "rangeint"}, stmt: func(g *progGen, d int) {
			g.line("if %s {", g.cond())
			g.line("\tcontinue")
			g.line("}")
		}},
		{name: "labeled", weight: 1, ok: func(g *progGen, d int) bool {
			return nestOK(g, d) && (g.on["break"] || g.on["continue"])
		}, deps: []string{"continue"}, stmt: func(g *progGen, d int) {
			l := g.fresh("L")
			i, _ := g.loopHeader(l)
			g.loopBody(d-1, i, func() {
				j, _ := g.loopHeader("")
				g.loopBody(d-1, j, func() {
					var jumps []string
					for _, j := range []string{"continue", "break"} {
						if g.on[j] {
							jumps = append(jumps, j)
						}
					}
					jump := pick(g, jumps)
					g.mark(jump)
					g.line("if %s {", g.cond())
					g.line("\t%s %s", jump, l)
					g.line("}")
				})
				g.line("}")
			})
			g.line("}")
		}},
		{name: "earlyreturn", weight: 1, stmt: func(g *progGen, d int) {
			g.line("if %s {", g.cond())
			g.ret("\t", g.result())
			g.line("}")
		}},
	}...)
}
