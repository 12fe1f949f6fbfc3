package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
)

// The program generator of TestRandomPrograms. A program is one annotated
// function built from productions: each production writes one construct
// (an expression, a statement, a parameter, a prologue or a return) and is
// named, so that a failure names the constructs of the function that
// failed, GRADGEN_RANDOM_ONLY can restrict the generator to a few of them,
// and readmeCoverage (random_readme_test.go) can tie every construct the
// README claims to a production that writes it.
//
// Values stay where finite differences can judge them: parameters are
// O(1), updates inside loops are damped (a factor in (0.5, 1.5), a sum of
// tanh), divisors are kept away from zero and math functions get their
// arguments through safe forms. The oracle (random_check_test.go) still
// skips, and counts, the points where finite differences are unreliable.

// A production is one construct the generator can write. expr returns an
// expression of type float64; stmt writes statements at g.indent. A
// production may have both. fn productions shape the whole function (its
// parameters, receiver, prologue or return) and are handled by function.
type production struct {
	name   string
	weight int
	fn     bool   // shapes the function (parameters, prologue, return)
	needs  string // the parameter it reads: a, p, q, ps, m
	// the parameter its expression form reads (its statement form does not)
	exprNeeds string
	deps      []string                     // productions it cannot be written without (a loop for break)
	ok        func(g *progGen, d int) bool // whether it can be written here, at depth d
	expr      func(g *progGen, d int) string
	stmt      func(g *progGen, d int)
}

// coreProductions are always on: every program needs expressions and
// variables. GRADGEN_RANDOM_ONLY adds to them.
var coreProductions = []string{"arith", "define", "slices"}

// A val is a value in scope other than a float scalar: a struct, an array
// or a slice, written as an expression that denotes it (w, p, q.P, ps[1]).
type val struct {
	name  string
	n     int    // length of a slice or array
	prod  string // production that reading it exercises
	local bool   // a local variable (may be resliced, must be used)
	ro    bool   // belongs to a by-reference parameter: read, never written
}

// scope is what the code being written can read.
type scope struct {
	vars []string // float64 values
	ints []string // non-negative int values
	pts  []val    // Pt values
	arrs []val    // [3]float64 values
	sls  []val    // []float64 values
	ctrs []string // int counters for next(&k)
	rngs []string // *rand.Rand
}

// A loop is an enclosing loop: its index (an int) or "".
type loop struct{ index string }

type progGen struct {
	rng   *rand.Rand
	on    map[string]bool // productions that may be written
	focus map[string]bool // GRADGEN_RANDOM_ONLY's productions (nil: all)
	b     strings.Builder

	// the function being written
	indent string
	used   map[string]bool
	f32    bool
	params map[string]bool
	sc     scope
	loops  []loop
	top    bool // at the function's top level: reslicing is allowed
	uniq   int
	ro     map[string]bool // float variables never assigned: range values
	// outs is the number of outputs of a vector-valued function (vecout),
	// which fills out[0:outs] where others return; 0 for a scalar one.
	outs int
	// outStruct marks a vector-valued function whose output is a *Pt.
	outStruct bool
	// noVector keeps the function being written scalar: its vector-valued
	// draft used a production its directives refuse.
	noVector bool
	// generic marks a function generic over T ~float32 | ~float64: its
	// x and y are T (xg, yg, read into float64 locals), and it returns T.
	generic bool
}

// funcInfo describes a generated function for the check table.
type funcInfo struct {
	name   string
	recv   string   // "", "p" (value receiver Pt) or "q" (pointer receiver *Body)
	params []string // x, y, a, p, w, q, ps, m, n in this order, those present (w last when variadic)
	// variadic marks a function whose w is its last, variadic, parameter.
	variadic bool
	prods    []string
	f32      bool
	src      string
	at       []float64 // the point where it is checked, laid out as the check's in
	// jvp marks a function that also asks for its JVP: every one but
	// those calling a pullback rule, which serves reverse mode only.
	jvp bool
	// hessian marks a function that also asks for its Hessian: the JVP's
	// functions but float32 ones, whose differences of a float32 gradient
	// say little about second derivatives.
	hessian bool
	// outs is the number of outputs of a vector-valued function: it
	// fills out (its first parameter) and asks for its JVP, VJP and
	// Jacobian (//gradgen:jvp, vjp, jacobian out=out); 0 for a scalar one.
	outs int
	// outArray marks an output that is a pointer to an array (*[3]float64)
	// rather than a slice; outStruct one that is a *Pt (4 components).
	outArray, outStruct bool
}

func (g *progGen) intn(n int) int { return g.rng.IntN(n) }

func (g *progGen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *progGen) mark(names ...string) {
	for _, n := range names {
		g.used[n] = true
	}
}

func (g *progGen) fresh(prefix string) string {
	g.uniq++
	return fmt.Sprintf("%s%d", prefix, g.uniq)
}

func (g *progGen) line(format string, args ...any) {
	fmt.Fprintf(&g.b, g.indent+format+"\n", args...)
}

// ret writes a return of expr, indented by indent within the current
// indentation: for a vector-valued function, expr and further results
// into the output's elements, then a bare return.
func (g *progGen) ret(indent, expr string) {
	if g.generic {
		expr = fmt.Sprintf("T(%s) + xg*yg/7", expr)
	}
	if g.outs == 0 {
		g.line("%sreturn %s", indent, expr)
		return
	}
	at := func(k int) string {
		if g.outStruct {
			return "out." + ptFields[k] // a *Pt output
		}
		return fmt.Sprintf("out[%d]", k)
	}
	// Sometimes the first output reads its incoming value before writing
	// it (out[0] = (1 + out[0]) * ...): FVJP and FJacobian must hand every
	// run of the body the caller's contents (the check's adapters pass
	// zeros), or the value and the derivative scale with what an earlier
	// run left.
	if g.chance(0.2) {
		g.line("%s%s = (1 + %s) * (%s)", indent, at(0), at(0), expr)
	} else {
		g.line("%s%s = %s", indent, at(0), expr)
	}
	for k := 1; k < g.outs; k++ {
		if g.chance(0.3) {
			// An output element read after it is written in this run: at
			// the top level gradgen shows it needs no copy of the
			// output's incoming contents, in a branch it keeps one.
			g.line("%s%s = %s + 0.5*%s", indent, at(k), g.result(), at(k-1))
			continue
		}
		g.line("%s%s = %s", indent, at(k), g.result())
	}
	g.line("%sreturn", indent)
}

// ptFields are a Pt's float components in order, as a struct output's.
var ptFields = []string{"X", "Y", "A[0]", "A[1]"}

func pick[T any](g *progGen, xs []T) T { return xs[g.intn(len(xs))] }

// constant is a float literal, parenthesized when negative.
func (g *progGen) constant() string {
	c := g.rng.Float64()*3 - 1.5
	if c < 0 {
		return fmt.Sprintf("(%.2f)", c)
	}
	return fmt.Sprintf("%.2f", c)
}

// intExpr is a non-negative int expression.
func (g *progGen) intExpr() string {
	v := pick(g, g.sc.ints)
	switch g.intn(3) {
	case 0:
		return v
	case 1:
		return fmt.Sprintf("(%s + %d)", v, 1+g.intn(3))
	default:
		return fmt.Sprintf("(%s + %s)", v, pick(g, g.sc.ints))
	}
}

// index is an index below n: a constant or an int expression modulo n.
func (g *progGen) index(n int) string {
	if g.chance(0.5) {
		return fmt.Sprint(g.intn(n))
	}
	return fmt.Sprintf("%s%%%d", g.intExpr(), n)
}

// cond is a condition on int values only: it decides the path and is
// constant around the point, so finite differences never straddle it.
func (g *progGen) cond() string {
	v := pick(g, g.sc.ints)
	switch g.intn(4) {
	case 0:
		return fmt.Sprintf("%s%%2 == %d", v, g.intn(2))
	case 1:
		return fmt.Sprintf("%s == %d", v, g.intn(4))
	case 2:
		return fmt.Sprintf("%s > %d", v, g.intn(3))
	default:
		return fmt.Sprintf("(%s+%s)%%3 != %d", v, pick(g, g.sc.ints), g.intn(3))
	}
}

// squash bounds a value: written inside loops, where repeated updates
// would otherwise grow without bound.
func (g *progGen) squash(e string) string {
	return fmt.Sprintf(pick(g, []string{"math.Tanh(%s)", "math.Sin(%s)", "math.Atan(%s)", "math.Erf(%s)"}), e)
}

// bounded is e, squashed inside a loop.
func (g *progGen) bounded(e string) string {
	if len(g.loops) > 0 {
		return g.squash(e)
	}
	return e
}

// scalar picks a float variable other than the accumulator y, or "".
func (g *progGen) scalar() string {
	var vs []string
	for _, v := range g.sc.vars {
		if v != "y" && !g.ro[v] {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return ""
	}
	return pick(g, vs)
}

// expr writes an expression of depth at most d.
func (g *progGen) expr(d int) string {
	if d <= 0 || g.intn(3) == 0 {
		return g.leaf()
	}
	p := g.choose(d, func(p *production) bool { return p.expr != nil && (p.exprNeeds == "" || g.params[p.exprNeeds]) })
	g.mark(p.name)
	return p.expr(g, d-1)
}

// leaf is a variable, a constant or an element or field of a value in
// scope.
func (g *progGen) leaf() string {
	type cand struct {
		w int
		f func() string
	}
	cands := []cand{
		{6, func() string { return pick(g, g.sc.vars) }},
		{2, g.constant},
	}
	if g.on["slices"] {
		cands = append(cands, cand{3, func() string {
			s := pick(g, g.sc.sls)
			g.mark("slices", s.prod)
			return fmt.Sprintf("%s[%s]", s.name, g.index(s.n))
		}})
	}
	if len(g.sc.pts) > 0 && g.on["structs"] {
		cands = append(cands, cand{2, func() string {
			p := pick(g, g.sc.pts)
			g.mark("structs", p.prod)
			return p.name + pick(g, []string{".X", ".Y", ".A[0]", ".A[1]"})
		}})
	}
	if len(g.sc.arrs) > 0 {
		cands = append(cands, cand{2, func() string {
			a := pick(g, g.sc.arrs)
			g.mark(a.prod)
			return fmt.Sprintf("%s[%s]", a.name, g.index(a.n))
		}})
	}
	if g.on["pkgdata"] {
		cands = append(cands, cand{1, func() string {
			g.mark("pkgdata")
			switch g.intn(3) {
			case 0:
				return fmt.Sprintf("table[%s]", g.index(4))
			case 1:
				return fmt.Sprintf("scales[%q]", []string{"a", "b"}[g.intn(2)])
			}
			return fmt.Sprintf("coef[%s]", g.index(4))
		}})
	}
	// Counters and generators are not leaves: a call with effects as an
	// operand is refused (the backward sweep would call it again); the
	// productions sidecounter and siderand read them into variables.
	total := 0
	for _, c := range cands {
		total += c.w
	}
	k := g.intn(total)
	for _, c := range cands {
		if k < c.w {
			return c.f()
		}
		k -= c.w
	}
	panic("unreachable")
}

// choose picks an enabled production that filter admits and that can be
// written here, by weight; under GRADGEN_RANDOM_ONLY its productions
// weigh more than the core's.
func (g *progGen) choose(d int, filter func(p *production) bool) *production {
	var cands []*production
	total := 0
	for i := range productions {
		p := &productions[i]
		if p.fn || !g.on[p.name] || !filter(p) || (p.needs != "" && !g.params[p.needs]) || (p.ok != nil && !p.ok(g, d)) {
			continue
		}
		w := p.weight
		if g.focus != nil && g.focus[p.name] {
			w *= 4
		}
		cands = append(cands, p)
		total += w
	}
	k := g.intn(total)
	for _, p := range cands {
		w := p.weight
		if g.focus != nil && g.focus[p.name] {
			w *= 4
		}
		if k < w {
			return p
		}
		k -= w
	}
	panic("no production to choose from")
}

// stmt writes one statement of nesting depth at most d.
func (g *progGen) stmt(d int) {
	p := g.choose(d, func(p *production) bool { return p.stmt != nil })
	g.mark(p.name)
	p.stmt(g, d)
}

// body writes a nested block's statements (the braces are the caller's).
// declare adds what the block's header declares; the block's float
// locals are added into y at its end, so that Go sees them used and they
// reach the result, and an int the header declares that the block never
// read is read there too.
func (g *progGen) body(d int, declare func()) {
	saved, indent, top := g.sc, g.indent, g.top
	g.indent += "\t"
	g.top = false
	start := g.b.Len()
	if declare != nil {
		declare()
	}
	for range 1 + g.intn(3) {
		g.stmt(d)
	}
	g.use(saved, start)
	g.sc, g.indent, g.top = saved, indent, top
}

// use reads the locals declared since saved. Inside a loop, where it
// runs on every trip, it adds bounded amounts: y += sq(y) twelve times
// overflows, and a gradient of Inf·0 where the function saturated says
// nothing about gradgen.
func (g *progGen) use(saved scope, start int) {
	bounded := func(e string) string {
		if len(g.loops) > 0 {
			return "math.Tanh(" + e + ")"
		}
		return e
	}
	for _, v := range g.sc.vars[len(saved.vars):] {
		g.line("y += 0.25 * %s", bounded(v))
	}
	for _, p := range g.sc.pts[len(saved.pts):] {
		if p.local {
			g.line("y += 0.25 * %s", bounded(fmt.Sprintf("%s.X - %s.A[1]", p.name, p.name)))
		}
	}
	for _, a := range g.sc.arrs[len(saved.arrs):] {
		if a.local {
			g.line("y += 0.25 * %s", bounded(a.name+"[2]"))
		}
	}
	for _, s := range g.sc.sls[len(saved.sls):] {
		if s.local && s.n > 0 {
			g.line("y += 0.25 * %s", bounded(s.name+"[0]"))
		}
	}
	// An int is used if it occurs more often than it is declared.
	text := g.b.String()[start:]
	for _, v := range g.sc.ints[len(saved.ints):] {
		all := len(regexp.MustCompile(`\b`+v+`\b`).FindAllStringIndex(text, -1))
		decl := len(regexp.MustCompile(`\b`+v+` :=`).FindAllStringIndex(text, -1))
		if all <= decl {
			g.line("y += 0.125 * float64(%s)", v)
		}
	}
}

// loopBody writes a loop's body with index declared in it.
func (g *progGen) loopBody(d int, index string, declare func()) {
	g.loops = append(g.loops, loop{index})
	g.body(d, func() {
		if index != "" {
			g.sc.ints = append(g.sc.ints, index)
		}
		if declare != nil {
			declare()
		}
	})
	g.loops = g.loops[:len(g.loops)-1]
}

// tripCount is a small loop bound: a constant or n plus one.
func (g *progGen) tripCount() string {
	if g.chance(0.3) {
		return "n+1"
	}
	return fmt.Sprint(1 + g.intn(4))
}

// loopHeader opens a loop of a random kind and returns its index ("" when
// it has none that the body may read) and the production it exercises.
func (g *progGen) loopHeader(label string) (index, prod string) {
	var kinds []string
	for _, k := range []string{"for3", "while", "rangeint", "rangeslice"} {
		if g.on[k] && (label == "" || k != "while") {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		kinds = []string{"for3"}
	}
	k := pick(g, kinds)
	g.mark(k)
	if len(g.loops) > 0 {
		g.mark("nested")
	}
	if label != "" {
		g.line("%s:", label)
	}
	return g.loopOf(k), k
}

// loopOf opens a loop of kind k and returns its index.
func (g *progGen) loopOf(k string) string {
	switch k {
	case "while":
		c := g.fresh("c")
		if g.chance(0.5) {
			g.line("%s := %s", c, g.tripCount())
			g.line("for %s > 0 {", c)
			g.line("\t%s--", c)
		} else {
			g.line("%s := 0", c)
			g.line("for %s < %s {", c, g.tripCount())
			g.line("\t%s++", c)
		}
		return c
	case "rangeint":
		i := g.fresh("i")
		g.line("for %s := range %s {", i, g.tripCount())
		return i
	case "rangeslice":
		i := g.fresh("i")
		s := pick(g, g.sc.sls)
		g.mark(s.prod)
		g.line("for %s := range %s {", i, s.name)
		return i
	default:
		i := g.fresh("i")
		g.line("for %s := 0; %s < %s; %s++ {", i, i, g.tripCount(), i)
		return i
	}
}

// result is a value to return: y and an expression.
func (g *progGen) result() string {
	return fmt.Sprintf("y*%s + %s", g.constant(), g.expr(2))
}

// simpleLoop writes a loop of kind k around a random body.
func (g *progGen) simpleLoop(d int, k string) {
	if len(g.loops) > 0 {
		g.mark("nested")
	}
	i := g.loopOf(k)
	g.loopBody(d-1, i, nil)
	g.line("}")
}

// writable is the values of vs that may be written.
func writable(vs []val) []val {
	var w []val
	for _, v := range vs {
		if !v.ro {
			w = append(w, v)
		}
	}
	return w
}

// array is a writable [N]float64 in scope, declared here when there is
// none.
func (g *progGen) array() val {
	if arrs := writable(g.sc.arrs); len(arrs) > 0 && g.chance(0.8) {
		a := pick(g, arrs)
		g.mark(a.prod)
		return a
	}
	g.mark("localarray")
	ar := g.fresh("ar")
	g.line("var %s [3]float64", ar)
	for k := range 3 {
		g.line("%s[%d] = %s", ar, k, g.expr(1))
	}
	a := val{name: ar, n: 3, prod: "localarray", local: true}
	g.sc.arrs = append(g.sc.arrs, a)
	return a
}

// pt is a Pt-valued expression: a value in scope, or a constant
// composite literal (gradgen refuses literals and helpers returning
// structs whose values depend on the parameters, so none is written).
func (g *progGen) pt(d int) string {
	if len(g.sc.pts) > 0 && g.chance(0.9) {
		p := pick(g, g.sc.pts)
		g.mark(p.prod)
		return p.name
	}
	// Parenthesized: a composite literal in an if or switch header
	// would not parse.
	return fmt.Sprintf("(Pt{X: %.2f, Y: %.2f})", g.rng.Float64()*2-1, g.rng.Float64()*2-1)
}

// longSlice is a slice in scope of length at least n, or nil.
func (g *progGen) longSlice(n int) *val {
	var cands []int
	for i, s := range g.sc.sls {
		if s.n >= n {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return &g.sc.sls[pick(g, cands)]
}
