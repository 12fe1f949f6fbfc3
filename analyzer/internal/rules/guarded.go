package rules

import "github.com/gradgen/gradgen/analyzer/adjoint"

// Guarded partials are the partials of a primitive whose derivative is
// piecewise (abs, max, pow at zero): data, like Jac, but each partial holds
// only under its guard. Both modes derive their code from them: reverse
// mode adds ∂r/∂aᵢ · D into operand i's adjoint under the guards, forward
// mode adds ∂r/∂aᵢ · ṫᵢ into the result's tangent, and -graph prints them
// as piecewise functions ("1 if x > 0; -1 if x < 0; else 0").
type Guarded struct {
	// Lets are values the guards and partials share, set once before the
	// chains (Atan2's hypotenuse, the number of tied operands of max).
	Lets []Let
	// Chains are independent if / else-if / else chains: Abs has one, Pow
	// one per operand (each partial has its own singularity).
	Chains [][]Piece
}

// A Let is a named value that guarded partials read.
type Let struct {
	Base string // the name asked of Ctx.Fresh
	// Init writes the statements that set name.
	Init func(v Vals, name adjoint.Expr) []adjoint.Stmt
}

// A Piece is one arm of a chain: where When holds, and no earlier arm's
// condition does, the result's partials are Jac (Jac[k][i] = ∂rₖ/∂aᵢ;
// nil, or a partial that returns nil, for an operand it does not reach).
type Piece struct {
	// When is the arm's condition; a nil When, or one that returns nil,
	// holds wherever the earlier arms' conditions do not (the else).
	When func(v Vals) adjoint.Expr
	Jac  [][]func(v Vals) adjoint.Expr
}

// Vals are the values guarded partials are written in.
type Vals struct {
	A, R []adjoint.Expr // operands and results
	Lets []adjoint.Expr // the Lets' variables, in order
	T    adjoint.Type   // the first result's type
}

// Write writes reverse mode's code of guarded partials: the Lets, then
// each chain, in whose arms every operand i receives Σₖ ∂rₖ/∂aᵢ · D[k]
// through c.Add (-graph passes D = 1 to read the partials back).
func (g *Guarded) Write(c *Ctx) []adjoint.Stmt {
	return g.write(Vals{A: c.A, R: c.R, T: c.T}, c.Fresh, func(p Piece, v Vals) []adjoint.Stmt { return p.adds(v, c) })
}

// WriteTangent writes forward mode's code of guarded partials of one
// result: the Lets, then each chain, in whose arms add receives
// Σᵢ ∂r/∂aᵢ · tangents[i] over the operands with a tangent (nil entries
// have none).
func (g *Guarded) WriteTangent(v Vals, tangents []adjoint.Expr, fresh func(string) string, add func(adjoint.Expr) adjoint.Stmt) []adjoint.Stmt {
	return g.write(v, fresh, func(p Piece, v Vals) []adjoint.Stmt {
		if len(p.Jac) == 0 {
			return nil
		}
		var sum adjoint.Expr
		for i, d := range p.Jac[0] {
			if d == nil || i >= len(tangents) || tangents[i] == nil {
				continue
			}
			if e := d(v); e != nil {
				sum = adjoint.Add(sum, scale(e, tangents[i]))
			}
		}
		if sum == nil {
			return nil
		}
		return adjoint.Stmts(add(sum))
	})
}

// write writes the Lets, then each chain with arm's code in its arms;
// the Lets only when some arm has code.
func (g *Guarded) write(v Vals, fresh func(string) string, arm func(Piece, Vals) []adjoint.Stmt) []adjoint.Stmt {
	var lets []adjoint.Stmt
	for _, l := range g.Lets {
		name := adjoint.Id(fresh(l.Base))
		v.Lets = append(v.Lets, name)
		lets = append(lets, l.Init(v, name)...)
	}
	var body []adjoint.Stmt
	for _, chain := range g.Chains {
		body = append(body, writeChain(chain, v, arm)...)
	}
	if len(body) == 0 {
		return nil
	}
	return append(lets, body...)
}

// writeChain writes one chain as nested if / else statements, dropping
// arms with no code.
func writeChain(chain []Piece, v Vals, arm func(Piece, Vals) []adjoint.Stmt) []adjoint.Stmt {
	if len(chain) == 0 {
		return nil
	}
	p := chain[0]
	then := arm(p, v)
	var cond adjoint.Expr
	if p.When != nil {
		cond = p.When(v)
	}
	if cond == nil {
		return then
	}
	return adjoint.IfElse(cond, then, writeChain(chain[1:], v, arm))
}

// adds writes the additions of one arm, operand by operand.
func (p Piece) adds(v Vals, c *Ctx) []adjoint.Stmt {
	n := 0
	for _, row := range p.Jac {
		n = max(n, len(row))
	}
	var out []adjoint.Stmt
	for i := range n {
		var sum adjoint.Expr
		for k, row := range p.Jac {
			if i >= len(row) || row[i] == nil || k >= len(c.D) || c.D[k] == nil {
				continue
			}
			if d := row[i](v); d != nil {
				sum = adjoint.Add(sum, scale(d, c.D[k]))
			}
		}
		if sum != nil {
			if s := c.Add(i, sum); s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// scale is the partial d times the adjoint (or tangent) x, with a
// negation kept outside the product: -(1/2)·x is written -x / 2.
func scale(d, x adjoint.Expr) adjoint.Expr {
	if m, ok := adjoint.Negated(d); ok {
		return adjoint.Neg(adjoint.Mul(m, x))
	}
	return adjoint.Mul(d, x)
}

// always is a guarded rule's partial that does not depend on the values.
func always(e adjoint.Expr) func(Vals) adjoint.Expr {
	return func(Vals) adjoint.Expr { return e }
}

// one is a rule whose guarded partials do not depend on the number of
// operands.
func one(g *Guarded) func(int) *Guarded { return func(int) *Guarded { return g } }

// half is ½, the share of each of two tied operands.
var half = adjoint.Div(adjoint.One, adjoint.Literal("2"))
