package adjoint

import (
	"fmt"
	"path"
	"strings"
)

// ExprString prints e in Go syntax. Qualified names print with the last
// element of their package path (math.Sqrt), which is what a reader expects
// in a graph label or an error message.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// TypeString prints t in Go syntax.
func TypeString(t Type) string {
	var b strings.Builder
	writeType(&b, t)
	return b.String()
}

func writeType(b *strings.Builder, t Type) {
	switch t := t.(type) {
	case Named:
		if t.Path != "" {
			b.WriteString(path.Base(t.Path) + ".")
		}
		b.WriteString(t.Name)
	case Slice:
		b.WriteString("[]")
		writeType(b, t.Elem)
	case Array:
		fmt.Fprintf(b, "[%d]", t.Len)
		writeType(b, t.Elem)
	case Pointer:
		b.WriteString("*")
		writeType(b, t.Elem)
	case Map:
		b.WriteString("map[")
		writeType(b, t.Key)
		b.WriteString("]")
		writeType(b, t.Elem)
	case Opaque:
		b.WriteString(t.Text)
	default:
		fmt.Fprintf(b, "<%T>", t)
	}
}

// writeExpr prints one expression as Go source.
//
// It is long by design: one case per kind of expression of the IR, a table
// that reads best in one place.
func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case Ident:
		b.WriteString(e.Name)
	case Qual:
		if e.Path != "" {
			b.WriteString(path.Base(e.Path) + ".")
		}
		b.WriteString(e.Name)
	case Lit:
		b.WriteString(e.Text)
	case Binary:
		writeExpr(b, Operand(e.X, e.Op, false))
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, Operand(e.Y, e.Op, true))
	case Unary:
		b.WriteString(e.Op)
		switch e.X.(type) {
		case Binary, Unary: // "- -x" must not print as "--x"
			writeExpr(b, Paren{X: e.X})
		default:
			writeExpr(b, e.X)
		}
	case Paren:
		b.WriteString("(")
		writeExpr(b, e.X)
		b.WriteString(")")
	case Call:
		writePrimary(b, e.Fun)
		b.WriteString("(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a)
		}
		if e.Ellipsis {
			b.WriteString("...")
		}
		b.WriteString(")")
	case TypeExpr:
		writeType(b, e.Type)
	case TypeAssert:
		writePrimary(b, e.X)
		b.WriteString(".(")
		writeType(b, e.Type)
		b.WriteString(")")
	case Index:
		writePrimary(b, e.X)
		b.WriteString("[")
		writeExpr(b, e.Index)
		b.WriteString("]")
	case SliceExpr:
		writePrimary(b, e.X)
		b.WriteString("[")
		for i, x := range []Expr{e.Lo, e.Hi, e.Max} {
			if i == 2 && x == nil {
				break
			}
			if i > 0 {
				b.WriteString(":")
			}
			if x != nil {
				writeExpr(b, x)
			}
		}
		b.WriteString("]")
	case Selector:
		writePrimary(b, e.X)
		b.WriteString("." + e.Sel)
	case Composite:
		writeType(b, e.Type)
		b.WriteString("{")
		for i, x := range e.Elts {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, x)
		}
		b.WriteString("}")
	case KeyValue:
		writeExpr(b, e.Key)
		b.WriteString(": ")
		writeExpr(b, e.Value)
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

// StmtString prints s in Go syntax, nested blocks indented by a tab, without
// gofmt's alignment. It is meant for tests and debugging; emit produces the
// real source.
func StmtString(s Stmt) string {
	var b strings.Builder
	writeStmt(&b, s, 0)
	return strings.TrimSuffix(b.String(), "\n")
}

func writeBody(b *strings.Builder, body []Stmt, depth int) {
	for _, s := range body {
		writeStmt(b, s, depth)
	}
}

func exprList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = ExprString(e)
	}
	return strings.Join(parts, ", ")
}

func simpleStmt(s Stmt) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(StmtString(s))
}

// writeStmt prints one statement as Go source.
//
// It is long by design: one case per kind of statement of the IR, a table
// that reads best in one place.
func writeStmt(b *strings.Builder, s Stmt, depth int) {
	ind := strings.Repeat("\t", depth)
	line := func(format string, args ...any) {
		b.WriteString(ind)
		fmt.Fprintf(b, format, args...)
		b.WriteString("\n")
	}
	label := func(l string) string {
		if l == "" {
			return ""
		}
		return l + ":\n" + ind
	}
	switch s := s.(type) {
	case Assign:
		line("%s %s %s", exprList(s.Lhs), s.Op, exprList(s.Rhs))
	case VarDecl:
		kw := "var "
		if s.Const {
			kw = "const "
		}
		text := kw + strings.Join(s.Names, ", ")
		if s.Type != nil {
			text += " " + TypeString(s.Type)
		}
		if len(s.Values) > 0 {
			text += " = " + exprList(s.Values)
		}
		line("%s", text)
	case IncDec:
		op := "--"
		if s.Inc {
			op = "++"
		}
		line("%s%s", ExprString(s.X), op)
	case ExprStmt:
		line("%s", ExprString(s.X))
	case Defer:
		line("defer %s", ExprString(s.Call))
	case If:
		b.WriteString(ind)
		for {
			b.WriteString("if ")
			if s.Init != nil {
				b.WriteString(simpleStmt(s.Init) + "; ")
			}
			b.WriteString(ExprString(s.Cond) + " {\n")
			writeBody(b, s.Then, depth+1)
			b.WriteString(ind + "}")
			if len(s.Else) == 0 {
				break
			}
			if elif, ok := s.Else[0].(If); ok && len(s.Else) == 1 {
				b.WriteString(" else ")
				s = elif
				continue
			}
			b.WriteString(" else {\n")
			writeBody(b, s.Else, depth+1)
			b.WriteString(ind + "}")
			break
		}
		b.WriteString("\n")
	case For:
		head := "for "
		if s.Init != nil || s.Post != nil {
			head += simpleStmt(s.Init) + "; "
			if s.Cond != nil {
				head += ExprString(s.Cond)
			}
			head += "; " + simpleStmt(s.Post) + " "
		} else if s.Cond != nil {
			head += ExprString(s.Cond) + " "
		}
		line("%s%s{", label(s.Label), head)
		writeBody(b, s.Body, depth+1)
		line("}")
	case Range:
		head := "for "
		if s.Key != nil {
			head += ExprString(s.Key)
			if s.Value != nil {
				head += ", " + ExprString(s.Value)
			}
			if s.Define {
				head += " := "
			} else {
				head += " = "
			}
		}
		line("%s%srange %s {", label(s.Label), head, ExprString(s.X))
		writeBody(b, s.Body, depth+1)
		line("}")
	case Switch:
		head := "switch "
		if s.Init != nil {
			head += simpleStmt(s.Init) + "; "
		}
		if s.Tag != nil {
			head += ExprString(s.Tag) + " "
		}
		line("%s%s{", label(s.Label), head)
		for _, c := range s.Cases {
			if len(c.List) == 0 {
				line("default:")
			} else {
				line("case %s:", exprList(c.List))
			}
			writeBody(b, c.Body, depth+1)
		}
		line("}")
	case Return:
		if len(s.Results) == 0 {
			line("return")
		} else {
			line("return %s", exprList(s.Results))
		}
	case Branch:
		if s.Label != "" {
			line("%s %s", s.Tok, s.Label)
		} else {
			line("%s", s.Tok)
		}
	case Block:
		line("{")
		writeBody(b, s.Body, depth+1)
		line("}")
	case Comment:
		line("// %s", s.Text)
	case Labeled:
		b.WriteString(s.Label + ":\n")
	case Goto:
		line("goto %s", s.Label)
	case Blank:
		b.WriteString("\n")
	default:
		line("<%T>", s)
	}
}

// FuncString prints f in Go syntax, its doc comment aside, like
// StmtString: for tests, debugging and the sanity check's reports.
func FuncString(f *Func) string {
	var b strings.Builder
	param := func(p Param) string {
		if p.Name == "" {
			return TypeString(p.Type)
		}
		return p.Name + " " + TypeString(p.Type)
	}
	list := func(ps []Param) string {
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = param(p)
		}
		return strings.Join(parts, ", ")
	}
	for _, g := range f.Globals {
		b.WriteString("var " + param(g) + "\n\n")
	}
	b.WriteString("func ")
	if f.Recv != nil {
		b.WriteString("(" + param(*f.Recv) + ") ")
	}
	b.WriteString(f.Name)
	if len(f.TypeParams) > 0 {
		b.WriteString("[" + list(f.TypeParams) + "]")
	}
	b.WriteString("(" + list(f.Params) + ")")
	switch {
	case len(f.Results) == 1 && f.Results[0].Name == "":
		b.WriteString(" " + list(f.Results))
	case len(f.Results) > 0:
		b.WriteString(" (" + list(f.Results) + ")")
	}
	b.WriteString(" {\n")
	writeBody(&b, f.Body, 1)
	b.WriteString("}")
	return b.String()
}

// writePrimary writes the operand of a selector, index, slice or call,
// in parentheses when it is an operator expression ((*p).X).
func writePrimary(b *strings.Builder, e Expr) {
	switch e.(type) {
	case Unary, Binary:
		b.WriteString("(")
		writeExpr(b, e)
		b.WriteString(")")
		return
	}
	writeExpr(b, e)
}
