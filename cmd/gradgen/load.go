package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/gradgen/gradgen/analyzer"
	"github.com/gradgen/gradgen/emit"
)

// loaded is one package ready for generation.
type loaded struct {
	pkg *packages.Package
	dir string
	// generated are the files in dir that carry gradgen's header.
	generated map[string]bool
}

// load type-checks the packages the patterns name. gradgen's own output
// files are replaced by empty files while loading: they are stale or
// missing exactly when gradgen runs, and must not stop it. Type errors
// outside annotated functions are tolerated for the same reason (other
// files may already call FooGrad); errors inside them are load errors.
func (c *config) load() ([]*loaded, error) {
	// Tests: an annotated function in foo_test.go gets foo_grad_test.go,
	// so each package is loaded with its test files (its test variant).
	cfg := &packages.Config{
		Mode:  packages.NeedName | packages.NeedFiles,
		Dir:   c.dir,
		Tests: true,
	}
	if c.tags != "" {
		cfg.BuildFlags = []string{"-tags=" + c.tags}
	}
	list, err := packages.Load(cfg, c.patterns...)
	if err != nil {
		return nil, err
	}
	overlay := map[string][]byte{}
	dirs := map[string]map[string]bool{}
	for _, p := range list {
		for _, e := range p.Errors {
			if e.Kind == packages.ListError {
				return nil, fmt.Errorf("%s", e.Msg)
			}
		}
		files := append(append([]string{}, p.GoFiles...), p.IgnoredFiles...)
		if len(files) == 0 {
			continue
		}
		dir := filepath.Dir(files[0])
		gen := map[string]bool{}
		matches, _ := filepath.Glob(filepath.Join(dir, "*_grad.go"))
		tests, _ := filepath.Glob(filepath.Join(dir, "*_grad_test.go"))
		for _, m := range append(matches, tests...) {
			// A directory may hold two packages, p and its external
			// tests p_test: each owns the generated files of its clause.
			if hasHeader(m) && packageClause(m) == p.Name {
				gen[m] = true
				overlay[m] = []byte("package " + packageClause(m) + "\n")
			}
		}
		dirs[p.ID] = gen
	}
	cfg.Mode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
		packages.NeedTypesInfo | packages.NeedImports | packages.NeedDeps | packages.NeedTypesSizes | packages.NeedModule
	cfg.Overlay = overlay
	cfg.Fset = token.NewFileSet()
	list, err = packages.Load(cfg, c.patterns...)
	if err != nil {
		return nil, err
	}
	var out []*loaded
	var problems []string
	for _, p := range withTests(list) {
		if len(p.GoFiles) == 0 && len(p.IgnoredFiles) == 0 {
			continue
		}
		if msgs := loadErrors(p); len(msgs) > 0 {
			problems = append(problems, msgs...)
			continue
		}
		dir := filepath.Dir(append(p.GoFiles, p.IgnoredFiles...)[0])
		out = append(out, &loaded{pkg: p, dir: dir, generated: dirs[p.ID]})
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

// loadErrors returns the errors that stop gradgen from working on p: any
// error but a type error, and type errors inside annotated functions. A
// type error elsewhere stops it too, unless it is a name gradgen's output
// would declare, undefined while that output is set aside (a test calling
// FGrad): any other leaves types gradgen reads unknown (a helper's local
// of a type declared twice), and its analysis of them wrong.
func loadErrors(p *packages.Package) []string {
	var msgs []string
	for _, e := range p.Errors {
		if e.Kind == packages.TypeError && !insideAnnotated(p, e.Pos) && strings.Contains(e.Msg, "undefined") {
			continue
		}
		msgs = append(msgs, relPos(e.Pos)+": "+e.Msg)
	}
	if p.Types == nil || p.TypesInfo == nil {
		msgs = append(msgs, p.PkgPath+": could not be type-checked")
	}
	return msgs
}

// insideAnnotated reports whether the position "file:line:col" lies in a
// function that carries a //gradgen:grad directive.
func insideAnnotated(p *packages.Package, pos string) bool {
	parts := strings.Split(pos, ":")
	if len(parts) < 2 {
		return true
	}
	file := strings.Join(parts[:len(parts)-2], ":")
	var line int
	fmt.Sscan(parts[len(parts)-2], &line)
	for _, f := range p.Syntax {
		if p.Fset.Position(f.Package).Filename != file {
			continue
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !analyzer.HasGradDirective(fn) {
				continue
			}
			start, end := p.Fset.Position(fn.Pos()).Line, p.Fset.Position(fn.End()).Line
			if line >= start && line <= end {
				return true
			}
		}
	}
	return false
}

// hasHeader reports whether the file at path was written by gradgen.
func hasHeader(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	return string(bytes.TrimRight(first, "\r")) == emit.Header
}

func packageClause(path string) string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly)
	if err != nil || f.Name == nil {
		return "main"
	}
	return f.Name.Name
}

// relPos shortens an absolute "file:line:col" to a path relative to the
// working directory when the file is below it.
func relPos(pos string) string {
	wd, err := os.Getwd()
	if err != nil {
		return pos
	}
	if rel, err := filepath.Rel(wd, pos); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return pos
}

// position formats a diagnostic's position as file:line:col.
func position(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", relPos(p.Filename), p.Line, p.Column)
}

// withTests keeps, of each package loaded with Tests, the variant with
// its test files when there is one (it holds every file of the plain
// package too), and its external test package; it drops the generated
// test mains.
func withTests(list []*packages.Package) []*packages.Package {
	variant := map[string]bool{} // package paths that have a test variant
	for _, p := range list {
		if p.ID != p.PkgPath && !strings.HasSuffix(p.PkgPath, "_test") {
			variant[p.PkgPath] = true
		}
	}
	var out []*packages.Package
	for _, p := range list {
		switch {
		case strings.HasSuffix(p.ID, ".test"): // the test main
		case p.ID == p.PkgPath && variant[p.PkgPath]:
		default:
			out = append(out, p)
		}
	}
	return out
}
