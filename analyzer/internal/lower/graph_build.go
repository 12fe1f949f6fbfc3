package lower

import (
	"maps"
	"slices"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// The adjoint graph behind -graph: each operation's node, with its
// partials on the edges to its operands.

// graphOp adds one operation to the function's adjoint graph, and notes
// its forward expression for the linear form.
func (l *Lowerer) graphOp(o *op, fwd adjoint.Expr) {
	// The operands' current values first: the results may be new values
	// of the same variables (t = t + 1).
	from := map[string]string{}
	for _, a := range o.args {
		if a.v != nil {
			from[a.v.Name] = l.graphNode(a.v.Name)
		}
	}
	to := map[string]string{}
	for _, r := range o.results {
		to[r.Name] = l.newGraphValue(r.Name, adjoint.ExprString(fwd))
	}
	l.opExprs[o] = fwd
	for _, p := range l.partialsOf(o, false) {
		l.graph.Edges = append(l.graph.Edges, adjoint.GraphEdge{From: from[p.arg.Name], To: to[p.res.Name], Partial: adjoint.ExprString(p.partial)})
	}
}

// graphNode is the node of the current value of the variable name,
// added when it has none (a value from before the graph: a passive
// parameter, a value from outside the annotated code).
func (l *Lowerer) graphNode(name string) string {
	if l.graphValues == nil {
		l.graphValues = map[string]string{}
	}
	if node, ok := l.graphValues[name]; ok {
		return node
	}
	for _, n := range l.graph.Nodes {
		if n.Name == name {
			l.graphValues[name] = name
			return name
		}
	}
	l.graph.Nodes = append(l.graph.Nodes, adjoint.GraphNode{Name: name})
	l.graphValues[name] = name
	return name
}

// newGraphValue adds the node of a new value of the variable name,
// computed by expr: named after the variable, primed when the variable
// had a value before (a reassignment, a branch's, a loop's next trip).
func (l *Lowerer) newGraphValue(name, expr string) string {
	if l.graphValues == nil {
		l.graphValues = map[string]string{}
	}
	node := name
	for taken := true; taken; {
		taken = false
		for _, n := range l.graph.Nodes {
			if n.Name == node {
				taken = true
				node += "′"
				break
			}
		}
	}
	n := adjoint.GraphNode{Name: node, Expr: expr}
	if node != name {
		n.Var = name
	}
	l.graph.Nodes = append(l.graph.Nodes, n)
	l.graphValues[name] = node
	return node
}

// A partial is one entry of an op's Jacobian as data: ∂res/∂arg, as the
// rule table gives it, in terms of the op's operands and results.
type partial struct {
	res, arg *Variable
	operand  adjoint.Expr // the element or field of arg read, or nil for arg itself
	partial  adjoint.Expr
}

// partialsOf gives o's partial derivatives, one per result and active
// operand variable (x*x has one, 2 * x: both shares summed), or with
// byElement one per element or field read (v[0]*v[1] has two). A piecewise
// rule's partial is written as a piecewise function ("1 if x > 0; else
// 0") where it has that notation, else as ∂name.
func (l *Lowerer) partialsOf(o *op, byElement bool) []partial {
	c := &rules.Ctx{T: gotypes.MustIR(o.resType), Fresh: func(b string) string { return b }}
	for _, a := range o.args {
		c.A = append(c.A, a.Bval)
	}
	for _, r := range o.results {
		c.R = append(c.R, adjoint.Id(r.Name))
		c.D = append(c.D, nil)
	}
	var out []partial
	operands := map[string]adjoint.Expr{} // element paths' values: dv[0] → v[0]
	for j, r := range o.results {
		var parts []contribution
		for i, a := range o.args {
			if a.v == nil {
				continue
			}
			var p adjoint.Expr = adjoint.Ident{Name: "∂" + o.name}
			if o.rule.Piecewise() {
				for k := range c.D {
					c.D[k] = nil
				}
				c.D[j] = adjoint.Literal("1")
				target := i
				c.Add = func(k int, e adjoint.Expr) adjoint.Stmt {
					if k != target || e == nil {
						return nil
					}
					return adjoint.ExprStmt{X: e}
				}
				if label, ok := piecewiseLabel(o.rule.Statements(c)); ok {
					p = adjoint.Ident{Name: label}
				}
			} else if i < len(o.rule.VJP) && o.rule.VJP[i] != nil {
				for k := range c.D {
					c.D[k] = nil
				}
				c.D[j] = adjoint.Literal("1")
				if o.rule == rules.Conversion {
					c.T = gotypes.MustIR(a.Typ)
				}
				if p = o.rule.VJP[i](c); p == nil {
					continue
				}
			}
			var path adjoint.Expr
			if byElement && a.path != nil {
				path = a.path
				operands[adjoint.ExprString(a.path)] = a.Val
			}
			parts = append(parts, contribution{a.v, path, p})
		}
		for _, sum := range sumContributions(parts) {
			var operand adjoint.Expr
			if sum.path != nil {
				operand = operands[adjoint.ExprString(sum.path)]
			}
			out = append(out, partial{res: r, arg: sum.to, operand: operand, partial: sum.e})
		}
	}
	return out
}

// piecewiseLabel writes a piecewise rule's partial, as its statements give
// it for one operand, in the notation of a piecewise function:
// "1 if x > 0; -1 if x < 0; else 0". It reports false for statements it has
// no notation for.
func piecewiseLabel(code []adjoint.Stmt) (string, bool) {
	switch {
	case len(code) == 0:
		return "0", true
	case len(code) > 1:
		return "", false
	}
	switch s := code[0].(type) {
	case adjoint.ExprStmt:
		return adjoint.ExprString(s.X), true
	case adjoint.If:
		then, ok1 := piecewiseLabel(s.Then)
		els, ok2 := piecewiseLabel(s.Else)
		if !ok1 || !ok2 || s.Init != nil {
			return "", false
		}
		if len(s.Else) != 1 {
			els = "else " + els
		} else if _, nested := s.Else[0].(adjoint.If); !nested {
			els = "else " + els
		}
		return then + " if " + condString(s.Cond) + "; " + els, true
	}
	return "", false
}

// condString writes a condition, !(a == b) as a != b.
func condString(cond adjoint.Expr) string {
	if u, ok := cond.(adjoint.Unary); ok && u.Op == "!" {
		x := u.X
		if p, ok := x.(adjoint.Paren); ok {
			x = p.X
		}
		if b, ok := x.(adjoint.Binary); ok && b.Op == "==" {
			return adjoint.ExprString(adjoint.Binary{Op: "!=", X: b.X, Y: b.Y})
		}
	}
	return adjoint.ExprString(cond)
}

// joinGraphValues is the graph's view of the variables after branches:
// a variable the branches leave with different values gets a node of its
// own, computed from each (φ, the value of the branch taken). afters are
// the variables' values at the end of each branch; a branch that leaves
// the function (a return) adds none.
func (l *Lowerer) joinGraphValues(before map[string]string, afters []map[string]string, branches [][]*lowered) map[string]string {
	out := maps.Clone(before)
	if out == nil {
		out = map[string]string{}
	}
	var live []map[string]string
	for i, a := range afters {
		if !exitsAny(branches[i]) {
			live = append(live, a)
		}
	}
	current := func(values map[string]string, name string) string {
		if node, ok := values[name]; ok {
			return node
		}
		return name
	}
	names := map[string]bool{}
	for _, a := range live {
		for name := range a {
			names[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		var from []string
		for _, a := range live {
			if node := current(a, name); !slices.Contains(from, node) {
				from = append(from, node)
			}
		}
		if len(from) == 1 {
			out[name] = from[0]
			continue
		}
		l.graphValues = out
		node := l.newGraphValue(name, "φ("+strings.Join(from, ", ")+")")
		for _, f := range from {
			if !l.hasGraphNode(f) {
				l.graph.Nodes = append(l.graph.Nodes, adjoint.GraphNode{Name: f})
			}
			l.graph.Edges = append(l.graph.Edges, adjoint.GraphEdge{From: f, To: node, Partial: "1 on its branch"})
		}
		out = l.graphValues
	}
	return out
}

// hasGraphNode reports whether the graph has a node named name.
func (l *Lowerer) hasGraphNode(name string) bool {
	for _, n := range l.graph.Nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}
