package opt

import (
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// A liveSet is a set of variable names, a bit per name: the analysis
// copies a set at every statement, which a map makes quadratic in the
// size of big functions (the second derivatives' reverse sweeps).
type liveSet struct {
	ids  *nameIDs
	bits []uint64
}

// nameIDs numbers the names one analysis meets.
type nameIDs struct{ ids map[string]int }

func (n *nameIDs) id(name string) int {
	i, ok := n.ids[name]
	if !ok {
		i = len(n.ids)
		n.ids[name] = i
	}
	return i
}

func (d *deadStores) empty() liveSet { return liveSet{ids: d.ids} }

// has reports whether name is live.
func (s liveSet) has(name string) bool {
	i, ok := s.ids.ids[name]
	return ok && i/64 < len(s.bits) && s.bits[i/64]&(1<<(i%64)) != 0
}

func (s *liveSet) add(name string) {
	i := s.ids.id(name)
	for i/64 >= len(s.bits) {
		s.bits = append(s.bits, 0)
	}
	s.bits[i/64] |= 1 << (i % 64)
}

func (s *liveSet) del(name string) {
	if i, ok := s.ids.ids[name]; ok && i/64 < len(s.bits) {
		s.bits[i/64] &^= 1 << (i % 64)
	}
}

func (s liveSet) clone() liveSet {
	return liveSet{ids: s.ids, bits: slices.Clone(s.bits)}
}

func (s liveSet) union(o liveSet) liveSet {
	c := s.clone()
	for len(c.bits) < len(o.bits) {
		c.bits = append(c.bits, 0)
	}
	for i, w := range o.bits {
		c.bits[i] |= w
	}
	return c
}

func (s liveSet) equal(o liveSet) bool {
	for i := range max(len(s.bits), len(o.bits)) {
		var a, b uint64
		if i < len(s.bits) {
			a = s.bits[i]
		}
		if i < len(o.bits) {
			b = o.bits[i]
		}
		if a != b {
			return false
		}
	}
	return true
}

// reads adds the names e reads, in a copy.
func (s liveSet) reads(es ...adjoint.Expr) liveSet {
	c := s.clone()
	c.addReads(es...)
	return c
}

// addReads adds the names e reads to s itself: for a set just copied.
func (s *liveSet) addReads(es ...adjoint.Expr) {
	for _, e := range es {
		if e == nil {
			continue
		}
		adjoint.WalkExpr(e, func(x adjoint.Expr) {
			if id, ok := x.(adjoint.Ident); ok {
				s.add(id.Name)
			}
		})
	}
}
