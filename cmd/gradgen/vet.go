package main

import (
	"fmt"
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/gradgen/gradgen/analyzer"
)

// runVet runs the analyzer over the loaded packages and prints its
// diagnostics as the go command prints errors: file:line:col relative to
// the working directory, each once, in order. It exits 3 when there is
// any, as go/analysis drivers do.
//
// It loads packages the way gradgen does (its own generated files blanked
// out), so that a generated file that does not compile is reported once,
// by the analyzer, as stale — regenerating it is the way out — rather than
// by the type checker and again by the build, at every use.
func (c *config) runVet(pkgs []*loaded) int {
	var roots []*packages.Package
	for _, p := range pkgs {
		roots = append(roots, p.pkg)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{analyzer.Analyzer}, roots, nil)
	if err != nil {
		fmt.Fprintln(c.stderr, "gradgen:", err)
		return 2
	}
	type line struct {
		pos  token.Position
		text string
	}
	var lines []line
	seen := map[string]bool{}
	status := 0
	for _, act := range graph.Roots {
		if act.Err != nil {
			fmt.Fprintf(c.stderr, "gradgen: %s: %v\n", act.Package.PkgPath, act.Err)
			status = 2
			continue
		}
		for _, d := range act.Diagnostics {
			text := position(act.Package.Fset, d.Pos) + ": " + d.Message
			if !seen[text] {
				seen[text] = true
				lines = append(lines, line{act.Package.Fset.Position(d.Pos), text})
			}
		}
	}
	// By file, then line and column (not as text: line 12 before 7).
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i].pos, lines[j].pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	for _, l := range lines {
		fmt.Fprintln(c.stderr, l.text)
	}
	if len(lines) > 0 && status == 0 {
		status = 3
	}
	return status
}
