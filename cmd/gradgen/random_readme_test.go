package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeCoverage maps every item of the README's "What can be
// differentiated" list to the productions of the program generator that
// write it. TestRandomCoversReadme fails for an item with no entry, so a
// construct the README claims is a construct the random programs produce.
//
// The items are extracted from README.md by this rule (readmeItems):
//
//  1. The section runs from the heading "## What can be differentiated" to
//     the next heading.
//  2. Its claims are the bullets ("- " at the start of a line, continued by
//     indented lines) that follow the paragraph beginning "Supported" (or,
//     without one, that open the section), up to the first paragraph that
//     is not a bullet, or before a bullet or paragraph that begins with "Refused"
//     (or "**Refused"). What follows — the paragraph on errors, a list of
//     refused constructs — claims nothing.
//  3. In a bullet: a lead-in up to a colon at its start ("Data:") is
//     dropped; so is every parenthesized remark (outside backticks) and
//     every sentence after the first. The rest is split at commas and
//     semicolons outside backticks; each piece, trimmed, without a leading
//     "and " or "or " and without a final period, is an item, compared
//     with the keys below after collapsing runs of spaces.
//
// To claim a new construct, add it to a bullet and a line here naming the
// productions (random_prods_test.go) that write it; to list one as
// refused, put it after the claims (a "Refused" paragraph or list).
var readmeCoverage = map[string][]string{
	// Expressions.
	"`+ - * /`":         {"arith"},
	"unary `-` and `+`": {"unary", "negreturn"},
	"parentheses":       {"arith"},
	"constants":         {"constexpr", "constdecl"},
	"conversions between float types and from integers": {"conv32", "convint"},
	"comparisons in conditions":                         {"compare", "switchless"},
	// Statements.
	"`:=`":                               {"define"},
	"`var` and `const` declarations":     {"vardecl", "constdecl", "loopvar", "varbound"},
	"`=`":                                {"assign"},
	"`+= -= *= /=`":                      {"opassign"},
	"`++ --`":                            {"incdec"},
	"parallel assignment":                {"parallel"},
	"shadowing":                          {"shadow"},
	"blocks":                             {"block"},
	"`if`/`else if`/`else` and `switch`": {"ifelse", "switchtag", "switchless"},
	// Control flow.
	"three-clause `for`":        {"for3", "innercount", "resetsum"},
	"condition-only `for`":      {"while"},
	"`for range` over integers": {"rangeint", "overwrite2"},
	"slices and arrays":         {"rangeslice", "rangearray"},
	"nested loops":              {"nested"},
	"`break` and `continue`":    {"break", "continue", "labeled"},
	"`return` anywhere":         {"earlyreturn", "nanpath"},
	"early returns from inside loops and branches included": {"earlyreturn"},
	"named results with bare `return`":                      {"namedresult"},
	// Data.
	"parameters": {"slices", "byvaluearr", "byvaluestruct", "pointers", "structslice", "matrix"},
	"receivers and locals of type `[]float64`/`[]float32`": {"recvvalue", "recvptr", "make", "conv32"},
	"`[N]float64`":  {"byvaluearr", "localarray"},
	"`[][]float64`": {"matrix"},
	"composite literals declaring a variable": {"complit"},
	"structs":           {"structs", "byvaluestruct"},
	"pointers to them":  {"pointers", "recvptr"},
	"slices of structs": {"structslice"},
	"unnamed struct types of this package's types": {"anonstruct"},
	"indexing":                {"slices"},
	"element updates":         {"elemupdate", "statebuf"},
	"`len`":                   {"len"},
	"`make`":                  {"make"},
	"local fixed-size arrays": {"localarray"},
	"slicing views":           {"views", "loopviews", "reslice"},
	"range values":            {"rangevalue", "rangeslice"},
	"package-level data and maps read as passive values": {"pkgdata"},
	"reslicing in place": {"reslice"},
	"writes into the fields and elements of by-value struct and array parameters": {"byvaluestruct", "byvaluearr"},
	"whole-value copies of structs and arrays":                                    {"wholecopy"},
	"a local `[][]float64` built row by row":                                      {"rowbuild"},
	"`copy` between float slices that cannot overlap":                             {"copyslice"},
	// Math.
	"Every function of package `math` with float arguments and a float result that has an elementary derivative": {"math", "rulemath"},
	"the two-result `Sincos`":      {"sincos"},
	"`Modf` and `Frexp`":           {"modf", "frexp"},
	"the builtins `min` and `max`": {"minmax"},
	"Integer":                      {"intcode"},
	"bool and string code is kept as it is and never differentiated": {"intcode"},
	// Calls.
	"Calls to any function or method of the same package": {"helper1", "helperN", "helperslice", "helper2",
		"methodptr", "method2", "negreturn"},
	"to any function with a custom rule":                                {"rule", "rulemath"},
	"calls into other packages of the module":                           {"otherpkg"},
	"generic ones of one float type parameter":                          {"generichelper"},
	"variadic ones passed a slice":                                      {"helpervariadic"},
	"variadic float parameters":                                         {"variadic"},
	"function literals bound to a local and called":                     {"funclit"},
	"literals of several statements called as statements of their own":  {"funclitstmt"},
	"helpers that write into what they are passed":                      {"writer"},
	"helpers with struct and array parameters and results by value":     {"valuehelper"},
	"calls with effects in an assignment":                               {"effectcall"},
	"helpers that return a new slice":                                   {"valuehelper"},
	"literals whose elements depend on the parameters in an assignment": {"litexpr"},
	"declaration":              {"litexpr"},
	"return or call statement": {"litexpr"},
	"annotated functions generic over float types": {"generic"},
	// Vector-valued functions.
	"Vector-valued functions: output parameters filled with `=`": {"vecout"},
}

// TestRandomCoversReadme checks that every construct the README claims has
// a production in the random program generator, and every math function of
// its table of derivative rules a form in mathForms. It reads files only.
func TestRandomCoversReadme(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	items := readmeItems(readme)
	if len(items) < 10 {
		t.Fatalf("found only %d items in the README's \"What can be differentiated\" (%q): has the section moved?", len(items), items)
	}
	names := map[string]bool{}
	for _, p := range productions {
		names[p.name] = true
	}
	for item, prods := range readmeCoverage {
		for _, p := range prods {
			if !names[p] {
				t.Errorf("readmeCoverage[%q] names %q, which is no production", item, p)
			}
		}
		if !slices.Contains(items, item) {
			t.Logf("readmeCoverage has %q, which the README no longer lists", item)
		}
	}
	for _, item := range items {
		if len(readmeCoverage[item]) == 0 {
			t.Errorf("the README claims %q, and no production of the random program generator writes it: add a production and a line to readmeCoverage", item)
		}
	}

	// The table of derivative rules: every function of package math it
	// names, except those it lists as errors, has a form.
	forms := map[string]bool{"Sincos": true, "Modf": true, "Frexp": true} // sincos, modf, frexp
	for _, f := range mathForms {
		forms[f.name] = true
	}
	for _, fn := range readmeMathFunctions(t, readme) {
		if !forms[fn] {
			t.Errorf("the README's table of derivative rules has math.%s, and mathForms (random_prods_test.go) has no form for it", fn)
		}
	}
}

// readmeItems extracts the claimed items of "What can be differentiated"
// by the rule documented at readmeCoverage.
func readmeItems(readme string) []string {
	_, section, ok := strings.Cut(readme, "\n## What can be differentiated\n")
	if !ok {
		return nil
	}
	if i := strings.Index(section, "\nSupported"); i >= 0 {
		// The claims follow the paragraph that introduces them.
		if j := strings.Index(section[i+1:], "\n\n"); j >= 0 {
			section = section[i+1+j:]
		}
	}
	var bullets []string
	for _, line := range strings.Split(section, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(trimmed, "Refused") || strings.HasPrefix(trimmed, "**Refused") ||
			strings.HasPrefix(trimmed, "- Refused") || strings.HasPrefix(trimmed, "- **Refused"):
		case strings.HasPrefix(line, "- "):
			bullets = append(bullets, strings.TrimPrefix(line, "- "))
			continue
		case trimmed == "":
			continue
		case strings.HasPrefix(line, " ") && len(bullets) > 0:
			bullets[len(bullets)-1] += " " + trimmed
			continue
		}
		break
	}
	lead := regexp.MustCompile(`^[A-Z][\w ]*: `)
	var items []string
	for _, b := range bullets {
		b = lead.ReplaceAllString(b, "")
		b = firstSentence(dropParens(b))
		for _, piece := range splitOutsideTicks(b) {
			piece = strings.TrimSuffix(strings.TrimSpace(piece), ".")
			piece = strings.Join(strings.Fields(piece), " ")
			piece = strings.TrimPrefix(piece, "and ")
			piece = strings.TrimPrefix(piece, "or ")
			if piece != "" {
				items = append(items, piece)
			}
		}
	}
	return items
}

// dropParens removes parenthesized remarks outside backticks.
func dropParens(s string) string {
	var b strings.Builder
	depth, tick := 0, false
	for _, r := range s {
		switch {
		case r == '`' && depth == 0:
			tick = !tick
		case r == '(' && !tick:
			depth++
			continue
		case r == ')' && !tick && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// firstSentence cuts s after its first ". " outside backticks.
func firstSentence(s string) string {
	tick := false
	for i, r := range s {
		if r == '`' {
			tick = !tick
		}
		if r == '.' && !tick && strings.HasPrefix(s[i:], ". ") {
			return s[:i+1]
		}
	}
	return s
}

// splitOutsideTicks splits s at commas and semicolons outside backticks.
func splitOutsideTicks(s string) []string {
	var parts []string
	tick, start := false, 0
	for i, r := range s {
		switch {
		case r == '`':
			tick = !tick
		case (r == ',' || r == ';') && !tick:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// readmeMathFunctions lists the functions of package math in the README's
// table of derivative rules (### Derivative rules): the backticked names in
// each row's first cell that start with a capital and have two letters or
// more (`T(x)`, a conversion, has one), except in rows that say "error".
func readmeMathFunctions(t *testing.T, readme string) []string {
	_, section, ok := strings.Cut(readme, "\n### Derivative rules\n")
	if !ok {
		t.Fatal("README.md has no \"### Derivative rules\" section")
	}
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	name := regexp.MustCompile("`([A-Z][A-Za-z0-9]+)")
	var fns []string
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.Contains(line, "error") {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			fns = append(fns, m[1])
		}
	}
	if len(fns) < 20 {
		t.Fatalf("found only %d math functions in the README's table of derivative rules: has it moved?", len(fns))
	}
	return fns
}
