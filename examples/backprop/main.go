// Command backprop walks the computational graph of the classic
// backpropagation tutorial, R = √w with w = a + b, a = x², b = y², for one
// input. It prints the forward value of every node, then the gradient the
// backward pass carries along every edge, computed by gradgen's generated
// functions, beside the value worked out by hand with the chain rule.
//
//	go generate ./examples/backprop && go run ./examples/backprop
package main

import (
	"fmt"
	"math"
	"os"
)

func main() {
	if err := report(os.Stdout, 3, 4); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// row is one line of the report: what gradgen computed and what the chain
// rule gives by hand.
type row struct {
	name         string
	generated    float64
	hand         float64
	handFormulae string
}

// rows computes the report for the input (x, y).
func rows(x, y float64) (forward, backward []row) {
	// Forward pass, by hand.
	a, b := x*x, y*y
	w := a + b
	r := math.Sqrt(w)

	value, dRdx, dRdy := RGrad(x, y)
	_, dRdw := RFromWGrad(w)
	_, dRda, dRdb := RFromABGrad(a, b)

	forward = []row{
		{"x", x, x, "input"},
		{"y", y, y, "input"},
		{"a = x²", a, x * x, "x·x"},
		{"b = y²", b, y * y, "y·y"},
		{"w = a + b", w, a + b, "a + b"},
		{"R = √w", value, math.Sqrt(w), "√w"},
	}
	backward = []row{
		{"∂R/∂R", 1, 1, "seed"},
		{"∂R/∂w", dRdw, 1 / (2 * r), "1/(2√w)"},
		{"∂R/∂a", dRda, 1 / (2 * r) * 1, "∂R/∂w · ∂w/∂a = ∂R/∂w · 1"},
		{"∂R/∂b", dRdb, 1 / (2 * r) * 1, "∂R/∂w · ∂w/∂b = ∂R/∂w · 1"},
		{"∂R/∂x", dRdx, 1 / (2 * r) * 2 * x, "∂R/∂a · ∂a/∂x = ∂R/∂a · 2x"},
		{"∂R/∂y", dRdy, 1 / (2 * r) * 2 * y, "∂R/∂b · ∂b/∂y = ∂R/∂b · 2y"},
	}
	return forward, backward
}

// report prints the forward values and the gradients for (x, y), and
// fails if gradgen and the hand computation disagree.
func report(out *os.File, x, y float64) error {
	forward, backward := rows(x, y)
	fmt.Fprintf(out, "Forward pass at x = %g, y = %g\n", x, y)
	for _, r := range forward {
		fmt.Fprintf(out, "  %-10s = %-8.6g (by hand: %s = %.6g)\n", r.name, r.generated, r.handFormulae, r.hand)
	}
	fmt.Fprintln(out, "Backward pass: the gradient on every edge (gradgen, by hand)")
	bad := 0
	for _, r := range backward {
		mark := ""
		if math.Abs(r.generated-r.hand) > 1e-15*math.Max(1, math.Abs(r.hand)) {
			mark = "  MISMATCH"
			bad++
		}
		fmt.Fprintf(out, "  %-6s = %-8.6g  by hand: %-26s = %.6g%s\n", r.name, r.generated, r.handFormulae, r.hand, mark)
	}
	if bad > 0 {
		return fmt.Errorf("%d gradients disagree with the hand computation", bad)
	}
	return nil
}
