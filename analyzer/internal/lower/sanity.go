package lower

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// The IR sanity check (Options.Sanity): after lowering and after every
// rewrite of the adjoint program, adjoint.Check looks at the whole
// function as it stands, so that a pass that breaks the program is caught
// at that pass, with the program in hand, rather than in a user's compiler.
// Most rewrites work on the backward sweep alone, before the function is
// assembled; the check assembles it the way lowerFunc does, from the
// forward sweep it was handed at the first check. A failure is an internal
// error at the annotated function, naming the pass and showing the
// program; the check runs only in tests, never for users.

// sanity is the state of the sanity check during one lowering.
type sanity struct {
	// emitted marks the lowering whose program is returned. The earlier
	// rounds of lowerFunctionPasses are probes that find which values
	// backward code reads: their programs may read values they never kept
	// (that is what the next round fixes), and nothing of them is emitted.
	emitted bool
	fwd     []adjoint.Stmt // the forward sweep, once lowered
	prefix  []adjoint.Stmt // the backward code before a sum loop
	failed  bool           // reported: later passes would only repeat it
	last    string         // what was checked last, printed: a pass that changed nothing needs no check
}

func (l *Lowerer) sanityOn() bool {
	return l.Target.Options.Sanity && l.sanity.emitted && !l.sanity.failed
}

// checkSweeps checks the function made of the forward sweep fwd, the
// backward sweep bwd and the final return, as they stand after pass; it
// remembers fwd for checkBackward.
func (l *Lowerer) checkSweeps(pass string, fwd, bwd []adjoint.Stmt, final adjoint.Return) {
	if !l.sanityOn() {
		return
	}
	l.sanity.fwd = fwd
	l.checkBackward(pass, bwd, final)
}

// checkBackward checks the function after a pass that rewrote the
// backward sweep bwd.
func (l *Lowerer) checkBackward(pass string, bwd []adjoint.Stmt, final adjoint.Return) {
	if !l.sanityOn() {
		return
	}
	fn := l.sanityFunc()
	fn.Body = append(fn.Body, l.sanity.fwd...)
	if l.early {
		fn.Body = append(fn.Body, adjoint.Labeled{Label: l.exitLabel})
	} else if len(bwd) > 0 {
		fn.Body = append(fn.Body, adjoint.Blank{})
	}
	fn.Body = append(fn.Body, bwd...)
	fn.Body = append(fn.Body, final)
	l.sanityCheck(pass, fn, false, false)
}

// beforeSumLoop remembers the forward sweep and the backward code before
// a sum loop, for checkSumLoop.
func (l *Lowerer) beforeSumLoop(fwd, bwd []adjoint.Stmt) {
	if l.sanityOn() {
		l.sanity.fwd, l.sanity.prefix = fwd, append([]adjoint.Stmt(nil), bwd...)
	}
}

// checkSumLoop checks the function up to the sum loop rec, whose body is
// fwd then bwd after pass: a prefix of the function, whose tapes other
// than the loop's may still hold values.
func (l *Lowerer) checkSumLoop(pass string, rec *lowered, fwd, bwd []adjoint.Stmt) {
	if !l.sanityOn() {
		return
	}
	body := append(append([]adjoint.Stmt(nil), fwd...), bwd...)
	var loop adjoint.Stmt
	switch h := rec.header.(type) {
	case adjoint.For:
		h.Body = body
		loop = h
	case adjoint.Range:
		h.Body = body
		loop = h
	default:
		return
	}
	fn := l.sanityFunc()
	fn.Body = append(fn.Body, l.sanity.fwd...)
	fn.Body = append(fn.Body, adjoint.Blank{})
	fn.Body = append(fn.Body, l.sanity.prefix...)
	fn.Body = append(fn.Body, loop)
	l.sanityCheck(pass, fn, true, false)
}

// checkFunc checks the finished function, after the last pass.
func (l *Lowerer) checkFunc(pass string, fn *adjoint.Func) {
	if l.sanityOn() {
		l.sanityCheck(pass, fn, false, true)
	}
}

// sanityFunc is the function's signature and its declarations at the top,
// as lowerFunc writes them (the same signature, the same checks).
func (l *Lowerer) sanityFunc() *adjoint.Func {
	out := l.signature()
	// topDeclarations reports a type it cannot write; lowerFunc reports
	// that once, the check must not again.
	n := len(l.Diags)
	decls := l.topDeclarations()
	l.Diags = l.Diags[:n]
	out.Body = append(out.Body, l.bufferChecks()...)
	out.Body = append(out.Body, l.consts...)
	out.Body = append(out.Body, decls...)
	return out
}

// sanityEnv tells the check what the function may use from outside and
// what the lowering means by some of its names.
func (l *Lowerer) sanityEnv(partial, final bool) *adjoint.Env {
	env := l.SanityEnv(final)
	env.Partial = partial
	// Adjoints are declared by declareAdjoints (declareLocalAdjoints in a
	// sum loop); until then backward code uses them undeclared. The
	// finished function has nothing left to declare.
	for _, v := range l.adjOrd {
		if v.Adj != "" && !v.adjDeclared && !final {
			env.Pending[v.Adj] = true
		}
	}
	for _, t := range l.tapes {
		env.Tapes[t.name] = true
	}
	for _, r := range l.recorders {
		if r.tape {
			env.Tapes[r.name] = true
		}
	}
	env.Views = l.adjointViews()
	return env
}

// SanityEnv is what any generated function of the package may use from
// outside (the package's names, the helpers generated so far), for the
// sanity check; final marks the function as emitted.
func (p *Package) SanityEnv(final bool) *adjoint.Env {
	env := &adjoint.Env{
		Outer:   map[string]bool{},
		Pending: map[string]bool{},
		Tapes:   map[string]bool{},
		Views:   map[string]string{},
		Final:   final,
	}
	for _, name := range p.Pkg.Scope().Names() {
		env.Outer[name] = true
	}
	for name := range p.HelperNames {
		env.Outer[name] = true
	}
	return env
}

// adjointViews maps each adjoint that is a view of its own (a shadow, or a
// reference parameter's buffer) to the value it mirrors.
func (l *Lowerer) adjointViews() map[string]string {
	views := map[string]string{}
	for _, v := range l.byName {
		if v.shadow != nil {
			views[v.shadow.Name] = v.Name
		}
	}
	for _, v := range l.Target.Wrt {
		if pv := l.VariableOf(v); gotypes.ByReference(v.Type()) && pv.shadow == nil && pv.Adj != "" {
			views[pv.Adj] = pv.Name
		}
	}
	return views
}

// sanityCheck runs the check on fn and reports a failure as an internal
// error that names pass and shows fn.
func (l *Lowerer) sanityCheck(pass string, fn *adjoint.Func, partial, final bool) {
	env := l.sanityEnv(partial, final)
	key := fmt.Sprint(partial, final, slices.Sorted(maps.Keys(env.Pending)), "\n", adjoint.FuncString(fn))
	if key == l.sanity.last {
		return
	}
	l.sanity.last = key
	errs := adjoint.Check(fn, env)
	if len(errs) == 0 {
		return
	}
	l.sanity.failed = true
	what := "the adjoint program"
	if partial {
		what = "the adjoint program, up to its sum loop,"
	}
	l.Errorf(l.Fn.Name.Pos(), "%s", SanityFailure(l.Fn.Name.Name, what, pass, fn, errs))
}

// SanityFailure is the internal error for errs, what the sanity check
// found in fn (what names it: "the adjoint program") after pass, in the
// function named name: the first errors and the program.
func SanityFailure(name, what, pass string, fn *adjoint.Func, errs []error) string {
	const shown = 20
	var b strings.Builder
	fmt.Fprintf(&b, "internal error differentiating %s: %s breaks its invariants after the pass %s:", name, what, pass)
	for _, err := range errs[:min(len(errs), shown)] {
		b.WriteString("\n\t" + err.Error())
	}
	if len(errs) > shown {
		fmt.Fprintf(&b, "\n\t(and %d more)", len(errs)-shown)
	}
	b.WriteString("\n" + adjoint.FuncString(fn) + "\nplease report it with this function")
	return b.String()
}
