package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
)

// Saves: the old values a statement overwrites that backward code reads,
// kept in a local outside loops and on a tape inside, or undone when the
// statement can be inverted.

// invertible handles an integer update that the backward sweep can undo
// exactly instead of saving the old value: i++, i--, i += n and i -= n
// where n does not read i. It records the inverse and reports true.
func (l *Lowerer) invertible(rec *lowered, x ast.Expr, tok token.Token, rhs []ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	obj, ok := l.Info.ObjectOf(id).(*types.Var)
	if !ok || l.saveAll {
		return false
	}
	b, ok := obj.Type().Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsInteger == 0 {
		return false
	}
	v := l.VariableOf(obj)
	if !l.needed[v.Name] {
		return false
	}
	switch tok {
	case token.INC:
		rec.undo = []adjoint.Stmt{adjoint.IncDec{X: adjoint.Id(v.Name)}}
	case token.DEC:
		rec.undo = []adjoint.Stmt{adjoint.IncDec{X: adjoint.Id(v.Name), Inc: true}}
	case token.ADD_ASSIGN, token.SUB_ASSIGN:
		reads := false
		ast.Inspect(rhs[0], func(n ast.Node) bool {
			if i, ok := n.(*ast.Ident); ok && l.Info.Uses[i] == obj {
				reads = true
			}
			return true
		})
		if reads {
			return false
		}
		op := "-="
		if tok == token.SUB_ASSIGN {
			op = "+="
		}
		rec.undo = []adjoint.Stmt{adjoint.Set(adjoint.Id(v.Name), op, l.Conv(rhs[0]))}
	default:
		return false
	}
	return true
}

// saveOverwritten saves, before a statement runs, the old value of every
// variable it overwrites that backward code reads.
func (l *Lowerer) saveOverwritten(rec *lowered, lhs []ast.Expr, define bool) {
	if l.unsavedDefs[rec.src] {
		return // a view the backward trip takes again
	}
	for _, x := range lhs {
		x = ast.Unparen(x)
		if id, ok := x.(*ast.Ident); ok {
			if id.Name == "_" || define && l.Info.Defs[id] != nil && l.loopDepth == 0 {
				continue // a new variable: no old value
			}
		}
		obj := l.RootVar(x)
		if obj == nil {
			continue
		}
		v := l.VariableOf(obj)
		_, whole := x.(*ast.Ident)
		if whole && l.constLocals[obj] && !l.saveAll {
			// Every trip sets it to the same constant before any read
			// (k := 0.5 in a loop body, a constant argument bound by an
			// expansion): the old value is that constant again.
			continue
		}
		if !whole && l.aliasNeeded(v) {
			// Written through a view (r := h[0:]; r[0] += ...) while
			// backward code reads the memory under another name (h).
			l.saveValue(rec, v, l.Conv(x), l.Info.TypeOf(x))
			continue
		}
		if whole && gotypes.IsRef(v.Typ) && l.Varied[obj] && !gotypes.HoldsFloatsByValue(v.Typ) {
			// The adjoint view may be needed though the value is not. (A
			// copy holding floats beside slices has no view: it aliases
			// its element's adjoint, or is refused.)
			l.ensureShadow(v)
		}
		if !l.needed[v.Name] && !(whole && v.shadow != nil && l.needed[v.shadow.Name]) {
			continue
		}
		if whole {
			if l.needed[v.Name] {
				l.saveValue(rec, v, adjoint.Id(v.Name), v.Typ)
			}
			if v.shadow != nil && l.needed[v.shadow.Name] {
				l.saveValue(rec, v.shadow, adjoint.Id(v.shadow.Name), v.shadow.Typ)
			}
			continue
		}
		// An element or field: save the value it holds.
		l.saveValue(rec, v, l.Conv(x), l.Info.TypeOf(x))
	}
}

// saveValue saves the value of the lvalue lv (of variable v) before the
// statement overwrites it: in a local outside loops, on a tape inside.
func (l *Lowerer) saveValue(rec *lowered, v *Variable, lv adjoint.Expr, t types.Type) {
	key := adjoint.ExprString(lv)
	if rec.pend[key] || !l.readBefore(v.Name, rec, lv) && !l.aliasReadBefore(v, rec, lv) {
		return
	}
	if _, whole := lv.(adjoint.Ident); whole && l.restoredLater(v, rec) {
		return
	}
	if l.fusing && v.obj != nil && l.fusedAccs[v.obj] {
		return // an accumulator of the sum loop: saved around the loop instead
	}
	rec.pend[key] = true
	it, _ := gotypes.IrType(t)
	if l.loopDepth > 0 {
		// Each iteration overwrites it again: a stack of old values.
		tp := l.tapeFor(v, lv, t, it)
		rec.fwd = append(rec.fwd, tp.push(lv))
		rec.saves = append(rec.saves, save{v: v, lv: lv, tape: tp})
		return
	}
	base := v.Name
	if _, whole := lv.(adjoint.Ident); !whole {
		base += "Elem"
	}
	sv := &Variable{Name: l.Names.Fresh(base + "Prev"), Typ: t, IR: it, temp: true}
	rec.fwd = append(rec.fwd, adjoint.Set(adjoint.Id(sv.Name), l.declareOp(sv), lv))
	rec.saves = append(rec.saves, save{v: v, lv: lv, name: sv.Name})
}

// aliases are the variables that may share v's memory: the slice it is a
// view of, and the other views of that slice.
func (l *Lowerer) aliases(v *Variable) []string {
	if !gotypes.IsRef(v.Typ) {
		return nil
	}
	root := v
	if v.viewOf != nil {
		root = v.viewOf
	}
	seen := map[string]bool{v.Name: true}
	var out []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, u := range l.vars {
		if u == root || u.viewOf == root {
			add(u.Name)
		}
	}
	// Views taken later in the body (t := r after r[0] += c) are known
	// from the previous lowering.
	rootName := root.Name
	if r, ok := l.viewRoots[v.Name]; ok {
		rootName = r
	}
	add(rootName)
	for name, r := range l.viewRoots {
		if r == rootName {
			add(name)
		}
	}
	return out
}

// aliasNeeded reports whether backward code reads v's memory under
// another name.
func (l *Lowerer) aliasNeeded(v *Variable) bool {
	for _, u := range l.aliases(v) {
		if l.needed[u] {
			return true
		}
	}
	return false
}

func (l *Lowerer) aliasReadBefore(v *Variable, rec *lowered, lv adjoint.Expr) bool {
	for _, u := range l.aliases(v) {
		if l.readBefore(u, rec, lv) {
			return true
		}
	}
	return false
}

// constLocals are the locals of decl declared with := or var from a
// constant, or from a variable nothing writes, and never written
// otherwise (nor addressed): each trip of a loop that declares one gives
// it the same value before reading it, so its old value need not be
// saved.
func (p *Package) constLocals(decl *ast.FuncDecl) map[types.Object]bool {
	out := map[types.Object]bool{}
	if decl.Body == nil {
		return out
	}
	writes := map[types.Object]int{}
	rewrite.ForEachWrite(decl.Body, func(x ast.Expr) {
		if root := p.RootVar(ast.Unparen(x)); root != nil {
			writes[root]++
		}
	})
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok { // a var declaration writes too
			for _, id := range vs.Names {
				if obj := p.Info.Defs[id]; obj != nil {
					writes[obj]++
				}
			}
		}
		return true
	})
	// The same value on every trip: a constant, or a local or parameter
	// nothing writes (k1 := k, an expansion binding a parameter).
	invariant := func(e ast.Expr) bool {
		if p.Info.Types[e].Value != nil {
			return true
		}
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := p.Info.Uses[id].(*types.Var)
		return ok && v.Parent() != p.Pkg.Scope() && writes[v] == 0 && !gotypes.IsRef(v.Type())
	}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, x := range n.Lhs {
					if id, ok := x.(*ast.Ident); ok && p.Info.Defs[id] != nil && invariant(n.Rhs[i]) {
						out[p.Info.Defs[id]] = true
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					if p.Info.Defs[id] != nil && invariant(n.Values[i]) {
						out[p.Info.Defs[id]] = true
					}
				}
			}
		}
		return true
	})
	for obj := range out {
		if writes[obj] != 1 {
			delete(out, obj)
		}
	}
	return out
}
