package analyzer

import (
	"go/ast"
	"go/token"
	"regexp"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// A directive misspelled is a directive ignored: the function gets no
// generated code, and the first sign is a compile error in its callers,
// far from the cause. As go vet does for misspelled build lines, gradgen
// warns at comments that look meant as one of its directives but are not
// one: a space after // or around the colon, a missing colon, a capital,
// or the go: prefix.

// directiveLike matches comments that mention gradgen as a directive
// would: "gradgen", then a colon or a space, then a word.
var directiveLike = regexp.MustCompile(`(?i)^//\s*(go:)?gradgen\s*(:\s*|\s+)([a-z]+)`)

// gradgenDirectiveNames are the names after //gradgen: that gradgen reads.
var gradgenDirectiveNames = append([]string{"rule"}, lower.DerivativeKinds...)

// misspelledDirectives reports, through warn, every comment line of file
// that looks meant as a gradgen directive but is not written as one.
func misspelledDirectives(file *ast.File, warn func(token.Pos, string, ...any)) {
	for _, g := range file.Comments {
		for _, c := range g.List {
			if d, ok := ast.ParseDirective(c.Slash, c.Text); ok && d.Tool == "gradgen" && d.Name != "" {
				continue // a directive: checked where it is read
			}
			m := directiveLike.FindStringSubmatch(c.Text)
			if m == nil {
				continue
			}
			name := strings.ToLower(m[3])
			known := false
			for _, k := range gradgenDirectiveNames {
				known = known || k == name
			}
			if !known {
				continue // prose that mentions gradgen ("// gradgen is run by ...")
			}
			rest := c.Text[len(m[0]):]
			if i := strings.Index(rest, "//"); i >= 0 {
				rest = rest[:i] // a comment after the directive
			}
			rest = strings.TrimSpace(rest)
			if !argumentsLike(name, rest) {
				continue // prose: "// gradgen rule for the sigmoid below"
			}
			want := "//gradgen:" + name
			if rest != "" {
				want += " " + rest
			}
			warn(c.Slash, "%q is not a gradgen directive, and is ignored: write %q (no space after //, none around the colon, lower case)", c.Text, want)
		}
	}
}

// argumentsLike reports whether rest reads as the arguments of the
// directive name: nothing, one function name for a rule, options
// (key=value) for the others.
func argumentsLike(name, rest string) bool {
	fields := strings.Fields(rest)
	if name == "rule" {
		return len(fields) <= 1
	}
	for _, f := range fields {
		if !strings.Contains(f, "=") {
			return false
		}
	}
	return true
}
