package analyzer

import "go/types"

// What a type holds: references (memory shared with whoever passed it),
// slices, floats by value. The lowering asks these to decide what is a
// view, what needs a buffer and what can be copied.

// isRef reports whether values of t refer to memory they do not hold:
// slices, pointers, maps, and arrays and structs holding them.
func isRef(t types.Type) bool {
	if isTypeParam(t) {
		return false // its underlying type is its constraint's interface
	}
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Pointer, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return true
	case *types.Array:
		return isRef(u.Elem())
	case *types.Struct:
		for i := range u.NumFields() {
			if isRef(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// byReference reports whether a parameter of type t gets its gradient in
// a caller's buffer rather than as a result (SPEC §3).
func byReference(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Slice, *types.Pointer:
		return true
	}
	return isRef(t)
}

// bufferType is the type of the buffer for a by-reference parameter: the
// parameter's own type, or a pointer to a struct passed by value.
func bufferType(t types.Type) types.Type {
	if _, ok := t.Underlying().(*types.Struct); ok {
		return types.NewPointer(t)
	}
	return t
}

// hasSlices reports whether values of t hold slices, whose buffers need
// their lengths checked. Links (type Node struct{ Next *Node }) are
// followed once.
func hasSlices(t types.Type) bool {
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

// holdsFloatsByValue reports whether a struct or array of type t holds
// floats of its own (not behind a slice or pointer) as well as references.
func holdsFloatsByValue(t types.Type) bool {
	var direct func(t types.Type) bool
	direct = func(t types.Type) bool {
		switch u := t.Underlying().(type) {
		case *types.Basic:
			return isFloat(u)
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
		return direct(t) && isRef(t)
	}
	return false
}
