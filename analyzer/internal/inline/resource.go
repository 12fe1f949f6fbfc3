package inline

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
	"runtime/debug"
	"slices"
	"sort"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/rewrite"
)

// Re-sourcing: the package with the bodies gradgen rewrote printed back
// into its files' text, parsed and type-checked again, and the
// positions of what gradgen reports mapped back to the source's (see
// effects.go for why).

// Resourced is the package with writing helpers expanded.
type Resourced struct {
	Files []*ast.File
	Pkg   *types.Package
	Info  *types.Info
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
	fn         *ast.FuncDecl // the function whose body it is
	start, end int           // offsets in the re-sourced file
	delta      int           // source offset minus re-sourced offset, after end
	nodes      []token.Pos
	sourceOf   []token.Pos // the source position of each node, in order
}

// ResourceWritingHelpers returns the package re-sourced as above, or nil
// when no call is expanded (or anything goes wrong: then the calls stay,
// and are refused); and, by position, why calls were not expanded.
func ResourceWritingHelpers(fset *token.FileSet, files []*ast.File, pkg *types.Package, info *types.Info, imports map[string]*lower.Exports) (out *Resourced, reasons map[token.Pos]string) {
	reasons = map[token.Pos]string{}
	defer func() {
		if r := recover(); r != nil {
			debugInline("panic: %v\n%s", r, debug.Stack())
			out = nil
		}
	}()
	p := &lower.Package{Rewriter: &rewrite.Rewriter{Fset: fset, Info: lower.CloneInfo(info), Pkg: pkg}, Files: files}
	p.IndexDecls(files)
	p.CollectRules(files, func(token.Pos, string, ...any) {})
	p.Imported = imports
	p.ImportRules(imports) // pure calls into other packages, beside hoisted ones
	in := &inliner{p: p, decls: map[*types.Func]*ast.FuncDecl{}, fileOf: map[*ast.FuncDecl]*ast.File{}, reasons: reasons}
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
	// A function whose expansion does not type-check (gradgen's bug) is
	// left as written, its calls refused; the others keep theirs.
	for range len(newBody) + 1 {
		if len(newBody) == 0 {
			return nil, reasons
		}
		res := &Resourced{back: map[*token.File]*positionMap{}}
		for _, f := range files {
			fds := slices.DeleteFunc(slices.Clone(bodies[f]), func(fd *ast.FuncDecl) bool { return newBody[fd] == nil })
			if len(fds) == 0 {
				res.Files = append(res.Files, f)
				continue
			}
			nf, pm, ok := in.resource(f, fds, newBody)
			if !ok {
				debugInline("%s: the text printed does not parse back node for node", fset.File(f.Package).Name())
				return nil, reasons
			}
			res.Files = append(res.Files, nf)
			res.back[fset.File(nf.Package)] = pm
		}
		bad := res.check(fset, pkg)
		if len(bad) == 0 {
			return res, reasons
		}
		if bad[nil] {
			return nil, reasons
		}
		for fd := range bad {
			delete(newBody, fd)
		}
	}
	return nil, reasons
}

// check type-checks the re-sourced package, and returns the functions
// whose expansions do not type-check (gradgen's bug: their calls are then
// refused, and the package re-sourced without them).
func (res *Resourced) check(fset *token.FileSet, pkg *types.Package) (bad map[*ast.FuncDecl]bool) {
	res.Info = gotypes.NewInfo()
	bad = map[*ast.FuncDecl]bool{}
	conf := types.Config{
		Importer:  lower.NewImporter(pkg),
		GoVersion: pkg.GoVersion(),
		Error: func(err error) {
			// An error in a rewritten body is gradgen's; others were
			// there before (a caller of a generated function not yet
			// written) and do not matter.
			if te, ok := err.(types.Error); ok && !te.Soft {
				if pm := res.back[fset.File(te.Pos)]; pm != nil && pm.regionOf(te.Pos) != nil {
					debugInline("type error in an expansion: %v", err)
					bad[pm.regionOf(te.Pos)] = true
				}
			}
		},
	}
	res.Pkg, _ = conf.Check(pkg.Path(), fset, res.Files, res.Info)
	if res.Pkg == nil && len(bad) == 0 {
		bad[nil] = true
	}
	return bad
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
				if fn, ok := in.p.Info.Uses[id].(*types.Func); ok && in.decls[fn] != nil {
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

// regionOf returns the function whose rewritten body holds pos, or nil.
func (pm *positionMap) regionOf(pos token.Pos) *ast.FuncDecl {
	off := pm.from.Offset(pos)
	for _, r := range pm.regions {
		if off >= r.start && off < r.end {
			return r.fn
		}
	}
	return nil
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

// SourcePos maps a position of the re-sourced package to the source's.
func (rs *Resourced) SourcePos(fset *token.FileSet, pos token.Pos) token.Pos {
	if !pos.IsValid() {
		return pos
	}
	if pm := rs.back[fset.File(pos)]; pm != nil {
		return pm.source(pos)
	}
	return pos
}

// MapBack rewrites every position of res into the source's.
func (rs *Resourced) MapBack(fset *token.FileSet, res *lower.Result) {
	fix := func(pos token.Pos) token.Pos { return rs.SourcePos(fset, pos) }
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
	fset := in.p.Fset
	tf := fset.File(f.Package)
	src, err := os.ReadFile(tf.Name())
	if err != nil || len(src) != tf.Size() {
		return nil, nil, false
	}
	slices.SortFunc(fds, func(a, b *ast.FuncDecl) int { return int(a.Body.Lbrace - b.Body.Lbrace) })
	var buf bytes.Buffer
	type printed struct {
		fn         *ast.FuncDecl
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
		done = append(done, printed{fn: fd, start: pstart, end: pend, delta: end - buf.Len(), sourceOf: sourceOf})
		last = end
	}
	buf.Write(src[last:])
	debugInline("re-sourced %s:\n%s", tf.Name(), buf.Bytes())
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
		pm.regions = append(pm.regions, rewrittenRegion{fn: d.fn, start: d.start, end: d.end, delta: d.delta, nodes: nodes, sourceOf: d.sourceOf})
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
			if v.IsNil() || v.Type() == rewrite.ObjectType || v.Type() == rewrite.ScopeType || v.Type() == rewrite.CommentGroupType {
				if v.Type() == rewrite.CommentGroupType {
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
