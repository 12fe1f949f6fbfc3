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
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/forward"
	"github.com/gradgen/gradgen/analyzer/internal/inline"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/second"
)

// Generate finds the annotated functions of a type-checked package and
// builds their gradients. Files named like generated files are skipped:
// they are gradgen's output, never its input.
func Generate(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info, opts Options) *Result {
	// Helpers that write into what they are passed are expanded at their
	// calls, in a copy of the package (internal/inline).
	rs, reasons := inline.ResourceWritingHelpers(fset, files, pkg, info, opts.Imports)
	if rs != nil {
		res := generate(fset, rs.Files, rs.Pkg, rs.Info, opts, reasons, func(pos token.Pos) token.Pos { return rs.SourcePos(fset, pos) })
		rs.MapBack(fset, res)
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
	info = lower.CloneInfo(info)
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
	p := lower.NewPackage(fset, files, pkg, info, opts.Imports, report)
	p.NotExpanded, p.SourcePos = notExpanded, sourcePos
	w := second.New(p)
	outputs := map[*ast.File]*Output{}
	for _, file := range files {
		if out := generateFile(w, file, opts, res, report, warn); out != nil {
			outputs[file] = out
		}
	}
	res.Diagnostics = append(res.Diagnostics, w.RunSynthetic()...)
	addOutputs(p, files, outputs, res)
	checkNameClashes(p, res, report)
	sortByPosition(fset, res.Diagnostics)
	res.Diagnostics = withoutConsequences(fset, res.Diagnostics)
	return res
}

// generateFile writes the functions file's directives ask for into a new
// Output, reporting what it cannot write and warning of stray directives.
// It returns nil for a generated file, which is gradgen's output and never
// its input.
func generateFile(p *second.Writer, file *ast.File, opts Options, res *Result, report, warn func(token.Pos, string, ...any)) *Output {
	name := p.Fset.Position(file.Package).Filename
	if IsOutputPath(name) {
		return nil
	}
	out := &Output{Source: name, Path: OutputPath(name), File: &adjoint.File{
		Package:    file.Name.Name,
		Path:       p.Pkg.Path(),
		Constraint: buildConstraint(file),
		Reserved:   p.Pkg.Scope().Names(),
	}}
	strayDirectives(p.Package, file, warn)
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		dirs, ok := lower.FindDirectives(fn, report, warn)
		if !ok || len(dirs) == 0 {
			continue
		}
		generateFunction(p, fn, dirs, file, out, opts, res, report)
	}
	return out
}

// addOutputs gives each file's output the helpers its functions call and
// adds to res, in the order of files, the outputs with any function in
// them. It runs only once every function is written, since a helper is
// shared by all the functions that call it; files without annotated
// functions of their own may get helpers too.
func addOutputs(p *lower.Package, files []*ast.File, outputs map[*ast.File]*Output, res *Result) {
	for _, file := range files {
		out := outputs[file]
		if out == nil {
			continue
		}
		out.File.Funcs = append(out.File.Funcs, p.HelperFuncs[file]...)
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
func generateFunction(p *second.Writer, fn *ast.FuncDecl, dirs []*lower.Directive, file *ast.File, out *Output, opts Options, res *Result, report func(token.Pos, string, ...any)) {
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
	gs := checkedDirectives(p.Package, fn, dirs, opts, report)
	for _, g := range gs {
		// A directive that runs the body more than once refuses effects
		// first; the others see them in their own checks.
		diags := p.CheckRepeatable(g, file)
		var made *adjoint.Func
		if len(diags) == 0 {
			made, graph, diags = generateDirective(p, g, file, fn, gradOK, graph)
			if g.Dir.Kind == "grad" {
				gradOK = len(diags) == 0
			}
		}
		if len(diags) > 0 {
			res.Diagnostics = append(res.Diagnostics, diags...)
			continue
		}
		if g.Recv != nil {
			name = lower.RecvTypeName(g.Recv) + "." + fn.Name.Name
		}
		made.TypeParams = p.TypeParams(fn)
		out.File.Funcs = append(out.File.Funcs, made)
		out.Functions = append(out.Functions, &Function{Name: name, Pos: fn.Pos(), Grad: made, Graph: graph, StraightLine: straightLine(fn, p.Info)})
	}
}

// checkedDirectives returns the directives on fn whose signature checks
// pass, as gradFuncs with opts, each knowing the others (its siblings):
// what one directive writes calls what another writes rather than a copy
// (FHessian calls FHVP). The directives that fail are reported.
func checkedDirectives(p *lower.Package, fn *ast.FuncDecl, dirs []*lower.Directive, opts Options, report func(token.Pos, string, ...any)) []*lower.Target {
	var gs []*lower.Target
	for _, dir := range dirs {
		if g := p.CheckSignature(fn, dir, report); g != nil {
			g.Options = opts
			gs = append(gs, g)
		}
	}
	for _, g := range gs {
		g.Siblings = gs
	}
	return gs
}

// generateDirective writes the function g's directive asks for, or returns
// why it cannot, with the adjoint graph -graph shows for fn. The reverse
// lowering validates every mode that takes what reverse mode takes, so
// gradOK (the grad directive lowered without error) and graph (one found
// by an earlier directive) spare it being done again.
func generateDirective(p *second.Writer, g *lower.Target, file *ast.File, fn *ast.FuncDecl, gradOK bool, graph *adjoint.Graph) (*adjoint.Func, *adjoint.Graph, []Diagnostic) {
	var made *adjoint.Func
	var diags []Diagnostic
	switch g.Dir.Kind {
	case "grad":
		made, graph, diags = p.LowerFunction(g, file)
	case "jvp":
		if g.Out != nil || len(g.Results) > 1 {
			made, diags = p.VectorJVP(g, file, fn)
			break
		}
		if !gradOK {
			// Forward mode takes what reverse mode takes: the reverse
			// lowering is its validation, and its adjoint graph serves
			// -graph.
			graph, diags = validateByReverse(p.Package, g, file)
		}
		if len(diags) == 0 {
			made, diags = forward.Function(p.Package, g, file)
		}
	case "vjp":
		made, diags = p.VectorVJP(g, file, fn)
	case "jacobian":
		made, diags = p.JacobianFunction(g, file, fn)
	case "hvp", "hessian":
		if !gradOK && graph == nil {
			graph, diags = validateByReverse(p.Package, g, file)
		}
		if len(diags) == 0 && g.Dir.Kind == "hvp" {
			made, diags = p.HVP(g, file)
		} else if len(diags) == 0 {
			made, diags = p.HessianFunction(g, file)
		}
	}
	return made, graph, diags
}

// validateByReverse lowers g in reverse mode only to learn whether it can
// be differentiated, and returns its adjoint graph; the helpers that
// lowering generates are forgotten, since nothing calls them.
func validateByReverse(p *lower.Package, g *lower.Target, file *ast.File) (*adjoint.Graph, []Diagnostic) {
	rg := *g
	rg.Name = lower.GradName(g.Decl.Name.Name)
	var graph *adjoint.Graph
	_, diags := p.Discarding(func() (*adjoint.Func, []Diagnostic) {
		fn, gr, diags := p.LowerFunction(&rg, file)
		graph = gr
		return fn, diags
	})
	return graph, diags
}

// checkNameClashes reports generated functions whose names are already
// declared by hand in the package.
func checkNameClashes(p *lower.Package, res *Result, report func(token.Pos, string, ...any)) {
	generated := map[string]token.Pos{}
	for _, out := range res.Outputs {
		for _, f := range out.Functions {
			key := f.Grad.Name
			if f.Grad.Recv != nil {
				key = adjoint.TypeString(f.Grad.Recv.Type) + "." + key
			}
			if prev, dup := generated[key]; dup {
				where := "also for the function at " + relativePosition(p.Fset.Position(prev))
				if prev == f.Pos {
					where = "by two directives of " + f.Name
				}
				report(f.Pos, "%s would be generated twice (%s): give one of them another name with name=", f.Grad.Name, where)
			}
			generated[key] = f.Pos
			if f.Grad.Recv != nil {
				continue
			}
			if obj := p.Pkg.Scope().Lookup(f.Grad.Name); obj != nil && !IsOutputPath(p.Fset.Position(obj.Pos()).Filename) {
				report(f.Pos, "%s is already declared at %s: choose another name for the generated function with name=", f.Grad.Name, p.Fset.Position(obj.Pos()))
			}
		}
	}
}

// strayDirectives warns at //gradgen:grad lines that are not in a
// function's doc comment, where they do nothing (SPEC §5: a warning).
func strayDirectives(p *lower.Package, file *ast.File, report func(token.Pos, string, ...any)) {
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
			if d, ok := ast.ParseDirective(c.Slash, c.Text); ok && d.Tool == "gradgen" && lower.IsDerivativeKind(d.Name) && !attached[c] {
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
