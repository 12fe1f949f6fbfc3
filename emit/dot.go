package emit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
)

// DOT renders an adjoint graph in Graphviz's DOT language: the picture
// every backpropagation tutorial draws, for the user's own function. Nodes
// are the values of the forward sweep, labelled with the expressions that
// compute them; each edge points backward, from a value to one it was
// computed from, and carries the local partial derivative by which the
// backward sweep multiplies the adjoint as it flows along it. The output
// node is seeded with ∂R/∂R = 1.
func DOT(g *adjoint.Graph) string { return DOTAt(g, nil) }

// DOTAt is DOT with the graph evaluated at a point (nil for none): each
// node also shows its value and its adjoint ∂R/∂node, each edge the value
// of its partial — the forward and backward passes worked by hand in a
// tutorial's figures.
func DOTAt(g *adjoint.Graph, at *adjoint.GraphValues) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", strconv.Quote(g.Name))
	b.WriteString("\trankdir=RL;\n")
	b.WriteString("\tnode [shape=box, fontname=\"Helvetica\"];\n")
	b.WriteString("\tedge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, n := range g.Nodes {
		label := n.Name
		attrs := ""
		switch {
		case n.Input:
			attrs = ", style=filled, fillcolor=\"#e8f0fe\""
		case n.Output:
			label += " = " + n.Expr
			attrs = ", style=filled, fillcolor=\"#fde8e8\""
		case n.Expr != "":
			label += " = " + n.Expr
		}
		if at != nil {
			label += " = " + number(at.Value[n.Name])
			if !n.Output {
				label += "\n∂R/∂" + n.Name + " = " + number(at.Adjoint[n.Name])
			}
		}
		if n.Output {
			label += "\n∂R/∂R = 1"
		}
		fmt.Fprintf(&b, "\t%s [label=%s%s];\n", strconv.Quote(n.Name), strconv.Quote(label), attrs)
	}
	for i, e := range g.Edges {
		label := "∂" + e.To + "/∂" + e.From + " = " + e.Partial
		if at != nil && e.Partial != number(at.Partial[i]) {
			label += " = " + number(at.Partial[i])
		}
		fmt.Fprintf(&b, "\t%s -> %s [label=%s];\n", strconv.Quote(e.To), strconv.Quote(e.From), strconv.Quote(label))
	}
	b.WriteString("}\n")
	return b.String()
}

// number prints a value the way a reader checks it: at most six
// significant digits.
func number(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
