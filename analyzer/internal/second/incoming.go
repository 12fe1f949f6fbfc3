package second

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// An output's incoming contents are passive, and SPEC §7 asks F to write
// each element before reading it; but a function that reads one first
// (y[1] = y[0]*x[0]; y[0] = ...) must still get a right Jacobian. FVJP
// and FJacobian run F's body more than once, each run after the first on
// the output the one before filled, so when F may read incoming contents
// they keep a copy of them and give every run the caller's (readsIncoming
// decides; the copy costs one pass over y per run).

// readsIncoming reports whether F may read an element of its output that
// it has not yet written in the same run. It answers false only when every
// read is of a location F never writes, or of a constant location (y[2],
// p.X, p.A[1]) that an unconditional top-level assignment before the
// reading statement writes.
func (p *Writer) readsIncoming(g *lower.Target) bool {
	y := g.Out
	pathOf := func(e ast.Expr) (string, bool) { return p.outputPath(e, y) }
	written := p.outputWrites(g.Decl.Body, y)
	// conflicts reports whether reading path may read what a write changed.
	conflicts := func(path string) bool {
		for w := range written {
			if overlaps(w, path) {
				return true
			}
		}
		return false
	}
	before := map[string]bool{} // constant locations written by earlier top-level assignments
	for _, s := range g.Decl.Body.List {
		unsafe := false
		var visit func(n ast.Node, lhs bool)
		visit = func(n ast.Node, lhs bool) {
			ast.Inspect(n, func(m ast.Node) bool {
				if unsafe {
					return false
				}
				switch m := m.(type) {
				case *ast.AssignStmt:
					for _, l := range m.Lhs {
						visit(l, m.Tok == token.ASSIGN || m.Tok == token.DEFINE)
					}
					for _, r := range m.Rhs {
						visit(r, false)
					}
					return false
				case *ast.CallExpr:
					if id := gotypes.IdentOf(m.Fun); id != nil && id.Name == "len" && len(m.Args) == 1 && p.isVar(m.Args[0], y) {
						return false
					}
				case *ast.RangeStmt:
					if p.isVar(m.X, y) && m.Value == nil {
						visit(m.Body, false)
						return false
					}
				case ast.Expr:
					path, ok := pathOf(m)
					if !ok {
						return true
					}
					if lhs {
						// The target's indexes are read.
						visitIndexes(m, func(e ast.Expr) { visit(e, false) })
						return false
					}
					// before holds constant locations only: a "[]" read is never covered.
					if path == "" || !before[path] && conflicts(path) {
						unsafe = true
					}
					return false
				}
				return true
			})
		}
		visit(s, false)
		if unsafe {
			return true
		}
		if a, ok := s.(*ast.AssignStmt); ok && a.Tok == token.ASSIGN {
			for _, l := range a.Lhs {
				if path, ok := pathOf(l); ok && !strings.Contains(path, "[]") {
					before[path] = true
				}
			}
		}
	}
	return false
}

// outputPath is the location of y that e names: ".X[2]", "[0]", with
// "[]" for an index that is not constant, "" for y itself; ok is false
// when e is not in y.
func (p *Writer) outputPath(e ast.Expr, y *types.Var) (string, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return "", p.Info.Uses[x] == y
	case *ast.StarExpr:
		return p.outputPath(x.X, y)
	case *ast.SelectorExpr:
		base, ok := p.outputPath(x.X, y)
		return base + "." + x.Sel.Name, ok
	case *ast.IndexExpr:
		base, ok := p.outputPath(x.X, y)
		if k, isConst := p.smallConst(x.Index); isConst {
			return base + "[" + strconv.Itoa(k) + "]", ok
		}
		return base + "[]", ok
	}
	return "", false
}

// outputWrites is the set of y's locations that body assigns.
func (p *Writer) outputWrites(body *ast.BlockStmt, y *types.Var) map[string]bool {
	written := map[string]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if path, ok := p.outputPath(l, y); ok {
					written[path] = true
				}
			}
		case *ast.IncDecStmt:
			if path, ok := p.outputPath(n.X, y); ok {
				written[path] = true
			}
		}
		return true
	})
	return written
}

// overlaps reports whether two locations may share memory: one is a
// prefix of the other, reading "[]" as any index.
func overlaps(a, b string) bool {
	for a != "" && b != "" {
		ea, ra := firstStep(a)
		eb, rb := firstStep(b)
		anyIndex := strings.HasPrefix(ea, "[") && strings.HasPrefix(eb, "[") && (ea == "[]" || eb == "[]")
		if ea != eb && !anyIndex {
			return false
		}
		a, b = ra, rb
	}
	return true
}

// firstStep splits a location into its first step (".X" or "[2]") and
// the rest.
func firstStep(path string) (string, string) {
	end := len(path)
	for i := 1; i < len(path); i++ {
		if path[i] == '.' || path[i] == '[' {
			end = i
			break
		}
	}
	return path[:end], path[end:]
}

// visitIndexes calls visit on every index expression in e's chain of
// indexes, fields and dereferences.
func visitIndexes(e ast.Expr, visit func(ast.Expr)) {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.IndexExpr:
			visit(x.Index)
			e = x.X
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return
		}
	}
}

// saveIncoming declares h.incoming, a copy of the output y's incoming
// contents, when F may read them; nil when it cannot.
func (h *hessianWriter) saveIncoming(y string) []adjoint.Stmt {
	if !h.w.readsIncoming(h.g) {
		return nil
	}
	h.incoming = h.Names.Fresh(y + "In")
	save := h.outputScratch(h.incoming, h.g.Out.Type(), lenExpr(adjoint.Id(y)))
	return append(save, h.copyOutput(h.incoming, y))
}

// restoreIncoming gives the next run of F the caller's output back; nil
// when F does not read it.
func (h *hessianWriter) restoreIncoming(y string) []adjoint.Stmt {
	if h.incoming == "" {
		return nil
	}
	return []adjoint.Stmt{h.copyOutput(y, h.incoming)}
}

// copyOutput copies the output's contents from src to dst: copy for a
// slice, *dst = *src for a pointer.
func (h *hessianWriter) copyOutput(dst, src string) adjoint.Stmt {
	if _, ptr := h.g.Out.Type().Underlying().(*types.Pointer); ptr {
		return adjoint.Set(adjoint.Unary{Op: "*", X: adjoint.Id(dst)}, "=", adjoint.Unary{Op: "*", X: adjoint.Id(src)})
	}
	return adjoint.ExprStmt{X: adjoint.Call{Fun: adjoint.Id("copy"), Args: []adjoint.Expr{adjoint.Id(dst), adjoint.Id(src)}}}
}

// withIncoming is call with the output's argument replaced by the copy of
// its incoming contents, for the VJP's scalar function, which copies its
// yOut into a local; call itself when F does not read them.
func (h *hessianWriter) withIncoming(call adjoint.Call, y string) adjoint.Call {
	if h.incoming == "" {
		return call
	}
	args := slices.Clone(call.Args)
	for i, a := range args {
		if id, ok := a.(adjoint.Ident); ok && id.Name == y {
			args[i] = adjoint.Id(h.incoming)
		}
	}
	call.Args = args
	return call
}
