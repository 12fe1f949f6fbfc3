package analyzer

import (
	"go/ast"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// The types of Generate's results live with the compiler that fills them
// (internal/lower); these aliases are their public names.
type (
	// A Diagnostic is a problem at a position in the source.
	Diagnostic = lower.Diagnostic
	// Options change how gradients are generated; see lower.Options.
	Options = lower.Options
	// A Function is one annotated function and what was generated for it.
	Function = lower.Function
	// An Output is one generated file: foo_grad.go for foo.go.
	Output = lower.Output
	// A Result is everything generated for a package, or why it could not be.
	Result = lower.Result
	// Exports is what a package offers other packages' derivatives. It
	// is the analyzer's package fact.
	Exports = lower.Exports
	// Unserved is an exported function whose //gradgen:grad or
	// //gradgen:rule other packages cannot use, and why.
	Unserved = lower.Unserved
	// An ExportedRule supplies the derivative of a package's function
	// through another of its functions.
	ExportedRule = lower.ExportedRule
)

// OutputPath is the generated file's path for a source file: foo.go →
// foo_grad.go, and foo_test.go → foo_grad_test.go.
func OutputPath(source string) string { return lower.OutputPath(source) }

// SourcePath is the source file whose generated file is at path: the
// inverse of OutputPath.
func SourcePath(path string) string { return lower.SourcePath(path) }

// IsOutputPath reports whether path is named like a generated file.
func IsOutputPath(path string) bool { return lower.IsOutputPath(path) }

// HasGradDirective reports whether fn's doc comment holds a derivative
// directive (//gradgen:grad, //gradgen:jvp).
func HasGradDirective(fn *ast.FuncDecl) bool { return lower.HasGradDirective(fn) }

// ExportsOf returns what package pkg offers other packages' derivatives:
// its exported rules and gradients, or nil when there is nothing.
func ExportsOf(files []*ast.File, pkg *types.Package, info *types.Info, imports map[string]*Exports) *Exports {
	return lower.ExportsOf(files, pkg, info, imports)
}
