package second

import (
	"fmt"
	"go/types"
	"slices"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
)

// Structured inputs of second derivatives and Jacobians: the walk over
// their float components, in declaration order, and the scratch buffers
// shaped like them.

// components writes code that visits every scalar component of a value of
// type t at e, in SPEC §7's order, handing each to visit as a path from e
// (e[i].X) with its float type.
func (h *hessianWriter) components(t types.Type, e adjoint.Expr, visit func(at adjoint.Expr, t types.Type) []adjoint.Stmt) ([]adjoint.Stmt, error) {
	return h.componentsIn(t, e, visit, map[*types.Named]bool{})
}

// componentsIn is components inside the named types in seen.
func (h *hessianWriter) componentsIn(t types.Type, e adjoint.Expr, visit func(at adjoint.Expr, t types.Type) []adjoint.Stmt, seen map[*types.Named]bool) ([]adjoint.Stmt, error) {
	if named, ok := t.(*types.Named); ok {
		if seen[named] {
			return nil, fmt.Errorf("%s cannot number the components of %s, which contains itself: the Hessian of a linked structure has no fixed size; differentiate it with //gradgen:hvp", h.g.Name, named.Obj().Name())
		}
		seen[named] = true
		defer delete(seen, named)
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if gotypes.IsFloat(u) {
			return visit(e, t), nil
		}
		return nil, nil
	case *types.Pointer:
		if gotypes.IsFloat(u.Elem()) {
			return visit(adjoint.Paren{X: adjoint.Unary{Op: "*", X: e}}, u.Elem()), nil
		}
		switch u.Elem().Underlying().(type) {
		case *types.Struct, *types.Array:
			// Selectors, indexes and range reach through the pointer.
			return h.componentsIn(u.Elem(), e, visit, seen)
		}
		// A pointer to a slice or to a pointer is dereferenced first.
		return h.componentsIn(u.Elem(), adjoint.Paren{X: adjoint.Unary{Op: "*", X: e}}, visit, seen)
	case *types.Slice, *types.Array:
		var elem types.Type
		if s, ok := u.(*types.Slice); ok {
			elem = s.Elem()
		} else {
			elem = u.(*types.Array).Elem()
		}
		if !gotypes.IsDifferentiable(elem) {
			return nil, nil
		}
		i := h.Names.Fresh("i")
		body, err := h.componentsIn(elem, adjoint.Index{X: e, Index: adjoint.Id(i)}, visit, seen)
		if err != nil || len(body) == 0 {
			return nil, err
		}
		loop := adjoint.Range{Key: adjoint.Id(i), Define: true, X: e, Body: body}
		if !slices.ContainsFunc(body, func(s adjoint.Stmt) bool { return opt.Mentions(s, i) }) {
			loop.Key, loop.Define = nil, false // counting: for range x { n++ }
		}
		return []adjoint.Stmt{loop}, nil
	case *types.Struct:
		var out []adjoint.Stmt
		for f := range u.Fields() {
			if !gotypes.IsDifferentiable(f.Type()) || f.Name() == "_" {
				continue
			}
			s, err := h.componentsIn(f.Type(), adjoint.Selector{X: e, Sel: f.Name()}, visit, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	}
	if gotypes.IsDifferentiable(t) {
		return nil, fmt.Errorf("%s cannot number the components of %s: use floats, and slices, arrays, structs and pointers of them", h.g.Name, t)
	}
	return nil, nil
}

// scratch declares name as a zero value of type t shaped like the value at
// like: slices as long as like's, pointers to fresh zero values.
func (h *hessianWriter) scratch(name string, t types.Type, like adjoint.Expr) ([]adjoint.Stmt, error) {
	if !gotypes.HasReferences(t) {
		return []adjoint.Stmt{adjoint.VarDecl{Names: []string{name}, Type: gotypes.MustIR(t)}}, nil
	}
	if s, ok := t.Underlying().(*types.Slice); ok && (gotypes.IsFloat(s.Elem()) || lower.SmallValue(s.Elem())) {
		return h.stackOrMake(name, t, lenExpr(like)), nil
	}
	if s, ok := t.Underlying().(*types.Slice); ok {
		if row, ok := s.Elem().Underlying().(*types.Slice); ok && (gotypes.IsFloat(row.Elem()) || lower.SmallValue(row.Elem())) {
			return h.pooledRows(name, t, row.Elem(), like), nil
		}
	}
	init, err := h.shape(adjoint.Id(name), t, like, true, map[*types.Named]bool{})
	if err != nil {
		return nil, err
	}
	if _, ok := t.Underlying().(*types.Struct); ok {
		return append([]adjoint.Stmt{adjoint.VarDecl{Names: []string{name}, Type: gotypes.MustIR(t)}}, init...), nil
	}
	return init, nil
}

// pooledRows declares name, scratch of a slice-of-slices type t shaped
// like like ([][]float64), as rows cut from one flat buffer of elem:
// both the buffer and the row headers come from the function's pool
// (cleared), so a Hessian over a matrix allocates nothing in the steady
// state, where a row made each would cost len(like)+1 allocations per call.
func (h *hessianWriter) pooledRows(name string, t, elem types.Type, like adjoint.Expr) []adjoint.Stmt {
	total, flat, i := h.Names.Fresh(name+"Len"), h.Names.Fresh(name+"Flat"), h.Names.Fresh("i")
	h.PooledScratch(flat)
	h.PooledScratch(name)
	row := adjoint.Index{X: like, Index: adjoint.Id(i)}
	rowLen := lenExpr(row)
	return []adjoint.Stmt{
		adjoint.Set(adjoint.Id(total), ":=", adjoint.Literal("0")),
		adjoint.Range{Key: adjoint.Id(i), Define: true, X: like, Body: []adjoint.Stmt{adjoint.Set(adjoint.Id(total), "+=", rowLen)}},
		// Declared, then made: what PoolStorage takes from a pool.
		adjoint.VarDecl{Names: []string{flat}, Type: gotypes.MustIR(types.NewSlice(elem))},
		adjoint.Set(adjoint.Id(flat), "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: gotypes.MustIR(types.NewSlice(elem))}, adjoint.Id(total)}}),
		adjoint.VarDecl{Names: []string{name}, Type: gotypes.MustIR(t)},
		adjoint.Set(adjoint.Id(name), "=", adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: gotypes.MustIR(t)}, lenExpr(like)}}),
		adjoint.Range{Key: adjoint.Id(i), Define: true, X: like, Body: []adjoint.Stmt{
			adjoint.Set(adjoint.Index{X: adjoint.Id(name), Index: adjoint.Id(i)}, "=", adjoint.SliceExpr{X: adjoint.Id(flat), Hi: rowLen, Max: rowLen}),
			adjoint.Set(adjoint.Id(flat), "=", adjoint.SliceExpr{X: adjoint.Id(flat), Lo: rowLen}),
		}},
	}
}

// shape allocates what target of type t needs to mirror like: define says
// target is declared by the first statement. It is long because it is one
// switch with a case per kind of type (slice, array, struct, pointer).
func (h *hessianWriter) shape(target adjoint.Expr, t types.Type, like adjoint.Expr, define bool, seen map[*types.Named]bool) ([]adjoint.Stmt, error) {
	if named, ok := t.(*types.Named); ok {
		if seen[named] {
			return nil, fmt.Errorf("%s cannot build scratch space shaped like %s, which contains itself", h.g.Name, named.Obj().Name())
		}
		seen[named] = true
		defer delete(seen, named)
	}
	op := "="
	if define {
		op = ":="
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		made := adjoint.Call{Fun: adjoint.Id("make"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: gotypes.MustIR(t)}, adjoint.Call{Fun: adjoint.Id("len"), Args: []adjoint.Expr{like}}}}
		if fieldPath(target) && !gotypes.HasReferences(u.Elem()) {
			// A struct's slice of floats (v.W): made in a local first,
			// which the function's pool serves (cleared), so that the
			// scratch of a struct holding slices allocates nothing in the
			// steady state. Inside a loop over a slice of structs
			// (v[i].W) it stays made: the pool serves one slice per name.
			local := h.Names.Fresh(opt.IdentChars(adjoint.ExprString(target)))
			h.PooledScratch(local)
			return []adjoint.Stmt{
				adjoint.VarDecl{Names: []string{local}, Type: gotypes.MustIR(t)},
				adjoint.Set(adjoint.Id(local), "=", made),
				adjoint.Set(target, "=", adjoint.Id(local)),
			}, nil
		}
		out := []adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{target}, Op: op, Rhs: []adjoint.Expr{made}}}
		if gotypes.HasReferences(u.Elem()) {
			i := h.Names.Fresh("i")
			inner, err := h.shape(adjoint.Index{X: target, Index: adjoint.Id(i)}, u.Elem(), adjoint.Index{X: like, Index: adjoint.Id(i)}, false, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, adjoint.Range{Key: adjoint.Id(i), Define: true, X: like, Body: inner})
		}
		return out, nil
	case *types.Pointer:
		out := []adjoint.Stmt{adjoint.Assign{Lhs: []adjoint.Expr{target}, Op: op, Rhs: []adjoint.Expr{
			adjoint.Call{Fun: adjoint.Id("new"), Args: []adjoint.Expr{adjoint.TypeExpr{Type: gotypes.MustIR(u.Elem())}}}}}}
		if gotypes.HasReferences(u.Elem()) {
			// Selectors and indexes reach through a pointer to a struct or
			// an array by themselves; like may be the struct itself (the
			// buffer of a struct held by value is a pointer).
			elemTarget, elemLike := target, like
			switch u.Elem().Underlying().(type) {
			case *types.Struct, *types.Array:
			default:
				elemTarget = adjoint.Paren{X: adjoint.Unary{Op: "*", X: target}}
				elemLike = adjoint.Paren{X: adjoint.Unary{Op: "*", X: like}}
			}
			inner, err := h.shape(elemTarget, u.Elem(), elemLike, false, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		}
		return out, nil
	case *types.Array:
		i := h.Names.Fresh("i")
		inner, err := h.shape(adjoint.Index{X: target, Index: adjoint.Id(i)}, u.Elem(), adjoint.Index{X: like, Index: adjoint.Id(i)}, false, seen)
		if err != nil || len(inner) == 0 {
			return nil, err
		}
		return []adjoint.Stmt{adjoint.Range{Key: adjoint.Id(i), Define: true, X: like, Body: inner}}, nil
	case *types.Struct:
		var out []adjoint.Stmt
		for f := range u.Fields() {
			if !gotypes.HasReferences(f.Type()) || !gotypes.IsDifferentiable(f.Type()) {
				continue
			}
			inner, err := h.shape(adjoint.Selector{X: target, Sel: f.Name()}, f.Type(), adjoint.Selector{X: like, Sel: f.Name()}, false, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		}
		return out, nil
	}
	return nil, nil
}

// rebase replaces the root identifier from of path by to: x[i].A → dx[i].A.
func rebase(path adjoint.Expr, from, to string) adjoint.Expr {
	switch e := path.(type) {
	case adjoint.Ident:
		if e.Name == from {
			return adjoint.Id(to)
		}
		return e
	case adjoint.Index:
		return adjoint.Index{X: rebase(e.X, from, to), Index: e.Index}
	case adjoint.Selector:
		return adjoint.Selector{X: rebase(e.X, from, to), Sel: e.Sel}
	case adjoint.Paren:
		return adjoint.Paren{X: rebase(e.X, from, to)}
	case adjoint.Unary:
		return adjoint.Unary{Op: e.Op, X: rebase(e.X, from, to)}
	}
	return path
}

// convertTo converts e of type from to type to, when they differ.
func convertTo(e adjoint.Expr, from, to types.Type) adjoint.Expr {
	if types.Identical(from, to) {
		return e
	}
	return adjoint.Call{Fun: adjoint.TypeExpr{Type: gotypes.MustIR(to)}, Args: []adjoint.Expr{e}}
}

// fieldPath reports whether e is a field reached through fields alone
// (v.W, hv.Inner.Xs), no index on the way.
func fieldPath(e adjoint.Expr) bool {
	sel, ok := e.(adjoint.Selector)
	if !ok {
		return false
	}
	switch x := sel.X.(type) {
	case adjoint.Ident:
		return true
	case adjoint.Selector:
		return fieldPath(x)
	}
	return false
}
