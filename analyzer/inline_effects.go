package analyzer

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"reflect"
	"slices"
	"sort"

	"golang.org/x/tools/go/ast/astutil"
)

// Helpers that write into what they are passed — layer(w, x, out) filling
// out, (s *State) Step(h) advancing s, accumulate(&st, v), r := fill(x,
// buf) with a result besides — are expanded where they are called, as if
// their statements were written there, in a block of their own:
//
//	{
//		h := h0             // by-value parameters bound to the arguments
//		st.X += h * st.V    // *s, s.X: the variable whose address was passed
//		...
//		r = <the final return's value>
//	}
//
// Each statement of the expansion is then one the lowering differentiates
// (or refuses) on its own, and backward code sees the writes where they
// happen. The analyses after it compare source positions (which statement
// comes first, which variables a loop declares), so the expansion is not
// spliced into the syntax tree: the package is re-sourced. The bodies of
// the functions that call such helpers are printed with the calls
// expanded, put back into the text of their files, parsed and
// type-checked with the rest of the package, and gradgen runs on that
// package; every position it reports is mapped back to the source's
// (inlined statements to the helper's own). Nothing on disk changes.
//
// A call is expanded when the callee is a function or method of the
// package with a body, not generic nor variadic, without a custom rule,
// that may write into memory it is passed (mayWrite), with no result or
// one float result, whose only return is its last statement, without
// labels, defer, go or function literals, not recursive (four levels at
// most), and whose names mean at the call what they mean in the helper.
// A pointer parameter must be passed &v, &v.f or a pointer variable (a
// method's receiver: the variable it is called on), and is never assigned
// in the body: its uses become v. Slice parameters passed a variable and
// never assigned become that variable; every other parameter becomes a
// local set to its argument, converted to the parameter's type, all in one
// assignment (arguments are evaluated once, in order, before the body, as
// for the call). The helper's locals and bound parameters get names no
// name of the caller or the package has. Anything else stays a call, and
// the validation refuses it as before.

// maxInlineDepth bounds expansions inside expansions.
const maxInlineDepth = 4

// resourced is the package with writing helpers expanded.
type resourced struct {
	files []*ast.File
	pkg   *types.Package
	info  *types.Info
	// back maps positions of the re-sourced files to the source's.
	back map[*token.File]*positionMap
}

// positionMap maps one re-sourced file's positions to its source file's.
type positionMap struct {
	from, to *token.File
	// regions are the rewritten bodies, in the order of their offsets.
	regions []rewrittenRegion
}

type rewrittenRegion struct {
	start, end int // offsets in the re-sourced file
	delta      int // source offset minus re-sourced offset, after end
	nodes      []token.Pos
	sourceOf   []token.Pos // the source position of each node, in order
}

// resourceWritingHelpers returns the package re-sourced as above, or nil
// when no call is expanded (or anything goes wrong: then the calls stay,
// and are refused).
func resourceWritingHelpers(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info) (out *resourced) {
	defer func() {
		if r := recover(); r != nil {
			debugInline("panic: %v", r)
			out = nil
		}
	}()
	p := &pkgContext{fset: fset, info: cloneInfo(info), pkg: pkg, files: files}
	p.indexDecls(files)
	p.collectRules(files, func(token.Pos, string, ...any) {})
	in := &inliner{p: p, decls: map[*types.Func]*ast.FuncDecl{}, fileOf: map[*ast.FuncDecl]*ast.File{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					in.decls[fn] = fd
					in.fileOf[fd] = f
				}
			}
		}
	}
	bodies := map[*ast.File][]*ast.FuncDecl{}
	newBody := map[*ast.FuncDecl]*ast.BlockStmt{}
	reached := in.reachable()
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !reached[fd] {
				continue
			}
			if b, ok := in.function(fd); ok {
				bodies[f] = append(bodies[f], fd)
				newBody[fd] = b
			}
		}
	}
	if len(bodies) == 0 {
		return nil
	}
	res := &resourced{back: map[*token.File]*positionMap{}}
	for _, f := range files {
		if len(bodies[f]) == 0 {
			res.files = append(res.files, f)
			continue
		}
		nf, pm, ok := in.resource(f, bodies[f], newBody)
		if !ok {
			debugInline("%s: the text printed does not parse back node for node", fset.File(f.Package).Name())
			return nil
		}
		res.files = append(res.files, nf)
		res.back[fset.File(nf.Package)] = pm
	}
	res.info = &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		Scopes:       map[ast.Node]*types.Scope{},
		Instances:    map[*ast.Ident]types.Instance{},
		FileVersions: map[*ast.File]string{},
	}
	bad := false
	conf := types.Config{
		Importer:  newPackageImporter(pkg),
		GoVersion: pkg.GoVersion(),
		Error: func(err error) {
			// An error in a rewritten body is gradgen's; others were
			// there before (a caller of a generated function not yet
			// written) and do not matter.
			if te, ok := err.(types.Error); ok && !te.Soft {
				if pm := res.back[fset.File(te.Pos)]; pm != nil && pm.inRegion(te.Pos) {
					debugInline("type error in an expansion: %v", err)
					bad = true
				}
			}
		},
	}
	res.pkg, _ = conf.Check(pkg.Path(), fset, res.files, res.info)
	if bad || res.pkg == nil {
		return nil
	}
	return res
}

// reachable are the functions annotated for gradgen and those they call,
// at any depth: the only ones whose calls matter.
func (in *inliner) reachable() map[*ast.FuncDecl]bool {
	seen := map[*ast.FuncDecl]bool{}
	var visit func(fd *ast.FuncDecl)
	visit = func(fd *ast.FuncDecl) {
		if seen[fd] {
			return
		}
		seen[fd] = true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if fn, ok := in.p.info.Uses[id].(*types.Func); ok && in.decls[fn] != nil {
					visit(in.decls[fn])
				}
			}
			return true
		})
	}
	for _, fd := range in.decls {
		if fd.Doc == nil {
			continue
		}
		for _, c := range fd.Doc.List {
			if dir, ok := ast.ParseDirective(c.Slash, c.Text); ok && dir.Tool == "gradgen" {
				visit(fd)
				break
			}
		}
	}
	return seen
}

// debugInline says why the package could not be re-sourced, on standard
// error, when GRADGEN_DEBUG_INLINE is set: the calls are then refused, and
// the reason is gradgen's bug, not the user's.
func debugInline(format string, args ...any) {
	if os.Getenv("GRADGEN_DEBUG_INLINE") != "" {
		fmt.Fprintf(os.Stderr, "gradgen: re-sourcing: "+format+"\n", args...)
	}
}

// inRegion reports whether pos lies in a rewritten body.
func (pm *positionMap) inRegion(pos token.Pos) bool {
	off := pm.from.Offset(pos)
	for _, r := range pm.regions {
		if off >= r.start && off < r.end {
			return true
		}
	}
	return false
}

// source maps a position of the re-sourced file to the source's.
func (pm *positionMap) source(pos token.Pos) token.Pos {
	off := pm.from.Offset(pos)
	delta := 0
	for _, r := range pm.regions {
		if off < r.start {
			break
		}
		if off < r.end {
			// The node starting nearest before pos.
			i := sort.Search(len(r.nodes), func(i int) bool { return r.nodes[i] > pos }) - 1
			if i >= 0 && r.sourceOf[i].IsValid() {
				return r.sourceOf[i]
			}
			return pm.to.Pos(r.start + delta)
		}
		delta = r.delta
	}
	return pm.to.Pos(off + delta)
}

// mapBack rewrites every position of res into the source's.
func (rs *resourced) mapBack(fset *token.FileSet, res *Result) {
	fix := func(pos token.Pos) token.Pos {
		if !pos.IsValid() {
			return pos
		}
		if pm := rs.back[fset.File(pos)]; pm != nil {
			return pm.source(pos)
		}
		return pos
	}
	for i := range res.Diagnostics {
		res.Diagnostics[i].Pos = fix(res.Diagnostics[i].Pos)
	}
	for i := range res.Warnings {
		res.Warnings[i].Pos = fix(res.Warnings[i].Pos)
	}
	for _, o := range res.Outputs {
		for _, f := range o.Functions {
			f.Pos = fix(f.Pos)
		}
	}
	sort.SliceStable(res.Diagnostics, func(i, j int) bool {
		a, b := fset.Position(res.Diagnostics[i].Pos), fset.Position(res.Diagnostics[j].Pos)
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// resource writes file f again with the bodies of fds replaced, parses it
// and maps its positions back.
func (in *inliner) resource(f *ast.File, fds []*ast.FuncDecl, newBody map[*ast.FuncDecl]*ast.BlockStmt) (*ast.File, *positionMap, bool) {
	fset := in.p.fset
	tf := fset.File(f.Package)
	src, err := os.ReadFile(tf.Name())
	if err != nil || len(src) != tf.Size() {
		return nil, nil, false
	}
	slices.SortFunc(fds, func(a, b *ast.FuncDecl) int { return int(a.Body.Lbrace - b.Body.Lbrace) })
	var buf bytes.Buffer
	type printed struct {
		start, end int
		delta      int
		sourceOf   []token.Pos
	}
	var done []printed
	last := 0
	for _, fd := range fds {
		start, end := tf.Offset(fd.Body.Lbrace), tf.Offset(fd.Body.Rbrace)+1
		buf.Write(src[last:start])
		body := newBody[fd]
		sourceOf := preorderPositions(copyTree(body, true))
		var text bytes.Buffer
		if err := (&printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}).Fprint(&text, token.NewFileSet(), copyTree(body, false)); err != nil {
			return nil, nil, false
		}
		pstart := buf.Len()
		buf.Write(text.Bytes())
		pend := buf.Len()
		// What follows keeps its source line and column, for messages
		// that quote positions.
		after := tf.Position(tf.Pos(end))
		fmt.Fprintf(&buf, "/*line %s:%d:%d*/", tf.Name(), after.Line, after.Column)
		done = append(done, printed{start: pstart, end: pend, delta: end - buf.Len(), sourceOf: sourceOf})
		last = end
	}
	buf.Write(src[last:])
	nf, err := parser.ParseFile(fset, tf.Name(), buf.Bytes(), parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, false
	}
	ntf := fset.File(nf.Package)
	pm := &positionMap{from: ntf, to: tf}
	for _, d := range done {
		// The body parsed from the text, node for node with the one
		// printed.
		var parsed *ast.BlockStmt
		for _, decl := range nf.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil && ntf.Offset(fd.Body.Lbrace) == d.start {
				parsed = fd.Body
			}
		}
		if parsed == nil {
			return nil, nil, false
		}
		nodes := preorderPositions(parsed)
		if len(nodes) != len(d.sourceOf) {
			return nil, nil, false
		}
		pm.regions = append(pm.regions, rewrittenRegion{start: d.start, end: d.end, delta: d.delta, nodes: nodes, sourceOf: d.sourceOf})
	}
	return nf, pm, true
}

// preorderPositions lists the positions of the nodes of n in preorder.
func preorderPositions(n ast.Node) []token.Pos {
	var out []token.Pos
	ast.Inspect(n, func(c ast.Node) bool {
		if c != nil {
			out = append(out, c.Pos())
		}
		return true
	})
	return out
}

// copyTree copies n for printing, with every position cleared unless
// keep (the expansion's nodes come from several places of the source),
// and parentheses around parentheses made one pair, as the printer prints
// them: the copy and what is parsed from its text are then the same tree.
func copyTree(n ast.Node, keep bool) ast.Node {
	posType := reflect.TypeFor[token.Pos]()
	var clear func(v reflect.Value) reflect.Value
	clear = func(v reflect.Value) reflect.Value {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || v.Type() == objectType || v.Type() == scopeType || v.Type() == commentGroupType {
				if v.Type() == commentGroupType {
					return reflect.Zero(v.Type())
				}
				return v
			}
			if pe, ok := v.Interface().(*ast.ParenExpr); ok {
				if inner, ok := pe.X.(*ast.ParenExpr); ok {
					return clear(reflect.ValueOf(inner))
				}
			}
			c := reflect.New(v.Elem().Type())
			c.Elem().Set(v.Elem())
			if c.Elem().Kind() == reflect.Struct {
				for i := range c.Elem().NumField() {
					f := c.Elem().Field(i)
					if !f.CanSet() {
						continue
					}
					if f.Type() == posType && !keep {
						// A valid Ellipsis makes a call variadic, a
						// valid Lparen groups a declaration's specs:
						// they keep a position, any.
						if name := c.Elem().Type().Field(i).Name; (name == "Ellipsis" || name == "Lparen") && f.Interface().(token.Pos).IsValid() {
							f.Set(reflect.ValueOf(token.Pos(1)))
						} else {
							f.Set(reflect.Zero(posType))
						}
					} else {
						f.Set(clear(f))
					}
				}
			}
			return c
		case reflect.Interface:
			if v.IsNil() {
				return v
			}
			c := reflect.New(v.Type()).Elem()
			c.Set(clear(v.Elem()))
			return c
		case reflect.Slice:
			if v.IsNil() {
				return v
			}
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := range v.Len() {
				c.Index(i).Set(clear(v.Index(i)))
			}
			return c
		}
		return v
	}
	return clear(reflect.ValueOf(n)).Interface().(ast.Node)
}

// An inliner expands the calls of writing helpers (see the top of the
// file).
type inliner struct {
	p      *pkgContext
	decls  map[*types.Func]*ast.FuncDecl // the package's functions with bodies, as written
	fileOf map[*ast.FuncDecl]*ast.File
	// per caller
	caller *ast.FuncDecl
	taken  map[string]bool // names the caller, the package and the universe use
	lits   map[types.Object]*ast.FuncLit
}

// function returns fd's body with the calls expanded, or false when none is.
func (in *inliner) function(fd *ast.FuncDecl) (*ast.BlockStmt, bool) {
	in.caller = fd
	in.taken = map[string]bool{}
	for _, n := range in.p.pkg.Scope().Names() {
		in.taken[n] = true
	}
	for _, n := range types.Universe.Names() {
		in.taken[n] = true
	}
	for _, imp := range in.fileOf[fd].Imports {
		if imp.Name != nil {
			in.taken[imp.Name.Name] = true
		}
	}
	for _, pkg := range in.p.pkg.Imports() {
		in.taken[pkg.Name()] = true
	}
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			in.taken[id.Name] = true
		}
		return true
	})
	in.lits = in.literals(fd.Body)
	changed := false
	body := in.block(fd.Body, fd.Body.Pos(), 0, &changed)
	if changed && len(in.lits) > 0 {
		body = in.dropExpandedLiterals(body)
	}
	return body, changed
}

// literals finds the function literals of the caller's body that may be
// expanded at statement calls: bound once with := to a local that is
// only called, with a body of more than a return (a single return is
// expanded in expressions, funclits.go).
func (in *inliner) literals(body *ast.BlockStmt) map[types.Object]*ast.FuncLit {
	info := in.p.info
	lits := map[types.Object]*ast.FuncLit{}
	forStatements(body, func(s ast.Stmt) {
		as, ok := s.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		lit, isLit := ast.Unparen(as.Rhs[0]).(*ast.FuncLit)
		if !ok || !isLit || info.Defs[id] == nil {
			return
		}
		if len(lit.Body.List) == 1 {
			if _, ret := lit.Body.List[0].(*ast.ReturnStmt); ret {
				return
			}
		}
		lits[info.Defs[id]] = lit
	})
	// Only called: no other use, no assignment.
	calls := map[*ast.Ident]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				calls[id] = true
			}
		}
		return true
	})
	// (The body's own nodes: info also holds copies other rewrites made.)
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && lits[info.Uses[id]] != nil && !calls[id] {
			delete(lits, info.Uses[id])
		}
		return true
	})
	return lits
}

// literalCalled returns the literal call calls, if it is one of in.lits.
func (in *inliner) literalCalled(call *ast.CallExpr) *ast.FuncLit {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	return in.lits[in.p.info.Uses[id]]
}

// dropExpandedLiterals removes the declarations of the literals whose
// every call was expanded: nothing names them any more.
func (in *inliner) dropExpandedLiterals(body *ast.BlockStmt) *ast.BlockStmt {
	declared := func(s ast.Node) types.Object {
		as, ok := s.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 {
			return nil
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && in.lits[in.p.info.Defs[id]] != nil {
			return in.p.info.Defs[id]
		}
		return nil
	}
	// A literal named only inside literals that go, goes too.
	drop := map[types.Object]bool{}
	for changed := true; changed; {
		changed = false
		used := map[types.Object]bool{}
		ast.Inspect(body, func(n ast.Node) bool {
			if obj := declared(n); obj != nil && drop[obj] {
				return false
			}
			if id, ok := n.(*ast.Ident); ok {
				used[in.p.info.Uses[id]] = true
			}
			return true
		})
		for obj := range in.lits {
			if !used[obj] && !drop[obj] {
				drop[obj] = true
				changed = true
			}
		}
	}
	return rewriteBody(body, func(s ast.Stmt) ([]ast.Stmt, bool) {
		if obj := declared(s); obj != nil && drop[obj] {
			return nil, true
		}
		return nil, false
	})
}

// block rewrites the statement lists of b, expanding calls made at site.
func (in *inliner) block(b *ast.BlockStmt, site token.Pos, depth int, changed *bool) *ast.BlockStmt {
	return rewriteBody(b, func(s ast.Stmt) ([]ast.Stmt, bool) {
		at := site
		if depth == 0 {
			at = s.Pos()
		}
		out, ok := in.stmt(s, at, depth)
		*changed = *changed || ok
		return out, ok
	})
}

// stmt expands s when it is a call of a writing helper (f(...), v :=
// f(...), v = f(...), v op= f(...)), or reports false.
func (in *inliner) stmt(s ast.Stmt, site token.Pos, depth int) ([]ast.Stmt, bool) {
	if depth >= maxInlineDepth {
		return nil, false
	}
	var call *ast.CallExpr
	var assign *ast.AssignStmt
	switch s := s.(type) {
	case *ast.ExprStmt:
		call, _ = ast.Unparen(s.X).(*ast.CallExpr)
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return nil, false
		}
		assign = s
		call, _ = ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
	}
	if call == nil {
		return nil, false
	}
	e := &expansion{in: in, site: site, names: map[types.Object]string{}, subst: map[types.Object]ast.Expr{}, pointee: map[types.Object]ast.Expr{}}
	var sig *types.Signature
	var recv ast.Expr
	if lit := in.literalCalled(call); lit != nil {
		// A function literal of the caller, of more than a return.
		sig, _ = in.p.info.TypeOf(lit).(*types.Signature)
		if sig == nil || sig.Variadic() {
			return nil, false
		}
		for i := range sig.Params().Len() {
			if _, ptr := sig.Params().At(i).Type().Underlying().(*types.Pointer); ptr {
				return nil, false
			}
		}
		e.ftype, e.fbody, e.span = lit.Type, lit.Body, lit
	} else {
		fn, r := in.callee(call)
		if fn == nil {
			return nil, false
		}
		decl := in.decls[fn]
		sig = fn.Type().(*types.Signature)
		recv = r
		if decl == nil || decl == in.caller || in.p.rules[fn] != nil || sig.Variadic() || sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0 {
			return nil, false
		}
		if !in.p.mayWrite(fn, map[*types.Func]bool{}) {
			return nil, false // a helper that only reads gets a pullback of its own
		}
		if sig.Results().Len() == 1 && !isFloat(sig.Results().At(0).Type()) {
			return nil, false
		}
		e.recv, e.ftype, e.fbody, e.span = decl.Recv, decl.Type, decl.Body, decl
	}
	if sig.Results().Len() > 1 || assign != nil && sig.Results().Len() == 0 {
		return nil, false
	}
	final, ok := in.shape(e.ftype, e.fbody, sig.Results().Len())
	if !ok {
		return nil, false
	}
	if !e.params(sig, recv, call) || !e.locals() || !e.outerNames() {
		return nil, false
	}
	body, value := e.body(final)
	var out []ast.Stmt
	if assign != nil {
		lhs := assign.Lhs[0]
		tok := assign.Tok
		switch tok {
		case token.DEFINE:
			id, ok := lhs.(*ast.Ident)
			if !ok || id.Name == "_" {
				return nil, false
			}
			typ := in.typeExpr(sig.Results().At(0).Type())
			if typ == nil {
				return nil, false
			}
			out = append(out, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: s.Pos(), Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{id}, Type: typ}}}})
			tok = token.ASSIGN
		case token.ASSIGN, token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		default:
			return nil, false
		}
		// The final value goes into the caller's variable: the
		// expansion's names never hide it (they are fresh).
		body.List = append(body.List, &ast.AssignStmt{Lhs: []ast.Expr{in.p.cloneNode(lhs).(ast.Expr)}, TokPos: s.Pos(), Tok: tok, Rhs: []ast.Expr{value}})
	}
	if assign == nil && value != nil && !in.p.callsNothing(value) {
		// f(x) whose value is dropped: the value's calls still run.
		body.List = append(body.List, &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent("_")}, TokPos: s.Pos(), Tok: token.ASSIGN, Rhs: []ast.Expr{value}})
	}
	changed := false
	body = in.block(body, site, depth+1, &changed)
	return append(out, body), true
}

// callee returns the package function or method call calls, and the
// receiver expression of a method call.
func (in *inliner) callee(call *ast.CallExpr) (*types.Func, ast.Expr) {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		fn, _ := in.p.info.Uses[f].(*types.Func)
		return fn, nil
	case *ast.SelectorExpr:
		sel := in.p.info.Selections[f]
		if sel == nil || sel.Kind() != types.MethodVal {
			return nil, nil
		}
		fn, _ := sel.Obj().(*types.Func)
		if len(sel.Index()) != 1 {
			return nil, nil // a promoted method: its receiver is a field
		}
		return fn, f.X
	}
	return nil, nil
}

// shape checks the helper's body: its only return is its last statement
// (bare for no result, one value for one), no labels, defer, go or
// function literals. It returns the final return, if any.
func (in *inliner) shape(ftype *ast.FuncType, body *ast.BlockStmt, results int) (*ast.ReturnStmt, bool) {
	list := body.List
	var final *ast.ReturnStmt
	if n := len(list); n > 0 {
		final, _ = list[n-1].(*ast.ReturnStmt)
	}
	if results == 1 && (final == nil || len(final.Results) != 1) || results == 0 && final != nil && len(final.Results) != 0 {
		return nil, false
	}
	if ftype.Results != nil {
		for _, f := range ftype.Results.List {
			if len(f.Names) > 0 {
				return nil, false // named results: a bare return means them
			}
		}
	}
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			ok = ok && n == final
		case *ast.LabeledStmt, *ast.DeferStmt, *ast.GoStmt, *ast.FuncLit:
			ok = false
		case *ast.BranchStmt:
			ok = ok && n.Tok != token.GOTO
		}
		return ok
	})
	return final, ok
}

// typeExpr writes t as the caller's file can name it, or nil.
func (in *inliner) typeExpr(t types.Type) ast.Expr {
	file := in.fileOf[in.caller]
	ok := true
	qual := func(other *types.Package) string {
		if other == in.p.pkg {
			return ""
		}
		for _, imp := range file.Imports {
			if pn, isPkg := in.p.info.Implicits[imp].(*types.PkgName); isPkg && pn.Imported() == other {
				return pn.Name()
			}
			if imp.Name != nil {
				if pn, isPkg := in.p.info.Defs[imp.Name].(*types.PkgName); isPkg && pn.Imported() == other {
					return pn.Name()
				}
			}
		}
		ok = false
		return other.Name()
	}
	s := types.TypeString(t, qual)
	if !ok {
		return nil
	}
	e, err := parser.ParseExpr(s)
	if err != nil {
		return nil
	}
	return e
}

// An expansion is one call's expansion being written.
type expansion struct {
	in *inliner
	// the function expanded: a declaration's or a literal's parts, and
	// the node whose span holds its own names
	recv  *ast.FieldList
	ftype *ast.FuncType
	fbody *ast.BlockStmt
	span  ast.Node
	site  token.Pos
	// names are the new names of the helper's locals and bound
	// parameters; subst the argument written for a parameter used as it
	// is; pointee the variable a pointer parameter points at (its uses
	// s.X, *s become v.X, v).
	names   map[types.Object]string
	subst   map[types.Object]ast.Expr
	pointee map[types.Object]ast.Expr
	bindL   []ast.Expr
	bindR   []ast.Expr
}

// fresh returns name, or name with a number, unused by the caller.
func (e *expansion) fresh(name string) string {
	n := name
	for k := 1; e.in.taken[n]; k++ {
		n = fmt.Sprintf("%s%d", name, k)
	}
	e.in.taken[n] = true
	return n
}

// params decides, for each parameter, substitution or binding.
func (e *expansion) params(sig *types.Signature, recv ast.Expr, call *ast.CallExpr) bool {
	info := e.in.p.info
	var params []*types.Var
	var args []ast.Expr
	if sig.Recv() != nil {
		params, args = append(params, sig.Recv()), append(args, recv)
	}
	for i := range sig.Params().Len() {
		params = append(params, sig.Params().At(i))
	}
	args = append(args, call.Args...)
	if len(args) != len(params) {
		return false
	}
	assigned := e.assignedParams()
	for i, pv := range params {
		arg := args[i]
		// The parameter's object in the helper's declaration.
		obj := e.paramObject(i, sig.Recv() != nil)
		if obj == nil {
			if !e.in.p.callsNothing(arg) {
				return false
			}
			continue // a blank parameter: its argument computes nothing
		}
		if _, isPtr := pv.Type().Underlying().(*types.Pointer); isPtr {
			if assigned[obj] {
				return false
			}
			if i == 0 && sig.Recv() != nil {
				if _, argPtr := info.TypeOf(arg).Underlying().(*types.Pointer); !argPtr {
					if !variablePath(arg) {
						return false
					}
					e.pointee[obj] = arg // st.Step(h): s is &st
					continue
				}
			}
			switch a := ast.Unparen(arg).(type) {
			case *ast.UnaryExpr:
				if a.Op != token.AND || !variablePath(a.X) {
					return false
				}
				e.pointee[obj] = a.X
			case *ast.Ident:
				e.subst[obj] = a
			default:
				return false
			}
			continue
		}
		if id, isID := ast.Unparen(arg).(*ast.Ident); isID && refVar(pv.Type()) && !assigned[obj] && info.Types[arg].Value == nil {
			if _, isVar := info.Uses[id].(*types.Var); isVar {
				e.subst[obj] = id
				continue
			}
		}
		name := e.fresh(obj.Name())
		e.names[obj] = name
		value := arg
		// A constant is typed by the parameter in the call; := would
		// give it its default type.
		if at := info.TypeOf(arg); at == nil || info.Types[arg].Value != nil && !defaultTyped(arg, pv.Type()) || !types.Identical(at, pv.Type()) {
			t := e.in.typeExpr(pv.Type())
			if t == nil {
				return false
			}
			value = &ast.CallExpr{Fun: t, Args: []ast.Expr{arg}}
		}
		e.bindL = append(e.bindL, &ast.Ident{NamePos: e.site, Name: name})
		e.bindR = append(e.bindR, value)
	}
	return true
}

// paramObject is the object of the helper's i-th parameter (the receiver
// first), nil for a blank or unnamed one.
func (e *expansion) paramObject(i int, hasRecv bool) types.Object {
	var names []*ast.Ident
	var fields []*ast.Field
	if hasRecv {
		fields = append(fields, e.recv.List...)
	}
	fields = append(fields, e.ftype.Params.List...)
	for _, f := range fields {
		if len(f.Names) == 0 {
			names = append(names, nil)
		}
		names = append(names, f.Names...)
	}
	if i >= len(names) || names[i] == nil || names[i].Name == "_" {
		return nil
	}
	return e.in.p.info.Defs[names[i]]
}

// assignedParams are the parameters the body assigns or takes the
// address of.
func (e *expansion) assignedParams() map[types.Object]bool {
	info := e.in.p.info
	out := map[types.Object]bool{}
	mark := func(x ast.Expr) {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			out[info.ObjectOf(id)] = true
		}
	}
	ast.Inspect(e.fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, x := range n.Lhs {
				mark(x)
			}
		case *ast.IncDecStmt:
			mark(n.X)
		case *ast.RangeStmt:
			if n.Key != nil {
				mark(n.Key)
			}
			if n.Value != nil {
				mark(n.Value)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		}
		return true
	})
	return out
}

// defaultTyped reports whether the constant e written bare takes the type
// t (0.1 is a float64, 2 an int). The checker records a constant's value
// converted to the type the call gives it, so the literal's own token
// decides.
func defaultTyped(e ast.Expr, t types.Type) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	if !ok {
		return false
	}
	switch lit.Kind {
	case token.FLOAT:
		return types.Identical(t, types.Typ[types.Float64])
	case token.INT:
		return types.Identical(t, types.Typ[types.Int])
	}
	return false
}

// isBuiltinCall reports whether call calls the builtin name.
func isBuiltinCall(info *types.Info, call *ast.CallExpr, name string) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// variablePath reports whether e is a variable or a field path of one
// (v, v.f.g): its address is fixed while the expansion runs.
func variablePath(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return variablePath(e.X)
	}
	return false
}

// locals names the helper's locals afresh.
func (e *expansion) locals() bool {
	for id, obj := range e.in.p.info.Defs {
		if obj == nil || id.Pos() < e.fbody.Pos() || id.Pos() >= e.fbody.End() {
			continue
		}
		if _, isVar := obj.(*types.Var); !isVar {
			return false // a local type or constant: keep the call
		}
		if _, done := e.names[obj]; !done && id.Name != "_" {
			e.names[obj] = ""
		}
	}
	// In the order of the declarations, so that names are stable.
	objs := make([]types.Object, 0, len(e.names))
	for obj, n := range e.names {
		if n == "" {
			objs = append(objs, obj)
		}
	}
	slices.SortFunc(objs, func(a, b types.Object) int { return int(a.Pos() - b.Pos()) })
	for _, obj := range objs {
		e.names[obj] = e.fresh(obj.Name())
	}
	return true
}

// outerNames checks that every name the body reads that is not its own
// (a package-level name, or a variable a literal captures) means the same
// at the call.
func (e *expansion) outerNames() bool {
	scope := e.in.p.pkg.Scope().Innermost(e.site)
	if scope == nil {
		return false
	}
	ok := true
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if sel, isSel := n.(*ast.SelectorExpr); isSel {
			// A qualified name, field or method: only its left side is
			// looked up in scope.
			ast.Inspect(sel.X, visit)
			return false
		}
		if id, isID := n.(*ast.Ident); isID {
			ok = ok && e.sameAtSite(id, scope)
		}
		return ok
	}
	ast.Inspect(e.fbody, visit)
	return ok
}

// sameAtSite reports whether the name id, read in the body, means the same
// at the call.
func (e *expansion) sameAtSite(id *ast.Ident, scope *types.Scope) bool {
	obj := e.in.p.info.Uses[id]
	if obj == nil || obj.Pos() >= e.span.Pos() && obj.Pos() < e.span.End() {
		return true // the function's own
	}
	if v, isVar := obj.(*types.Var); isVar && v.IsField() {
		return true // a field name in a struct literal
	}
	_, there := scope.LookupParent(id.Name, e.site)
	if pn, isPkg := obj.(*types.PkgName); isPkg {
		other, isPkg2 := there.(*types.PkgName)
		return isPkg2 && other.Imported() == pn.Imported()
	}
	return there == obj
}

// body writes the expansion's block: the bindings, then the helper's
// statements with its names replaced, its final return left out; it
// returns the final return's value, rewritten alike, for the caller's
// assignment.
func (e *expansion) body(final *ast.ReturnStmt) (*ast.BlockStmt, ast.Expr) {
	info := e.in.p.info
	clone := e.in.p.cloneNode(e.fbody).(*ast.BlockStmt)
	if final != nil {
		clone.List = clone.List[:len(clone.List)-1]
	}
	pointee := func(x ast.Expr) ast.Expr {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			if v := e.pointee[info.ObjectOf(id)]; v != nil {
				return e.in.p.cloneNode(v).(ast.Expr)
			}
		}
		return nil
	}
	replace := func(c *astutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.StarExpr:
			if v := pointee(n.X); v != nil {
				c.Replace(v) // *s is the variable s points at
				return false
			}
		case *ast.SelectorExpr:
			if v := pointee(n.X); v != nil {
				n.X = v // s.X is v.X
			}
		case *ast.IndexExpr:
			if v := pointee(n.X); v != nil {
				n.X = v // s[i], s a pointer to an array, is v[i]
			}
		case *ast.RangeStmt:
			// range s and range v agree for a pointer to an array but
			// when the body writes v and reads the range's value, which
			// gradgen refuses for a range over an array.
			if v := pointee(n.X); v != nil {
				n.X = v
			}
		case *ast.CallExpr:
			if len(n.Args) == 1 && (isBuiltinCall(info, n, "len") || isBuiltinCall(info, n, "cap")) {
				if v := pointee(n.Args[0]); v != nil {
					n.Args[0] = v // len(s) is len(v)
				}
			}
		case *ast.Ident:
			if sel, isSel := c.Parent().(*ast.SelectorExpr); isSel && sel.Sel == n {
				return false // a field or method name
			}
			obj := info.ObjectOf(n)
			if obj == nil {
				return true
			}
			if v := e.pointee[obj]; v != nil {
				c.Replace(&ast.UnaryExpr{OpPos: n.Pos(), Op: token.AND, X: e.in.p.cloneNode(v).(ast.Expr)})
				return false
			}
			if v := e.subst[obj]; v != nil {
				c.Replace(e.in.p.cloneNode(v))
				return false
			}
			if name := e.names[obj]; name != "" {
				n.Name = name
			}
		}
		return true
	}
	out := astutil.Apply(clone, replace, nil).(*ast.BlockStmt)
	var value ast.Expr
	if final != nil {
		r := astutil.Apply(e.in.p.cloneNode(final), replace, nil).(*ast.ReturnStmt)
		value = r.Results[0]
	}
	block := &ast.BlockStmt{Lbrace: e.site}
	if len(e.bindL) > 0 {
		block.List = append(block.List, &ast.AssignStmt{Lhs: e.bindL, TokPos: e.site, Tok: token.DEFINE, Rhs: e.bindR})
	}
	block.List = append(block.List, out.List...)
	return block, value
}
