package second

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"regexp"
	"strings"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
	"golang.org/x/tools/go/ast/astutil"
)

// outputScalarSource is the Go source of the scalar function outputVJP
// differentiates: F's parameters with y renamed (yOut) and the cotangent
// dy after them; F's body on a local copy y of the output; and, wherever
// F returns (early returns included), Σ dy[i]·y[i] returned instead.
func (p *Writer) outputScalarSource(g *lower.Target, file *ast.File, fn *ast.FuncDecl, name string) ([]byte, []lower.Diagnostic) {
	body := p.bodyOnLocalOutput(g, fn)
	fresh := p.freshNames(fn)
	y := g.Out.Name()
	nm := scalarNames{y: y, out: fresh(y + "Out"), dy: fresh("d" + y), r: fresh("r"), i: fresh("i"), mark: fresh("gradgenReturn")}
	qual := func(pkg *types.Package) string {
		name, _ := p.ImportName(file, pkg)
		return name
	}
	yType := types.TypeString(g.Out.Type(), qual)
	elem := types.TypeString(lower.OutputElem(g.Out.Type()), qual)
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\n", file.Name.Name)
	for _, imp := range file.Imports {
		b.WriteString("import " + p.nodeString(imp) + "\n")
	}
	b.WriteString("\nfunc ")
	if fn.Recv != nil {
		recv := fn.Recv.List[0]
		name := "_"
		if len(recv.Names) > 0 {
			name = recv.Names[0].Name
		}
		b.WriteString("(" + name + " " + p.nodeString(recv.Type) + ") ")
	}
	params := append(p.scalarParams(fn, nm), nm.dy+" "+yType)
	fmt.Fprintf(&b, "%s(%s) %s {\n", name, strings.Join(params, ", "), elem)
	copyIn, ret := outputCopyAndDot(g.Out.Type(), nm, yType, elem, qual, fresh)
	b.WriteString(copyIn)
	text, err := p.returnsReplaced(body, nm.mark, "{\n"+ret+"}")
	if err != nil {
		// The body printed by go/printer parses; failing here is a bug.
		return nil, []lower.Diagnostic{{Pos: fn.Name.Pos(), Message: fmt.Sprintf("internal error writing the VJP of %s: %v; please report it with this function", fn.Name.Name, err)}}
	}
	b.WriteString(text)
	b.WriteString(ret + "}\n")
	return b.Bytes(), nil
}

// scalarNames are the names outputScalarSource writes besides F's own: the
// output y, the parameter it is renamed to (out), the cotangent dy, the
// sum r, its loop index i, and the marker that stands for a return while
// the body is rewritten. All but y are fresh in F.
type scalarNames struct{ y, out, dy, r, i, mark string }

// bodyOnLocalOutput returns F's statements as the scalar function runs
// them on a local copy of the output: a pointer output's *y is read as y
// (on a clone, the user's tree untouched), and a final bare return goes,
// since every return is replaced by the sum's return after it.
func (p *Writer) bodyOnLocalOutput(g *lower.Target, fn *ast.FuncDecl) []ast.Stmt {
	body := fn.Body.List
	if _, ptr := g.Out.Type().Underlying().(*types.Pointer); ptr {
		// y is a local array or struct here, not a pointer: *y is y.
		cloned := p.CloneNode(fn.Body).(*ast.BlockStmt)
		body = astutil.Apply(cloned, func(c *astutil.Cursor) bool {
			if star, ok := c.Node().(*ast.StarExpr); ok {
				if id, ok := ast.Unparen(star.X).(*ast.Ident); ok && p.Info.ObjectOf(id) == g.Out {
					c.Replace(id)
				}
			}
			return true
		}, nil).(*ast.BlockStmt).List
	}
	if n := len(body); n > 0 {
		if r, ok := body[n-1].(*ast.ReturnStmt); ok && len(r.Results) == 0 {
			body = body[:n-1]
		}
	}
	return body
}

// freshNames returns a function that makes names, from a base, that
// neither fn nor the package's scope uses nor it returned before: the
// scalar function adds variables to fn's body, which must not capture or
// shadow any name it reads.
func (p *Writer) freshNames(fn *ast.FuncDecl) func(base string) string {
	taken := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			taken[id.Name] = true
		}
		return true
	})
	for _, n := range p.Pkg.Scope().Names() {
		taken[n] = true
	}
	return func(base string) string {
		name := base
		for i := 1; taken[name]; i++ {
			name = fmt.Sprintf("%s%d", base, i)
		}
		taken[name] = true
		return name
	}
}

// scalarParams returns F's parameters as the scalar function declares
// them: the output renamed (nm.out, so that y can be the local copy) and
// a variadic parameter as a slice, since the cotangent comes after it.
func (p *Writer) scalarParams(fn *ast.FuncDecl, nm scalarNames) []string {
	var params []string
	for _, field := range fn.Type.Params.List {
		var names []string
		for _, n := range field.Names {
			if n.Name == nm.y {
				names = append(names, nm.out)
			} else {
				names = append(names, n.Name)
			}
		}
		typ := p.nodeString(field.Type)
		if e, ok := field.Type.(*ast.Ellipsis); ok {
			// The cotangent comes after: a variadic parameter is a slice here.
			typ = "[]" + p.nodeString(e.Elt)
		}
		params = append(params, strings.Join(names, ", ")+" "+typ)
	}
	return params
}

// outputCopyAndDot returns the source that starts the scalar function,
// copying the output's incoming contents into the local y, and the source
// that ends it, returning Σ dy·y, for an output of type outType (printed
// outTypeSrc, with qual; elem is its float type printed).
func outputCopyAndDot(outType types.Type, nm scalarNames, outTypeSrc, elem string, qual types.Qualifier, fresh func(string) string) (copyIn, ret string) {
	y, outName, dy, r, i := nm.y, nm.out, nm.dy, nm.r, nm.i
	if st := lower.OutputStruct(outType); st != nil {
		// A struct, not a pointer: y.X reads the same, and reverse mode
		// follows a local struct. Its incoming contents are copied (its
		// passive fields may be read), and Σ dy·y runs over its floats.
		copyIn = fmt.Sprintf("var %s %s\n%s = *%s\n", y, types.TypeString(outType.Underlying().(*types.Pointer).Elem(), qual), y, outName)
		ret = fmt.Sprintf("var %s %s\n%sreturn %s\n", r, elem, floatDot(st, r, dy, y, "", fresh), r)
		return copyIn, ret
	}
	if ptr, ok := outType.Underlying().(*types.Pointer); ok {
		// An array, not a pointer: y[i] reads the same, and reverse mode
		// follows a local array.
		copyIn = fmt.Sprintf("var %s %s\n", y, types.TypeString(ptr.Elem(), qual))
	} else {
		copyIn = fmt.Sprintf("%s := make(%s, len(%s))\n", y, outTypeSrc, outName)
	}
	copyIn += fmt.Sprintf("for %s := range %s {\n%s[%s] = %s[%s]\n}\n", i, outName, y, i, outName, i)
	ret = fmt.Sprintf("var %s %s\nfor %s := range %s {\n%s += %s[%s] * %s[%s]\n}\nreturn %s\n", r, elem, i, y, r, dy, i, y, i, r)
	return copyIn, ret
}

// floatDot is the source of r += dy.path * y.path for every float
// component path of t (a static struct or array, as outputStruct allows),
// arrays walked by loops.
func floatDot(t types.Type, r, dy, y, path string, fresh func(string) string) string {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if gotypes.IsFloat(u) {
			return fmt.Sprintf("%s += %s%s * %s%s\n", r, dy, path, y, path)
		}
	case *types.Array:
		i := fresh("i")
		inner := floatDot(u.Elem(), r, dy, y, path+"["+i+"]", fresh)
		if inner != "" {
			return fmt.Sprintf("for %s := range %s%s {\n%s}\n", i, y, path, inner)
		}
	case *types.Struct:
		var b strings.Builder
		for k := range u.NumFields() {
			f := u.Field(k)
			if f.Name() == "_" {
				continue
			}
			b.WriteString(floatDot(f.Type(), r, dy, y, path+"."+f.Name(), fresh))
		}
		return b.String()
	}
	return ""
}

// returnsReplaced prints stmts with each return statement (outside
// function literals) replaced by the statement text with: the body is
// printed, parsed again as a fresh tree, its returns replaced by the
// marker identifier, printed, and the markers replaced by with. The
// user's tree is left as it is.
func (p *Writer) returnsReplaced(stmts []ast.Stmt, marker, with string) (string, error) {
	var src strings.Builder
	src.WriteString("package p\nfunc _() {\n")
	for _, s := range stmts {
		src.WriteString(p.nodeString(s) + "\n")
	}
	src.WriteString("}\n")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src.String(), 0)
	if err != nil {
		return "", err
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	astutil.Apply(body, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			c.Replace(&ast.ExprStmt{X: ast.NewIdent(marker)})
		}
		return true
	}, nil)
	var out bytes.Buffer
	for _, s := range body.List {
		if err := printer.Fprint(&out, fset, s); err != nil {
			return "", err
		}
		out.WriteString("\n")
	}
	return regexp.MustCompile(`\b`+marker+`\b`).ReplaceAllLiteralString(out.String(), with), nil
}

// nodeString prints a node of the user's source.
func (p *Writer) nodeString(n ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, p.Fset, n); err != nil {
		panic(err)
	}
	return b.String()
}
