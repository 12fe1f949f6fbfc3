// Package lower is gradgen's compiler for one type-checked package: it
// finds the annotated functions' directives and checks their signatures,
// validates each body against what the rules and the lowering model
// (failing closed), finds what is active, and lowers the typed syntax into
// the adjoint IR. Reverse mode's forward and backward sweeps are written
// here, as are the helpers functions call; forward mode (internal/forward)
// and second derivatives (internal/second) build on this package's front
// end.
package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
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

// A Package is the compiler's state for one type-checked package: its
// declarations and rules, and the helpers generated so far, which every
// function of the package shares.
type Package struct {
	// The Rewriter holds the package (Fset, Info, Pkg) and rewrites its
	// bodies into what the lowering models.
	*rewrite.Rewriter
	// Files are the package's files, generated ones included, for the
	// second derivatives' synthetic package.
	Files []*ast.File
	// imports serves the synthetic package's type check.
	imports *packageImporter

	Decls       map[*types.Func]DeclSite
	Rules       map[*types.Func]*RuleFunc
	Helpers     map[HelperKey]*Helper
	HelperNames map[string]bool
	HelperFuncs map[*ast.File][]*adjoint.Func
	writers     map[*types.Func]bool // functions that may write into what they are passed
	writeCycle  bool                 // mayWrite met a function it was still answering (see mayWrite)
	// ReadOnlyHelpers are the generated helpers that only read their
	// slices and pointers (pushforwards), whatever their parameters.
	ReadOnlyHelpers map[string]bool
	// purePackageFuncs names the package's functions (and rules' functions)
	// that only compute values, filled on first use by pureHelpers.
	purePackageFuncs map[string]bool
	// Imported is what the package's imports offer (Options.Imports).
	Imported map[string]*Exports
	// litRefusals says, by a function literal's position, why it was not
	// expanded in place (funclits.go): the literal's error gives it.
	litRefusals map[token.Pos]string
	// litVarRefusals holds the same reasons by the literal's variable,
	// for the errors at its calls.
	litVarRefusals map[types.Object]string
	// SecondOrder is set while a JVP is written to be differentiated
	// again (second derivatives).
	SecondOrder bool
	// NotExpanded says, by a call's position in the source, why a writing
	// helper or literal was not expanded there; sourcePos maps this
	// package's positions to the source's (internal/inline).
	NotExpanded map[token.Pos]string
	SourcePos   func(token.Pos) token.Pos
}

// whyNotExpanded is the reason the call at pos was not expanded, or "".
func (p *Package) whyNotExpanded(pos token.Pos) string {
	if p.SourcePos == nil {
		return ""
	}
	return p.NotExpanded[p.SourcePos(pos)]
}

// CloneInfo copies info's maps, so that writes into the copy are gradgen's
// alone.
func CloneInfo(info *types.Info) *types.Info {
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

// TypeParams are fn's type parameters, written for the generated
// function: it is generic as fn is.
func (p *Package) TypeParams(fn *ast.FuncDecl) []adjoint.Param {
	obj, ok := p.Info.Defs[fn.Name].(*types.Func)
	if !ok {
		return nil
	}
	tps := obj.Signature().TypeParams()
	var out []adjoint.Param
	for i := range tps.Len() {
		tp := tps.At(i)
		c, ok := gotypes.IrType(tp.Constraint())
		if !ok {
			c = adjoint.Opaque{Text: types.TypeString(tp.Constraint(), types.RelativeTo(p.Pkg))}
		}
		out = append(out, adjoint.Param{Name: tp.Obj().Name(), Type: c})
	}
	return out
}

// RecvTypeName is the name of the receiver v's type, without its pointer.
func RecvTypeName(v *types.Var) string {
	t := v.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}

// MentionsGradgen reports whether any comment of files says "gradgen": a
// package without one has no directive, not even a misspelled one.
func MentionsGradgen(files []*ast.File) bool {
	for _, f := range files {
		for _, g := range f.Comments {
			for _, c := range g.List {
				if strings.Contains(c.Text, "gradgen") {
					return true
				}
			}
		}
	}
	return false
}

// NewPackage returns the compiler's state for a type-checked package: its
// declarations indexed, its //gradgen:rule functions read (their errors
// go to report) and the rules its imports offer (imported) taken in.
func NewPackage(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info, imported map[string]*Exports, report func(token.Pos, string, ...any)) *Package {
	p := &Package{Rewriter: &rewrite.Rewriter{Fset: fset, Info: info, Pkg: pkg}, Files: files,
		Helpers: map[HelperKey]*Helper{}, HelperNames: map[string]bool{}, HelperFuncs: map[*ast.File][]*adjoint.Func{}}
	p.IndexDecls(files)
	p.CollectRules(files, report)
	p.Imported = imported
	p.ImportRules(imported)
	return p
}

// Synthetic returns the compiler's state for p's package type-checked
// again with the functions gradgen wrote added (pkg, info and files; see
// internal/second): it shares p's importer and the imports' rules, and
// knows p's helpers' names, so that new helpers take others.
func (p *Package) Synthetic(pkg *types.Package, info *types.Info, files []*ast.File) *Package {
	inner := NewPackage(p.Fset, files, pkg, info, p.Imported, func(token.Pos, string, ...any) {})
	inner.imports = p.importer()
	inner.HelperNames = maps.Clone(p.HelperNames)
	return inner
}
