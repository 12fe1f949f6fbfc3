package main

import (
	"fmt"
	"slices"
	"strings"
)

// The function-level productions: parameters, receivers, the prologue and
// the return, and the layout of parameters in the check's flat vector.

// function writes one annotated function named name.
func (g *progGen) function(name string) funcInfo {
	start := g.b.Len()
	g.used = map[string]bool{}
	g.f32, g.uniq, g.loops, g.top = false, 0, nil, true
	g.params, g.ro = map[string]bool{}, map[string]bool{}
	// Writes go only into locals and by-value parameters: the elements of
	// a by-reference parameter (w, q, ps, m) are read, never written.
	g.sc = scope{vars: []string{"x", "y"}, ints: []string{"n"}, sls: []val{{name: "w", n: 6, prod: "slices", local: true, ro: true}}}
	g.mark(coreProductions...)

	recv := ""
	switch {
	case g.wantParam("recvvalue"):
		recv = "p"
	case g.wantParam("recvptr"):
		recv = "q"
	}
	params := []string{"x", "y"}
	for _, pp := range []struct{ name, prod string }{
		{"a", "byvaluearr"}, {"p", "byvaluestruct"}, {"w", ""}, {"q", "pointers"}, {"ps", "structslice"}, {"m", "matrix"},
	} {
		if pp.name == recv {
			continue
		}
		if pp.prod == "" || g.wantParam(pp.prod) {
			params = append(params, pp.name)
			g.params[pp.name] = true
			if pp.prod != "" {
				g.mark(pp.prod)
			}
		}
	}
	params = append(params, "n")
	variadic := false
	if g.params["w"] && g.wantParam("variadic") {
		// w ...float64, last: the gradient takes it as a slice, with its
		// buffer after it.
		variadic = true
		g.mark("variadic")
		params = append(slices.DeleteFunc(params, func(p string) bool { return p == "w" }), "w")
	}
	switch recv {
	case "p":
		g.params["p"] = true
		g.mark("recvvalue")
	case "q":
		g.params["q"] = true
		g.mark("recvptr")
	}
	// By-value parameters are copies that the function may write into
	// (byvaluearr, byvaluestruct).
	if g.params["a"] {
		g.sc.arrs = append(g.sc.arrs, val{name: "a", n: 3, prod: "byvaluearr", local: true, ro: !g.on["byvaluearr"]})
	}
	if g.params["p"] {
		g.sc.pts = append(g.sc.pts, val{name: "p", prod: "byvaluestruct", local: true, ro: !g.on["byvaluestruct"]})
	}
	if g.params["q"] {
		g.sc.pts = append(g.sc.pts, val{name: "q.P", prod: "pointers", ro: true})
		g.sc.sls = append(g.sc.sls, val{name: "q.W", n: 3, prod: "pointers", ro: true})
	}
	if g.params["ps"] {
		g.sc.pts = append(g.sc.pts, val{name: "ps[0]", prod: "structslice", ro: true}, val{name: "ps[1]", prod: "structslice", ro: true})
	}
	if g.params["m"] {
		g.sc.sls = append(g.sc.sls, val{name: "m[0]", n: 3, prod: "matrix", ro: true}, val{name: "m[1]", n: 3, prod: "matrix", ro: true})
	}

	decl := map[string]string{"a": "a [3]float64", "p": "p Pt", "w": "w []float64", "q": "q *Body", "ps": "ps []Pt", "m": "m [][]float64", "n": "n int"}
	if variadic {
		decl["w"] = "w ...float64"
	}
	var list []string
	for _, p := range params[2:] {
		list = append(list, decl[p])
	}
	// A vector-valued function (vecout) fills out[0:outs] where a scalar
	// one returns: gradgen writes its JVP, VJP and Jacobian.
	g.outs, g.outStruct = 0, false
	outType := ""
	if !g.noVector && g.wantParam("vecout") {
		g.mark("vecout")
		g.outs = 2 + g.intn(2)
		outType = "[]float64"
		switch g.intn(10) {
		case 0, 1, 2:
			outType = fmt.Sprintf("*[%d]float64", g.outs) // an array pointer output
		case 3, 4:
			outType, g.outs = "*Pt", len(ptFields) // a struct output
		}
		g.outStruct = outType == "*Pt"
	}
	// A generic function (generic), of one result, no receiver.
	g.generic = g.outs == 0 && recv == "" && g.wantParam("generic")
	// A named result, set and returned bare (namedresult).
	named := g.outs == 0 && !g.generic && g.wantParam("namedresult")
	result := "float64"
	if named {
		g.mark("namedresult")
		result = "(res float64)"
	}
	if g.outs > 0 {
		result = ""
		g.line("//gradgen:jvp out=out")
		g.line("//gradgen:vjp out=out")
		g.line("//gradgen:jacobian out=out")
	} else {
		g.line("//gradgen:grad")
		g.line("//gradgen:jvp")
	}
	// A third of the functions ask for their Hessian too (those without float32
	// on the way; see below): its reverse sweep over the JVP is the
	// largest code gradgen writes, and the random run must stay a couple
	// of minutes long.
	hessian := g.outs == 0 && !g.f32 && !g.generic && g.chance(0.35)
	if hessian {
		g.line("//gradgen:hessian")
	}
	sig := "x, y float64, " + strings.Join(list, ", ")
	typeParams := ""
	if g.generic {
		g.mark("generic")
		sig = "xg, yg T, " + strings.Join(list, ", ")
		typeParams = "[T ~float32 | ~float64]"
		result = "T"
	}
	if g.outs > 0 {
		sig = "out " + outType + ", " + sig
	}
	if result != "" {
		result = " " + result
	}
	switch recv {
	case "p":
		g.line("func (p Pt) %s(%s)%s {", name, sig, result)
	case "q":
		g.line("func (q *Body) %s(%s)%s {", name, sig, result)
	default:
		g.line("func %s%s(%s)%s {", name, typeParams, sig, result)
	}
	g.indent = "\t"
	if g.generic {
		// T arithmetic with constants, then float64 for the rest.
		g.line("x := float64(xg*0.5 + yg/3)")
		g.line("y := float64(yg) * float64(xg+1)")
		g.line("_ = x")
	}
	if g.wantParam("nanpath") {
		g.mark("nanpath")
		g.nanPath()
	}
	if g.params["a"] && g.on["byvaluearr"] && g.chance(0.5) {
		g.line("a[%d] *= 1 + 0.5*math.Tanh(%s)", g.intn(3), g.expr(1))
	}
	if g.params["p"] && g.on["byvaluestruct"] && g.chance(0.5) {
		g.line("p.%s += %s", pick(g, []string{"X", "Y", "A[0]", "A[1]"}), g.expr(1))
	}
	saved, start2 := g.sc, g.b.Len()
	if g.focus != nil {
		// A struct in scope, so that productions that read one need not
		// make it with a helper or a composite literal.
		g.mark("structs")
		for _, p := range productions {
			if p.name == "structs" {
				p.stmt(g, 0)
			}
		}
	}
	for range 2 + g.intn(4) {
		g.stmt(2)
	}
	if named && g.chance(0.5) {
		// An early bare return of the named result.
		g.line("if %s {", g.cond())
		g.line("\tres = %s", g.result())
		g.line("\treturn")
		g.line("}")
	}
	// The parameters reach the result, so that their gradients are tested.
	if g.params["a"] {
		g.line("y += 0.25 * a[%d]", g.intn(3))
	}
	if g.params["p"] {
		g.line("y += 0.25 * p.%s", pick(g, []string{"X", "Y", "A[0]", "A[1]"}))
	}
	if g.params["q"] {
		g.line("y += 0.25 * (q.X + q.W[%d] + q.P.%s)", g.intn(3), pick(g, []string{"X", "Y", "A[0]", "A[1]"}))
	}
	if g.params["ps"] {
		g.line("y += 0.25 * ps[%d].%s", g.intn(2), pick(g, []string{"X", "Y", "A[0]", "A[1]"}))
	}
	if g.params["m"] {
		g.line("y += 0.25 * m[%d][%d]", g.intn(2), g.intn(3))
	}
	g.use(saved, start2)
	var returns []func()
	returns = append(returns, func() { g.ret("", g.result()) })
	if g.on["negreturn"] {
		returns = append(returns, g.negReturn)
	}
	if g.on["sumbranch"] {
		returns = append(returns, g.sumBranch)
	}
	if named {
		returns = append(returns, func() {
			g.line("res = %s", g.result())
			g.line("return")
		})
	}
	if g.focus != nil && len(returns) > 1 {
		returns = returns[1:]
	}
	pick(g, returns)()
	g.indent = ""
	g.line("}")
	g.line("")

	fi := funcInfo{name: name, recv: recv, params: params, variadic: variadic, f32: g.f32, src: g.b.String()[start:], jvp: true, hessian: hessian, outs: g.outs, outArray: strings.HasPrefix(outType, "*["), outStruct: g.outStruct}
	if fi.outs > 0 && (g.f32 || g.used["siderand"] || g.used["effectcall"] || strings.Contains(fi.src, "scaledSumsq(") || strings.Contains(fi.src, "dep.Sumsq(")) {
		// The Jacobian runs the body once per sweep (a random draw is an
		// effect it refuses), a pullback rule serves reverse mode only,
		// and float32 rounding makes differences too coarse to judge a
		// Jacobian's rows: write a scalar function instead.
		all := g.b.String()
		g.b.Reset()
		g.b.WriteString(all[:start])
		g.noVector = true
		defer func() { g.noVector = false }()
		return g.function(name)
	}
	if fi.hessian && (strings.Contains(fi.src, "float32") || g.used["siderand"] || g.used["effectcall"] || strings.Contains(fi.src, "dep.")) {
		// Values rounded to float32 on the way make the differences of
		// the gradient too coarse to judge second derivatives by; a random
		// draw would run once per component, which FHessian refuses
		// (TestErrors "effects run again"); second derivatives cannot see
		// into another package's derivative.
		fi.hessian = false
		fi.src = strings.Replace(fi.src, "//gradgen:hessian\n", "", 1)
		all := g.b.String()
		g.b.Reset()
		g.b.WriteString(all[:start] + fi.src)
	}
	if strings.Contains(fi.src, "scaledSumsq(") || strings.Contains(fi.src, "dep.Sumsq(") {
		// A pullback rule serves reverse mode only.
		fi.jvp, fi.hessian = false, false
		fi.src = strings.Replace(fi.src, "//gradgen:jvp\n", "", 1)
		fi.src = strings.Replace(fi.src, "//gradgen:hessian\n", "", 1)
		all := g.b.String()
		g.b.Reset()
		g.b.WriteString(all[:start] + fi.src)
	}
	for p := range g.used {
		fi.prods = append(fi.prods, p)
	}
	slices.Sort(fi.prods)
	for range layoutDim(fi) {
		v := 0.2 + 0.8*g.rng.Float64()
		if g.chance(0.5) {
			v = -v
		}
		fi.at = append(fi.at, float64(int(v*1000))/1000)
	}
	return fi
}

// wantParam decides whether a function-shaping production is used: often
// when GRADGEN_RANDOM_ONLY names it or a production that needs it, never
// when it is off, sometimes otherwise.
func (g *progGen) wantParam(prod string) bool {
	if g.focus != nil {
		if g.focus[prod] {
			return g.chance(0.8)
		}
		for _, p := range productions {
			if g.focus[p.name] && p.needs != "" && paramProd[p.needs] == prod {
				return g.chance(0.8)
			}
		}
		return false
	}
	return g.on[prod] && g.chance(0.2)
}

// paramProd is the production of each optional parameter.
var paramProd = map[string]string{"a": "byvaluearr", "p": "byvaluestruct", "q": "pointers", "ps": "structslice", "m": "matrix"}

// nanPath computes a value that is NaN at every checked point on a path
// the call does not take: it must not leak into the gradient.
func (g *progGen) nanPath() {
	v := g.fresh("nan")
	switch g.intn(3) {
	case 0:
		g.line("%s := math.Log(x - 100)", v)
		g.line("if x > 100 {")
		g.ret("\t", v)
		g.line("}")
	case 1:
		g.line("%s := math.Sqrt(y - 50)", v)
		g.line("if n > 7 {")
		g.line("\ty += %s", v)
		g.line("}")
	default:
		i := g.fresh("i")
		g.line("for %s := range 3 {", i)
		g.line("\t%s := math.Acos(x*float64(%s) + 9)", v, i)
		g.line("\tif %s > 5 {", i)
		g.line("\t\ty += %s", v)
		g.line("\t}")
		g.line("}")
	}
}

// negReturn returns a helper's or a math function's value negated.
func (g *progGen) negReturn() {
	g.mark("negreturn")
	arg := "y"
	if g.chance(0.6) {
		arg = "y + " + g.expr(1)
	}
	form := pick(g, []string{"-sq(%s)", "-math.Sin(%s)", "-math.Exp(math.Tanh(%s))", "-softsign(%s)",
		"-sigmoid(%s)", "-bell(%s, 1.5)", "-dot3(w, %s)", "+sq(%s)", "-(-sq(%s))", "-smooth3(%s)", "-softplus(%s)"})
	g.ret("", fmt.Sprintf(form, arg))
}

// sumBranch ends the function with a sum loop whose body branches, and
// returns a value linear in its accumulator.
func (g *progGen) sumBranch() {
	g.mark("sumbranch")
	s, i := g.fresh("s"), g.fresh("i")
	if g.chance(0.5) {
		g.line("%s := 0.0", s)
	} else {
		g.line("%s := 0.5 * y", s)
	}
	sl := pick(g, g.sc.sls)
	g.mark(sl.prod)
	// The loop's index and value leave scope with it (a vector-valued
	// function's other outputs are written after it).
	ints, vars := len(g.sc.ints), len(g.sc.vars)
	g.sc.ints = append(g.sc.ints, i)
	// Sometimes a value is carried from trip to trip through a view of
	// memory that outlives the trip: then the loop is no sum.
	carry := g.chance(0.25)
	if carry {
		g.line("%s := make([]float64, 1)", s+"cb")
	}
	withValue := false
	switch g.intn(3) {
	case 0:
		g.line("for %s := range %s {", i, sl.name)
	case 1:
		g.line("for %s := 0; %s < len(%s); %s++ {", i, i, sl.name, i)
	default:
		withValue = true
		g.line("for %s, %s := range %s {", i, s+"v", sl.name)
		g.sc.vars = append(g.sc.vars, s+"v")
		g.ro[s+"v"] = true
	}
	if carry {
		g.line("\t%s := %s[0:1]", s+"cv", s+"cb")
		g.line("\t%s[0] = %s[0]*0.5 + %s[%s]", s+"cv", s+"cv", sl.name, i)
		g.line("\t%s += 0.25 * %s[0]", s, s+"cv")
	}
	g.line("\tif %s%%2 == 0 {", i)
	g.line("\t\t%s += %s[%s] * %s", s, sl.name, i, g.expr(2))
	switch g.intn(3) {
	case 0:
		g.line("\t} else if %s%%3 == 1 {", i)
		g.line("\t\t%s -= math.Sin(%s[%s] + %s)", s, sl.name, i, g.expr(1))
		g.line("\t}")
	case 1:
		g.line("\t} else {")
		g.line("\t\t%s += 0.5 * %s", s, g.expr(2))
		g.line("\t}")
	default:
		g.line("\t}")
	}
	if withValue {
		g.line("\t%s += 0.125 * %s", s, s+"v")
	}
	g.line("}")
	g.sc.ints, g.sc.vars = g.sc.ints[:ints], g.sc.vars[:vars]
	g.ret("", pick(g, []string{
		"2*" + s + " - 1", s + " / float64(len(" + sl.name + "))", "0.5*" + s + " + 3", s,
	}))
}

// layoutDim is the number of floats a function's parameters hold.
func layoutDim(fi funcInfo) int {
	n := 0
	for _, p := range layout(fi) {
		n += paramDim[p]
	}
	return n
}

// paramDim is the number of floats each parameter holds.
var paramDim = map[string]int{"x": 1, "y": 1, "a": 3, "p": 4, "w": 6, "q": 8, "ps": 8, "m": 6}

// layout is the order of a function's float parameters in the check's
// flat vector: the receiver, then the parameters.
func layout(fi funcInfo) []string {
	var l []string
	if fi.recv != "" {
		l = append(l, fi.recv)
	}
	for _, p := range fi.params {
		if p != "n" {
			l = append(l, p)
		}
	}
	return l
}
