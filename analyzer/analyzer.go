// Package analyzer finds //gradgen:grad functions, checks them and lowers
// each into its adjoint program: a forward sweep that computes the
// function's value and keeps what the backward sweep needs, and a backward
// sweep that applies the chain rule statement by statement, in reverse.
//
// Generate is the whole job for one type-checked package; Analyzer wraps it
// as a go/analysis pass that reports problems without writing anything.
// The command gradgen, vet-style drivers and tests share this one code path.
package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// A Diagnostic is a problem at a position in the source.
type Diagnostic struct {
	Pos     token.Pos
	Message string
}

// Options change how gradients are generated. The zero value is what users
// get; the switches exist so that tests can prove optimizations change only
// speed, never results.
type Options struct {
	// NoActivity switches activity analysis off: every float variable
	// gets an adjoint and every assignment backward code.
	NoActivity bool
	// SaveAll saves every overwritten variable, needed by backward code or
	// not (the to-be-recorded analysis switched off). Either option also
	// switches off the rewrites that only make backward code faster (sum
	// loops, seed factoring), so that tests can compare against code
	// without them.
	SaveAll bool
	// Linear prints each function's linear form into its Graph.Linear
	// (for the golden tests of analyzer/testdata/linear).
	Linear bool
	// Sanity checks the adjoint program after lowering and after every
	// rewrite (adjoint.Check), and reports a program that breaks its
	// invariants as an internal error naming the pass. For tests: it
	// changes nothing that is generated, only how early a bug shows.
	Sanity bool
	// Imports holds, by import path, what the package's imports offer its
	// derivatives (ExportsOf): their rules, and their exported gradients
	// serving as rules.
	Imports map[string]*Exports
}

// A Function is one annotated function and what was generated for it.
type Function struct {
	Name  string // the source function's name (Loss, or T.Loss for a method)
	Pos   token.Pos
	Grad  *adjoint.Func
	Graph *adjoint.Graph
	// StraightLine reports that the source has no loop, branch or call of
	// a function of the package: its graph then has a node per value, in
	// the order they are computed, and can be evaluated (Graph.Evaluate).
	StraightLine bool
}

// An Output is one generated file: foo_grad.go for foo.go.
type Output struct {
	Source    string // path of the source file
	Path      string // path of the generated file
	File      *adjoint.File
	Functions []*Function
}

// A Result is everything generated for a package, or why it could not be.
type Result struct {
	Outputs     []*Output
	Diagnostics []Diagnostic // when not empty, nothing may be written
	// Warnings do not stop anything being written: comments that look
	// meant as directives but are not, and so are ignored.
	Warnings []Diagnostic
}

// OutputPath is the generated file's path for a source file: foo.go →
// foo_grad.go, and foo_test.go → foo_grad_test.go (a test file too), in
// the same directory.
func OutputPath(source string) string {
	if base, ok := strings.CutSuffix(source, "_test.go"); ok {
		return base + "_grad_test.go"
	}
	return strings.TrimSuffix(source, ".go") + "_grad.go"
}

// SourcePath is the source file whose generated file is at path: the
// inverse of OutputPath.
func SourcePath(path string) string {
	if base, ok := strings.CutSuffix(path, "_grad_test.go"); ok {
		return base + "_test.go"
	}
	return strings.TrimSuffix(path, "_grad.go") + ".go"
}

// IsOutputPath reports whether path is named like a generated file.
func IsOutputPath(path string) bool {
	return strings.HasSuffix(path, "_grad.go") || strings.HasSuffix(path, "_grad_test.go")
}

type pkgContext struct {
	fset *token.FileSet
	info *types.Info
	pkg  *types.Package
	// files are the package's files, generated ones included, for the
	// second derivatives' synthetic package.
	files []*ast.File
	// imports serves the synthetic package's type check; synth is the
	// work waiting for it.
	imports *packageImporter
	synth   *syntheticBatch

	decls       map[*types.Func]declSite
	rules       map[*types.Func]*ruleFunc
	helpers     map[helperKey]*helper
	helperNames map[string]bool
	helperFuncs map[*ast.File][]*adjoint.Func
	writers     map[*types.Func]bool // functions that may write into what they are passed
	synthSrc    map[string][]byte    // the synthetic files' sources, by path, to map their errors back
	userFiles   map[string]userFile  // files as on disk, to map those errors to (userFile)
	writeCycle  bool                 // mayWrite met a function it was still answering (see mayWrite)
	// readOnlyHelpers are the generated helpers that only read their
	// slices and pointers (pushforwards), whatever their parameters.
	readOnlyHelpers map[string]bool
	// purePackageFuncs names the package's functions (and rules' functions)
	// that only compute values, filled on first use by pureHelpers.
	purePackageFuncs map[string]bool
	// outputVJPs names the inner VJPs written, shared by FVJP and FJacobian.
	outputVJPs map[outputVJPKey]string
	// imported is what the package's imports offer (Options.Imports).
	imported map[string]*Exports
	// litRefusals says, by a function literal's position, why it was not
	// expanded in place (funclits.go): the literal's error gives it.
	litRefusals map[token.Pos]string
	// litVarRefusals holds the same reasons by the literal's variable,
	// for the errors at its calls.
	litVarRefusals map[types.Object]string
	// secondOrder is set while a JVP is written to be differentiated
	// again (second derivatives).
	secondOrder bool
	// notExpanded says, by a call's position in the source, why a writing
	// helper or literal was not expanded there; sourcePos maps this
	// package's positions to the source's (inline_effects.go).
	notExpanded map[token.Pos]string
	sourcePos   func(token.Pos) token.Pos
}

// whyNotExpanded is the reason the call at pos was not expanded, or "".
func (p *pkgContext) whyNotExpanded(pos token.Pos) string {
	if p.sourcePos == nil {
		return ""
	}
	return p.notExpanded[p.sourcePos(pos)]
}

// Generate finds the annotated functions of a type-checked package and
// builds their gradients. Files named like generated files are skipped:
// they are gradgen's output, never its input.
func Generate(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info, opts Options) *Result {
	// Helpers that write into what they are passed are expanded at their
	// calls, in a copy of the package (inline_effects.go).
	rs, reasons := resourceWritingHelpers(fset, files, pkg, info, opts.Imports)
	if rs != nil {
		res := generate(fset, rs.files, rs.pkg, rs.info, opts, reasons, func(pos token.Pos) token.Pos { return rs.sourcePos(fset, pos) })
		rs.mapBack(fset, res)
		return res
	}
	return generate(fset, files, pkg, info, opts, reasons, func(pos token.Pos) token.Pos { return pos })
}

// generate is Generate on a package whose writing helpers were expanded
// where they could be: notExpanded says, by source position, why the
// others were not, and sourcePos maps the package's positions to the
// source's.
func generate(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info, opts Options, notExpanded map[token.Pos]string, sourcePos func(token.Pos) token.Pos) *Result {
	// gradgen records the types of the few nodes it writes itself (bare
	// returns naming named results, element writes of composite
	// literals) in a copy: a driver may share info between analyzers
	// running at the same time.
	info = cloneInfo(info)
	p := &pkgContext{fset: fset, info: info, pkg: pkg, files: files, synth: newSyntheticBatch(), notExpanded: notExpanded, sourcePos: sourcePos,
		helpers: map[helperKey]*helper{}, helperNames: map[string]bool{}, helperFuncs: map[*ast.File][]*adjoint.Func{}}
	res := &Result{}
	report := func(pos token.Pos, format string, args ...any) {
		res.Diagnostics = append(res.Diagnostics, Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
	}
	warn := func(pos token.Pos, format string, args ...any) {
		res.Warnings = append(res.Warnings, Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
	}
	for _, file := range files {
		if !IsOutputPath(fset.Position(file.Package).Filename) {
			misspelledDirectives(file, warn)
		}
	}
	p.indexDecls(files)
	p.collectRules(files, report)
	p.imported = opts.Imports
	p.importRules(opts.Imports)
	outputs := map[*ast.File]*Output{}
	for _, file := range files {
		if out := p.generateFile(file, opts, res, report, warn); out != nil {
			outputs[file] = out
		}
	}
	res.Diagnostics = append(res.Diagnostics, p.runSynthetic()...)
	p.addOutputs(files, outputs, res)
	p.checkNameClashes(res, report)
	sortByPosition(fset, res.Diagnostics)
	res.Diagnostics = withoutConsequences(fset, res.Diagnostics)
	return res
}

// generateFile writes the functions file's directives ask for into a new
// Output, reporting what it cannot write and warning of stray directives.
// It returns nil for a generated file, which is gradgen's output and never
// its input.
func (p *pkgContext) generateFile(file *ast.File, opts Options, res *Result, report, warn func(token.Pos, string, ...any)) *Output {
	name := p.fset.Position(file.Package).Filename
	if IsOutputPath(name) {
		return nil
	}
	out := &Output{Source: name, Path: OutputPath(name), File: &adjoint.File{
		Package:    file.Name.Name,
		Path:       p.pkg.Path(),
		Constraint: buildConstraint(file),
		Reserved:   p.pkg.Scope().Names(),
	}}
	p.strayDirectives(file, warn)
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		dirs, ok := findDirectives(fn, report, warn)
		if !ok || len(dirs) == 0 {
			continue
		}
		p.generateFunction(fn, dirs, file, out, opts, res, report)
	}
	return out
}

// addOutputs gives each file's output the helpers its functions call and
// adds to res, in the order of files, the outputs with any function in
// them. It runs only once every function is written, since a helper is
// shared by all the functions that call it; files without annotated
// functions of their own may get helpers too.
func (p *pkgContext) addOutputs(files []*ast.File, outputs map[*ast.File]*Output, res *Result) {
	for _, file := range files {
		out := outputs[file]
		if out == nil {
			continue
		}
		out.File.Funcs = append(out.File.Funcs, p.helperFuncs[file]...)
		if len(out.File.Funcs) > 0 {
			res.Outputs = append(res.Outputs, out)
		}
	}
}

// sortByPosition sorts diags in place by file, line and column, keeping
// the order of those at one position: withoutConsequences keeps the first
// of them.
func sortByPosition(fset *token.FileSet, diags []Diagnostic) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := fset.Position(diags[i].Pos), fset.Position(diags[j].Pos)
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// withoutConsequences returns diags (sorted by position) without those
// that only follow from another, so that one construct gets one error.
func withoutConsequences(fset *token.FileSet, diags []Diagnostic) []Diagnostic {
	// One construct, one error: a later complaint at the same position is
	// a consequence of the first. Positions compare as reported (file,
	// line, column): an error mapped back from a function gradgen wrote
	// may sit in another token.File for the same file (userFile).
	// An error found in a function gradgen wrote from F's body, on a
	// line it cannot find in F, is reported at the directive ("in F:
	// ..."); when another directive's check found the same error at its
	// statement, that one says it better. Compared whole: another
	// function's error may have the same words.
	messages := map[string]bool{}
	for _, d := range diags {
		messages[d.Message] = true
	}
	var kept []Diagnostic
	for i, d := range diags {
		if i > 0 && fset.Position(d.Pos) == fset.Position(diags[i-1].Pos) {
			continue
		}
		if rest, ok := strings.CutPrefix(d.Message, "in "); ok {
			if _, msg, ok := strings.Cut(rest, ": "); ok && messages[msg] {
				continue
			}
		}
		kept = append(kept, d)
	}
	return kept
}

// generateFunction writes what each directive on fn asks for into out, or
// reports why it cannot. No input may crash gradgen: a bug becomes an
// error at the function, and nothing is written.
func (p *pkgContext) generateFunction(fn *ast.FuncDecl, dirs []*directive, file *ast.File, out *Output, opts Options, res *Result, report func(token.Pos, string, ...any)) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("GRADGEN_PANIC") != "" {
				panic(r)
			}
			report(fn.Name.Pos(), "internal error differentiating %s: %v; please report it with this function", fn.Name.Name, r)
		}
	}()
	if fn.Body == nil {
		report(fn.Name.Pos(), "%s has no body (assembly?): gradgen cannot see into it; supply its derivative with //gradgen:rule", fn.Name.Name)
		return
	}
	name := fn.Name.Name
	gradOK := false
	var graph *adjoint.Graph
	gs := p.checkedDirectives(fn, dirs, opts, report)
	for _, g := range gs {
		// A directive that runs the body more than once refuses effects
		// first; the others see them in their own checks.
		diags := p.checkRepeatable(g, file)
		var made *adjoint.Func
		if len(diags) == 0 {
			made, graph, diags = p.generateDirective(g, file, fn, gradOK, graph)
			if g.dir.kind == "grad" {
				gradOK = len(diags) == 0
			}
		}
		if len(diags) > 0 {
			res.Diagnostics = append(res.Diagnostics, diags...)
			continue
		}
		if g.recv != nil {
			name = recvTypeName(g.recv) + "." + fn.Name.Name
		}
		made.TypeParams = p.typeParams(fn)
		out.File.Funcs = append(out.File.Funcs, made)
		out.Functions = append(out.Functions, &Function{Name: name, Pos: fn.Pos(), Grad: made, Graph: graph, StraightLine: straightLine(fn, p.info)})
	}
}

// checkedDirectives returns the directives on fn whose signature checks
// pass, as gradFuncs with opts, each knowing the others (its siblings):
// what one directive writes calls what another writes rather than a copy
// (FHessian calls FHVP). The directives that fail are reported.
func (p *pkgContext) checkedDirectives(fn *ast.FuncDecl, dirs []*directive, opts Options, report func(token.Pos, string, ...any)) []*gradFunc {
	var gs []*gradFunc
	for _, dir := range dirs {
		if g := p.checkSignature(fn, dir, report); g != nil {
			g.options = opts
			gs = append(gs, g)
		}
	}
	for _, g := range gs {
		g.siblings = gs
	}
	return gs
}

// generateDirective writes the function g's directive asks for, or returns
// why it cannot, with the adjoint graph -graph shows for fn. The reverse
// lowering validates every mode that takes what reverse mode takes, so
// gradOK (the grad directive lowered without error) and graph (one found
// by an earlier directive) spare it being done again.
func (p *pkgContext) generateDirective(g *gradFunc, file *ast.File, fn *ast.FuncDecl, gradOK bool, graph *adjoint.Graph) (*adjoint.Func, *adjoint.Graph, []Diagnostic) {
	var made *adjoint.Func
	var diags []Diagnostic
	switch g.dir.kind {
	case "grad":
		made, graph, diags = p.lowerFunction(g, file)
	case "jvp":
		if g.out != nil || len(g.results) > 1 {
			made, diags = p.vectorJVP(g, file, fn)
			break
		}
		if !gradOK {
			// Forward mode takes what reverse mode takes: the reverse
			// lowering is its validation, and its adjoint graph serves
			// -graph.
			graph, diags = p.validateByReverse(g, file)
		}
		if len(diags) == 0 {
			made, diags = p.forwardFunction(g, file)
		}
	case "vjp":
		made, diags = p.vectorVJP(g, file, fn)
	case "jacobian":
		made, diags = p.jacobianFunction(g, file, fn)
	case "hvp", "hessian":
		if !gradOK && graph == nil {
			graph, diags = p.validateByReverse(g, file)
		}
		if len(diags) == 0 && g.dir.kind == "hvp" {
			made, diags = p.innerHVP(g, file, g.name, true)
			if made != nil {
				made.Doc = hvpDoc(g)
			}
		} else if len(diags) == 0 {
			made, diags = p.hessianFunction(g, file)
		}
	}
	return made, graph, diags
}

// validateByReverse lowers g in reverse mode only to learn whether it can
// be differentiated, and returns its adjoint graph; the helpers that
// lowering generates are forgotten, since nothing calls them.
func (p *pkgContext) validateByReverse(g *gradFunc, file *ast.File) (*adjoint.Graph, []Diagnostic) {
	helpers, names, funcs := maps.Clone(p.helpers), maps.Clone(p.helperNames), map[*ast.File][]*adjoint.Func{}
	for f, fs := range p.helperFuncs {
		funcs[f] = slices.Clone(fs)
	}
	rg := *g
	rg.name = gradName(g.decl.Name.Name)
	_, graph, diags := p.lowerFunction(&rg, file)
	p.helpers, p.helperNames, p.helperFuncs = helpers, names, funcs
	return graph, diags
}

func recvTypeName(v *types.Var) string {
	t := v.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}

// checkNameClashes reports generated functions whose names are already
// declared by hand in the package.
func (p *pkgContext) checkNameClashes(res *Result, report func(token.Pos, string, ...any)) {
	generated := map[string]token.Pos{}
	for _, out := range res.Outputs {
		for _, f := range out.Functions {
			key := f.Grad.Name
			if f.Grad.Recv != nil {
				key = adjoint.TypeString(f.Grad.Recv.Type) + "." + key
			}
			if prev, dup := generated[key]; dup {
				where := "also for the function at " + relativePosition(p.fset.Position(prev))
				if prev == f.Pos {
					where = "by two directives of " + f.Name
				}
				report(f.Pos, "%s would be generated twice (%s): give one of them another name with name=", f.Grad.Name, where)
			}
			generated[key] = f.Pos
			if f.Grad.Recv != nil {
				continue
			}
			if obj := p.pkg.Scope().Lookup(f.Grad.Name); obj != nil && !IsOutputPath(p.fset.Position(obj.Pos()).Filename) {
				report(f.Pos, "%s is already declared at %s: choose another name for the generated function with name=", f.Grad.Name, p.fset.Position(obj.Pos()))
			}
		}
	}
}

// strayDirectives warns at //gradgen:grad lines that are not in a
// function's doc comment, where they do nothing (SPEC §5: a warning).
func (p *pkgContext) strayDirectives(file *ast.File, report func(token.Pos, string, ...any)) {
	attached := map[*ast.Comment]bool{}
	for _, decl := range file.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Doc != nil {
			for _, c := range fn.Doc.List {
				attached[c] = true
			}
		}
	}
	for _, g := range file.Comments {
		for _, c := range g.List {
			if d, ok := ast.ParseDirective(c.Slash, c.Text); ok && d.Tool == "gradgen" && isDerivativeKind(d.Name) && !attached[c] {
				report(c.Slash, "//gradgen:%s is ignored here: it must be in the doc comment of a function, on the line right above func", d.Name)
			}
		}
	}
}

// buildConstraint returns the expression of file's //go:build line.
func buildConstraint(file *ast.File) string {
	for _, g := range file.Comments {
		if g.Pos() > file.Package {
			break
		}
		for _, c := range g.List {
			if rest, ok := strings.CutPrefix(c.Text, "//go:build "); ok {
				return strings.TrimSpace(rest)
			}
		}
	}
	return ""
}

// cloneInfo copies info's maps, so that writes into the copy are gradgen's
// alone.
func cloneInfo(info *types.Info) *types.Info {
	c := *info
	c.Types = maps.Clone(info.Types)
	c.Defs = maps.Clone(info.Defs)
	c.Uses = maps.Clone(info.Uses)
	c.Implicits = maps.Clone(info.Implicits)
	c.Selections = maps.Clone(info.Selections)
	c.Scopes = maps.Clone(info.Scopes)
	c.Instances = maps.Clone(info.Instances)
	c.FileVersions = maps.Clone(info.FileVersions)
	return &c
}

// relativePosition writes a position with its file relative to the
// working directory when it lies below it, as the command prints them.
func relativePosition(pos token.Position) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
			pos.Filename = rel
		}
	}
	return pos.String()
}

// straightLine reports whether fn's body runs every statement once, in
// order, without calling a function it declares or is passed.
func straightLine(fn *ast.FuncDecl, info *types.Info) bool {
	if fn.Body == nil {
		return false
	}
	straight := true
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
			*ast.SelectStmt, *ast.BranchStmt, *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt,
			*ast.CompositeLit, *ast.IncDecStmt:
			straight = false
		case *ast.Ident:
			// One node per value: locals of structs, arrays and slices
			// hold several, which the graph draws as one.
			if v, ok := info.Defs[n].(*types.Var); ok {
				if _, basic := v.Type().Underlying().(*types.Basic); !basic {
					straight = false
				}
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if _, ok := ast.Unparen(lhs).(*ast.Ident); !ok {
					straight = false // a field or an element written
				}
			}
		case *ast.ReturnStmt:
			straight = straight && n == fn.Body.List[len(fn.Body.List)-1]
		}
		return straight
	})
	return straight
}

// typeParams are fn's type parameters, written for the generated
// function: it is generic as fn is.
func (p *pkgContext) typeParams(fn *ast.FuncDecl) []adjoint.Param {
	obj, ok := p.info.Defs[fn.Name].(*types.Func)
	if !ok {
		return nil
	}
	tps := obj.Signature().TypeParams()
	var out []adjoint.Param
	for i := range tps.Len() {
		tp := tps.At(i)
		c, ok := gotypes.IrType(tp.Constraint())
		if !ok {
			c = adjoint.Opaque{Text: types.TypeString(tp.Constraint(), types.RelativeTo(p.pkg))}
		}
		out = append(out, adjoint.Param{Name: tp.Obj().Name(), Type: c})
	}
	return out
}
