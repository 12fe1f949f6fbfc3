package adjoint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestCheck feeds Check hand-written adjoint programs, each broken in one
// way, and requires it to say so; and correct ones, which it must pass. The
// programs are written as Go source and converted (see fromGo) so that they
// read as what they model, the output of a lowering.
func TestCheck(t *testing.T) {
	// tapeLoop is the shape of a gradient with a loop: forward, a trip
	// count, a value saved on every trip and another on some, a branch
	// record; backward, the trips counted down and the tapes popped.
	tapeLoop := func(thenPops, elsePops string) string {
		return `func FGrad(x float64, n int) (float64, float64) {
	var s float64
	var trips int
	var sTape, condTape []float64
	s = x
	trips = 0
	for i := 0; i < n; i++ {
		trips++
		sTape = append(sTape, s)
		s = s * x
		if s > 1 {
			condTape = append(condTape, 1)
			sTape = append(sTape, s)
			s = s * s
		} else {
			condTape = append(condTape, 0)
		}
	}
	f := s
	ds := 1.0
	var dx float64
	for ; trips > 0; trips-- {
		cond := condTape[len(condTape)-1] != 0
		condTape = condTape[:len(condTape)-1]
		if cond {
			` + thenPops + `
		} else {
			` + elsePops + `
		}
		s = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
		dx += s * ds
		ds = x * ds
	}
	dx += ds
	return f, dx
}`
	}
	// arrayLoop loops over an array, whose length a backward loop of
	// constant trips knows; the array's type is known for a, not for m.W.
	arrayLoop := func(array, trips string) string {
		return `func FGrad(m cases.M, a [3]float64, x float64) float64 {
	var sTape []float64
	s := x
	for i := range ` + array + ` {
		sTape = append(sTape, s)
		s = s * ` + array + `[i]
	}
	f := s
	for trip := ` + trips + `; trip > 0; trip-- {
		s = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return f
}`
	}
	const pop = "s = sTape[len(sTape)-1]\n sTape = sTape[:len(sTape)-1]\n ds = 2 * s * ds"
	tapes := &Env{Tapes: map[string]bool{"sTape": true, "condTape": true}, Final: true}

	for _, tc := range []struct {
		name string
		src  string
		env  *Env
		want string // a part of one error; "" for a correct program
	}{
		// Correct programs.
		{"balanced tapes", tapeLoop(pop, ""), tapes, ""},
		{"early return", `func FGrad(x float64, n int) (float64, float64) {
	var f, t float64
	var done bool
	var trips int
	var doneTape, tTape []float64
	done = false
	trips = 0
	for i := 0; i < n; i++ {
		trips++
		doneTape = append(doneTape, 0)
		t = x * x
		if t > 3 {
			f = t
			goto reverse
		}
		doneTape[len(doneTape)-1] = 1
		tTape = append(tTape, t)
		x = t
	}
	done = true
	f = x
reverse:
	var dx float64
	if done {
		dx = 1
	}
	for ; trips > 0; trips-- {
		done1 := doneTape[len(doneTape)-1] != 0
		doneTape = doneTape[:len(doneTape)-1]
		if done1 {
			x = tTape[len(tTape)-1]
			tTape = tTape[:len(tTape)-1]
		}
		dx = 2 * x * dx
	}
	return f, dx
}`, &Env{Tapes: map[string]bool{"doneTape": true, "tTape": true}, Final: true}, ""},
		{"scopes and outer names", `func FGrad(w []float64, dw []float64) float64 {
	const c = 2
	s := 0.0
	for i, v := range w {
		t := helper(v) * c
		s += t
		dw[i] += c
	}
	if t := s * 2; t > 1 {
		s = t
	}
	x := math.Sqrt(s)
	return x
}`, &Env{Outer: map[string]bool{"helper": true}, Final: true}, ""},
		{"adjoint pending declaration", `func FGrad(x float64) (float64, float64) {
	y := x * x
	dx = 2 * x
	return y, dx
}`, &Env{Pending: map[string]bool{"dx": true}}, ""},
		{"views", `func FGrad(W []float64, n int, dW []float64) float64 {
	var row, drow []float64
	var rowTape, drowTape [][]float64
	var trips int
	s := 0.0
	trips = 0
	for k := 0; k < n; k++ {
		trips++
		rowTape = append(rowTape, row)
		drowTape = append(drowTape, drow)
		row = W[k : k+2]
		drow = dW[k : k+2]
		s += row[0]
	}
	for ; trips > 0; trips-- {
		drow[0] += 1
		drow = drowTape[len(drowTape)-1]
		drowTape = drowTape[:len(drowTape)-1]
		row = rowTape[len(rowTape)-1]
		rowTape = rowTape[:len(rowTape)-1]
	}
	return s
}`, &Env{Views: map[string]string{"drow": "row", "dW": "W"}, Tapes: map[string]bool{"rowTape": true, "drowTape": true}}, ""},
		{"loop over an array", arrayLoop("m.W", "3"), &Env{Tapes: map[string]bool{"sTape": true}, Final: true}, ""},
		{"partial program", `func FGrad(x float64, n int) float64 {
	var sTape []float64
	for i := 0; i < n; i++ {
		sTape = append(sTape, x)
	}
}`, &Env{Tapes: map[string]bool{"sTape": true}, Partial: true}, ""},

		// Scoping.
		{"use before declaration", `func FGrad(x float64) float64 {
	y := x * z
	z := 2.0
	return y * z
}`, nil, "z is used where no declaration of it is in scope"},
		{"use outside its block", `func FGrad(x float64) float64 {
	if x > 0 {
		t := x * x
		x = t
	}
	return t
}`, nil, "t is used where no declaration of it is in scope"},
		{"undeclared", `func FGrad(x float64) float64 {
	dx = 1
	return x
}`, nil, "dx is assigned but declared nowhere"},
		{"unknown function", `func FGrad(x float64) float64 {
	return helper(x)
}`, nil, "helper is used but declared nowhere"},
		{"duplicate declaration", `func FGrad(x float64) float64 {
	var t float64
	var t float64
	return x
}`, nil, "t redeclared in this block"},
		{"parameter declared again", `func FGrad(x float64) float64 {
	var x float64
	return x
}`, nil, "x redeclared in this block"},
		{"no new variables", `func FGrad(x float64) float64 {
	t := x
	t := x * x
	return t
}`, nil, "no new variables on the left side of :="},
		{"assign a constant", `func FGrad(x float64) float64 {
	const c = 2
	c = 3
	return x
}`, nil, "cannot assign to the constant c"},

		// Control.
		{"missing label", `func FGrad(x float64) float64 {
	if x > 0 {
		goto reverse
	}
	return x
}`, nil, "goto reverse: no such label"},
		{"goto over a declaration", `func FGrad(x float64) float64 {
	goto reverse
	t := x
reverse:
	return t
}`, nil, "goto reverse jumps over the declaration of t"},
		{"goto into a block", `func FGrad(x float64) float64 {
	goto inner
	if x > 0 {
	inner:
		x = 1
	}
	return x
}`, nil, "goto inner jumps into a block"},
		{"break outside a loop", `func FGrad(x float64) float64 {
	break
	return x
}`, nil, "break outside a loop or switch"},
		{"continue to a switch", `func FGrad(x float64, n int) float64 {
sw:
	switch n {
	case 1:
		continue sw
	}
	return x
}`, nil, "sw labels a switch, not a loop"},
		{"missing return", `func FGrad(x float64) float64 {
	x = x * x
}`, nil, "missing return"},
		{"wrong number of results", `func FGrad(x float64) (float64, float64) {
	return x
}`, nil, "return with 1 values in a function with 2 results"},

		// Types.
		{"mismatched operands", `func FGrad(x float64, n int) float64 {
	t := x * n
	return t
}`, nil, "mismatched types float64 and int under *"},
		{"mismatched assignment", `func FGrad(x float64, n int) float64 {
	i := 0
	i = x
	return x
}`, nil, "cannot assign a value of type float64 to i of type int"},
		{"fraction into an int", `func FGrad(x float64, n int) float64 {
	n = 0.5
	return x
}`, nil, "cannot assign a value of type untyped float to n of type int"},
		{"float index", `func FGrad(w []float64, x float64) float64 {
	return w[x]
}`, nil, "index x of type float64 is not an integer"},
		{"append of the wrong type", `func FGrad(x float32, n int) float64 {
	var tTape []float64
	tTape = append(tTape, x)
	return 0
}`, nil, "cannot assign a value of type float32 to an element appended to tTape"},
		{"composite element", `func FGrad(x float64) float64 {
	a := [2]int{1, x}
	return x
}`, nil, "cannot assign a value of type float64 to an element of [2]int"},

		// Views.
		{"view of a value", `func FGrad(W []float64, n int, dW []float64) float64 {
	row := W[1:]
	drow := W[1:]
	drow[0] += row[0]
	return 0
}`, &Env{Views: map[string]string{"drow": "row", "dW": "W"}}, "drow, the adjoint of the reference value row, is assigned W[1:], which is not a view of an adjoint buffer"},
		{"view that does not mirror", `func FGrad(W []float64, n int, dW []float64) float64 {
	row := W[1:]
	drow := dW[2:]
	drow[0] += row[0]
	return 0
}`, &Env{Views: map[string]string{"drow": "row", "dW": "W"}}, "row is never assigned W[2:]"},

		// Tapes.
		{"pop missing in a branch", tapeLoop("", ""), tapes, "tape sTape holds"},
		{"pop in the wrong branch", tapeLoop("", pop), tapes, "tapes do not balance"},
		{"pushed, never popped", `func FGrad(x float64, n int) float64 {
	var sTape []float64
	for i := 0; i < n; i++ {
		sTape = append(sTape, x)
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "tape sTape is pushed but never popped"},
		{"popped, never pushed", `func FGrad(x float64, n int) float64 {
	var sTape []float64
	for i := 0; i < n; i++ {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "tape sTape is popped or read but never pushed"},
		{"popped more than pushed", `func FGrad(x float64, n int) float64 {
	var trips int
	var sTape []float64
	trips = 0
	for i := 0; i < n; i++ {
		trips++
		sTape = append(sTape, x)
	}
	for ; trips > 0; trips-- {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "tape sTape popped while empty"},
		{"array loop reversed too few times", arrayLoop("a", "2"), &Env{Tapes: map[string]bool{"sTape": true}}, "tape sTape holds 1 value(s)"},
		{"storage while full", `func FGrad(x float64, n int) float64 {
	var trips int
	var sTape []float64
	var tapeArray [8]float64
	for j := 0; j < 2; j++ {
		sTape = tapeArray[:0]
		trips = 0
		for i := 0; i < n; i++ {
			trips++
			sTape = append(sTape, x)
		}
		for ; trips > 1; trips-- {
			x = sTape[len(sTape)-1]
			sTape = sTape[:len(sTape)-1]
		}
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "given new storage while it holds"},

		// Tapes moved to larger storage keep their values.
		{"tape moved while full", `func FGrad(x float64, n int) float64 {
	var trips int
	var sTape []float64
	var buf *[]float64
	var tapeArray [1]float64
	sTape = tapeArray[:0]
	buf = new([]float64)
	trips = 0
	for i := 0; i < n; i++ {
		if cap(sTape)-len(sTape) < 1 {
			*buf = make([]float64, 2*cap(sTape)+1)
			sTape = (*buf)[:copy(*buf, sTape)]
		}
		trips++
		sTape = append(sTape, x)
	}
	for ; trips > 0; trips-- {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, ""},
		// Trip counts evaluated again going back: a parameter and a
		// slice's length have one value per run, as in a call.
		{"trips evaluated again", `func FGrad(x float64, xs []float64, n int) float64 {
	var sTape, tTape []float64
	for i := 0; i < n; i++ {
		sTape = append(sTape, x)
	}
	for range xs {
		tTape = append(tTape, x)
	}
	for trip := len(xs); trip > 0; trip-- {
		x = tTape[len(tTape)-1]
		tTape = tTape[:len(tTape)-1]
	}
	for trip := max(0, n); trip > 0; trip-- {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true, "tTape": true}}, ""},
		{"trips evaluated again, one too many", `func FGrad(x float64, n int) float64 {
	var sTape []float64
	for i := 0; i < n; i++ {
		sTape = append(sTape, x)
	}
	for trip := max(0, n+1); trip > 0; trip-- {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "read while empty"},
		{"len evaluated again, one too many", `func FGrad(x float64, xs []float64) float64 {
	var sTape []float64
	for range xs {
		sTape = append(sTape, x)
	}
	for trip := len(xs) + 1; trip > 0; trip-- {
		x = sTape[len(sTape)-1]
		sTape = sTape[:len(sTape)-1]
	}
	return x
}`, &Env{Tapes: map[string]bool{"sTape": true}}, "read while empty"},

		// Rules a finished function must keep.
		{"unused variable", `func FGrad(x float64) float64 {
	t := x * x
	return x
}`, &Env{Final: true}, "t declared and not used"},
		{"unused label", `func FGrad(x float64) float64 {
reverse:
	return x
}`, &Env{Final: true}, "label reverse defined and not used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fromGo(t, tc.src)
			errs := Check(f, tc.env)
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, err.Error())
			}
			all := strings.Join(msgs, "\n")
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("correct program rejected:\n%s\n%s", all, FuncString(f))
			case tc.want != "" && !strings.Contains(all, tc.want):
				t.Errorf("want an error containing %q, got:\n%s\n%s", tc.want, all, FuncString(f))
			}
		})
	}
}

// TestCheckIR covers what Go source cannot say: statements and expressions
// missing from the tree, a range value without a key.
func TestCheckIR(t *testing.T) {
	x := Param{Name: "x", Type: Named{Name: "float64"}}
	for _, tc := range []struct {
		name string
		body []Stmt
		want string
	}{
		{"nil statement", []Stmt{nil, Return{Results: []Expr{Id("x")}}}, "nil statement"},
		{"nil operand", []Stmt{Return{Results: []Expr{Bin("*", Id("x"), nil)}}}, "missing expression"},
		{"range value without key", []Stmt{
			Range{Value: Id("v"), Define: true, X: Composite{Type: Slice{Elem: Named{Name: "float64"}}}},
			Return{Results: []Expr{Id("x")}},
		}, "range with a value but no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &Func{Name: "FGrad", Params: []Param{x}, Results: []Param{{Type: x.Type}}, Body: tc.body}
			errs := Check(f, nil)
			if !strings.Contains(fmt.Sprint(errs), tc.want) {
				t.Errorf("want an error containing %q, got %v", tc.want, errs)
			}
		})
	}
}

// TestCheckPool: the statements that take tape storage from a pool (a
// comma-ok type assertion, a deferred call, a package-level pool) pass the
// check; a defer of a non-call and a three-name assertion do not.
func TestCheckPool(t *testing.T) {
	f64s := Slice{Elem: Named{Name: "float64"}}
	buf, pool := Id("tapeBuf"), Id("fGradTapes")
	deref := Unary{Op: "*", X: buf}
	get := TypeAssert{X: Call{Fun: Selector{X: pool, Sel: "Get"}}, Type: Pointer{Elem: f64s}}
	put := Call{Fun: Selector{X: pool, Sel: "Put"}, Args: []Expr{buf}}
	n := Param{Name: "n", Type: Named{Name: "int"}}
	body := func(take Stmt, deferred Expr) []Stmt {
		return []Stmt{
			VarDecl{Names: []string{"tape"}, Type: f64s},
			take,
			If{Cond: Bin("==", buf, Literal("nil")), Then: []Stmt{Set(buf, "=", Call{Fun: Id("new"), Args: []Expr{TypeExpr{Type: f64s}}})}},
			Defer{Call: deferred},
			If{Cond: Bin("<", Call{Fun: Id("cap"), Args: []Expr{deref}}, Id("n")), Then: []Stmt{
				Set(deref, "=", Call{Fun: Id("make"), Args: []Expr{TypeExpr{Type: f64s}, Id("n")}}),
			}},
			Set(Id("tape"), "=", SliceExpr{X: deref, Hi: Literal("0"), Max: Id("n")}),
			Set(Id("tape"), "=", Call{Fun: Id("append"), Args: []Expr{Id("tape"), Literal("1")}}),
			Return{Results: []Expr{Index{X: Id("tape"), Index: Literal("0")}}},
		}
	}
	check := func(b []Stmt) []error {
		f := &Func{Name: "FGrad", Params: []Param{n}, Results: []Param{{Type: Named{Name: "float64"}}}, Body: b,
			Globals: []Param{{Name: "fGradTapes", Type: Named{Path: "sync", Name: "Pool"}}}}
		return Check(f, &Env{Outer: map[string]bool{}, Final: true})
	}
	take := Assign{Lhs: []Expr{buf, Id("_")}, Op: ":=", Rhs: []Expr{get}}
	if errs := check(body(take, put)); len(errs) > 0 {
		t.Errorf("pooled storage: %v", errs)
	}
	if errs := check(body(take, buf)); !strings.Contains(fmt.Sprint(errs), "defer of tapeBuf, which is not a call") {
		t.Errorf("defer of a name: got %v", errs)
	}
	three := Assign{Lhs: []Expr{buf, Id("_"), Id("z")}, Op: ":=", Rhs: []Expr{get}}
	if errs := check(body(three, put)); !strings.Contains(fmt.Sprint(errs), "assignment mismatch") {
		t.Errorf("three names for an assertion: got %v", errs)
	}
	if got := FuncString(&Func{Name: "F", Body: []Stmt{take, Defer{Call: put}}, Globals: []Param{{Name: "fGradTapes", Type: Named{Path: "sync", Name: "Pool"}}}}); !strings.Contains(got, "var fGradTapes sync.Pool\n\nfunc F() {\n\ttapeBuf, _ := fGradTapes.Get().(*[]float64)\n\tdefer fGradTapes.Put(tapeBuf)") {
		t.Errorf("FuncString:\n%s", got)
	}
}

// fromGo converts the Go source of one function into an adjoint program.
// It knows the constructs lowerings produce, nothing more; names are not
// resolved (that is Check's job), so the source need not compile.
func fromGo(t *testing.T, src string) *Func {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "f.go", "package p\n\n"+src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	fd := file.Decls[0].(*ast.FuncDecl)
	c := &goConv{t: t}
	f := &Func{Name: fd.Name.Name, Params: c.fields(fd.Type.Params), Results: c.fields(fd.Type.Results)}
	f.Body = c.stmts(fd.Body.List)
	return f
}

type goConv struct{ t *testing.T }

func (c *goConv) fields(fl *ast.FieldList) []Param {
	if fl == nil {
		return nil
	}
	var out []Param
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			out = append(out, Param{Type: c.typ(f.Type)})
		}
		for _, n := range f.Names {
			out = append(out, Param{Name: n.Name, Type: c.typ(f.Type)})
		}
	}
	return out
}

func (c *goConv) typ(e ast.Expr) Type {
	switch e := e.(type) {
	case nil:
		return nil
	case *ast.Ident:
		return Named{Name: e.Name}
	case *ast.SelectorExpr:
		return Named{Path: e.X.(*ast.Ident).Name, Name: e.Sel.Name}
	case *ast.StarExpr:
		return Pointer{Elem: c.typ(e.X)}
	case *ast.ArrayType:
		if e.Len == nil {
			return Slice{Elem: c.typ(e.Elt)}
		}
		var n int64
		fmt.Sscan(e.Len.(*ast.BasicLit).Value, &n)
		return Array{Len: n, Elem: c.typ(e.Elt)}
	}
	c.t.Fatalf("fromGo: type %T", e)
	return nil
}

func (c *goConv) exprs(es []ast.Expr) []Expr {
	var out []Expr
	for _, e := range es {
		out = append(out, c.expr(e))
	}
	return out
}

func (c *goConv) expr(e ast.Expr) Expr {
	switch e := e.(type) {
	case nil:
		return nil
	case *ast.Ident:
		return Ident{Name: e.Name}
	case *ast.BasicLit:
		return Lit{Text: e.Value}
	case *ast.ParenExpr:
		return Paren{X: c.expr(e.X)}
	case *ast.BinaryExpr:
		return Binary{Op: e.Op.String(), X: c.expr(e.X), Y: c.expr(e.Y)}
	case *ast.UnaryExpr:
		return Unary{Op: e.Op.String(), X: c.expr(e.X)}
	case *ast.StarExpr:
		return Unary{Op: "*", X: c.expr(e.X)}
	case *ast.CallExpr:
		return Call{Fun: c.expr(e.Fun), Args: c.exprs(e.Args), Ellipsis: e.Ellipsis.IsValid()}
	case *ast.ArrayType:
		return TypeExpr{Type: c.typ(e)}
	case *ast.IndexExpr:
		return Index{X: c.expr(e.X), Index: c.expr(e.Index)}
	case *ast.SliceExpr:
		return SliceExpr{X: c.expr(e.X), Lo: c.expr(e.Low), Hi: c.expr(e.High), Max: c.expr(e.Max)}
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok && id.Name == "math" {
			return Qual{Path: "math", Name: e.Sel.Name}
		}
		return Selector{X: c.expr(e.X), Sel: e.Sel.Name}
	case *ast.CompositeLit:
		return Composite{Type: c.typ(e.Type), Elts: c.exprs(e.Elts)}
	case *ast.KeyValueExpr:
		return KeyValue{Key: c.expr(e.Key), Value: c.expr(e.Value)}
	}
	c.t.Fatalf("fromGo: expression %T", e)
	return nil
}

func (c *goConv) stmts(list []ast.Stmt) []Stmt {
	var out []Stmt
	for _, s := range list {
		out = append(out, c.stmt(s)...)
	}
	return out
}

func (c *goConv) simple(s ast.Stmt) Stmt {
	if s == nil {
		return nil
	}
	return c.stmt(s)[0]
}

func (c *goConv) stmt(s ast.Stmt) []Stmt {
	switch s := s.(type) {
	case *ast.AssignStmt:
		return []Stmt{Assign{Lhs: c.exprs(s.Lhs), Op: s.Tok.String(), Rhs: c.exprs(s.Rhs)}}
	case *ast.DeclStmt:
		g := s.Decl.(*ast.GenDecl)
		var out []Stmt
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			d := VarDecl{Const: g.Tok == token.CONST, Type: c.typ(vs.Type), Values: c.exprs(vs.Values)}
			for _, n := range vs.Names {
				d.Names = append(d.Names, n.Name)
			}
			out = append(out, d)
		}
		return out
	case *ast.IncDecStmt:
		return []Stmt{IncDec{X: c.expr(s.X), Inc: s.Tok == token.INC}}
	case *ast.ExprStmt:
		return []Stmt{ExprStmt{X: c.expr(s.X)}}
	case *ast.IfStmt:
		out := If{Init: c.simple(s.Init), Cond: c.expr(s.Cond), Then: c.stmts(s.Body.List)}
		if s.Else != nil {
			out.Else = c.stmt(s.Else)
			if b, ok := s.Else.(*ast.BlockStmt); ok {
				out.Else = c.stmts(b.List)
			}
		}
		return []Stmt{out}
	case *ast.ForStmt:
		return []Stmt{For{Init: c.simple(s.Init), Cond: c.expr(s.Cond), Post: c.simple(s.Post), Body: c.stmts(s.Body.List)}}
	case *ast.RangeStmt:
		return []Stmt{Range{Key: c.expr(s.Key), Value: c.expr(s.Value), Define: s.Tok == token.DEFINE, X: c.expr(s.X), Body: c.stmts(s.Body.List)}}
	case *ast.SwitchStmt:
		out := Switch{Init: c.simple(s.Init), Tag: c.expr(s.Tag)}
		for _, cl := range s.Body.List {
			cc := cl.(*ast.CaseClause)
			out.Cases = append(out.Cases, Case{List: c.exprs(cc.List), Body: c.stmts(cc.Body)})
		}
		return []Stmt{out}
	case *ast.ReturnStmt:
		return []Stmt{Return{Results: c.exprs(s.Results)}}
	case *ast.BranchStmt:
		label := ""
		if s.Label != nil {
			label = s.Label.Name
		}
		if s.Tok == token.GOTO {
			return []Stmt{Goto{Label: label}}
		}
		return []Stmt{Branch{Tok: s.Tok.String(), Label: label}}
	case *ast.LabeledStmt:
		inner := c.stmt(s.Stmt)
		if len(inner) == 1 {
			switch x := inner[0].(type) {
			case For:
				x.Label = s.Label.Name
				return []Stmt{x}
			case Range:
				x.Label = s.Label.Name
				return []Stmt{x}
			case Switch:
				x.Label = s.Label.Name
				return []Stmt{x}
			}
		}
		return append([]Stmt{Labeled{Label: s.Label.Name}}, inner...)
	case *ast.BlockStmt:
		return []Stmt{Block{Body: c.stmts(s.List)}}
	case *ast.EmptyStmt:
		return nil
	}
	c.t.Fatalf("fromGo: statement %T", s)
	return nil
}
