package lower

import (
	"go/ast"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Calls of generic helpers of this package (func dot[T ~float64](a, b []T)
// T, called dot(w, v)): the helper's gradient or pushforward is generic
// with the same type parameter, written once from the generic body, and
// each call instantiates it with the call's type argument, explicitly
// (gradOfDot[float64](w, v, ...)): inferring it from the arguments the
// generated call passes could differ from the source's inference. The
// caller's code is written with the instance's types.

// CallSignature is the signature of fn as call calls it: the instance's,
// with the type arguments in place of the type parameters, for a generic
// function.
func (p *Package) CallSignature(call *ast.CallExpr, fn *types.Func) *types.Signature {
	if id := calleeIdent(call); id != nil {
		if inst, ok := p.Info.Instances[id]; ok {
			if sig, ok := inst.Type.(*types.Signature); ok {
				return sig
			}
		}
	}
	return fn.Type().(*types.Signature)
}

// Instantiated is the generated helper name, Instantiated with call's
// type argument when fn is generic.
func (p *Package) Instantiated(call *ast.CallExpr, name string) adjoint.Expr {
	id := calleeIdent(call)
	if id == nil {
		return adjoint.Id(name)
	}
	inst, ok := p.Info.Instances[id]
	if !ok || inst.TypeArgs.Len() != 1 {
		return adjoint.Id(name)
	}
	t, ok := gotypes.IrType(inst.TypeArgs.At(0))
	if !ok {
		return adjoint.Id(name)
	}
	return adjoint.Index{X: adjoint.Id(name), Index: adjoint.TypeExpr{Type: t}}
}

// genericHelperProblem says why a call of the generic function fn cannot
// be differentiated, or "" when it can: fn is of this package, with one
// type parameter whose type set is all floats, and the call's type
// argument can be written.
func (p *Package) genericHelperProblem(call *ast.CallExpr, fn *types.Func) string {
	tps := fn.Signature().TypeParams()
	if tps.Len() == 0 {
		return ""
	}
	id := calleeIdent(call)
	if id == nil {
		return "gradgen instantiates generic helpers called by their name"
	}
	inst, ok := p.Info.Instances[id]
	if !ok || inst.TypeArgs.Len() != tps.Len() {
		// A driver that records no instances: the call's types are unknown.
		return "gradgen cannot see the call's type arguments (the type checker recorded no instance)"
	}
	switch {
	case fn.Pkg() != p.Pkg:
		return "gradgen instantiates generic helpers of this package only"
	case tps.Len() != 1:
		return "gradgen instantiates generic helpers of one type parameter only"
	case !gotypes.FloatTypeSet(tps.At(0).Constraint()):
		return "its type parameter is not constrained to float types (~float32 | ~float64)"
	}
	if _, ok := gotypes.IrType(inst.TypeArgs.At(0)); !ok {
		return "gradgen cannot write its type argument"
	}
	return ""
}
