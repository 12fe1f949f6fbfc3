// Package gotypes answers the questions gradgen asks of go/types and the
// typed syntax tree: which types are floats, which are held by reference,
// what a type is in the adjoint IR, which function a call calls.
package gotypes

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// IsFloat reports whether t is float64, float32, or a named type whose
// underlying type is one of them: the scalar types gradgen differentiates.
func IsFloat(t types.Type) bool {
	if t == nil {
		return false
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		return FloatTypeSet(tp.Constraint())
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

// FloatTypeSet reports whether the constraint c admits float types only
// (~float32 | ~float64, or a named interface of such terms), and no
// methods: a type parameter so constrained is a float to gradgen, and
// code written for it works for each of its types.
func FloatTypeSet(c types.Type) bool {
	iface, ok := c.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() > 0 || iface.NumEmbeddeds() == 0 {
		return false
	}
	for i := range iface.NumEmbeddeds() {
		switch e := iface.EmbeddedType(i).(type) {
		case *types.Union:
			for j := range e.Len() {
				if !IsFloat(e.Term(j).Type()) {
					return false
				}
			}
		default:
			if _, isIface := e.Underlying().(*types.Interface); isIface {
				if !FloatTypeSet(e) {
					return false
				}
			} else if !IsFloat(e) {
				return false
			}
		}
	}
	return true
}

// IsTypeParam reports whether t is a type parameter.
func IsTypeParam(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.TypeParam)
	return ok
}

// IsDifferentiable reports whether values of type t carry derivatives (SPEC
// §2): floats, and slices, arrays, structs and pointers built from them.
func IsDifferentiable(t types.Type) bool {
	return differentiable(t, map[types.Type]bool{})
}

func differentiable(t types.Type, seen map[types.Type]bool) bool {
	if t == nil || seen[t] {
		return false // nil: an expression without a type (v.(type))
	}
	seen[t] = true
	if IsFloat(t) {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return differentiable(u.Elem(), seen)
	case *types.Array:
		return differentiable(u.Elem(), seen)
	case *types.Pointer:
		return differentiable(u.Elem(), seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if differentiable(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// IrType converts a go/types type into the adjoint program's type syntax.
// It returns false for types the adjoint program cannot name.
func IrType(t types.Type) (adjoint.Type, bool) {
	switch t := t.(type) {
	case *types.Basic:
		if t.Kind() == types.UntypedFloat {
			return adjoint.Named{Name: "float64"}, true
		}
		if t.Info()&types.IsUntyped != 0 {
			return nil, false
		}
		return adjoint.Named{Name: t.Name()}, true
	case *types.Named:
		if t.TypeArgs().Len() > 0 {
			return nil, false
		}
		obj := t.Obj()
		if obj.Pkg() == nil {
			return adjoint.Named{Name: obj.Name()}, true
		}
		return adjoint.Named{Path: obj.Pkg().Path(), Name: obj.Name()}, true
	case *types.Alias:
		return IrType(types.Unalias(t))
	case *types.TypeParam:
		// Qualified by its package, which prints it bare: the sanity
		// check then takes it for a declared type of unknown underlying
		// type, as it is to the function's code.
		if t.Obj().Pkg() == nil {
			return adjoint.Named{Name: t.Obj().Name()}, true
		}
		return adjoint.Named{Path: t.Obj().Pkg().Path(), Name: t.Obj().Name()}, true
	case *types.Slice:
		e, ok := IrType(t.Elem())
		return adjoint.Slice{Elem: e}, ok
	case *types.Array:
		e, ok := IrType(t.Elem())
		return adjoint.Array{Len: t.Len(), Elem: e}, ok
	case *types.Pointer:
		e, ok := IrType(t.Elem())
		return adjoint.Pointer{Elem: e}, ok
	case *types.Map:
		k, ok1 := IrType(t.Key())
		e, ok2 := IrType(t.Elem())
		return adjoint.Map{Key: k, Elem: e}, ok1 && ok2
	case *types.Signature, *types.Interface, *types.Chan, *types.Struct:
		// Written as source, which works only when it names no package:
		// the generated file would not import it. (Unnamed struct types
		// of floats, a Go table's element, are written so too; the
		// validation refuses the others at their declarations.)
		named := false
		text := types.TypeString(t, func(*types.Package) string { named = true; return "" })
		return adjoint.Opaque{Text: text}, !named
	}
	return nil, false
}

// IsBuiltinCall reports whether call calls one of the named builtins.
func IsBuiltinCall(info *types.Info, call *ast.CallExpr, names ...string) bool {
	b, ok := info.Uses[IdentOf(call.Fun)].(*types.Builtin)
	return ok && slices.Contains(names, b.Name())
}

// MustIR is t in the adjoint IR, for types the validation has accepted
// (nil for any other).
func MustIR(t types.Type) adjoint.Type {
	it, _ := IrType(t)
	return it
}

// IsFloatSlice reports whether t is a slice of floats.
func IsFloatSlice(t types.Type) bool {
	s, ok := t.Underlying().(*types.Slice)
	return ok && IsFloat(s.Elem())
}

// IsFloatArrayPointer reports whether t is a pointer to an array of
// floats.
func IsFloatArrayPointer(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	a, ok := p.Elem().Underlying().(*types.Array)
	return ok && IsFloat(a.Elem())
}
