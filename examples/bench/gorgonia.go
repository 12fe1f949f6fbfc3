package bench

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A graphGrad is a gradient computed by gorgonia: a graph and a tape
// machine built once, run for each evaluation.
type graphGrad struct {
	vm     G.VM
	inputs []*G.Node
	cost   *G.Node
}

// eval sets the inputs, runs the machine and copies the gradients out.
func (g *graphGrad) eval(values []any, grads [][]float64) (float64, error) {
	for i, n := range g.inputs {
		if err := G.Let(n, values[i]); err != nil {
			return 0, err
		}
	}
	if err := g.vm.RunAll(); err != nil {
		return 0, err
	}
	defer g.vm.Reset()
	for i, n := range g.inputs {
		d, err := n.Grad()
		if err != nil {
			return 0, err
		}
		switch v := d.Data().(type) {
		case float64:
			grads[i][0] = v
		case []float64:
			copy(grads[i], v)
		default:
			return 0, fmt.Errorf("gradient of %v is %T", n, v)
		}
	}
	return g.cost.Value().Data().(float64), nil
}

func newGraphGrad(g *G.ExprGraph, cost *G.Node, inputs ...*G.Node) (*graphGrad, error) {
	if _, err := G.Grad(cost, inputs...); err != nil {
		return nil, err
	}
	return &graphGrad{vm: G.NewTapeMachine(g, G.BindDualValues(inputs...)), inputs: inputs, cost: cost}, nil
}

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(err)
	}
	return n
}

func scalar(g *G.ExprGraph, name string) *G.Node {
	return G.NewScalar(g, tensor.Float64, G.WithName(name), G.WithValue(0.0))
}

func vector(g *G.ExprGraph, name string, n int) *G.Node {
	return G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName(name), G.WithValue(tensor.New(tensor.WithBacking(make([]float64, n)))))
}

func gorgoniaHypot() (*graphGrad, error) {
	g := G.NewGraph()
	x, y := scalar(g, "x"), scalar(g, "y")
	r := must(G.Sqrt(must(G.Add(must(G.Mul(x, x)), must(G.Mul(y, y))))))
	return newGraphGrad(g, r, x, y)
}

func gorgoniaRosenbrock(n int) (*graphGrad, error) {
	g := G.NewGraph()
	x := vector(g, "x", n)
	head := must(G.Slice(x, G.S(0, n-1)))
	tail := must(G.Slice(x, G.S(1, n)))
	a := must(G.Sub(tail, must(G.Square(head))))
	b := must(G.Sub(G.NewConstant(1.0), head))
	hundred := G.NewConstant(100.0)
	s := must(G.Sum(must(G.Add(must(G.Mul(hundred, must(G.Square(a)))), must(G.Square(b))))))
	return newGraphGrad(g, s, x)
}

func gorgoniaLogistic(steps int) (*graphGrad, error) {
	g := G.NewGraph()
	r, x0 := scalar(g, "r"), scalar(g, "x0")
	x := x0
	one := G.NewConstant(1.0)
	for range steps {
		x = must(G.Mul(must(G.Mul(r, x)), must(G.Sub(one, x))))
	}
	return newGraphGrad(g, x, r, x0)
}

func gorgoniaSoftplus(xs []float64) (*graphGrad, error) {
	g := G.NewGraph()
	w := vector(g, "w", len(xs))
	x := G.NewVector(g, tensor.Float64, G.WithShape(len(xs)), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking(append([]float64(nil), xs...)))))
	s := must(G.Sum(must(G.Log1p(must(G.Exp(must(G.HadamardProd(w, x))))))))
	return newGraphGrad(g, s, w)
}

// gorgoniaMLP builds the same network over the whole batch at once: the
// way one writes it for gorgonia, with matrix products.
func gorgoniaMLP(batch []Sample) (*graphGrad, error) {
	g := G.NewGraph()
	n := len(batch)
	xs := make([]float64, 0, n*nIn)
	onehot := make([]float64, n*nOut)
	for i, s := range batch {
		xs = append(xs, s.X[:]...)
		onehot[i*nOut+s.Label] = 1
	}
	X := G.NewMatrix(g, tensor.Float64, G.WithShape(n, nIn), G.WithName("X"), G.WithValue(tensor.New(tensor.WithShape(n, nIn), tensor.WithBacking(xs))))
	Y := G.NewMatrix(g, tensor.Float64, G.WithShape(n, nOut), G.WithName("Y"), G.WithValue(tensor.New(tensor.WithShape(n, nOut), tensor.WithBacking(onehot))))
	mat := func(name string, r, c int) *G.Node {
		return G.NewMatrix(g, tensor.Float64, G.WithShape(r, c), G.WithName(name), G.WithValue(tensor.New(tensor.WithShape(r, c), tensor.WithBacking(make([]float64, r*c)))))
	}
	W1, W2 := mat("W1", nHidden, nIn), mat("W2", nOut, nHidden)
	B1, B2 := vector(g, "B1", nHidden), vector(g, "B2", nOut)
	h := must(G.Tanh(must(G.BroadcastAdd(must(G.Mul(X, must(G.Transpose(W1)))), B1, nil, []byte{0}))))
	z := must(G.BroadcastAdd(must(G.Mul(h, must(G.Transpose(W2)))), B2, nil, []byte{0}))
	// log-sum-exp minus the label's logit, averaged.
	lse := must(G.Log(must(G.Sum(must(G.Exp(z)), 1))))
	picked := must(G.Sum(must(G.HadamardProd(z, Y)), 1))
	loss := must(G.Mean(must(G.Sub(lse, picked))))
	return newGraphGrad(g, loss, W1, B1, W2, B2)
}

func tensorOf(x []float64) tensor.Tensor {
	return tensor.New(tensor.WithBacking(append([]float64(nil), x...)))
}

func mlpValues(m *Model) []any {
	return []any{
		tensor.New(tensor.WithShape(nHidden, nIn), tensor.WithBacking(append([]float64(nil), m.W1...))),
		tensorOf(m.B1),
		tensor.New(tensor.WithShape(nOut, nHidden), tensor.WithBacking(append([]float64(nil), m.W2...))),
		tensorOf(m.B2),
	}
}
