package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Copies of elements that hold floats beside slices (c := b[i], with b a
// []Sample{X []float64; Y float64}). The copy's slices share memory with
// the element, its floats do not; an adjoint view of the copy would carry
// the slices' adjoints and lose the floats'. When nothing changes the copy
// or the element while the copy lives, the copy is the element in all but
// name, and its adjoint is the element's — an alias, as the value of a
// range over the slice has (db[i] for c). Anything else is refused.

// elementAlias reports whether v := rhs may take the element's adjoint:
// v is written nowhere but its definition, rhs is x[i] (or a field of it)
// with x a parameter written nowhere in the function, and every variable in the index
// holds its value wherever v is used (a constant, a range key or for-loop
// counter that only its loop header assigns, or a variable assigned once).
func (l *Lowerer) elementAlias(v *Variable, rhs ast.Expr) bool {
	idx, ok := ast.Unparen(rhs).(*ast.IndexExpr)
	if !ok || v.obj == nil {
		return false
	}
	root := l.RootVar(idx.X)
	if root == nil {
		return false
	}
	body := l.Fn.Body
	defs, escapes := l.writesAndEscapes(body)
	// The copy is assigned once, the slice never (a parameter, or a
	// local set once and written nowhere), and neither escapes.
	if defs[v.obj] != 1 || escapes[v.obj] || escapes[root] || defs[root] != 0 || !isParam(l.Target, root) {
		return false
	}
	loops := enclosingLoops(body, rhs)
	headerOnly := func(obj *types.Var) bool {
		return l.loopHeaderOnly(loops, defs, obj)
	}
	indexes := elementIndexes(idx)
	if !l.indexesArithmetic(indexes) {
		return false
	}
	stable := true
	for _, ix := range indexes {
		ast.Inspect(ix, func(n ast.Node) bool {
			return l.stableIdent(n, &stable, defs, escapes, headerOnly)
		})
	}
	return stable
}

// writesAndEscapes counts, for every variable body writes (through any
// selector or index on it), the statements that assign it, definitions
// and range keys and values included, and marks the variables whose
// address is taken or whose memory is passed to a call. An element copy
// is an alias only when neither it nor its slice can change unseen, and
// these two maps are what every later test of that is made from.
func (l *Lowerer) writesAndEscapes(body *ast.BlockStmt) (defs map[types.Object]int, escapes map[types.Object]bool) {
	defs = map[types.Object]int{} // assignments, definitions included
	escapes = map[types.Object]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				if r := l.RootVar(x); r != nil {
					defs[r]++
				}
			}
		case *ast.IncDecStmt:
			if r := l.RootVar(n.X); r != nil {
				defs[r]++
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				if obj, ok := l.Info.Defs[id].(*types.Var); ok {
					defs[obj]++ // var k int: a definition, then k = 1 a second
				}
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if x != nil {
					if r := l.RootVar(x); r != nil {
						defs[r]++
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if r := l.RootVar(n.X); r != nil {
					escapes[r] = true
				}
			}
		case *ast.CallExpr:
			if id := gotypes.IdentOf(n.Fun); id != nil && id.Name == "len" {
				return false
			}
			for _, a := range n.Args {
				if t := l.Info.TypeOf(a); t != nil && gotypes.IsRef(t) {
					if r := l.RootVar(a); r != nil {
						escapes[r] = true // a callee could write through it
					}
				}
			}
		}
		return true
	})
	return defs, escapes
}

// enclosingLoops returns the for and range statements in body around
// target, outermost first. A loop counter is stable for the copy's
// lifetime only if it is the counter of one of these loops, assigned by
// nothing but that loop's header.
func enclosingLoops(body *ast.BlockStmt, target ast.Node) []ast.Stmt {
	var loops []ast.Stmt
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		stack = append(stack, n)
		if n == target {
			for _, m := range stack {
				switch m := m.(type) {
				case *ast.ForStmt:
					loops = append(loops, m)
				case *ast.RangeStmt:
					loops = append(loops, m)
				}
			}
		}
		return true
	})
	return loops
}

// loopHeaderOnly reports whether obj is the key a range in loops defines,
// or the counter a for in loops defines and steps, and nothing else
// assigns it: such a counter changes only between iterations, so it
// holds its value for as long as a copy made in the body lives.
func (l *Lowerer) loopHeaderOnly(loops []ast.Stmt, defs map[types.Object]int, obj *types.Var) bool {
	for _, loop := range loops {
		switch loop := loop.(type) {
		case *ast.RangeStmt:
			if id, ok := loop.Key.(*ast.Ident); ok && loop.Tok == token.DEFINE && l.Info.Defs[id] == obj && defs[obj] == 1 {
				return true
			}
		case *ast.ForStmt:
			init, ok := loop.Init.(*ast.AssignStmt)
			if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 {
				continue
			}
			id, ok := init.Lhs[0].(*ast.Ident)
			if ok && l.Info.Defs[id] == obj && loop.Post != nil && defs[obj] == 2 && l.AssignedIn(loop.Post)[obj] {
				return true
			}
		}
	}
	return false
}

// elementIndexes returns every index on the way from idx down to the
// slice (o[k].Items[0]: 0, then k), since each of them, not only the
// last, decides which element the copy is.
func elementIndexes(idx *ast.IndexExpr) []ast.Expr {
	var indexes []ast.Expr
	for e := ast.Expr(idx); ; {
		switch x := ast.Unparen(e).(type) {
		case *ast.IndexExpr:
			indexes = append(indexes, x.Index)
			e = x.X
			continue
		case *ast.SelectorExpr:
			e = x.X
			continue
		}
		break
	}
	return indexes
}

// indexesArithmetic reports whether every index is arithmetic on
// variables and constants: nothing read through a slice or a pointer,
// which another variable could change unseen. Only then is checking the
// variables themselves (stableIdent) enough.
func (l *Lowerer) indexesArithmetic(indexes []ast.Expr) bool {
	stable := true
	for _, ix := range indexes {
		ast.Inspect(ix, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id := gotypes.IdentOf(n.Fun); id == nil || id.Name != "len" || l.Info.Uses[id] != types.Universe.Lookup("len") {
					stable = false // len(b) is fine: stableIdent checks b itself
				}
			case *ast.IndexExpr, *ast.StarExpr, *ast.SelectorExpr, *ast.SliceExpr:
				stable = false
			}
			return stable
		})
	}
	return stable
}

// stableIdent clears stable when n is a variable whose value may change
// while an element copy indexed by it lives.
func (l *Lowerer) stableIdent(n ast.Node, stable *bool, defs map[types.Object]int, escapes map[types.Object]bool, headerOnly func(*types.Var) bool) bool {
	if !*stable {
		return false
	}
	{
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj, ok := l.Info.Uses[id].(*types.Var)
		if !ok {
			return true // a constant, a function
		}
		// A parameter never assigned, a local assigned only where it is
		// defined, or a loop's own counter; none whose address is taken.
		once := defs[obj] == 0 && isParam(l.Target, obj) ||
			defs[obj] == 1 && !isParam(l.Target, obj) && obj.Parent() != l.Pkg.Scope()
		*stable = !escapes[obj] && (once || headerOnly(obj))
		return *stable
	}
}
