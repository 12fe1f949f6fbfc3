// Package opt holds the rewrites of generated code that make it shorter
// or faster without changing what it computes: peephole clean-ups, copy
// propagation, dead-code removal, seed factoring and element-update
// folding. They work on the adjoint program alone — no go/ast, no
// go/types, nothing of the lowering's state — so each can be tested on
// hand-written programs, and any mode's output can use them.
//
// PoolStorage, run on a finished function rather than in the pass list,
// takes storage made on the heap from pools of the function's own.
//
// A caller strings passes together as a []Pass and runs them with Run,
// which calls its check (the adjoint sanity check, in tests) after each:
// a pass that breaks the program fails at that pass.
package opt

import "github.com/gradgen/gradgen/analyzer/adjoint"

// Sweeps is a gradient function's code between passes: the forward
// sweep, the backward sweep and the return that ends it.
type Sweeps struct {
	Fwd, Bwd []adjoint.Stmt
	Final    adjoint.Return
}

// A Pass is one rewrite of the sweeps.
type Pass struct {
	Name string
	// SpeedOnly marks a pass that only makes code faster: the test
	// switches that compare against unoptimised code turn it off, so
	// that tests prove it changes nothing else.
	SpeedOnly bool
	Run       func(sw *Sweeps)
}

// Run runs passes over sw in order, skipping the speed-only ones unless
// optimise is set, and calls check, if not nil, after each pass run.
func Run(passes []Pass, sw *Sweeps, optimise bool, check func(pass string, sw *Sweeps)) {
	for _, p := range passes {
		if p.SpeedOnly && !optimise {
			continue
		}
		p.Run(sw)
		if check != nil {
			check(p.Name, sw)
		}
	}
}
