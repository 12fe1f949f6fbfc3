package lower

import (
	"go/ast"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// The linear form, printed: what the lowering knows of a function before
// any mode adds code of its own. Each source statement becomes its
// primitive operations in three-address form, each with its partial
// derivatives as data (∂result/∂operand, from the rule table), inside the
// source's control flow; passive operands have no partial, and statements
// with no operation on active values are marked passive. Reverse mode
// multiplies the partials by the results' adjoints, forward mode by the
// operands' tangents, -graph draws them.
//
// It is a debugging and review aid with golden tests of its own
// (testdata/linear), so that a change to the lowering shows up as a
// readable diff before it shows up in generated code.

// linearForm prints the lowered statements of one function.
func (l *Lowerer) linearForm(recs []*lowered) string {
	var b strings.Builder
	l.printLowered(&b, recs, "")
	return b.String()
}

func (l *Lowerer) printLowered(b *strings.Builder, recs []*lowered, indent string) {
	for _, rec := range recs {
		switch {
		case rec.branch != nil:
			l.printBranch(b, rec, indent)
		case rec.loop != nil:
			l.printLoop(b, rec, indent)
		case rec.fused:
			b.WriteString(indent + l.header(rec.src) + "\t(a sum: forward and backward in one pass) {\n")
			l.printLowered(b, rec.body, indent+"\t")
			b.WriteString(indent + "}\n")
		default:
			l.printSimple(b, rec, indent)
		}
	}
}

func (l *Lowerer) printSimple(b *strings.Builder, rec *lowered, indent string) {
	if _, ok := rec.src.(*ast.EmptyStmt); ok || rec.src == nil {
		return
	}
	head := l.header(rec.src)
	if len(rec.ops) == 0 {
		b.WriteString(indent + head + "\t(passive)\n")
		return
	}
	b.WriteString(indent + "// " + head + "\n")
	for _, o := range rec.ops {
		b.WriteString(indent + l.opString(o) + "\n")
	}
	if rec.seed != nil {
		b.WriteString(indent + "seed ∂R/∂" + rec.seed.Name + " = 1\n")
	}
}

// opString writes one operation: its results (or the element it stores
// into), its forward expression, and its partials.
func (l *Lowerer) opString(o *op) string {
	var lhs []string
	for _, r := range o.results {
		lhs = append(lhs, r.Name)
	}
	target := strings.Join(lhs, ", ")
	if o.store != nil {
		target = adjoint.ExprString(o.store.lv)
		if o.store.opAssign != "" {
			target += " " + o.store.opAssign
		}
	}
	rhs := "?"
	if o.store != nil && len(o.args) > 0 {
		rhs = adjoint.ExprString(o.args[0].Val)
	} else if e := l.opExprs[o]; e != nil {
		rhs = adjoint.ExprString(e)
	} else if o.fwd != nil {
		rhs = adjoint.ExprString(o.fwd)
	}
	text := target + " = " + rhs
	var parts []string
	for _, p := range l.partialsOf(o, true) {
		arg := p.arg.Name
		if p.operand != nil {
			arg = adjoint.ExprString(p.operand)
		}
		name := "∂" + arg
		if len(o.results) > 1 {
			name = "∂" + p.res.Name + "/∂" + arg
		}
		parts = append(parts, name+": "+adjoint.ExprString(p.partial))
	}
	if o.store != nil && len(parts) == 0 && len(o.args) > 0 && o.args[0].v != nil {
		parts = append(parts, "∂"+adjoint.ExprString(o.args[0].Val)+": 1") // a store copies its value
	}
	if len(parts) > 0 {
		text += "\t[" + strings.Join(parts, ", ") + "]"
	}
	return text
}

func (l *Lowerer) printBranch(b *strings.Builder, rec *lowered, indent string) {
	br := rec.branch
	if !br.isSwitch {
		b.WriteString(indent + l.header(rec.src) + " {\n")
		l.printLowered(b, br.branches[0], indent+"\t")
		if len(br.branches) > 1 && len(br.branches[1]) > 0 {
			b.WriteString(indent + "} else {\n")
			l.printLowered(b, br.branches[1], indent+"\t")
		}
		b.WriteString(indent + "}\n")
		return
	}
	b.WriteString(indent + l.header(rec.src) + " {\n")
	for i, body := range br.branches {
		head := "case"
		if i < len(br.clauses) {
			if cc := br.clauses[i]; cc.List == nil {
				head = "default"
			} else {
				var list []string
				for _, e := range cc.List {
					list = append(list, l.Source(e))
				}
				head = "case " + strings.Join(list, ", ")
			}
		}
		b.WriteString(indent + head + ":\n")
		l.printLowered(b, body, indent+"\t")
	}
	b.WriteString(indent + "}\n")
}

func (l *Lowerer) printLoop(b *strings.Builder, rec *lowered, indent string) {
	lp := rec.loop
	l.printLowered(b, lp.pre, indent)
	b.WriteString(indent + l.header(rec.src) + " {\n")
	l.printLowered(b, lp.body, indent+"\t")
	if lp.post != nil {
		b.WriteString(indent + "post:\n")
		l.printLowered(b, []*lowered{lp.post}, indent+"\t")
	}
	b.WriteString(indent + "}\n")
}
