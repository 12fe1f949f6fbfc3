package analyzer

import (
	"bytes"
	"errors"
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"golang.org/x/tools/go/analysis"

	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/emit"
)

// Analyzer reports, without writing anything, what gradgen would refuse
// and what it would change: malformed directives and options, constructs
// that cannot be differentiated, and annotated functions whose generated
// code is missing or stale. Its diagnostics stand at the annotated
// function, not in the generated file (linters hide those), and say to run
// go generate: analysis drivers cannot create files, nor should they edit
// generated ones.
var Analyzer = &analysis.Analyzer{
	Name: "gradgen",
	Doc: `check gradgen's directives and generated gradients

Reports malformed //gradgen:grad and //gradgen:rule directives, constructs
that gradgen cannot differentiate, and annotated functions whose generated
FooGrad is missing or stale (run go generate).`,
	URL: "https://github.com/gradgen/gradgen",
	// A missing or stale generated file leaves type errors behind (callers
	// of FooGrad); the check must run exactly then.
	RunDespiteErrors: true,
	Run:              run,
	FactTypes:        []analysis.Fact{new(Exports)},
	ResultType:       reflect.TypeOf((*Result)(nil)),
}

// run checks one package: it passes on what the package exports to other
// packages' derivatives, reports gradgen's diagnostics and warnings, and
// then, for each source file whose code could be generated whole, whether
// the generated file on disk is missing, foreign or stale.
func run(pass *analysis.Pass) (any, error) {
	files := sourceFiles(pass)
	// What this package offers other packages' derivatives travels as a
	// fact; what its imports offer arrives as one. (Drivers run the
	// analyzer over every dependency for its facts: a package without a
	// word of gradgen in its comments is done at once.)
	if !lower.MentionsGradgen(files) {
		return &Result{}, nil
	}
	imports := importedExports(pass)
	if ex := ExportsOf(files, pass.Pkg, pass.TypesInfo, imports); ex != nil {
		pass.ExportPackageFact(ex)
	}
	res := Generate(pass.Fset, files, pass.Pkg, pass.TypesInfo, Options{Imports: imports})
	for _, w := range res.Warnings {
		pass.Report(analysis.Diagnostic{Pos: w.Pos, Message: w.Message})
	}
	broken := map[string]bool{} // files whose generated code would be incomplete
	for _, d := range res.Diagnostics {
		pass.Report(analysis.Diagnostic{Pos: d.Pos, Message: d.Message})
		broken[pass.Fset.Position(d.Pos).Filename] = true
	}
	for _, out := range res.Outputs {
		if broken[out.Source] {
			continue
		}
		if err := checkOutput(pass, out); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// sourceFiles returns the package's files other than gradgen's outputs:
// generated code is compared with what the sources give, never read as a
// source itself.
func sourceFiles(pass *analysis.Pass) []*ast.File {
	var files []*ast.File
	for _, f := range pass.Files {
		if !IsOutputPath(pass.Fset.Position(f.Package).Filename) {
			files = append(files, f)
		}
	}
	return files
}

// importedExports returns, by import path, the exports that the package's
// imports published as facts: the derivatives of their functions that
// this package's code may call.
func importedExports(pass *analysis.Pass) map[string]*Exports {
	imports := map[string]*Exports{}
	for _, imp := range pass.Pkg.Imports() {
		ex := new(Exports)
		if pass.ImportPackageFact(imp, ex) {
			imports[imp.Path()] = ex
		}
	}
	return imports
}

// checkOutput compares the generated file out would be with the one on
// disk and reports, at each annotated function, why go generate must run.
// It returns an error only when the file cannot be printed or read.
func checkOutput(pass *analysis.Pass, out *Output) error {
	// A function with several directives (grad and jvp) is one
	// function to the user: one report each.
	reported := map[token.Pos]bool{}
	report := func(f *Function, format string, args ...any) {
		if !reported[f.Pos] {
			reported[f.Pos] = true
			pass.Reportf(f.Pos, format, args...)
		}
	}
	content, err := emit.File(out.File)
	if err != nil {
		return err
	}
	old, err := readFile(pass, out.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		for _, f := range out.Functions {
			report(f, "%s: %s is missing: run go generate", f.Name, filepath.Base(out.Path))
		}
	case err != nil:
		return err
	case !bytes.HasPrefix(old, []byte(emit.Header+"\n")) && !bytes.HasPrefix(old, []byte(emit.Header+"\r\n")):
		// go generate would refuse to overwrite it: say so, not "stale".
		for _, f := range out.Functions {
			report(f, "%s: %s exists and was not written by gradgen (its first line is not %q): gradgen will not overwrite it; rename it, or rename %s",
				f.Name, filepath.Base(out.Path), emit.Header, filepath.Base(out.Source))
		}
	case !bytes.Equal(old, content):
		// Say which functions changed when that can be told; else
		// (an edit outside every function, a helper) every function
		// of the file is suspect.
		for _, f := range out.Functions {
			if fn, err := emit.FuncSource(out.File, f.Grad); err != nil || !bytes.Contains(old, fn) {
				report(f, "%s: %s is stale: run go generate", f.Name, filepath.Base(out.Path))
			}
		}
		if len(reported) == 0 {
			for _, f := range out.Functions {
				report(f, "%s: %s is stale: run go generate", f.Name, filepath.Base(out.Path))
			}
		}
	}
	return nil
}

// readFile reads a file of the package through the pass when it can
// (drivers may serve overlays), else from disk.
func readFile(pass *analysis.Pass, path string) ([]byte, error) {
	if pass.ReadFile != nil {
		if data, err := pass.ReadFile(path); err == nil {
			return data, nil
		}
	}
	return os.ReadFile(path)
}
