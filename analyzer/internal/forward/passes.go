package forward

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// passes are the rewrites of the JVP's body, in order, run by opt.Run as
// reverse mode's are (the test switches turn the speed-only ones off).
func (f *fwdLowerer) passes() []opt.Pass {
	return []opt.Pass{
		{Name: "dead stores", SpeedOnly: true, Run: func(sw *opt.Sweeps) {
			sw.Fwd = opt.DropDeadStores(sw.Fwd, nil, f.PureHelpers())
		}},
		// Tangents of values that never reach a result go: Go rejects a
		// variable that is set and never read.
		{Name: "unused names", Run: func(sw *opt.Sweeps) { sw.Fwd = opt.DropUnused(sw.Fwd, nil) }},
	}
}

// sanityCheck runs the IR sanity check (Options.Sanity, in tests) on fn
// as it stands after pass, and reports a failure as an internal error
// naming the pass: a pass that breaks the JVP fails there, not in a
// user's compiler. final marks the function as emitted, where Go's rules
// that passes may break on the way (a variable set and never read) hold.
func (f *fwdLowerer) sanityCheck(pass string, fn *adjoint.Func, final bool) {
	if !f.Target.Options.Sanity || f.sanityFailed {
		return
	}
	errs := adjoint.Check(fn, f.SanityEnv(final))
	if len(errs) == 0 {
		return
	}
	f.sanityFailed = true
	f.Errorf(f.Fn.Name.Pos(), "%s", lower.SanityFailure(f.Fn.Name.Name, "its JVP", pass, fn, errs))
}
