package adjoint

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// GraphValues are a graph evaluated at one point: the forward value of
// every node, and the backward pass over its edges — each node's adjoint
// ∂R/∂node and each edge's local partial.
type GraphValues struct {
	Value   map[string]float64 // by node name
	Adjoint map[string]float64 // ∂R/∂node, by node name
	Partial []float64          // by edge index
}

// Evaluate computes g's values at the inputs given by name, without
// compiling anything: each node's expression and each edge's partial is
// read as Go and evaluated in float64 (arithmetic, package math, min,
// max, float conversions). The backward pass then starts from ∂R/∂R = 1
// at the output and multiplies partials edge by edge, nodes in reverse
// order. It fails on what it cannot read (an index, a helper call) and
// on an input not given; it is meant for straight-line functions, whose
// graph has one node per value.
func (g *Graph) Evaluate(at map[string]float64) (*GraphValues, error) {
	if err := g.checkGiven(at); err != nil {
		return nil, err
	}
	index, err := g.nodeIndex()
	if err != nil {
		return nil, err
	}
	v := &GraphValues{Value: map[string]float64{}, Adjoint: map[string]float64{}, Partial: make([]float64, len(g.Edges))}
	// Parameters that are not inputs (not wrt) are read as they are given.
	env := maps.Clone(at)
	for _, n := range g.Nodes {
		if err := g.evalNode(n, at, env, index, v); err != nil {
			return nil, err
		}
	}
	g.propagateAdjoints(v)
	return v, nil
}

// checkGiven returns an error naming the first value in at (by name) that
// is none of g's float parameters: a misspelt name would otherwise be
// ignored, and the error for the parameter it was meant for would mislead.
// A graph that lists no parameters accepts any name.
func (g *Graph) checkGiven(at map[string]float64) error {
	if g.Params == nil {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(at)) {
		if !slices.Contains(g.Params, name) {
			return fmt.Errorf("%s has no float parameter %s (its float parameters: %s)", g.Name, name, strings.Join(g.Params, ", "))
		}
	}
	return nil
}

// nodeIndex returns each node's position in g.Nodes, by name, or an error
// when g is not what Evaluate can handle: a value computed once per node,
// before the nodes computed from it (a straight-line function's graph).
func (g *Graph) nodeIndex() (map[string]int, error) {
	index := map[string]int{}
	for i, n := range g.Nodes {
		if _, dup := index[n.Name]; dup {
			return nil, fmt.Errorf("%s is assigned more than once", n.Name)
		}
		index[n.Name] = i
	}
	for _, e := range g.Edges {
		if index[e.From] >= index[e.To] {
			return nil, fmt.Errorf("%s is computed from %s, computed later", e.To, e.From)
		}
	}
	return index, nil
}

// evalNode computes n's value into v and env (an input's is taken from at)
// and the partials of the edges into n into v.Partial. It returns an error
// for what cannot be evaluated, naming a parameter the caller did not give
// when that is the cause.
func (g *Graph) evalNode(n GraphNode, at, env map[string]float64, index map[string]int, v *GraphValues) error {
	if n.Input || n.Expr == "" {
		x, ok := at[n.Name]
		if !ok {
			return fmt.Errorf("no value for the input %s", n.Name)
		}
		v.Value[n.Name] = x
		env[n.Name] = x
		return nil
	}
	x, err := evalGo(n.Expr, env)
	if err != nil {
		var nv noValue
		if errors.As(err, &nv) && slices.Contains(g.Params, nv.name) {
			return fmt.Errorf("no value for the parameter %s, which %s reads: give one (%s=...)", nv.name, n.Name, nv.name)
		}
		return fmt.Errorf("node %s = %s: %v", n.Name, n.Expr, err)
	}
	v.Value[n.Name] = x
	// The partials into it read the operands' values of this moment,
	// and the result's (0.5 / r for r = math.Sqrt(w)) unless the
	// result is a new value of an operand's variable (a′ = a * a:
	// 2 * a reads the old a).
	name := varOf(n)
	operand := false
	for _, e := range g.Edges {
		operand = operand || e.To == n.Name && varOf(g.Nodes[index[e.From]]) == name
	}
	if !operand {
		env[name] = x
	}
	if err := g.evalPartials(n.Name, env, v.Partial); err != nil {
		return err
	}
	env[name] = x
	return nil
}

// evalPartials evaluates, over env, the partial of each edge into the node
// named to, into partials by edge index; it returns the first error.
func (g *Graph) evalPartials(to string, env map[string]float64, partials []float64) error {
	for k, e := range g.Edges {
		if e.To != to {
			continue
		}
		p, err := evalGo(e.Partial, env)
		if err != nil {
			return fmt.Errorf("edge ∂%s/∂%s = %s: %v", e.To, e.From, e.Partial, err)
		}
		partials[k] = p
	}
	return nil
}

// propagateAdjoints fills v.Adjoint from v.Partial: the backward pass,
// from ∂R/∂R = 1 at the outputs through the nodes in reverse order, so
// that each node's adjoint is complete before it is passed on.
func (g *Graph) propagateAdjoints(v *GraphValues) {
	for _, n := range g.Nodes {
		if n.Output {
			v.Adjoint[n.Name] = 1
		}
	}
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		to := g.Nodes[i].Name
		for k, e := range g.Edges {
			if e.To == to {
				v.Adjoint[e.From] += v.Adjoint[to] * v.Partial[k]
			}
		}
	}
}

// evalGo evaluates a Go float expression over the named values, or a
// piecewise one as graphs print them: "1 if x > 0; -1 if x < 0; else 0".
func evalGo(src string, vals map[string]float64) (float64, error) {
	for piece := range strings.SplitSeq(src, "; ") {
		if rest, ok := strings.CutPrefix(piece, "else "); ok {
			return evalGo(rest, vals)
		}
		expr, cond, ok := strings.Cut(piece, " if ")
		if !ok {
			e, err := parser.ParseExpr(piece)
			if err != nil {
				return 0, err
			}
			return evalAST(e, vals)
		}
		c, err := parser.ParseExpr(cond)
		if err != nil {
			return 0, err
		}
		holds, err := evalCond(c, vals)
		if err != nil {
			return 0, err
		}
		if holds {
			return evalGo(expr, vals)
		}
	}
	return 0, fmt.Errorf("no piece of %s applies", src)
}

// evalCond evaluates a comparison of float expressions, or && and || of
// comparisons.
func evalCond(e ast.Expr, vals map[string]float64) (bool, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return evalCond(e.X, vals)
	case *ast.BinaryExpr:
		if e.Op == token.LAND || e.Op == token.LOR {
			x, err := evalCond(e.X, vals)
			if err != nil || x == (e.Op == token.LOR) {
				return x, err
			}
			return evalCond(e.Y, vals)
		}
		x, err := evalAST(e.X, vals)
		if err != nil {
			return false, err
		}
		y, err := evalAST(e.Y, vals)
		if err != nil {
			return false, err
		}
		switch e.Op {
		case token.EQL:
			return x == y, nil
		case token.NEQ:
			return x != y, nil
		case token.LSS:
			return x < y, nil
		case token.LEQ:
			return x <= y, nil
		case token.GTR:
			return x > y, nil
		case token.GEQ:
			return x >= y, nil
		}
	}
	return false, fmt.Errorf("cannot evaluate the condition %s", types.ExprString(e))
}

var mathFuncs1 = map[string]func(float64) float64{
	"Sqrt": math.Sqrt, "Cbrt": math.Cbrt, "Exp": math.Exp, "Exp2": math.Exp2, "Expm1": math.Expm1,
	"Log": math.Log, "Log2": math.Log2, "Log10": math.Log10, "Log1p": math.Log1p,
	"Sin": math.Sin, "Cos": math.Cos, "Tan": math.Tan, "Asin": math.Asin, "Acos": math.Acos, "Atan": math.Atan,
	"Sinh": math.Sinh, "Cosh": math.Cosh, "Tanh": math.Tanh, "Asinh": math.Asinh, "Acosh": math.Acosh, "Atanh": math.Atanh,
	"Abs": math.Abs, "Floor": math.Floor, "Ceil": math.Ceil, "Trunc": math.Trunc, "Round": math.Round,
	"RoundToEven": math.RoundToEven, "Erf": math.Erf, "Erfc": math.Erfc, "Erfinv": math.Erfinv, "Erfcinv": math.Erfcinv,
	"Gamma": math.Gamma,
}

var mathFuncs2 = map[string]func(float64, float64) float64{
	"Pow": math.Pow, "Hypot": math.Hypot, "Atan2": math.Atan2, "Max": math.Max, "Min": math.Min,
	"Mod": math.Mod, "Remainder": math.Remainder, "Dim": math.Dim, "Copysign": math.Copysign,
}

var mathConsts = map[string]float64{
	"Pi": math.Pi, "E": math.E, "Sqrt2": math.Sqrt2, "SqrtE": math.SqrtE, "SqrtPi": math.SqrtPi,
	"SqrtPhi": math.SqrtPhi, "Phi": math.Phi, "Ln2": math.Ln2, "Log2E": math.Log2E, "Ln10": math.Ln10, "Log10E": math.Log10E,
}

func evalAST(e ast.Expr, vals map[string]float64) (float64, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return evalAST(e.X, vals)
	case *ast.BasicLit:
		if e.Kind != token.INT && e.Kind != token.FLOAT {
			return 0, fmt.Errorf("cannot evaluate %s", e.Value)
		}
		return strconv.ParseFloat(e.Value, 64)
	case *ast.Ident:
		if x, ok := vals[e.Name]; ok {
			return x, nil
		}
		return 0, noValue{e.Name}
	case *ast.SelectorExpr:
		if pkg, ok := e.X.(*ast.Ident); ok && pkg.Name == "math" {
			if x, ok := mathConsts[e.Sel.Name]; ok {
				return x, nil
			}
		}
	case *ast.UnaryExpr:
		x, err := evalAST(e.X, vals)
		switch {
		case err != nil:
			return 0, err
		case e.Op == token.SUB:
			return -x, nil
		case e.Op == token.ADD:
			return x, nil
		}
	case *ast.BinaryExpr:
		x, err := evalAST(e.X, vals)
		if err != nil {
			return 0, err
		}
		y, err := evalAST(e.Y, vals)
		if err != nil {
			return 0, err
		}
		switch e.Op {
		case token.ADD:
			return x + y, nil
		case token.SUB:
			return x - y, nil
		case token.MUL:
			return x * y, nil
		case token.QUO:
			return x / y, nil
		}
	case *ast.CallExpr:
		return evalCall(e, vals)
	}
	return 0, fmt.Errorf("cannot evaluate %s", types.ExprString(e))
}

func evalCall(e *ast.CallExpr, vals map[string]float64) (float64, error) {
	args := make([]float64, len(e.Args))
	for i, a := range e.Args {
		x, err := evalAST(a, vals)
		if err != nil {
			return 0, err
		}
		args[i] = x
	}
	switch fun := e.Fun.(type) {
	case *ast.Ident:
		switch {
		case (fun.Name == "float64" || fun.Name == "float32") && len(args) == 1:
			return args[0], nil
		case (fun.Name == "min" || fun.Name == "max") && len(args) > 0:
			r := args[0]
			for _, a := range args[1:] {
				if fun.Name == "min" {
					r = min(r, a)
				} else {
					r = max(r, a)
				}
			}
			return r, nil
		}
	case *ast.SelectorExpr:
		if pkg, ok := fun.X.(*ast.Ident); ok && pkg.Name == "math" {
			if f, ok := mathFuncs1[fun.Sel.Name]; ok && len(args) == 1 {
				return f(args[0]), nil
			}
			if f, ok := mathFuncs2[fun.Sel.Name]; ok && len(args) == 2 {
				return f(args[0], args[1]), nil
			}
		}
	}
	return 0, fmt.Errorf("cannot evaluate the call %s", types.ExprString(e))
}

// noValue is the error of a name read with no value given.
type noValue struct{ name string }

// Error says which name had no value.
func (e noValue) Error() string { return e.name + " has no value here" }

// varOf is the variable whose value n is.
func varOf(n GraphNode) string {
	if n.Var != "" {
		return n.Var
	}
	return n.Name
}
