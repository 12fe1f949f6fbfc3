package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/gradgen/gradgen/analyzer"
	"github.com/gradgen/gradgen/emit"
)

// A change is what gradgen would do to one file.
type change struct {
	path    string
	content []byte // nil: remove the file
	old     []byte // current content; nil when the file does not exist
	// pkg is the removed file's package clause; inBuild says the package
	// as loaded includes the file (go generate lists such files).
	pkg     string
	inBuild bool
}

func (c *config) run() int {
	pkgs, err := c.load()
	if err != nil {
		fmt.Fprintln(c.stderr, "gradgen:", err)
		return 2
	}
	if c.graph != "" {
		return c.printGraph(pkgs)
	}
	if c.vet {
		return c.runVet(pkgs)
	}
	status := 0
	for _, p := range pkgs {
		changes, diags := c.generate(p)
		if len(diags) > 0 {
			for _, d := range diags {
				fmt.Fprintln(c.stderr, d)
			}
			status = max(status, 1)
			continue
		}
		if c.check {
			if reportStale(c.stderr, changes) {
				status = max(status, 1)
			}
			continue
		}
		if err := c.apply(changes); err != nil {
			fmt.Fprintln(c.stderr, "gradgen:", err)
			status = max(status, 1)
		}
	}
	return status
}

// generate computes every change gradgen would make in one package, or
// the errors that stop it from making any.
func (c *config) generate(p *loaded) ([]change, []string) {
	res := analyzer.Generate(p.pkg.Fset, p.pkg.Syntax, p.pkg.Types, p.pkg.TypesInfo,
		analyzer.Options{NoActivity: c.noActivity, SaveAll: c.saveAll, Sanity: c.sanity, Imports: importedExports(p.pkg)})
	var diags []string
	for _, d := range res.Diagnostics {
		diags = append(diags, position(p.pkg.Fset, d.Pos)+": "+d.Message)
	}
	for _, w := range res.Warnings {
		if analyzer.IsOutputPath(os.Getenv("GOFILE")) {
			// Run again by go generate from a tombstone (orphan.go): the
			// run that wrote it printed these already.
			break
		}
		fmt.Fprintf(c.stderr, "%s: warning: %s\n", position(p.pkg.Fset, w.Pos), w.Message)
	}
	if c.verbose {
		fmt.Fprintf(c.stderr, "gradgen: read %s (%d files, %d with annotated functions)\n", p.pkg.PkgPath, len(p.pkg.Syntax), len(res.Outputs))
	}
	var changes []change
	written := map[string]bool{}
	for _, out := range res.Outputs {
		content, err := emit.File(out.File)
		if err != nil {
			diags = append(diags, fmt.Sprintf("%s: internal error: %v", relPos(out.Source), err))
			continue
		}
		old, err := os.ReadFile(out.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			old = nil
		case err != nil:
			diags = append(diags, fmt.Sprintf("%s: %v", relPos(out.Path), err))
			continue
		case !p.generated[out.Path]:
			diags = append(diags, fmt.Sprintf("%s:1:1: %s exists and was not written by gradgen (its first line is not %q): gradgen will not overwrite it; rename it, or rename %s",
				relPos(out.Path), filepath.Base(out.Path), emit.Header, filepath.Base(out.Source)))
			continue
		}
		written[out.Path] = true
		changes = append(changes, change{path: out.Path, content: content, old: old})
	}
	// Orphans: generated files whose source no longer has annotated
	// functions. A source left out by build constraints is not looked at,
	// so its generated file is left alone.
	loadedFiles := map[string]bool{}
	for _, f := range p.pkg.GoFiles {
		loadedFiles[f] = true
	}
	var orphans []string
	for path := range p.generated {
		if written[path] {
			continue
		}
		source := analyzer.SourcePath(path)
		if _, err := os.Stat(source); err == nil && !loadedFiles[source] {
			continue
		}
		orphans = append(orphans, path)
	}
	sort.Strings(orphans)
	for _, path := range orphans {
		old, _ := os.ReadFile(path)
		changes = append(changes, change{path: path, old: old, pkg: p.pkg.Name, inBuild: loadedFiles[path]})
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return changes, nil
}

// apply writes and removes files; each write is atomic.
func (c *config) apply(changes []change) error {
	for _, ch := range changes {
		switch {
		case ch.content == nil && ch.inBuild && goGenerateReadsLater(ch.path):
			if err := writeAtomic(ch.path, tombstone(ch.pkg)); err != nil {
				return err
			}
			c.say("emptied %s (its source has no annotated functions): go generate removes it when it reaches it", relPos(ch.path))
		case ch.content == nil:
			if err := os.Remove(ch.path); err != nil {
				return err
			}
			c.say("removed %s (its source has no annotated functions)", relPos(ch.path))
		case bytes.Equal(ch.content, ch.old):
			c.say("unchanged %s", relPos(ch.path))
		default:
			if err := writeAtomic(ch.path, ch.content); err != nil {
				return err
			}
			c.say("wrote %s", relPos(ch.path))
		}
	}
	return nil
}

func (c *config) say(format string, args ...any) {
	if c.verbose {
		fmt.Fprintf(c.stderr, "gradgen: "+format+"\n", args...)
	}
}

// writeAtomic writes data to a temporary file beside path, then renames it
// over path, so that a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gradgen-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// reportStale prints every change -check finds, and reports whether there
// was any.
func reportStale(w interface{ Write([]byte) (int, error) }, changes []change) bool {
	any := false
	for _, ch := range changes {
		switch {
		case ch.content == nil:
			fmt.Fprintf(w, "%s: orphaned: its source has no annotated functions; run go generate to remove it\n", relPos(ch.path))
		case ch.old == nil:
			fmt.Fprintf(w, "%s: missing: run go generate\n", relPos(ch.path))
		case !bytes.Equal(ch.content, ch.old):
			fmt.Fprintf(w, "%s: stale: run go generate\n%s", relPos(ch.path), shortDiff(ch.old, ch.content, 20))
		default:
			continue
		}
		any = true
	}
	return any
}

// printGraph prints the adjoint graph of the function named c.graph.
func (c *config) printGraph(pkgs []*loaded) int {
	var names []string
	graphless := ""
	for _, p := range pkgs {
		res := generateFor(p)
		for _, out := range res.Outputs {
			for _, f := range out.Functions {
				short := f.Name[strings.LastIndex(f.Name, ".")+1:]
				if f.Name == c.graph || short == c.graph {
					if f.Graph == nil {
						graphless = f.Name
						continue
					}
					return c.printDOT(f)
				}
				if !slices.Contains(names, f.Name) {
					names = append(names, f.Name)
				}
			}
		}
		for _, d := range res.Diagnostics {
			fmt.Fprintln(c.stderr, position(p.pkg.Fset, d.Pos)+": "+d.Message)
		}
	}
	switch {
	case graphless != "":
		fmt.Fprintf(c.stderr, "gradgen: -graph %s: %s is vector-valued (out= or several results), and gradgen draws the adjoint graphs of functions with one float result only\n", c.graph, graphless)
	case len(names) == 0:
		fmt.Fprintf(c.stderr, "gradgen: -graph %s: no annotated function found\n", c.graph)
	default:
		fmt.Fprintf(c.stderr, "gradgen: -graph %s: no such annotated function (annotated: %s)\n", c.graph, strings.Join(names, ", "))
	}
	return 2
}

// importedExports reads what p's imports offer its derivatives (rules,
// exported gradients): the loader type-checked every dependency from
// source, so their directives can be read as the analyzer's facts would
// carry them. The standard library offers none.
func importedExports(p *packages.Package) map[string]*analyzer.Exports {
	return importedExportsMemo(p, map[string]*analyzer.Exports{})
}

func importedExportsMemo(p *packages.Package, memo map[string]*analyzer.Exports) map[string]*analyzer.Exports {
	out := map[string]*analyzer.Exports{}
	for path, imp := range p.Imports {
		if imp.Module == nil || imp.Types == nil || imp.TypesInfo == nil {
			continue
		}
		ex, done := memo[imp.ID]
		if !done {
			ex = analyzer.ExportsOf(imp.Syntax, imp.Types, imp.TypesInfo, importedExportsMemo(imp, memo))
			memo[imp.ID] = ex
		}
		if ex != nil {
			out[path] = ex
		}
	}
	return out
}

// printDOT prints f's graph, evaluated at c.at when it is given.
func (c *config) printDOT(f *analyzer.Function) int {
	if c.at == "" {
		fmt.Fprint(c.stdout, emit.DOT(f.Graph))
		return 0
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(c.stderr, "gradgen: -at %s: "+format+"\n", append([]any{c.at}, args...)...)
		return 2
	}
	if !f.StraightLine {
		return fail("%s has loops, branches, early returns, calls of its package's helpers or locals of structs, arrays or slices, and -at evaluates the graphs of straight-line functions of floats (only theirs have one node per value, computed once)", f.Name)
	}
	at := map[string]float64{}
	for _, kv := range strings.Split(c.at, ",") {
		name, value, ok := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil {
			return fail("want name=value pairs separated by commas, such as x=3,y=4")
		}
		name = strings.TrimSpace(name)
		if _, twice := at[name]; twice {
			return fail("%s is given twice", name)
		}
		at[name] = x
	}
	vals, err := f.Graph.Evaluate(at)
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprint(c.stdout, emit.DOTAt(f.Graph, vals))
	return 0
}

// generateFor runs the analyzer over one loaded package with default
// options.
func generateFor(p *loaded) *analyzer.Result {
	return analyzer.Generate(p.pkg.Fset, p.pkg.Syntax, p.pkg.Types, p.pkg.TypesInfo, analyzer.Options{Imports: importedExports(p.pkg)})
}
