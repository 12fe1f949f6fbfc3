package main

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/optimize"
)

// The shot: a target 80 m away and 10 m up, reached after 3 s of flight.
const (
	drag    = 0.005 // 1/m
	targetX = 80.0  // m
	targetY = 10.0  // m
	steps   = 300   // 3 s in steps of dt
)

// miss is Miss at the velocity v, as gonum's Func wants it.
func miss(v []float64) float64 { return Miss(v[0], v[1], drag, targetX, targetY, steps) }

// missGrad is the generated gradient as gonum's Grad(grad, x): the
// generated function returns the partials, which the adapter stores.
func missGrad(g, v []float64) { _, g[0], g[1] = MissGrad(v[0], v[1], drag, targetX, targetY, steps) }

// finiteDiffGrad is the gradient gonum computes by central differences.
func finiteDiffGrad(g, v []float64) { fd.Gradient(g, miss, v, &fd.Settings{Formula: fd.Central}) }

// An aim is the outcome of one search for the launch velocity.
type aim struct {
	v                 []float64
	iterations, evals int
	elapsed           time.Duration
}

// search minimises the squared miss distance from (20, 20) m/s with L-BFGS.
func search(grad func(g, v []float64)) (aim, error) {
	p := optimize.Problem{Func: miss, Grad: grad}
	settings := &optimize.Settings{GradientThreshold: 1e-12, MajorIterations: 10000}
	start := time.Now()
	res, err := optimize.Minimize(p, []float64{20, 20}, settings, &optimize.LBFGS{})
	if res == nil {
		return aim{}, err
	}
	return aim{v: res.X, iterations: res.Stats.MajorIterations,
		evals: res.Stats.FuncEvaluations + res.Stats.GradEvaluations, elapsed: time.Since(start)}, nil
}

func main() {
	fmt.Printf("target (%g, %g) m after %g s, drag %g /m\n", targetX, targetY, steps*dt, drag)
	fmt.Printf("  %-20s %10s %8s %12s %12s   %s\n", "gradient", "iterations", "evals", "time", "miss (m)", "launch velocity")
	for _, m := range []struct {
		name string
		grad func(g, v []float64)
	}{{"gradgen", missGrad}, {"finite differences", finiteDiffGrad}} {
		a, err := search(m.grad)
		if err != nil && a.v == nil {
			fmt.Printf("  %-20s failed: %v\n", m.name, err)
			continue
		}
		speed, angle := math.Hypot(a.v[0], a.v[1]), math.Atan2(a.v[1], a.v[0])*180/math.Pi
		fmt.Printf("  %-20s %10d %8d %12v %12.3g   %.6f m/s at %.4f°\n", m.name, a.iterations, a.evals,
			a.elapsed.Round(time.Microsecond), math.Sqrt(miss(a.v)), speed, angle)
	}
}
