// Package bench measures gradgen's generated gradients against the
// alternatives a Go programmer has: a careful hand-written gradient,
// gonum's finite differences (diff/fd, central) and a runtime graph
// library (gorgonia), on six functions. It is a module of its own, so that
// gradgen's module does not depend on gorgonia.
//
//	go generate ./... && go test -run . ./...   # check every gradient
//	./run.sh                                      # the interleaved rounds, then BENCHMARKS.md
package bench

import "math"

//go:generate go tool gradgen

// Hypot is the length of (x, y).
//
//gradgen:grad
//gradgen:jvp
func Hypot(x, y float64) float64 { return math.Sqrt(x*x + y*y) }

func hypotHand(x, y float64) (float64, float64, float64) {
	r := math.Sqrt(x*x + y*y)
	return r, x / r, y / r
}

// Rosenbrock is the extended Rosenbrock function.
//
//gradgen:grad
//gradgen:jvp
func Rosenbrock(x []float64) float64 {
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		s += 100*a*a + b*b
	}
	return s
}

func rosenbrockHand(x, dx []float64) float64 {
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		s += 100*a*a + b*b
		dx[i] += -400*a*x[i] - 2*b
		dx[i+1] += 200 * a
	}
	return s
}

// The MLP: 4 inputs, 16 tanh units, 3 classes, softmax cross-entropy.
const (
	nIn, nHidden, nOut = 4, 16, 3
)

// Sample is one observation.
type Sample struct {
	X     [nIn]float64
	Label int
}

// Model holds the weights, row-major.
type Model struct{ W1, B1, W2, B2 []float64 }

// Loss is the mean cross-entropy over the batch.
//
//gradgen:grad wrt=m
//gradgen:jvp wrt=m
func (m *Model) Loss(batch []Sample) float64 {
	loss := 0.0
	for _, s := range batch {
		var h [nHidden]float64
		for j := range h {
			z := m.B1[j]
			for k := range s.X {
				z += m.W1[j*nIn+k] * s.X[k]
			}
			h[j] = math.Tanh(z)
		}
		var o [nOut]float64
		sum := 0.0
		for c := range o {
			z := m.B2[c]
			for j := range h {
				z += m.W2[c*nHidden+j] * h[j]
			}
			o[c] = z
			sum += math.Exp(z)
		}
		loss += math.Log(sum) - o[s.Label]
	}
	return loss / float64(len(batch))
}

func (m *Model) lossHand(batch []Sample, dm *Model) float64 {
	loss := 0.0
	scale := 1 / float64(len(batch))
	for _, s := range batch {
		var h, dh [nHidden]float64
		for j := range h {
			z := m.B1[j]
			for k := range s.X {
				z += m.W1[j*nIn+k] * s.X[k]
			}
			h[j] = math.Tanh(z)
		}
		var o [nOut]float64
		sum := 0.0
		for c := range o {
			z := m.B2[c]
			for j := range h {
				z += m.W2[c*nHidden+j] * h[j]
			}
			o[c] = math.Exp(z)
			sum += o[c]
		}
		loss += math.Log(sum) - math.Log(o[s.Label])
		for c := range o {
			dz := o[c] / sum * scale
			if c == s.Label {
				dz -= scale
			}
			dm.B2[c] += dz
			for j := range h {
				dm.W2[c*nHidden+j] += dz * h[j]
				dh[j] += dz * m.W2[c*nHidden+j]
			}
		}
		for j := range h {
			dz := dh[j] * (1 - h[j]*h[j])
			dm.B1[j] += dz
			for k := range s.X {
				dm.W1[j*nIn+k] += dz * s.X[k]
			}
		}
	}
	return loss * scale
}

func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Call is the Black-Scholes price of a European call.
//
//gradgen:grad
//gradgen:jvp
func Call(S, K, T, r, sigma float64) float64 {
	sq := sigma * math.Sqrt(T)
	d1 := (math.Log(S/K) + (r+sigma*sigma/2)*T) / sq
	d2 := d1 - sq
	return S*normCDF(d1) - K*math.Exp(-r*T)*normCDF(d2)
}

// callHand returns the price and the five Greeks in closed form.
func callHand(S, K, T, r, sigma float64) (price, delta, dK, dT, rho, vega float64) {
	sq := sigma * math.Sqrt(T)
	d1 := (math.Log(S/K) + (r+sigma*sigma/2)*T) / sq
	d2 := d1 - sq
	pdf := math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi)
	disc := math.Exp(-r * T)
	n1, n2 := normCDF(d1), normCDF(d2)
	return S*n1 - K*disc*n2, n1, -disc * n2, S*pdf*sigma/(2*math.Sqrt(T)) + r*K*disc*n2, T * K * disc * n2, S * pdf * math.Sqrt(T)
}

// Logistic iterates x ← r·x·(1−x).
//
//gradgen:grad wrt=r,x
//gradgen:jvp wrt=r,x
func Logistic(r, x float64, steps int) float64 {
	for range steps {
		x = r * x * (1 - x)
	}
	return x
}

func logisticHand(r, x float64, steps int) (float64, float64, float64) {
	// Like the generated gradient, keep a trajectory that fits on the
	// stack there, so that the two compare in arithmetic, not allocation.
	var buf [1024]float64
	traj := buf[:]
	if steps > len(buf) {
		traj = make([]float64, steps)
	}
	for i := range steps {
		traj[i] = x
		x = r * x * (1 - x)
	}
	v, dr, dx := x, 0.0, 1.0
	for i := steps - 1; i >= 0; i-- {
		xi := traj[i]
		dr += dx * xi * (1 - xi)
		dx *= r * (1 - 2*xi)
	}
	return v, dr, dx
}

// Softplus is Σ log(1 + exp(w[i]·x[i])).
//
//gradgen:grad wrt=w
//gradgen:jvp wrt=w
func Softplus(w, x []float64) float64 {
	s := 0.0
	for i := range w {
		s += math.Log(1 + math.Exp(w[i]*x[i]))
	}
	return s
}

func softplusHand(w, x, dw []float64) float64 {
	s := 0.0
	for i := range w {
		e := math.Exp(w[i] * x[i])
		s += math.Log(1 + e)
		dw[i] += x[i] * e / (1 + e)
	}
	return s
}

// KalmanNLL is the negative log-likelihood of a local-level model (a
// random walk observed with noise) by the Kalman filter, with process
// noise q and observation noise r: written the ordinary way, every
// quantity of a step a local of the loop, as in issue 14's trial.
//
//gradgen:grad wrt=q,r
//gradgen:jvp wrt=q,r
func KalmanNLL(q, r float64, ys []float64) float64 {
	x, p := 0.0, 1e3
	nll := 0.0
	for _, y := range ys {
		p += q
		s := p + r
		innov := y - x
		k := p / s
		x += k * innov
		p *= 1 - k
		nll += 0.5 * (math.Log(2*math.Pi*s) + innov*innov/s)
	}
	return nll
}

// kalmanHand is KalmanNLL's gradient as a careful person writes it: the
// forward pass stores the two carried values, x and p, before each step;
// the backward pass recomputes the step's locals from them.
func kalmanHand(q, r float64, ys []float64) (nll, dq, dr float64) {
	n := len(ys)
	var stack [2 * 1024]float64
	var store []float64
	if 2*n <= len(stack) {
		store = stack[:2*n]
	} else {
		store = make([]float64, 2*n)
	}
	x, p := 0.0, 1e3
	for t, y := range ys {
		store[2*t], store[2*t+1] = x, p
		p += q
		s := p + r
		innov := y - x
		k := p / s
		x += k * innov
		p *= 1 - k
		nll += 0.5 * (math.Log(2*math.Pi*s) + innov*innov/s)
	}
	var dx, dp float64 // adjoints of x and p after the step
	for t := n - 1; t >= 0; t-- {
		xPrev, pPrev := store[2*t], store[2*t+1]
		pp := pPrev + q
		s := pp + r
		innov := ys[t] - xPrev
		k := pp / s
		ds := 0.5 * (1/s - innov*innov/(s*s))
		dinnov := innov/s + dx*k
		dk := dx*innov - dp*pp
		dpp := dp*(1-k) + dk/s
		ds -= dk * pp / (s * s)
		dxPrev := dx - dinnov
		dpp += ds
		dr += ds
		dq += dpp
		dx, dp = dxPrev, dpp
	}
	return nll, dq, dr
}
