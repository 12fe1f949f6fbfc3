package lower

import (
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Target is what the analyzer knows about one annotated function.
type Target struct {
	Decl    *ast.FuncDecl
	Dir     *Directive
	Name    string       // generated function's name
	Recv    *types.Var   // receiver, or nil
	Params  []*types.Var // parameters in order
	Result  types.Type   // the single float result (the first, for a helper with several)
	Results []types.Type // every result: one, but several for a helper
	Wrt     []*types.Var // receiver and parameters differentiated against, in order
	WrtSet  map[*types.Var]bool
	Out     *types.Var // the output parameter of a vector-valued function (out=y), or nil
	Options Options
	// Helper marks a callee's Helper; Pullback, one that takes the result's
	// adjoint as a parameter and returns no value.
	Helper, Pullback bool
	// Seeded, when not nil, says which results are differentiated (their
	// seed is 1); the others are only returned. The Hessian-vector product
	// differentiates its inner JVP's tangent, not its value.
	Seeded []bool
	// AdjNames are the names wanted for some parameters' adjoints (or
	// tangents), in place of dx for x.
	AdjNames map[*types.Var]string
	// SeedBases name a pullback's result adjoints (dr1, dr2 for FVJP).
	SeedBases []string
	// LengthOf names, for a buffer, the parameter its length is checked
	// against when that is not the one it is the derivative of: FHVP's
	// gradient buffers, adjoints of the directions, are as long as the
	// point.
	LengthOf map[*types.Var]*types.Var
	// Siblings are the functions the other directives on the same
	// declaration generate: FHessian calls FHVP, FJacobian FVJP and FJVP,
	// when they exist, rather than a copy of them.
	Siblings []*Target
}

// Sibling is the function another directive of kind on the same
// declaration generates with the same inputs and output, or nil.
func (g *Target) Sibling(kind string) *Target {
	for _, s := range g.Siblings {
		if s != g && s.Dir.Kind == kind && s.Out == g.Out && s.Dir.out == g.Dir.out && slices.Equal(s.Wrt, g.Wrt) {
			return s
		}
	}
	return nil
}

// LowerFunction builds the gradient function of g. It lowers the body
// twice: the first pass finds which values backward code reads, so that
// the second saves exactly those before they are overwritten.
func (p *Package) LowerFunction(g *Target, file *ast.File) (fn *adjoint.Func, graph *adjoint.Graph, diags []Diagnostic) {
	// No input may crash gradgen: a bug in gradgen becomes an error at
	// the function, and nothing is written.
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("GRADGEN_PANIC") != "" {
				panic(r)
			}
			fn, graph = nil, nil
			diags = []Diagnostic{{Pos: g.Decl.Name.Pos(), Message: fmt.Sprintf("internal error differentiating %s: %v; please report it with this function", g.Decl.Name.Name, r)}}
		}
	}()
	return p.lowerFunctionPasses(g, file)
}

func (p *Package) lowerFunctionPasses(g *Target, file *ast.File) (*adjoint.Func, *adjoint.Graph, []Diagnostic) {
	first := p.NewLowerer(g, file, nil)
	first.lowerFunc(g)
	if len(first.Diags) > 0 {
		return nil, nil, first.Diags
	}
	// Saving a value can make backward code read another (a restored
	// variable is read again by a recomputation), so repeat until the
	// values read settle; each round only adds to them.
	needed, readers := map[string]bool{}, map[string][]reader{}
	prev := first
	for round := 0; ; round++ {
		grown := false
		for _, s := range prev.revCode {
			adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
				if id, ok := e.(adjoint.Ident); ok {
					if v := prev.byName[id.Name]; v != nil && !v.temp && !needed[id.Name] {
						needed[id.Name] = true
						grown = true
					}
				}
			})
		}
		for name, rs := range prev.readersOut {
			for _, r := range rs {
				if !containsReader(readers[name], r) {
					readers[name] = append(readers[name], r)
					grown = true
				}
			}
		}
		if g.Options.SaveAll {
			for name := range prev.byName {
				needed[name] = true
			}
		}
		next := p.NewLowerer(g, file, needed)
		// Replayed trips leave out what backward code does not read, as
		// the last round found it: the last round, taken even when still
		// settling, is lowered without them (with what the rounds before
		// found backward code reads, which covers it).
		next.noReplay = round >= 4
		next.sanity.emitted = !grown || round == 4
		if !g.Options.SaveAll {
			next.readers = readers
		}
		// Which variables view which memory, for the saves of writes
		// through one view read through another taken later.
		next.viewRoots = map[string]string{}
		for name, v := range prev.byName {
			if v.viewOf != nil {
				next.viewRoots[name] = v.viewOf.Name
			}
		}
		fn, graph := next.lowerFunc(g)
		if !grown || round == 4 || len(next.Diags) > 0 {
			if len(next.Diags) == 0 {
				next.refuseUnsavedReadBackWrites(readers)
				if len(next.Diags) > 0 {
					return nil, nil, next.Diags
				}
			}
			if fn != nil && len(next.Diags) == 0 {
				// Once, on the last round's function: a pool is a
				// package-level name, taken for good. Under the test
				// switches too: it changes where storage comes from,
				// not what is stored, and tests name the pools.
				next.PoolTapes(fn)
				next.checkFunc("poolTapes", fn)
			}
			return fn, graph, next.Diags
		}
		prev = next
	}
}

// signature is the generated function's name, receiver, parameters (the
// source's, then a pullback's result adjoints, then the buffers) and
// results (the values, then the by-value gradients).
func (l *Lowerer) signature() *adjoint.Func {
	g := l.Target
	out := &adjoint.Func{Name: g.Name}
	if g.Recv != nil {
		out.Recv = &adjoint.Param{Name: l.ParamName(g.Recv), Type: gotypes.MustIR(g.Recv.Type())}
	}
	for _, p := range g.Params {
		out.Params = append(out.Params, adjoint.Param{Name: l.ParamName(p), Type: gotypes.MustIR(p.Type())})
	}
	for k, t := range g.Results {
		if g.Pullback {
			out.Params = append(out.Params, adjoint.Param{Name: l.seedNames[k], Type: gotypes.MustIR(t)})
		}
		out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(t)})
	}
	for _, v := range g.Wrt {
		if gotypes.ByReference(v.Type()) {
			out.Params = append(out.Params, adjoint.Param{Name: l.VariableOf(v).Adj, Type: gotypes.MustIR(gotypes.BufferType(v.Type()))})
		} else {
			out.Results = append(out.Results, adjoint.Param{Type: gotypes.MustIR(v.Type())})
		}
	}
	return out
}

// bufferChecks are the length checks of the caller's buffers, each named
// by its final name: a parameter resliced in the body (W = W[:n]) gives
// its buffer's name to the view.
func (l *Lowerer) bufferChecks() []adjoint.Stmt {
	// Built once, after lowering has named the buffers: the names of the
	// checks' loop indexes come from the namer.
	if l.checks != nil {
		return l.checks
	}
	out := []adjoint.Stmt{}
	defer func() { l.checks = out }()
	for _, v := range l.Target.Wrt {
		if gotypes.ByReference(v.Type()) {
			pv := l.VariableOf(v)
			against := pv.Name
			if other, ok := l.Target.LengthOf[v]; ok {
				against = l.VariableOf(other).Name
			}
			out = append(out, l.LengthChecks(adjoint.Id(against), adjoint.Id(pv.Adj), v.Type(), 0)...)
		}
	}
	return out
}

func containsReader(rs []reader, r reader) bool {
	for _, x := range rs {
		if x.pos == r.pos && len(x.loops) == len(r.loops) && x.ownOutput == r.ownOutput && x.ownCopy == r.ownCopy {
			return true
		}
	}
	return false
}

// NewLowerer starts the lowering of g, a function of file. needed, when
// not nil, names the primal variables an earlier lowering found backward
// code reads (see Lowerer.needed).
func (p *Package) NewLowerer(g *Target, file *ast.File, needed map[string]bool) *Lowerer {
	l := &Lowerer{
		Package:     p,
		Target:      g,
		hoistSet:    map[*Variable]bool{},
		adjDepth:    map[string]int{},
		tapeOf:      map[tapeKey]*tape{},
		logicalZero: map[*Variable]bool{},
		fusedLocal:  map[*Variable]bool{},
		saveAll:     g.Options.SaveAll,
		constLocals: p.constLocals(g.Decl),
		Fn:          g.Decl,
		fnName:      g.Name,
		Names:       newNamer(p.reservedNames(g.Decl, file)),
		vars:        map[types.Object]*Variable{},
		byName:      map[string]*Variable{},
		Varied:      map[types.Object]bool{},
		useful:      map[ast.Expr]bool{},
		needed:      needed,
		zero:        map[string]bool{},
		seed:        map[*Variable]adjoint.Expr{},
		defining:    map[*Variable]bool{},
		graph:       &adjoint.Graph{Name: g.Decl.Name.Name, Params: floatParamNames(g)},
		opExprs:     map[*op]adjoint.Expr{},
		exitLabel:   exitLabel(g.Decl),
	}
	return l
}

// exitLabel picks the label early returns jump to: "reverse", or
// "reverse1", "reverse2", ... when the user's function labels a statement
// so, since Go gives a function one namespace of labels.
func exitLabel(fn *ast.FuncDecl) string {
	taken := map[string]bool{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if s, ok := n.(*ast.LabeledStmt); ok {
			taken[s.Label.Name] = true
		}
		return true
	})
	label := "reverse"
	for i := 1; taken[label]; i++ {
		label = fmt.Sprintf("reverse%d", i)
	}
	return label
}

// lowerFunc lowers the whole body of g into its gradient function.
func (l *Lowerer) lowerFunc(g *Target) (*adjoint.Func, *adjoint.Graph) {
	if !l.Analyze(g) {
		return nil, nil
	}
	body := g.Decl.Body.List
	l.planExits(g, body)
	sw := l.lowerSweeps(g, body)
	l.checkSweeps("lowering", sw.Fwd, sw.Bwd, sw.Final)
	optimise := !g.Options.NoActivity && !g.Options.SaveAll
	opt.Run(l.backwardPasses(), sw, optimise, func(pass string, sw *opt.Sweeps) { l.checkBackward(pass, sw.Bwd, sw.Final) })
	l.bwdCode = sw.Bwd
	return l.assemble(g, sw), l.graph
}

// Analyze names the function's variables, finds which are varied and
// useful, and validates the body; it reports whether the body can be
// lowered.
func (l *Lowerer) Analyze(g *Target) bool {
	// Parameters and locals keep their source names: release them from the
	// reserved set in order of declaration, renaming only the shadowing ones.
	l.DeclareSourceNames(g)
	l.markVaried(g)
	l.checkAliasing(g.Decl.Body)
	l.checkAddressedIndexes(g.Decl.Body)
	l.checkStoredAddresses(g.Decl.Body)
	if !l.validate() || len(l.Diags) > 0 {
		return false
	}
	l.resolveTargets(g.Decl.Body)
	l.computeUseful()
	for _, v := range g.Wrt {
		l.graph.Nodes = append(l.graph.Nodes, adjoint.GraphNode{Name: l.VariableOf(v).Name, Input: true})
	}
	for _, p := range g.Params {
		l.VariableOf(p).param = true
	}
	if g.Recv != nil {
		l.VariableOf(g.Recv).param = true
	}
	l.countDefs()
	if g.Pullback {
		for k := range g.Results {
			base := "dres"
			if k < len(g.SeedBases) {
				base = g.SeedBases[k]
			}
			l.seedNames = append(l.seedNames, l.Names.Fresh(base))
		}
	}
	// By-reference parameters get caller buffers, named after them.
	for _, v := range g.Wrt {
		if gotypes.ByReference(v.Type()) {
			pv := l.VariableOf(v)
			pv.Adj = l.Names.Fresh(l.adjointBase(pv))
		}
	}
	return true
}

// planExits decides how the function's exits and last loop are lowered:
// early returns jump to the backward sweep, and a sum loop just before the
// final return runs forward and backward trip by trip.
func (l *Lowerer) planExits(g *Target, body []ast.Stmt) {
	// With a return anywhere but at the very end, every return stores the
	// result and jumps to the backward sweep; goto must not jump over a
	// declaration, so every local is declared at the top.
	returns := 0
	ast.Inspect(g.Decl.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.ReturnStmt); ok {
			returns++
		}
		_, lit := n.(*ast.FuncLit)
		return !lit
	})
	_, lastIsReturn := body[len(body)-1].(*ast.ReturnStmt)
	if returns > 1 || !lastIsReturn {
		l.early, l.hoistAll = true, true
		for k, t := range g.Results {
			v := l.NewTemp(LowerFirst(g.Decl.Name.Name), t)
			l.hoist(v)
			if seed := l.seedValue(k); seed != nil {
				l.seed[v] = seed
			}
			l.resultVars = append(l.resultVars, v)
		}
	}
	l.final = body[len(body)-1]
	if n := len(body); !l.early && n >= 2 && !g.Options.NoActivity && !g.Options.SaveAll {
		loop := body[n-2]
		if lb, ok := loop.(*ast.LabeledStmt); ok {
			loop = lb.Stmt
		}
		if l.SumLoop(loop, body[n-1].(*ast.ReturnStmt)) {
			l.fused = loop
		}
	}
}

// lowerSweeps lowers the body into the forward sweep and writes the backward
// sweep that reverses it, with the return that ends the gradient.
func (l *Lowerer) lowerSweeps(g *Target, body []ast.Stmt) *opt.Sweeps {
	recs := l.lowerBlock(body)
	if g.Options.Linear {
		l.graph.Linear = l.linearForm(recs)
	}
	if l.fused != nil {
		// The sum loop and the return move after the forward sweep: the
		// return's backward code seeds the accumulators' adjoints, the loop
		// runs forward and backward trip by trip, and then the value is
		// computed from the sums.
		recs, l.fusedTail = recs[:len(recs)-2], recs[len(recs)-2:]
	}
	fwd := l.forward(recs)
	for _, v := range l.vars {
		if v.Adj != "" {
			l.zero[v.Adj] = true
		}
	}
	var bwd []adjoint.Stmt
	if tail := l.fusedTail; tail != nil {
		seeds := l.reverse(tail[1])
		bwd = append(bwd, seeds...)
		l.revCode = append(l.revCode, seeds...)
		// An accumulator the return does not seed (a result that is only
		// returned, as a second derivative's JVP value is) keeps a zero
		// adjoint through the loop: its shares are not written.
		for _, v := range l.sortedAccs() {
			if v.Adj == "" || !slices.ContainsFunc(seeds, func(s adjoint.Stmt) bool { return opt.Mentions(s, v.Adj) }) {
				l.logicalZero[v] = true
			}
		}
		// The backward code of the statements before the loop reads the
		// accumulators as they were before it.
		var saves, restores []adjoint.Stmt
		for _, v := range l.sortedAccs() {
			if l.needed[v.Name] {
				prev := l.Names.Fresh(v.Name + "Before")
				saves = append(saves, adjoint.Set(adjoint.Id(prev), ":=", adjoint.Id(v.Name)))
				restores = append(restores, adjoint.Set(adjoint.Id(v.Name), "=", adjoint.Id(prev)))
			}
		}
		bwd = append(bwd, saves...)
		l.beforeSumLoop(fwd, bwd)
		bwd = append(bwd, l.fusedCode(tail[0])...)
		bwd = append(bwd, tail[1].fwd...)
		bwd = append(bwd, restores...)
	}
	rest := l.backward(recs)
	l.revCode = append(l.revCode, rest...)
	bwd = append(bwd, rest...)
	results := append([]adjoint.Expr(nil), l.resultVals...)
	for _, v := range g.Wrt {
		if !gotypes.ByReference(v.Type()) {
			results = append(results, l.AdjOf(l.VariableOf(v)))
		}
	}
	return &opt.Sweeps{Fwd: fwd, Bwd: bwd, Final: adjoint.Return{Results: results}}
}

// assemble writes the generated function: signature, buffer checks,
// declarations, the two sweeps, and the return; names nothing reads go.
func (l *Lowerer) assemble(g *Target, sw *opt.Sweeps) *adjoint.Func {
	fwd, bwd, final := sw.Fwd, sw.Bwd, sw.Final
	out := l.signature()
	out.Doc = l.doc(g)
	out.Body = append(out.Body, l.bufferChecks()...)
	out.Body = append(out.Body, l.consts...)
	out.Body = append(out.Body, l.topDeclarations()...)
	out.Body = append(out.Body, fwd...)
	if l.early {
		out.Body = append(out.Body, adjoint.Labeled{Label: l.exitLabel})
	} else if len(bwd) > 0 {
		out.Body = append(out.Body, adjoint.Blank{})
	}
	out.Body = append(out.Body, bwd...)
	out.Body = append(out.Body, final)
	keep := map[string]bool{}
	for _, p := range out.Params {
		keep[p.Name] = true
	}
	if out.Recv != nil {
		keep[out.Recv.Name] = true
	}
	if !g.Options.NoActivity && !g.Options.SaveAll {
		tapes := map[string]bool{}
		for _, t := range l.tapes {
			tapes[t.name] = true
		}
		for _, r := range l.recorders {
			if r.tape {
				tapes[r.name] = true
			}
		}
		// A slice whose adjoint is a view of its own keeps its reslices
		// (w = w[1:]): the view's reslices mirror them, and are kept.
		for view, value := range l.adjointViews() {
			if view != value {
				tapes[value] = true
			}
		}
		// Dropping an unused variable can leave its call's value unread,
		// and a dead store's removal a variable unused: twice is enough
		// for what the lowering writes.
		out.Body = opt.DropDeadStores(out.Body, tapes, l.PureHelpers())
		out.Body = opt.DropUnused(out.Body, keep)
		out.Body = opt.DropDeadStores(out.Body, tapes, l.PureHelpers())
	}
	out.Body = opt.DropUnused(out.Body, keep)
	l.checkFunc("dropUnused", out)
	return out
}

// sortedAccs lists the sum loop's accumulators in order of declaration.
func (l *Lowerer) sortedAccs() []*Variable {
	var out []*Variable
	for obj := range l.fusedAccs {
		out = append(out, l.VariableOf(obj))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].obj.Pos() < out[j].obj.Pos() })
	return out
}

// topDeclarations declares, at the top of the function, the locals that
// the forward sweep assigns in nested blocks, the records of control flow
// and the tapes, one line per type.
func (l *Lowerer) topDeclarations() []adjoint.Stmt {
	var decls []adjoint.Stmt
	byType := map[string]int{}
	declare := func(name string, t adjoint.Type) {
		if t == nil {
			l.Errorf(l.Fn.Pos(), "gradgen cannot declare %s: its type cannot be written in the generated file", name)
			return
		}
		key := adjoint.TypeString(t)
		if i, ok := byType[key]; ok {
			d := decls[i].(adjoint.VarDecl)
			d.Names = append(d.Names, name)
			decls[i] = d
			return
		}
		byType[key] = len(decls)
		decls = append(decls, adjoint.VarDecl{Names: []string{name}, Type: t})
	}
	for _, v := range l.hoisted {
		declare(v.Name, v.IR)
	}
	for _, r := range l.recorders {
		if r.tape {
			declare(r.name, adjoint.Slice{Elem: f64})
		} else {
			declare(r.name, r.typ)
		}
	}
	for _, t := range l.tapes {
		elem := t.elem
		if t.store != nil {
			elem = t.store
		}
		declare(t.name, adjoint.Slice{Elem: elem})
	}
	return decls
}

// doc is the generated function's doc comment.
func (l *Lowerer) doc(g *Target) string {
	if g.Pullback {
		return g.Name + " returns " + g.Decl.Name.Name + "'s value, adds " + strings.Join(l.seedNames, ", ") + " times its gradient into the buffers and returns the rest: the backward code of calls to " + g.Decl.Name.Name + " in gradients."
	}
	if g.Helper {
		return g.Name + " returns " + g.Decl.Name.Name + " and its partial derivatives, for the gradients of its callers."
	}
	var wrt []string
	for _, v := range g.Wrt {
		wrt = append(wrt, v.Name())
	}
	var args []string
	for _, p := range g.Params {
		args = append(args, p.Name())
	}
	call := g.Decl.Name.Name + "(" + strings.Join(args, ", ") + ")"
	if g.Recv != nil {
		call = g.Recv.Name() + "." + call
	}
	if len(wrt) == 0 {
		return g.Name + " returns " + call + "; it depends on no differentiable parameter."
	}
	return g.Name + " returns " + call + " and its partial derivatives with respect to " + strings.Join(wrt, ", ") + "."
}

// floatParamNames are the names of the float parameters of g's function,
// receiver first: the values -graph -at may set.
func floatParamNames(g *Target) []string {
	var names []string
	all := g.Params
	if g.Recv != nil {
		all = append([]*types.Var{g.Recv}, all...)
	}
	for _, v := range all {
		if gotypes.IsFloat(v.Type()) && v.Name() != "" && v.Name() != "_" {
			names = append(names, v.Name())
		}
	}
	return names
}

// markVaried marks the wrt parameters varied, everything under the test
// switch that turns activity analysis off, and what depends on them.
func (l *Lowerer) markVaried(g *Target) {
	for _, v := range g.Wrt {
		l.Varied[v] = true
	}
	if g.Options.NoActivity {
		l.markAllActive(g)
	}
	l.computeVaried()
}

// FreshHelperName returns base, or base1, base2, ..., free in the package
// and among the helpers, and takes it.
func (p *Package) FreshHelperName(base string) string {
	name := base
	for i := 1; ; i++ {
		obj := p.Pkg.Scope().Lookup(name)
		if (obj == nil || IsOutputPath(p.Fset.Position(obj.Pos()).Filename)) && !p.HelperNames[name] {
			break
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
	p.HelperNames[name] = true
	return name
}
