package lower

import (
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// A Directive is one parsed //gradgen:grad or //gradgen:jvp line.
type Directive struct {
	Pos   token.Pos
	Kind  string    // "grad" or "jvp"
	name  string    // name= option, "" for the default
	wrt   []string  // wrt= option, nil for the default
	wrtAt token.Pos // position of the wrt= option, for errors about its names
	out   string    // out= option: the output parameter of a vector-valued function
	outAt token.Pos
}

// DerivativeKinds are the directives that ask for a generated function,
// in the order their functions are written.
var DerivativeKinds = []string{"grad", "jvp", "vjp", "hvp", "hessian", "jacobian"}

// IsDerivativeKind reports whether //gradgen:name asks for a derivative.
func IsDerivativeKind(name string) bool { return slices.Contains(DerivativeKinds, name) }

// FindDirectives returns the derivative directives in fn's doc comment
// (//gradgen:grad, //gradgen:jvp), at most one of each kind. Directive
// lines are dropped by CommentGroup.Text, so it scans the raw comment list.
// Every problem with a line is reported through report; an unknown
// directive name, which is ignored, through warn.
func FindDirectives(fn *ast.FuncDecl, report, warn func(token.Pos, string, ...any)) ([]*Directive, bool) {
	if fn.Doc == nil {
		return nil, true
	}
	var found []*Directive
	seenKind := map[string]bool{}
	ok := true
	for _, c := range fn.Doc.List {
		d, isDir := ast.ParseDirective(c.Slash, c.Text)
		if !isDir || d.Tool != "gradgen" || !derivativeDirective(d, warn) {
			continue
		}
		if seenKind[d.Name] {
			report(d.Slash, "duplicate //gradgen:%s directive on %s: keep one line and combine its options", d.Name, fn.Name.Name)
			ok = false
			continue
		}
		seenKind[d.Name] = true
		dir, good := parseDirective(d, report)
		if !good {
			ok = false
		}
		if dir != nil {
			found = append(found, dir)
		}
	}
	// Functions come out in one order whatever the order of the lines.
	slices.SortStableFunc(found, func(a, b *Directive) int {
		return slices.Index(DerivativeKinds, a.Kind) - slices.Index(DerivativeKinds, b.Kind)
	})
	return found, ok
}

// derivativeDirective reports whether the gradgen directive d asks for a
// generated function. //gradgen:rule is not one (custom rules are read
// elsewhere); any other name is a misspelling, ignored with a warning
// (SPEC §5) as a spaced directive is, rather than refused.
func derivativeDirective(d ast.Directive, warn func(token.Pos, string, ...any)) bool {
	switch {
	case IsDerivativeKind(d.Name):
		return true
	case d.Name == "rule":
		return false // custom rules are read elsewhere
	default:
		warn(d.Slash, "unknown directive //gradgen:%s is ignored: gradgen knows //gradgen:grad, jvp, vjp, hvp, hessian, jacobian and rule", d.Name)
		return false
	}
}

// parseDirective returns the directive d's line asks for, with its
// options, and whether they were all well formed. Each bad option is
// reported and the others still read, so that one run names every
// mistake; the directive is nil only when its options cannot be split
// into words at all.
func parseDirective(d ast.Directive, report func(token.Pos, string, ...any)) (*Directive, bool) {
	dir := &Directive{Pos: d.Slash, Kind: d.Name}
	args, err := d.ParseArgs()
	if err != nil {
		report(d.ArgsPos, "malformed //gradgen:%s options: %v", d.Name, err)
		return nil, false
	}
	ok := true
	seen := map[string]bool{}
	for _, a := range args {
		key, value, hasEq := strings.Cut(a.Arg, "=")
		if !hasEq || value == "" {
			report(a.Pos, "malformed option %q in //gradgen:%s: options are %s", a.Arg, d.Name, optionsOf(d.Name))
			ok = false
			continue
		}
		if seen[key] {
			report(a.Pos, "option %s given twice in //gradgen:%s", key, d.Name)
			ok = false
			continue
		}
		seen[key] = true
		if !dir.setOption(key, value, a.Pos, report) {
			ok = false
		}
	}
	return dir, ok
}

// setOption records the option key=value, written at pos, in dir, and
// reports false (after reporting why) for an unknown key or a value that
// is not the identifier the key needs. The value is recorded even then.
func (dir *Directive) setOption(key, value string, pos token.Pos, report func(token.Pos, string, ...any)) bool {
	ok := true
	switch key {
	case "wrt":
		dir.wrt = strings.Split(value, ",")
		dir.wrtAt = pos
		for _, w := range dir.wrt {
			if !token.IsIdentifier(w) {
				report(pos, "wrt=%s: %q is not a parameter name", value, w)
				ok = false
			}
		}
	case "out":
		if parts := strings.Split(value, ","); len(parts) > 1 {
			report(pos, "out=%s: out= names one output parameter, and this names %d; write the outputs into one slice (y[0:m] and y[m:]) or a struct, or give each its own function", value, len(parts))
			ok = false
		} else if !token.IsIdentifier(value) {
			report(pos, "out=%s: not a parameter name", value)
			ok = false
		}
		dir.out, dir.outAt = value, pos
	case "name":
		if !token.IsIdentifier(value) {
			report(pos, "name=%s: not a valid Go identifier", value)
			ok = false
		}
		dir.name = value
	default:
		report(pos, "unknown option %q in //gradgen:%s: options are %s", key, dir.Kind, optionsOf(dir.Kind))
		ok = false
	}
	return ok
}

// HasGradDirective reports whether fn's doc comment holds a derivative
// directive (//gradgen:grad, //gradgen:jvp).
func HasGradDirective(fn *ast.FuncDecl) bool {
	if fn.Doc == nil {
		return false
	}
	for _, c := range fn.Doc.List {
		if d, ok := ast.ParseDirective(c.Slash, c.Text); ok && d.Tool == "gradgen" && IsDerivativeKind(d.Name) {
			return true
		}
	}
	return false
}

// GradName is the default name of F's gradient: FGrad, fGrad, or LossGrad
// for a method Loss.
func GradName(fn string) string { return fn + "Grad" }

// derivativeName is the default name of the function a directive of kind
// asks for: FGrad, FJVP.
func derivativeName(fn, kind string) string {
	switch kind {
	case "jvp":
		return fn + "JVP"
	case "hvp":
		return fn + "HVP"
	case "hessian":
		return fn + "Hessian"
	case "vjp":
		return fn + "VJP"
	case "jacobian":
		return fn + "Jacobian"
	}
	return GradName(fn)
}

// optionsOf lists the options of a directive, for messages: out= is for
// the directives of vector-valued functions only.
func optionsOf(kind string) string {
	switch kind {
	case "jvp", "vjp", "jacobian":
		return "wrt=a,b, name=Other and out=y"
	}
	return "wrt=a,b and name=Other"
}
