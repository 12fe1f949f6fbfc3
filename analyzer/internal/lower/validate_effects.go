package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Effects: which calls may write what they are passed or package-level
// variables, or call something that does. Backward code evaluates some
// expressions again; a call with effects must run exactly as often as in
// the source.

// validateOperand checks an operand of a differentiated operation. A
// passive operand is evaluated again wherever backward code needs it (a
// partial, a recomputed temporary, a helper's pullback): one that makes a
// call with effects (a random number, a counter) would then run it twice.
func (l *Lowerer) validateOperand(e ast.Expr) {
	if l.mentionsVaried(e) {
		l.validateExpr(e)
		return
	}
	if call := l.ImpureCall(e); call != nil {
		l.Errorf(call.Pos(), "cannot differentiate through %s here: the backward sweep would call it again, and a call with effects (a random number, a counter) must run exactly as often as in the source (gradgen computes such a call once, first, into a variable, only in an assignment, declaration, return or call statement that reads no package-level variable and nothing the call writes, not in a condition nor right of && or ||); assign its result to a variable first (c := %s) and use the variable", l.Source(call), l.Source(call))
	}
}

// ImpureCall returns a call inside e that may have effects: anything but
// conversions, builtins, package math, and functions of this package that
// write nothing and call only such functions.
func (l *Lowerer) ImpureCall(e ast.Expr) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && found == nil && !l.pureCall(call, map[*types.Func]bool{}) {
			found = call
		}
		return found == nil
	})
	return found
}

func (l *Lowerer) pureCall(call *ast.CallExpr, visiting map[*types.Func]bool) bool {
	if tv, ok := l.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		if id := gotypes.IdentOf(call.Fun); id != nil {
			switch id.Name {
			case "copy", "clear", "append", "print", "println":
				return false
			}
			// panic is no effect here: code run again with the same values
			// panics again only where it already did, the first time.
		}
		return true
	}
	fn := gotypes.CalleeFunc(l.Info, call)
	if fn == nil {
		return false
	}
	if l.formatsBasics(fn, call) {
		return true
	}
	return l.pureFunc(fn, visiting)
}

// pureFunc reports whether calls to fn have no effect beyond their
// value: package math, or a function of this package that writes nothing
// it is passed and calls only such functions.
func (l *Lowerer) pureFunc(fn *types.Func, visiting map[*types.Func]bool) bool {
	if fn.Pkg() != nil && fn.Pkg().Path() == "math" {
		return true
	}
	if r := l.Rules[fn]; r != nil && r.Path != "" {
		return r.pure
	}
	site, ok := l.Decls[fn]
	if !ok || site.Decl.Body == nil || fn.Pkg() != l.Pkg || l.mayWrite(fn) {
		return false
	}
	if visiting[fn] {
		return true
	}
	visiting[fn] = true
	pure := true
	ast.Inspect(site.Decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			pure = pure && l.pureCall(n, visiting)
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				if l.packageVarWrite(x) {
					pure = false
				}
			}
		case *ast.IncDecStmt:
			if l.packageVarWrite(n.X) {
				pure = false // pos++ on a package counter
			}
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt, *ast.SendStmt:
			pure = false
		}
		return pure
	})
	return pure
}

// packageVarWrite reports whether writing x writes package-level memory.
func (l *Lowerer) packageVarWrite(x ast.Expr) bool {
	_, ok := l.packageVarWritten(x)
	return ok
}

// noEffects refuses a call with effects inside e, which backward code
// evaluates again: an index or slice bound of differentiated memory, a
// range expression, a passive argument of a differentiated call.
func (l *Lowerer) noEffects(e ast.Expr) {
	if e == nil {
		return
	}
	if call := l.ImpureCall(e); call != nil {
		l.Errorf(call.Pos(), "cannot differentiate through %s here: the backward sweep would evaluate it again, and a call with effects (a random number, a counter) must run exactly as often as in the source; assign its result to a variable first (c := %s) and use the variable", l.Source(call), l.Source(call))
	}
}

// mayWrite reports whether a call to fn may write into memory it is
// passed (through a slice, a pointer or its receiver). Only functions of
// this package, whose bodies gradgen reads, can be shown not to; the
// answer for any other is yes.
func (l *Lowerer) mayWrite(fn *types.Func) bool {
	return l.Package.MayWrite(fn, map[*types.Func]bool{})
}

// freshMemory reports whether e makes new memory (make, new, a composite
// literal): a local set to it is no view of what its arguments mention
// (make([]float64, len(x)) is not x). A literal whose elements or fields
// can hold references (window{w: x}, [][]float64{x}) is new memory that
// holds them: it does not count.
func freshMemory(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		switch u := info.TypeOf(e).Underlying().(type) {
		case *types.Slice:
			return !gotypes.IsRef(u.Elem())
		case *types.Pointer:
			return !gotypes.IsRef(u.Elem())
		}
		return !gotypes.IsRef(info.TypeOf(e))
	case *ast.CallExpr:
		return gotypes.IsBuiltinCall(info, e, "make", "new")
	}
	return false
}

// MayWrite is the memoized answer behind (*lowerer).MayWrite: visiting
// holds the functions whose answer is being worked out further up the
// call chain.
func (p *Package) MayWrite(fn *types.Func, visiting map[*types.Func]bool) bool {
	if r := p.Rules[fn]; r != nil && r.Path != "" {
		return !r.pure // read from its body by its own package
	}
	site, ok := p.Decls[fn]
	if !ok || site.Decl.Body == nil {
		return true
	}
	if w, ok := p.writers[fn]; ok {
		return w
	}
	if visiting[fn] {
		// A cycle adds nothing the other calls do not, to the answer of
		// the function it started from; but a function inside the cycle
		// may have answered "no" only for not knowing yet, so nothing
		// answered "no" while it was open is remembered.
		p.writeCycle = true
		return false
	}
	visiting[fn] = true
	outer := p.writeCycle
	p.writeCycle = false
	roots := p.callerMemory(fn, site.Decl.Body)
	writes := p.bodyWrites(site.Decl.Body, roots, visiting)
	delete(visiting, fn)
	if p.writers == nil {
		p.writers = map[*types.Func]bool{}
	}
	if writes || !p.writeCycle || len(visiting) == 0 {
		p.writers[fn] = writes
	}
	p.writeCycle = outer || p.writeCycle && len(visiting) > 0
	return writes
}

// callerMemory returns the variables of fn through which its body can
// reach the caller's memory: the parameters and the receiver, and the
// locals that are views of them (assigned something that mentions one,
// other than new memory), found by repeating until no more are added.
// A write through any of these is a write the caller sees.
func (p *Package) callerMemory(fn *types.Func, body *ast.BlockStmt) map[types.Object]bool {
	roots := map[types.Object]bool{}
	sig := fn.Type().(*types.Signature)
	if r := sig.Recv(); r != nil {
		roots[r] = true
	}
	for i := range sig.Params().Len() {
		roots[sig.Params().At(i)] = true
	}
	for changed := true; changed; {
		changed = false
		// root makes x a root when it is a variable that can hold memory
		// and from, what it is given, may reach a root's.
		root := func(x ast.Expr, from ast.Expr) {
			// A reference stored into a part of a local (c.W = w, rows[0]
			// = buf[:2]) makes the whole local reach the caller's memory.
			if t := p.Info.TypeOf(x); t == nil || !gotypes.IsRef(t) {
				return
			}
			if obj := p.RootVar(x); obj != nil && !roots[obj] && gotypes.IsRef(obj.Type()) && p.mentionsRoot(roots, from) && !freshMemory(p.Info, from) {
				roots[obj] = true
				changed = true
			}
		}
		// Views come from assignments and var declarations (one value
		// each, or all of a call's results from it), and from the key and
		// value of a range over a root (for _, row := range m).
		pairs := func(lhs []ast.Expr, rhs []ast.Expr) {
			for i, x := range lhs {
				switch {
				case len(rhs) == len(lhs):
					root(x, rhs[i])
				case len(rhs) == 1:
					root(x, rhs[0])
				}
			}
		}
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				pairs(n.Lhs, n.Rhs)
			case *ast.ValueSpec:
				names := make([]ast.Expr, len(n.Names))
				for i, name := range n.Names {
					names[i] = name
				}
				pairs(names, n.Values)
			case *ast.RangeStmt:
				for _, x := range []ast.Expr{n.Key, n.Value} {
					if x != nil {
						root(x, n.X)
					}
				}
			}
			return true
		})
	}
	return roots
}

// mentionsRoot reports whether e names any of roots: the test, used
// throughout mayWrite, for "this expression may reach the caller's
// memory".
func (p *Package) mentionsRoot(roots map[types.Object]bool, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && roots[p.Info.ObjectOf(id)] {
			found = true
		}
		return !found
	})
	return found
}

// bodyWrites reports whether body writes through roots: an assignment or
// ++/-- into an element, field or pointee of one, or a call that may
// write into one it is passed. It stops at the first such write, so the
// callees after it are not examined (nor their answers memoized).
func (p *Package) bodyWrites(body *ast.BlockStmt, roots map[types.Object]bool, visiting map[*types.Func]bool) bool {
	writes := false
	target := func(x ast.Expr) {
		if _, whole := ast.Unparen(x).(*ast.Ident); !whole && p.mentionsRoot(roots, x) {
			writes = true
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				target(x)
			}
		case *ast.IncDecStmt:
			target(n.X)
		case *ast.CallExpr:
			if p.callWrites(n, roots, visiting) {
				writes = true
			}
		}
		return !writes
	})
	return writes
}

// callWrites reports whether call, inside a body whose caller-reachable
// variables are roots, may write into the caller's memory: a builtin
// that writes its first argument, a call through a function value, or a
// call to a function that mayWrite says writes. Conversions, math,
// formatting of basic values and calls that mention no root cannot.
func (p *Package) callWrites(call *ast.CallExpr, roots map[types.Object]bool, visiting map[*types.Func]bool) bool {
	if tv, ok := p.Info.Types[call.Fun]; ok && tv.IsType() || !p.mentionsRoot(roots, call) {
		return false
	}
	if id := gotypes.IdentOf(call.Fun); id != nil {
		if b, ok := p.Info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "copy", "clear", "append":
				// They write into their first argument only.
				return len(call.Args) > 0 && p.mentionsRoot(roots, call.Args[0])
			}
			return false
		}
	}
	callee := gotypes.CalleeFunc(p.Info, call)
	switch {
	case callee == nil:
		return true
	case callee.Pkg() != nil && callee.Pkg().Path() == "math":
	case p.formatsBasics(callee, call):
	case p.MayWrite(callee, visiting):
		return true
	}
	return false
}

// formatsBasics reports whether call formats values of basic types only
// (fmt.Sprintf("...", len(a), len(da)), as gradgen's length checks do):
// such a call reads its arguments and has no String method to run.
func (p *Package) formatsBasics(callee *types.Func, call *ast.CallExpr) bool {
	if callee.Pkg() == nil || callee.Pkg().Path() != "fmt" || !strings.HasPrefix(callee.Name(), "Sprint") || call.Ellipsis.IsValid() {
		return false
	}
	for _, a := range call.Args {
		if _, ok := p.Info.TypeOf(a).Underlying().(*types.Basic); !ok {
			return false
		}
	}
	return true
}

// checkAddressedIndexes refuses taking the address of an integer variable
// that indexes memory or counts a loop (p := &i; *p += 1, bump(&i)): the
// backward sweep restores such variables from the statements that set
// them, and a write through a pointer is not one of those, so backward
// code would read the wrong element.
func (l *Lowerer) checkAddressedIndexes(body *ast.BlockStmt) {
	indexing := map[types.Object]bool{}
	mark := func(e ast.Expr) {
		if e == nil {
			return
		}
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if obj, ok := l.Info.Uses[id].(*types.Var); ok {
					indexing[obj] = true
				}
			}
			return true
		})
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IndexExpr:
			mark(n.Index)
		case *ast.SliceExpr:
			mark(n.Low)
			mark(n.High)
			mark(n.Max)
		case *ast.ForStmt:
			if n.Init != nil {
				for obj := range l.AssignedIn(n.Init) {
					indexing[obj] = true
				}
			}
			mark(n.Cond)
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok {
					if obj := l.Info.ObjectOf(id); obj != nil {
						indexing[obj] = true
					}
				}
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if !ok || u.Op != token.AND {
			return true
		}
		id, ok := ast.Unparen(u.X).(*ast.Ident)
		if !ok {
			return true
		}
		obj, ok := l.Info.Uses[id].(*types.Var)
		if !ok || !indexing[obj] {
			return true
		}
		if b, ok := obj.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
			l.Errorf(u.Pos(), "cannot differentiate through &%s: %s indexes memory or counts a loop, and a write through the pointer would not be undone where the backward sweep needs %s's value; pass %s itself and assign what the callee computes (%s = f(%s))", id.Name, id.Name, id.Name, id.Name, id.Name, id.Name)
		}
		return true
	})
}

// checkStoredAddresses refuses a pointer to a local variable kept in a
// variable or a value (p := &scale, q := &w[0], p := &s then p.step())
// while the function also uses the variable by name: the backward sweep
// restores a variable from the statements that name it, and a write
// through the pointer is not one of those, so backward code would read a
// value the variable no longer had (a fresh trial: scale halved through p
// on every trip and read as scale, a gradient wrong by up to 4x, no
// error). A pointer passed straight to a call (bump(&k)) is the call's
// to follow, and a variable used only through the pointer is followed as
// memory.
func (l *Lowerer) checkStoredAddresses(body *ast.BlockStmt) {
	parent := l.structure().parent
	ast.Inspect(body, func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if !ok || u.Op != token.AND {
			return true
		}
		var up ast.Node = u
		for {
			if par, isParen := parent[up].(*ast.ParenExpr); isParen {
				up = par
				continue
			}
			break
		}
		if call, isCall := parent[up].(*ast.CallExpr); isCall && call.Fun != up {
			return true
		}
		obj := l.RootVar(u.X)
		if obj == nil || obj.Parent() == l.Pkg.Scope() {
			return true
		}
		inside := map[ast.Node]bool{}
		ast.Inspect(u, func(m ast.Node) bool {
			inside[m] = true
			return true
		})
		named := false
		ast.Inspect(body, func(m ast.Node) bool {
			if id, isID := m.(*ast.Ident); isID && !inside[id] && l.Info.Uses[id] == obj {
				named = true
			}
			return !named
		})
		if named {
			l.Errorf(u.Pos(), "cannot differentiate through %s kept in a variable while %s is also used by name: the backward sweep restores %s from the statements that name it, and a write through the pointer would not be undone; use %s by name only, or only through the pointer", l.Source(u), obj.Name(), obj.Name(), obj.Name())
		}
		return true
	})
}

// PureHelpers names the generated helpers that only compute values: no
// parameter through which they could write (a slice, pointer or map).
func (p *Package) PureHelpers() map[string]bool {
	pure := map[string]bool{}
	for _, funcs := range p.HelperFuncs {
		for _, f := range funcs {
			if f.Recv != nil {
				// Methods by ".name": a pushforward only reads its
				// receiver and arguments.
				if p.ReadOnlyHelpers[f.Name] {
					pure["."+f.Name] = true
				}
				continue
			}
			ok := true
			for _, prm := range f.Params {
				switch t := prm.Type.(type) {
				case adjoint.Slice, adjoint.Pointer, adjoint.Map, adjoint.Opaque:
					ok = false
				case adjoint.Named:
					// type Vec []float64: a buffer all the same (a
					// pullback taking da Vec writes into it; calling it
					// pure dropped the call, and the gradient with it).
					ok = ok && !p.namedReference(t)
				}
			}
			pure[f.Name] = ok || p.ReadOnlyHelpers[f.Name]
		}
	}
	// Rules whose functions compute values only, and the package's own
	// functions that do: their calls go when nothing reads the results (a
	// JVP's dead tangent, a primal value only its tangent used). A bare
	// call left behind would also be refused when the JVP is
	// differentiated again for second derivatives.
	if p.purePackageFuncs == nil {
		p.purePackageFuncs = map[string]bool{}
		l := &Lowerer{Package: p}
		for fn := range p.Decls {
			if fn.Signature().Recv() == nil && l.pureFunc(fn, map[*types.Func]bool{}) {
				p.purePackageFuncs[fn.Name()] = true
			}
		}
		for _, r := range p.Rules {
			if r.Path == "" && l.pureFunc(r.fn, map[*types.Func]bool{}) {
				p.purePackageFuncs[r.fn.Name()] = true
			}
		}
	}
	for name := range p.purePackageFuncs {
		pure[name] = true
	}
	return pure
}

// namedReference reports whether the named type t, as the generated code
// writes it, may refer to memory (a slice, pointer, map, struct or array
// holding one): true for a name it cannot resolve.
func (p *Package) namedReference(t adjoint.Named) bool {
	var obj types.Object
	switch t.Path {
	case "":
		if obj = p.Pkg.Scope().Lookup(t.Name); obj == nil {
			obj = types.Universe.Lookup(t.Name)
		}
	default:
		return true
	}
	tn, ok := obj.(*types.TypeName)
	return !ok || gotypes.HasReferences(tn.Type())
}
