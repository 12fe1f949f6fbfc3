package lower

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// PoolTapes takes the storage of fn's tapes and scratch that the lowering
// made on the heap from pools of fn's own (opt.PoolStorage says how and
// why).
func (l *Lowerer) PoolTapes(fn *adjoint.Func) {
	opt.PoolStorage(fn, opt.Storage{Heap: l.heapTapes, Grown: l.grownTapes, Zeroed: l.zeroedScratch, Exact: l.exactScratch, Appended: l.appendedTapes}, l.Names.Fresh, l.FreshHelperName)
}

// PooledScratch marks the scratch slice name, made when its length is
// beyond the stack array, to come from the function's pool, cleared.
func (l *Lowerer) PooledScratch(name string) {
	mark(&l.heapTapes, name)
	mark(&l.zeroedScratch, name)
}

// mark adds name to the set *m, making the set on first use.
func mark(m *map[string]bool, name string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[name] = true
}
