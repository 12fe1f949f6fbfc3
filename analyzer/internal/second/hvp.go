package second

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/forward"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"github.com/gradgen/gradgen/analyzer/internal/opt"
	"github.com/gradgen/gradgen/emit"
)

// Second derivatives. A Hessian-vector product H·v is the gradient of the
// directional derivative ⟨∇F(x), v⟩: reverse mode over F's JVP. The JVP
// is written out first (plain Go: F's control flow copied, a tangent
// beside each value, no tape), type-checked beside the package, and
// differentiated in reverse with respect to the point and the direction
// at once. Its adjoint at the point is H·v; at the direction it is ∇F,
// since the JVP is linear in v; so one sweep gives both, and the JVP's
// value is F's, bit for bit.
//
// SPEC §7 calls this forward over reverse; the product is the same
// (H is symmetric) and so is the cost, a small multiple of F. Reverse over
// forward is chosen because it needs nothing new of either mode: forward
// mode over the reverse sweep would have to follow tapes, jumps and the
// gradient's tuple of results, while reverse mode over a JVP sees only
// what the user wrote and tangent arithmetic. Both modes refuse the same
// code, so the second derivatives fail closed where the first do.

// HVP builds FHVP: the inner HVP with the gradient, its doc comment
// written once its parameters are (a direction renamed v1 is named so).
func (p *Writer) HVP(g *lower.Target, file *ast.File) (*adjoint.Func, []lower.Diagnostic) {
	fn, diags := p.InnerHVP(g, file, g.Name, true)
	if fn != nil {
		if p.docs == nil {
			p.docs = map[*adjoint.Func]func(*adjoint.Func) string{}
		}
		p.docs[fn] = func(fn *adjoint.Func) string { return hvpDoc(g, fn) }
	}
	return fn, diags
}

// InnerHVP is what the second derivatives are built from: F's JVP,
// differentiated in reverse. The function it returns is named name and
// takes F's parameters, then one direction per wrt input; with
// withGradient, then the gradient buffers, then the H·v buffers, and it
// returns F's value, the by-value gradients and the by-value H·v (FHVP's
// form); without, then the H·v buffers, and it returns F's value, the
// directional derivative ⟨∇F, v⟩ and the by-value H·v (the Hessian's
// building block, whose gradient comes from unit directions).
//
// The JVP is written now; the function returned is a placeholder that
// runSynthetic fills once every JVP of the package is type-checked.
func (p *Writer) InnerHVP(g *lower.Target, file *ast.File, name string, withGradient bool) (*adjoint.Func, []lower.Diagnostic) {
	dirNames := map[*types.Var]string{}
	for _, v := range g.Wrt {
		dirNames[v] = directionName(g, v)
	}
	// F's JVP, its directions named v (or vx, vy, ... for several inputs).
	// The pushforward helpers it makes are the synthetic file's only: the
	// helpers a //gradgen:jvp of F would get keep their own state.
	savedHelpers := p.Helpers
	p.Helpers = map[lower.HelperKey]*lower.Helper{}
	savedFuncs := map[*ast.File]int{}
	for f, fs := range p.HelperFuncs {
		savedFuncs[f] = len(fs)
	}
	jg := *g
	jg.Name = name // length checks name the generated function
	jg.AdjNames = dirNames
	// The test switches (no activity analysis, save everything) apply to
	// the reverse sweep below; the JVP is written as users get it, since
	// the switched-off JVP is only more code for the same values.
	jg.Options = lower.Options{Sanity: g.Options.Sanity}
	p.SecondOrder = true
	jvp, diags := forward.Function(p.Package, &jg, file)
	p.SecondOrder = false
	for i := range diags {
		// The user asked for second derivatives, not for a JVP.
		diags[i].Message = strings.Replace(diags[i].Message, "forward mode (//gradgen:jvp)",
			"second derivatives (//gradgen:hvp and //gradgen:hessian run forward mode over the gradient)", 1)
	}
	var jvpHelpers []*adjoint.Func
	for f, fs := range p.HelperFuncs {
		for _, h := range fs[savedFuncs[f]:] {
			jvpHelpers = append(jvpHelpers, h)
			p.synth.jvpHelperFile[h] = f
		}
		p.HelperFuncs[f] = fs[:savedFuncs[f]]
	}
	p.Helpers = savedHelpers
	if len(diags) > 0 {
		return nil, diags
	}
	slices.SortFunc(jvpHelpers, func(a, b *adjoint.Func) int { return strings.Compare(a.Name, b.Name) })
	p.synth.jvpHelpers = append(p.synth.jvpHelpers, jvpHelpers...)
	p.synth.funcs[file] = append(p.synth.funcs[file], append([]*adjoint.Func{jvp}, jvpHelpers...)...)
	placeholder := &adjoint.Func{Name: name}
	if g.Recv != nil {
		placeholder.Recv = &adjoint.Param{Name: g.Recv.Name(), Type: gotypes.MustIR(g.Recv.Type())}
	}
	p.synth.jobs = append(p.synth.jobs, func(inner *synthetic) []lower.Diagnostic {
		fn, diags := inner.reverseOverJVP(g, jg.Name, name, withGradient)
		if len(diags) > 0 {
			return diags
		}
		doc := placeholder.Doc // written while the function waited
		*placeholder = *fn
		p.synth.made = append(p.synth.made, placeholder)
		if build := p.docs[placeholder]; build != nil {
			doc = build(placeholder) // it names the parameters as written
		}
		if doc != "" {
			placeholder.Doc = doc
		}
		return nil
	})
	return placeholder, nil
}

// reverseOverJVP differentiates the JVP named jvp in reverse (see innerHVP).
func (inner *synthetic) reverseOverJVP(g *lower.Target, jvp, name string, withGradient bool) (*adjoint.Func, []lower.Diagnostic) {
	decl := inner.decl(jvp)
	obj := inner.Info.Defs[decl.Name].(*types.Func)
	sig := obj.Type().(*types.Signature)
	site := inner.Decls[obj]
	ig := &lower.Target{Decl: site.Decl, Dir: &lower.Directive{Pos: g.Dir.Pos, Kind: "grad"}, Name: name, Recv: sig.Recv(),
		WrtSet: map[*types.Var]bool{}, Options: g.Options, Seeded: []bool{false, true},
		AdjNames: map[*types.Var]string{}, LengthOf: map[*types.Var]*types.Var{}}
	for i := range sig.Params().Len() {
		ig.Params = append(ig.Params, sig.Params().At(i))
	}
	for i := range sig.Results().Len() {
		ig.Results = append(ig.Results, sig.Results().At(i).Type())
	}
	ig.Result = ig.Results[0]
	// The inner function's parameters in the outer function's terms.
	outerOf := map[*types.Var]*types.Var{}
	if g.Recv != nil {
		outerOf[sig.Recv()] = g.Recv
	}
	for i, v := range g.Params {
		outerOf[ig.Params[i]] = v
	}
	var points []*types.Var
	for _, v := range append([]*types.Var{sig.Recv()}, ig.Params[:len(g.Params)]...) {
		if v != nil && g.WrtSet[outerOf[v]] {
			points = append(points, v)
		}
	}
	// The gradient (the directions' adjoints) comes before H·v (the
	// point's), in the buffers and in the results.
	if withGradient {
		for k, v := range g.Wrt {
			dir := ig.Params[len(g.Params)+k]
			ig.Wrt = append(ig.Wrt, dir)
			ig.AdjNames[dir] = lower.AdjointName(v.Name())
			ig.LengthOf[dir] = points[k]
		}
	}
	for k, v := range points {
		ig.Wrt = append(ig.Wrt, v)
		ig.AdjNames[v] = hvName(g, g.Wrt[k])
	}
	for _, v := range ig.Wrt {
		ig.WrtSet[v] = true
	}
	fn, _, diags := inner.LowerFunction(ig, site.File)
	if len(diags) > 0 {
		var out []lower.Diagnostic
		for _, d := range diags {
			out = append(out, lower.Diagnostic{Pos: g.Dir.Pos, Message: fmt.Sprintf("gradgen cannot differentiate the JVP of %s again for its second derivatives: %s", g.Decl.Name.Name, d.Message)})
		}
		return nil, out
	}
	if withGradient {
		// The directional derivative was only differentiated: FHVP
		// returns the value, the gradient and H·v.
		dropResult(fn, 1)
	}
	return fn, nil
}

// keepCalledHelpers files the JVP helpers that generated code still calls
// (a call none of whose arguments vary stays a call); the others go.
func (p *Writer) keepCalledHelpers(candidates []*adjoint.Func, fileOf map[*adjoint.Func]*ast.File) {
	called := map[string]bool{}
	visit := func(body []adjoint.Stmt) {
		for _, s := range body {
			adjoint.WalkStmtExprs(s, func(e adjoint.Expr) {
				if c, ok := e.(adjoint.Call); ok {
					switch fun := c.Fun.(type) {
					case adjoint.Ident:
						called[fun.Name] = true
					case adjoint.Selector: // a helper method: n.jvpOfUnit(...)
						called[fun.Sel] = true
					case adjoint.Index: // a generic helper: jvpOfDot[float64](...)
						if id, ok := fun.X.(adjoint.Ident); ok {
							called[id.Name] = true
						}
					}
				}
			})
		}
	}
	for _, fs := range p.HelperFuncs {
		for _, h := range fs {
			visit(h.Body)
		}
	}
	for _, fn := range p.synth.made {
		visit(fn.Body)
	}
	for kept := true; kept; {
		kept = false
		for i, h := range candidates {
			if h != nil && called[h.Name] {
				p.HelperFuncs[fileOf[h]] = append(p.HelperFuncs[fileOf[h]], h)
				visit(h.Body)
				candidates[i] = nil
				kept = true
			}
		}
	}
}

// dropResult removes fn's k-th result, and the variable that held it when
// nothing else reads it.
func dropResult(fn *adjoint.Func, k int) {
	fn.Results = slices.Delete(fn.Results, k, k+1)
	var drop func(body []adjoint.Stmt) []adjoint.Stmt
	drop = func(body []adjoint.Stmt) []adjoint.Stmt {
		for i, s := range body {
			if r, ok := s.(adjoint.Return); ok && len(r.Results) > k {
				body[i] = adjoint.Return{Results: slices.Delete(slices.Clone(r.Results), k, k+1)}
				continue
			}
			body[i] = adjoint.MapBodies(s, func(b []adjoint.Stmt, _ bool) []adjoint.Stmt { return drop(b) })
		}
		return body
	}
	fn.Body = opt.DropUnused(drop(fn.Body), nil)
}

// directionName is the name of the direction for wrt input v: v for a
// function of one input, else vx, vy, ...
func directionName(g *lower.Target, v *types.Var) string {
	if len(g.Wrt) == 1 {
		return "v"
	}
	return "v" + v.Name()
}

// hvName is the name of H·v's part for wrt input v: hv, or hvx, hvy, ...
func hvName(g *lower.Target, v *types.Var) string {
	if len(g.Wrt) == 1 {
		return "hv"
	}
	return "hv" + v.Name()
}

// A synthetic package is the user's package with functions gradgen wrote
// added to it, type-checked again, so that gradgen can differentiate code
// it wrote: the JVPs whose reverse gives the second derivatives, and the
// scalar functions behind the VJPs of functions with outputs. The
// package's synthetic functions are collected while its directives are
// read and checked together once (runSynthetic): a check costs as much as
// type-checking the package.
type synthetic struct {
	*lower.Package
	userFile map[*ast.File]*ast.File // a synthetic file → the user's file its functions came from
}

// A syntheticBatch is the work waiting for the synthetic package.
type syntheticBatch struct {
	funcs   map[*ast.File][]*adjoint.Func // functions to add, by the user's file they came from
	sources []syntheticSource             // functions written as source
	jobs    []func(*synthetic) []lower.Diagnostic
	// jvpHelpers are the pushforward helpers of the JVPs, kept in the
	// output only where generated code calls them.
	jvpHelpers    []*adjoint.Func
	jvpHelperFile map[*adjoint.Func]*ast.File
	made          []*adjoint.Func // the functions the jobs filled in
}

type syntheticSource struct {
	file *ast.File
	src  []byte
}

func newSyntheticBatch() *syntheticBatch {
	return &syntheticBatch{funcs: map[*ast.File][]*adjoint.Func{}, jvpHelperFile: map[*adjoint.Func]*ast.File{}}
}

func (s *synthetic) decl(name string) *ast.FuncDecl {
	for f := range s.userFile {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name {
				return fd
			}
		}
	}
	panic("no function " + name + " in the synthetic files")
}

// RunSynthetic type-checks the synthetic package once and runs the work
// waiting for it, in the order it was asked for.
func (p *Writer) RunSynthetic() []lower.Diagnostic {
	b := p.synth
	if len(b.jobs) == 0 {
		return nil
	}
	inner, err := p.checkSynthetic()
	if err != nil {
		var pos token.Pos
		if len(p.Files) > 0 {
			pos = p.Files[0].Package
		}
		return []lower.Diagnostic{{Pos: pos, Message: fmt.Sprintf("internal error writing second derivatives or Jacobians: %v; please report it", err)}}
	}
	var diags []lower.Diagnostic
	for _, job := range b.jobs {
		diags = append(diags, job(inner)...)
	}
	// Helpers the reverse sweeps made go with the files of their callees.
	// In the order of the files' names: map order would change the output
	// from run to run.
	from := slices.Collect(maps.Keys(inner.HelperFuncs))
	slices.SortFunc(from, func(a, b *ast.File) int {
		return strings.Compare(p.Fset.Position(a.Package).Filename, p.Fset.Position(b.Package).Filename)
	})
	for _, f := range from {
		to := f
		if u, ok := inner.userFile[f]; ok {
			to = u
		}
		p.HelperFuncs[to] = append(p.HelperFuncs[to], inner.HelperFuncs[f]...)
	}
	for n := range inner.HelperNames {
		p.HelperNames[n] = true
	}
	p.keepCalledHelpers(b.jvpHelpers, b.jvpHelperFile)
	return diags
}

// checkSynthetic prints the batch's functions into files of the package
// next to the files they came from, parses them and type-checks the
// package with them. The package's generated files are left out: they may
// hold older versions of the same functions. Errors in the user's files (a
// call of a generated function the check leaves out) do not matter, nor
// soft ones (an import a synthetic file does not use); any other error in
// gradgen's files is a bug.
func (p *Writer) checkSynthetic() (*synthetic, error) {
	var files []*ast.File
	for _, uf := range p.Files {
		if !lower.IsOutputPath(p.Fset.Position(uf.Package).Filename) {
			files = append(files, uf)
		}
	}
	userFile := map[*ast.File]*ast.File{}
	paths := map[string]bool{}
	add := func(from *ast.File, src []byte) error {
		dir := filepath.Dir(p.Fset.Position(from.Package).Filename)
		path := filepath.Join(dir, fmt.Sprintf("gradgen_synthetic_%d.go", len(userFile)))
		f, err := parser.ParseFile(p.Fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		userFile[f] = from
		paths[path] = true
		if p.synthSrc == nil {
			p.synthSrc = map[string][]byte{}
		}
		p.synthSrc[path] = src
		files = append(files, f)
		return nil
	}
	for _, uf := range p.Files {
		if fs := p.synth.funcs[uf]; len(fs) > 0 {
			src, err := emit.File(&adjoint.File{Package: uf.Name.Name, Path: p.Pkg.Path(), Reserved: p.Pkg.Scope().Names(), Funcs: fs})
			if err != nil {
				return nil, err
			}
			if err := add(uf, src); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range p.synth.sources {
		if err := add(s.file, s.src); err != nil {
			return nil, err
		}
	}
	info := gotypes.NewInfo()
	var firstErr error
	conf := types.Config{
		Importer:  p.Importer(),
		GoVersion: p.Pkg.GoVersion(),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && firstErr == nil && !te.Soft && paths[te.Fset.Position(te.Pos).Filename] {
				firstErr = err
			}
		},
	}
	pkg, _ := conf.Check(p.Pkg.Path(), p.Fset, files, info)
	if firstErr != nil {
		return nil, firstErr
	}
	inner := p.Synthetic(pkg, info, files)
	return &synthetic{Package: inner, userFile: userFile}, nil
}
