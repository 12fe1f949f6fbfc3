package analyzer

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// poolTapes takes the storage of fn's tapes and scratch that the lowering
// made on the heap from pools of fn's own (opt.PoolStorage says how and
// why).
func (l *lowerer) poolTapes(fn *adjoint.Func) {
	opt.PoolStorage(fn, opt.Storage{Heap: l.heapTapes, Grown: l.grownTapes, Zeroed: l.zeroedScratch, Exact: l.exactScratch, Appended: l.appendedTapes}, l.names.fresh, l.freshHelperName)
}

// pooledScratch marks the scratch slice name, made when its length is
// beyond the stack array, to come from the function's pool, cleared.
func (l *lowerer) pooledScratch(name string) {
	if l.heapTapes == nil {
		l.heapTapes = map[string]bool{}
	}
	if l.zeroedScratch == nil {
		l.zeroedScratch = map[string]bool{}
	}
	l.heapTapes[name] = true
	l.zeroedScratch[name] = true
}
