package lower

import (
	"go/token"
	"go/types"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// A namer hands out the local names of one generated function. Source
// variables keep their names; shadowed ones, adjoints, temporaries and
// saved values get names derived from them, with a number appended only on
// a clash. Nothing it returns can capture a name the function refers to.
type namer struct {
	taken map[string]bool
	// next is, per base, the number to try first: names are never given
	// back, so the smallest free one is past the last handed out (the
	// search from 1 each time was quadratic in big functions).
	next map[string]int
}

func newNamer(reserved ...map[string]bool) *namer {
	n := &namer{taken: map[string]bool{}}
	for _, r := range reserved {
		for name := range r {
			n.taken[name] = true
		}
	}
	for _, name := range types.Universe.Names() {
		n.taken[name] = true
	}
	n.taken["_"] = true
	return n
}

// Fresh returns base if it is free, else base1, base2, ...; and takes it.
func (n *namer) Fresh(base string) string {
	name := base
	i := 1
	if n.taken[name] || token.IsKeyword(name) {
		if n.next == nil {
			n.next = map[string]int{}
		}
		i = max(n.next[base], 1)
		for name = base + strconv.Itoa(i); n.taken[name]; i++ {
			name = base + strconv.Itoa(i+1)
		}
		n.next[base] = i + 1
	}
	n.taken[name] = true
	return name
}

// AdjointName is the conventional name of v's adjoint: dx for x, dW1 for W1.
func AdjointName(v string) string { return "d" + v }

// LowerFirst turns an exported name into a local one: Hypot → hypot.
func LowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// UpperFirst capitalises a name's first letter: x → X, for names built
// from it (dPolarDx).
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// JoinNames writes names separated by commas: "x, y, z".
func JoinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
