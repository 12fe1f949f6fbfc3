package gotypes

import "go/types"

// What a type holds: references (memory shared with whoever passed it),
// slices, floats by value. The lowering asks these to decide what is a
// view, what needs a buffer and what can be copied.

// IsRef reports whether values of t refer to memory they do not hold:
// slices, pointers, maps, and arrays and structs holding them.
func IsRef(t types.Type) bool {
	if IsTypeParam(t) {
		return false // its underlying type is its constraint's interface
	}
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Pointer, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return true
	case *types.Array:
		return IsRef(u.Elem())
	case *types.Struct:
		for i := range u.NumFields() {
			if IsRef(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// ByReference reports whether a parameter of type t gets its gradient in
// a caller's buffer rather than as a result (SPEC §3).
func ByReference(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Slice, *types.Pointer:
		return true
	}
	return IsRef(t)
}

// BufferType is the type of the buffer for a by-reference parameter: the
// parameter's own type, or a pointer to a struct passed by value.
func BufferType(t types.Type) types.Type {
	if _, ok := t.Underlying().(*types.Struct); ok {
		return types.NewPointer(t)
	}
	return t
}

// HasSlices reports whether values of t hold slices, whose buffers need
// their lengths checked. Links (type Node struct{ Next *Node }) are
// followed once.
func HasSlices(t types.Type) bool {
	return hasSlicesSeen(t, map[types.Type]bool{})
}

func hasSlicesSeen(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return true
	case *types.Array:
		return hasSlicesSeen(u.Elem(), seen)
	case *types.Pointer:
		return hasSlicesSeen(u.Elem(), seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if hasSlicesSeen(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// HoldsFloatsByValue reports whether a struct or array of type t holds
// floats of its own (not behind a slice or pointer) as well as references.
func HoldsFloatsByValue(t types.Type) bool {
	var direct func(t types.Type) bool
	direct = func(t types.Type) bool {
		switch u := t.Underlying().(type) {
		case *types.Basic:
			return IsFloat(u)
		case *types.Array:
			return direct(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				if direct(u.Field(i).Type()) {
					return true
				}
			}
		}
		return false
	}
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array:
		return direct(t) && IsRef(t)
	}
	return false
}

// RefVar reports whether t is a slice or a pointer: a variable of it
// refers to memory, and its adjoint is a view of that memory's buffer.
func RefVar(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Slice, *types.Pointer:
		return true
	}
	return false
}

// HasReferences reports whether a zero value of t lacks memory a value
// shaped like another would have: it holds a slice or a pointer.
func HasReferences(t types.Type) bool {
	return hasRefsSeen(t, map[types.Type]bool{})
}

func hasRefsSeen(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Pointer:
		return true
	case *types.Array:
		return hasRefsSeen(u.Elem(), seen)
	case *types.Struct:
		for f := range u.Fields() {
			if IsDifferentiable(f.Type()) && hasRefsSeen(f.Type(), seen) {
				return true
			}
		}
	}
	return false
}

// ByValueAggregate reports whether t is an array or struct that holds no
// reference: assigning it copies every float in it.
func ByValueAggregate(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Array, *types.Struct:
		return IsDifferentiable(t) && !IsRef(t)
	}
	return false
}
