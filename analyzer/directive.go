package analyzer

import (
	"go/ast"
	"go/token"
	"strings"
)

// A directive is one parsed //gradgen:grad line.
type directive struct {
	pos   token.Pos
	name  string    // name= option, "" for the default
	wrt   []string  // wrt= option, nil for the default
	wrtAt token.Pos // position of the wrt= option, for errors about its names
}

// findDirective returns the //gradgen:grad directive in fn's doc comment, or
// nil. Directive lines are dropped by CommentGroup.Text, so it scans the raw
// comment list. Every problem with the line is reported through report.
func findDirective(fn *ast.FuncDecl, report func(token.Pos, string, ...any)) (*directive, bool) {
	if fn.Doc == nil {
		return nil, true
	}
	var found *directive
	ok := true
	for _, c := range fn.Doc.List {
		d, isDir := ast.ParseDirective(c.Slash, c.Text)
		if !isDir || d.Tool != "gradgen" {
			continue
		}
		switch d.Name {
		case "grad":
		case "rule":
			continue // custom rules are read elsewhere
		default:
			report(d.Slash, "unknown directive //gradgen:%s: gradgen knows //gradgen:grad and //gradgen:rule", d.Name)
			ok = false
			continue
		}
		if found != nil {
			report(d.Slash, "duplicate //gradgen:grad directive on %s: keep one line and combine its options", fn.Name.Name)
			ok = false
			continue
		}
		dir := &directive{pos: d.Slash}
		args, err := d.ParseArgs()
		if err != nil {
			report(d.ArgsPos, "malformed //gradgen:grad options: %v", err)
			ok = false
			continue
		}
		seen := map[string]bool{}
		for _, a := range args {
			key, value, hasEq := strings.Cut(a.Arg, "=")
			if !hasEq || value == "" {
				report(a.Pos, "malformed option %q in //gradgen:grad: options are wrt=a,b and name=Other", a.Arg)
				ok = false
				continue
			}
			if seen[key] {
				report(a.Pos, "option %s given twice in //gradgen:grad", key)
				ok = false
				continue
			}
			seen[key] = true
			switch key {
			case "wrt":
				dir.wrt = strings.Split(value, ",")
				dir.wrtAt = a.Pos
				for _, w := range dir.wrt {
					if !token.IsIdentifier(w) {
						report(a.Pos, "wrt=%s: %q is not a parameter name", value, w)
						ok = false
					}
				}
			case "name":
				if !token.IsIdentifier(value) {
					report(a.Pos, "name=%s: not a valid Go identifier", value)
					ok = false
				}
				dir.name = value
			default:
				report(a.Pos, "unknown option %q in //gradgen:grad: options are wrt=a,b and name=Other", key)
				ok = false
			}
		}
		found = dir
	}
	return found, ok
}

// HasGradDirective reports whether fn's doc comment holds a //gradgen:grad
// line.
func HasGradDirective(fn *ast.FuncDecl) bool {
	if fn.Doc == nil {
		return false
	}
	for _, c := range fn.Doc.List {
		if d, ok := ast.ParseDirective(c.Slash, c.Text); ok && d.Tool == "gradgen" && d.Name == "grad" {
			return true
		}
	}
	return false
}

// gradName is the default name of F's gradient: FGrad, fGrad, or LossGrad
// for a method Loss.
func gradName(fn string) string { return fn + "Grad" }
