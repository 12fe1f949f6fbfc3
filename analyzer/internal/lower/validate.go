package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
)

// Validation is gradgen's whitelist (SPEC §3, fail closed). Before a body
// is lowered, every statement and expression whose value may depend on a
// wrt parameter is checked against what the rule table and the lowering
// model; anything else is an error at its position that names the
// construct in Go's words and a way out that can be written. Code that
// cannot depend on a wrt parameter is kept as it is and not checked: it
// runs forward only, exactly as in the source.
//
// "May depend" is deliberately coarse: an expression mentions a varied
// variable anywhere inside it (function literals and composite literals
// included). Activity analysis (activity.go) is built the same way, so
// that nothing the lowering does not understand is ever taken as passive.

// mentionsVaried reports whether n reads a varied variable anywhere
// inside it.
func (l *Lowerer) mentionsVaried(n ast.Node) bool {
	return n != nil && l.variedIn(n, func(ast.Expr) bool { return false })
}

// carriesVaried reports whether e mentions a varied variable outside its
// integer, boolean and string parts: make([]int, len(x)) carries nothing
// of x (a length is piecewise constant, as int(x) is), while
// map[string]float64{"a": x} carries x itself.
func (l *Lowerer) carriesVaried(e ast.Expr) bool {
	return l.variedIn(e, func(x ast.Expr) bool {
		t := l.Info.TypeOf(x)
		return x != e && t != nil && passiveKind(t)
	})
}

// variedIn reports whether n reads a varied variable outside the
// subexpressions skip says to pass over.
func (l *Lowerer) variedIn(n ast.Node, skip func(ast.Expr) bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if found {
			return false
		}
		if x, ok := n.(ast.Expr); ok && skip(x) {
			return false
		}
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := l.Info.Uses[id].(*types.Var); ok && l.Varied[v] {
				found = true
			}
		}
		return true
	})
	return found
}

// validate checks the annotated body; it reports whether it found nothing
// to refuse.
func (l *Lowerer) validate() bool {
	before := len(l.Diags)
	l.validateBlock(l.Fn.Body.List)
	l.validateLocalTypes()
	l.validateRefs()
	l.validateStaleReads()
	return len(l.Diags) == before
}

func (l *Lowerer) validateBlock(list []ast.Stmt) {
	for _, s := range list {
		l.validateStmt(s)
	}
}

func (l *Lowerer) validateStmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.BlockStmt:
		l.validateBlock(s.List)
	case *ast.LabeledStmt:
		l.validateStmt(s.Stmt)
	case *ast.AssignStmt:
		l.validateAssign(s.Lhs, s.Rhs, s.Tok)
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				lhs := make([]ast.Expr, len(vs.Names))
				for i, n := range vs.Names {
					lhs[i] = n
				}
				if len(vs.Values) > 0 {
					l.validateAssign(lhs, vs.Values, token.DEFINE)
				}
			}
		}
	case *ast.ExprStmt:
		l.validateExprStmt(s)
	case *ast.IncDecStmt:
		l.validateTarget(s.X)
	case *ast.ReturnStmt:
		for _, r := range s.Results {
			l.validateValue(r)
		}
	case *ast.IfStmt:
		if s.Init != nil {
			l.validateStmt(s.Init)
		}
		l.validateCond(s.Cond)
		l.validateBlock(s.Body.List)
		if s.Else != nil {
			l.validateStmt(s.Else)
		}
	case *ast.SwitchStmt:
		if s.Init != nil {
			l.validateStmt(s.Init)
		}
		l.validateCond(s.Tag)
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			for _, e := range cc.List {
				l.validateCond(e)
			}
			l.validateBlock(cc.Body)
		}
	case *ast.ForStmt:
		if s.Init != nil {
			l.validateStmt(s.Init)
		}
		l.validateCond(s.Cond)
		if s.Post != nil {
			l.validateStmt(s.Post)
		}
		l.validateBlock(s.Body.List)
	case *ast.RangeStmt:
		l.validateExpr(s.X)
		if l.mentionsVaried(s.X) {
			l.noEffects(s.X)
		}
		l.validateRangeStable(s)
		l.validateRangeCopy(s)
		l.validateBlock(s.Body.List)
	}
	// Other statements (go, defer, goto, select, send, type switches) are
	// refused by the lowering, with messages of their own.
}

// validateRangeStable refuses a range whose expression, or key, the body
// changes: Go evaluates the range expression once and counts the key
// itself, while the backward sweep reads both again (x[k:k+2] with k++
// in the body; i += 2 in for i := range n).
func (l *Lowerer) validateRangeStable(s *ast.RangeStmt) {
	reads := map[types.Object]bool{}
	ast.Inspect(s.X, func(n ast.Node) bool {
		if !l.mentionsVaried(s.X) {
			return false // passive data: read once, going forward
		}
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := l.Info.Uses[id].(*types.Var); ok {
				reads[v] = true
			}
		}
		return true
	})
	var key types.Object
	if id := gotypes.IdentOf(s.Key); id != nil && id.Name != "_" {
		key = l.Info.ObjectOf(id)
	}
	check := func(lhs ast.Expr) {
		id := gotypes.IdentOf(lhs)
		if id == nil {
			return
		}
		obj := l.Info.ObjectOf(id)
		switch {
		case obj == nil:
		case reads[obj]:
			l.Errorf(lhs.Pos(), "cannot differentiate this write to %s: the range over %s was evaluated once, before the loop, and gradgen's backward sweep reads %s again; range over a copy taken before the loop (r := %s)", id.Name, l.Source(s.X), id.Name, l.Source(s.X))
		case obj == key:
			l.Errorf(lhs.Pos(), "cannot differentiate this write to %s, the key of a range: gradgen's backward sweep counts the key itself; assign the new value to a new variable (%s2 := ...)", id.Name, id.Name)
		}
	}
	ast.Inspect(s.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					check(lhs)
				}
			}
		case *ast.IncDecStmt:
			check(n.X)
		case *ast.FuncLit:
			return false
		}
		return true
	})
}

// validateRangeCopy refuses a range over an array that the loop writes:
// Go ranges over a copy of the array, and the values the loop reads are
// the copy's, which the backward sweep does not have.
func (l *Lowerer) validateRangeCopy(s *ast.RangeStmt) {
	_, isArray := l.Info.TypeOf(s.X).Underlying().(*types.Array)
	if s.Value == nil || !l.mentionsVaried(s.X) {
		return
	}
	if id, ok := s.Value.(*ast.Ident); ok && id.Name == "_" {
		return
	}
	// The memory ranged over, under its own name and the names of views
	// of it (r := xs[0:2]), anywhere in the function.
	same := map[*types.Var]bool{l.RootVar(s.X): true}
	for changed := true; changed; {
		changed = false
		ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
			if a, ok := n.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
				for i, x := range a.Lhs {
					// Only a reference stored makes a view (r := xs[0:2],
					// m[0] = xs); a float copied out of it (h[0] = xs[0]) does not.
					if t := l.Info.TypeOf(a.Rhs[i]); t == nil || !gotypes.IsRef(t) {
						continue
					}
					if v := l.RootVar(x); v != nil && !same[v] && gotypes.IsRef(v.Type()) && same[l.RootVar(a.Rhs[i])] {
						same[v] = true
						changed = true
					}
				}
			}
			return true
		})
	}
	written := false
	ast.Inspect(s.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				if _, whole := ast.Unparen(x).(*ast.Ident); !whole || isArray {
					written = written || same[l.RootVar(x)]
				}
			}
		case *ast.IncDecStmt:
			written = written || same[l.RootVar(n.X)]
		}
		return !written
	})
	switch {
	case written && isArray:
		l.Errorf(s.X.Pos(), "cannot differentiate this range over the array %s, which the loop writes: Go ranges over a copy of the array, which gradgen keeps only for a range over a variable named directly and not under a label; range over the indexes (for i := range %s) and read the values you need from another array", l.Source(s.X), l.Source(s.X))
	case written:
		// The range value takes its element's adjoint, which is right
		// only while the element keeps the value read.
		l.Errorf(s.Value.Pos(), "cannot differentiate the range value %s of %s, which the loop writes: range over the indexes (for i := range %s) and read the element into a variable (%s := %s[i])", l.Source(s.Value), l.Source(s.X), l.Source(s.X), l.Source(s.Value), l.Source(s.X))
	}
}

// anyVaried reports whether any of es may depend on the parameters.
func (l *Lowerer) anyVaried(es []ast.Expr) bool {
	for _, e := range es {
		if l.mentionsVaried(e) {
			return true
		}
	}
	return false
}

// validateAssign checks an assignment or a declaration with values.
func (l *Lowerer) validateAssign(lhs, rhs []ast.Expr, tok token.Token) {
	for _, x := range lhs {
		l.validateTarget(x)
	}
	if len(lhs) != len(rhs) {
		// a, b := f(x): a call with several results (or a comma-ok form).
		if len(rhs) == 1 {
			if _, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok {
				l.validateExpr(rhs[0])
				return
			}
			if l.mentionsVaried(rhs[0]) {
				l.Errorf(rhs[0].Pos(), "cannot differentiate %s: gradgen follows two-value forms only for calls; assign the value alone", l.Source(rhs[0]))
			}
		}
		return
	}
	if len(lhs) > 1 && len(lhs) == len(rhs) {
		// i, h[i] = 1, x: Go finds h[i]'s place before assigning i, and
		// the lowering assigns left to right (h[n], n = v, n+1 is fine).
		assigned := map[types.Object]bool{}
		for _, x := range lhs {
			if id, whole := ast.Unparen(x).(*ast.Ident); whole {
				if obj := l.Info.ObjectOf(id); obj != nil {
					assigned[obj] = true
				}
				continue
			}
			var reads bool
			ast.Inspect(x, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && assigned[l.Info.Uses[id]] {
					reads = true
				}
				return !reads
			})
			if reads && l.mentionsVaried(x) || reads && l.anyVaried(rhs) {
				l.Errorf(x.Pos(), "cannot differentiate the parallel assignment to %s, whose place depends on a variable the same statement assigns: Go finds the place before assigning; split it into statements in the order you mean", l.Source(x))
				return
			}
		}
		for i, x := range lhs {
			// Swaps of variables (a, b = b, a) get the memory checks'
			// more specific words.
			_, plain := ast.Unparen(rhs[i]).(*ast.Ident)
			if t := l.Info.TypeOf(x); t != nil && gotypes.IsDifferentiable(t) && !gotypes.IsFloat(t) && !plain && l.mentionsVaried(rhs[i]) {
				op, what := "=", "assignment"
				if tok == token.DEFINE {
					op, what = ":=", "declaration"
				}
				l.Errorf(x.Pos(), "cannot differentiate %s %s %s in a parallel %s: gradgen follows slices, arrays, structs and pointers assigned on their own; assign %s in a statement of its own", l.Source(x), op, l.Source(rhs[i]), what, l.Source(x))
				return
			}
		}
	}
	for i, e := range rhs {
		before := len(l.Diags)
		l.validateValue(e)
		if len(l.Diags) == before && l.carriesVaried(e) {
			if t := l.Info.TypeOf(lhs[i]); t != nil && !gotypes.IsDifferentiable(t) && !passiveKind(t) {
				l.Errorf(lhs[i].Pos(), "cannot differentiate storing %s in %s, %s: gradgen gives no derivative to values of that type; keep the value in a float variable", l.Source(e), l.Source(lhs[i]), article(l.kindWord(t)))
			}
		}
	}
}

// validateTarget checks what an assignment writes into: a map element
// would carry a derivative gradgen does not model.
func (l *Lowerer) validateTarget(x ast.Expr) {
	switch x := ast.Unparen(x).(type) {
	case *ast.IndexExpr:
		if _, isMap := l.Info.TypeOf(x.X).Underlying().(*types.Map); isMap && gotypes.IsDifferentiable(l.Info.TypeOf(x)) {
			l.Errorf(x.Pos(), "cannot differentiate a write into the map element %s: gradgen gives maps no derivative; use a slice indexed by an integer", l.Source(x))
		}
		if v := l.RootVar(x.X); v != nil && l.Varied[v] {
			l.noEffects(x.Index)
		}
		l.validateTarget(x.X)
	case *ast.SelectorExpr:
		l.validateTarget(x.X)
	case *ast.StarExpr:
		l.validateTarget(x.X)
	}
}

// validateValue checks an expression whose value is stored or returned:
// besides what validateExpr checks, a whole struct or array that depends
// on a wrt parameter is a copy gradgen does not follow.
func (l *Lowerer) validateValue(e ast.Expr) {
	if !l.mentionsVaried(e) {
		return
	}
	t := l.Info.TypeOf(e)
	if t != nil && gotypes.ByValueAggregate(t) {
		switch ast.Unparen(e).(type) {
		case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
			l.Errorf(e.Pos(), "cannot differentiate the copy of the whole %s %s here: gradgen writes a copy field by field and element by element only as a statement of its own (q := p, var q = p, dst = src; not in an if, for or switch header) whose source calls nothing and does not read the variable written, of at most %d fields and elements; copy its float elements or fields one by one", l.kindWord(t), l.Source(e), rewrite.MaxCopyLeaves)
			return
		}
	}
	l.validateExpr(e)
}

// validateCond checks a condition or a case value: it only decides the
// path, but a call in it still runs.
func (l *Lowerer) validateCond(e ast.Expr) {
	if e == nil || !l.mentionsVaried(e) {
		return
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			l.validateCall(n, false)
			return false
		case *ast.FuncLit:
			l.funcLitError(n.Pos())
			return false
		}
		return true
	})
}

// validateExpr checks an expression whose value may carry a derivative.
// It is long because it is one switch with a case per kind of expression,
// each a few lines: read together, they show what is accepted.
func (l *Lowerer) validateExpr(e ast.Expr) {
	if e == nil || !l.mentionsVaried(e) {
		return
	}
	t := l.Info.TypeOf(e)
	if t != nil && isComplex(t) {
		l.Errorf(e.Pos(), "cannot differentiate %s: gradgen does not differentiate complex numbers; write the real and imaginary parts as float variables", l.Source(e))
		return
	}
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
	case *ast.ParenExpr:
		l.validateExpr(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO:
			l.validateOperand(e.X)
			l.validateOperand(e.Y)
		default:
			// Comparisons, logic and integer operators: the result does
			// not carry a derivative; only calls inside matter.
			l.validateCond(e.X)
			l.validateCond(e.Y)
		}
	case *ast.UnaryExpr:
		switch e.Op {
		case token.SUB, token.ADD:
			l.validateExpr(e.X)
		case token.AND:
			// &x is checked by checkAliasing and the call it is passed to.
			l.validateExpr(e.X)
		case token.NOT, token.XOR:
			l.validateCond(e.X)
		default:
			l.Errorf(e.Pos(), "cannot differentiate %s: gradgen does not follow channel operations; receive the value outside the annotated function", l.Source(e))
		}
	case *ast.StarExpr:
		l.validateExpr(e.X)
	case *ast.SelectorExpr:
		if sel, ok := l.Info.Selections[e]; ok && sel.Kind() != types.FieldVal {
			l.Errorf(e.Pos(), "cannot differentiate the method value %s: gradgen does not follow calls through function values; call the method directly", l.Source(e))
			return
		}
		l.validateExpr(e.X)
	case *ast.IndexExpr:
		if m, isMap := l.Info.TypeOf(e.X).Underlying().(*types.Map); isMap {
			if !gotypes.IsDifferentiable(m.Elem()) {
				// An int or a string read from a map in an active struct
				// carries no derivative: passive, as SPEC §2 has maps.
				l.validateCond(e.Index)
				l.noEffects(e.Index)
				return
			}
			l.Errorf(e.Pos(), "cannot differentiate %s: gradgen gives maps no derivative; use a slice indexed by an integer", l.Source(e))
			return
		}
		l.validateExpr(e.X)
		l.validateCond(e.Index)
		l.noEffects(e.Index)
	case *ast.SliceExpr:
		l.validateExpr(e.X)
		for _, b := range []ast.Expr{e.Low, e.High, e.Max} {
			l.validateCond(b)
			l.noEffects(b)
		}
	case *ast.CallExpr:
		l.validateCall(e, true)
	case *ast.CompositeLit:
		if nestedSliceLit(l.Info, e) {
			l.Errorf(e.Pos(), "cannot differentiate the composite literal %s: its inner slices depend on the parameters, and gradgen follows a slice of slices only when its rows are made in a loop (m[i] = make([]float64, n)) and then set; build it that way, or keep the values in one flat slice indexed by i*n+j", l.Source(e))
			return
		}
		if t := l.Info.TypeOf(e); t != nil {
			if _, isMap := t.Underlying().(*types.Map); isMap {
				l.Errorf(e.Pos(), "cannot differentiate the map literal %s: gradgen gives maps no derivative; use a slice indexed by an integer, or a struct with a field per key", l.Source(e))
				return
			}
		}
		l.Errorf(e.Pos(), "cannot differentiate the composite literal %s here: its elements depend on the parameters, and gradgen declares such a literal first only in an assignment, declaration, return or call statement whose other calls write nothing (not in a condition, nor right of && or ||); declare one before (v := %s) and use v", l.Source(e), l.Source(e))
	case *ast.FuncLit:
		l.funcLitError(e.Pos())
	case *ast.TypeAssertExpr:
		l.Errorf(e.Pos(), "cannot differentiate the type assertion %s: gradgen does not follow values through interfaces; keep the value in a float variable", l.Source(e))
	default:
		l.Errorf(e.Pos(), "cannot differentiate %s: gradgen does not model this expression", l.Source(e))
	}
}

// passiveKind reports whether values of t are integers, booleans or
// strings: they carry no derivative, and a float turned into one (int(x),
// x < y) is piecewise constant, so gradgen rightly treats it as a constant.
func passiveKind(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsInteger|types.IsBoolean|types.IsString) != 0
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func isComplex(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsComplex != 0
}

// article puts "a" or "an" before a kind word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// kindWord names t's kind the way Go's documentation does.
func (l *Lowerer) kindWord(t types.Type) string {
	name := types.TypeString(t, types.RelativeTo(l.Pkg))
	switch u := t.Underlying().(type) {
	case *types.Struct:
		return "struct (" + name + ")"
	case *types.Array:
		return "array (" + name + ")"
	case *types.Map:
		return "map"
	case *types.Interface:
		return "interface"
	case *types.Signature:
		return "function value"
	case *types.Chan:
		return "channel"
	case *types.Slice:
		return "slice (" + name + ")"
	case *types.Pointer:
		return "pointer (" + name + ")"
	case *types.Basic:
		if u.Info()&types.IsComplex != 0 {
			return "complex number"
		}
		if u.Kind() == types.UnsafePointer {
			return "unsafe.Pointer"
		}
		return u.Name()
	}
	return name
}

// validateLocalTypes refuses locals of unnamed struct types that the
// generated file cannot write: ones that name another package's types,
// which it would not import.
func (l *Lowerer) validateLocalTypes() {
	ast.Inspect(l.Fn.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := l.Info.Defs[id].(*types.Var)
		if !ok || !hasUnnamedStruct(v.Type()) {
			return true
		}
		if _, ok := gotypes.IrType(v.Type()); !ok {
			l.Errorf(id.Pos(), "gradgen cannot write the type %s of %s in the generated file: give the struct type a name in this package", types.TypeString(v.Type(), types.RelativeTo(l.Pkg)), id.Name)
		}
		return true
	})
}

// hasUnnamedStruct reports whether t is, or is built of, a struct type
// literal.
func hasUnnamedStruct(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Struct:
		return true
	case *types.Slice:
		return hasUnnamedStruct(t.Elem())
	case *types.Array:
		return hasUnnamedStruct(t.Elem())
	case *types.Pointer:
		return hasUnnamedStruct(t.Elem())
	}
	return false
}

// nestedSliceLit reports whether the literal e holds an inner literal of
// a slice type ([][]float64{{a, 2}}): its rows need memory of their own,
// which the flattened form (m[0][0] = a) would write into unmade.
func nestedSliceLit(info *types.Info, e *ast.CompositeLit) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if inner, ok := n.(*ast.CompositeLit); ok && inner != e {
			if _, isSlice := info.TypeOf(inner).Underlying().(*types.Slice); isSlice {
				found = true
			}
		}
		return !found
	})
	return found
}
