package forward

import (
	"fmt"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
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
	env := &adjoint.Env{Outer: map[string]bool{}, Pending: map[string]bool{}, Tapes: map[string]bool{}, Views: map[string]string{}, Final: final}
	for _, name := range f.Pkg.Scope().Names() {
		env.Outer[name] = true
	}
	for name := range f.HelperNames {
		env.Outer[name] = true
	}
	errs := adjoint.Check(fn, env)
	if len(errs) == 0 {
		return
	}
	f.sanityFailed = true
	var b strings.Builder
	fmt.Fprintf(&b, "internal error differentiating %s: its JVP breaks the IR's invariants after the pass %s:", f.Fn.Name.Name, pass)
	for _, err := range errs[:min(len(errs), 20)] {
		b.WriteString("\n\t" + err.Error())
	}
	b.WriteString("\n" + adjoint.FuncString(fn) + "\nplease report it with this function")
	f.Errorf(f.Fn.Name.Pos(), "%s", b.String())
}
