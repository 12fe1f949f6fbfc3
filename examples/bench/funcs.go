// Package bench measures gradgen's generated gradients against the
// alternatives a Go programmer has: a careful hand-written gradient,
// gonum's finite differences (diff/fd, central) and a runtime graph
// library (gorgonia), on the functions below (the last four written the
// ordinary way). It is a module of its own, so that gradgen's module does
// not depend on gorgonia.
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

// The functions below were written from the README alone by a helper
// asked for code as people write it (issue 14): an RK4 integration with a
// derivative helper, a perceptron with row views and a max-stabilised
// softmax, a kernel-ridge double loop; each with the hand-written
// gradient the same person wrote.

// deriv is the right-hand side of the damped oscillator d²x/dt² = -k x - c dx/dt.
func deriv(x, v, k, c float64) (float64, float64) {
	return v, -k*x - c*v
}

// Oscillator integrates the damped oscillator with classical RK4 from
// (x0, v0) for steps steps of 0.01 and returns the final energy-like
// quantity x² + v².
//
//gradgen:grad
//gradgen:jvp
func Oscillator(k, c float64, x0, v0 float64, steps int) float64 {
	const dt = 0.01
	x, v := x0, v0
	for i := 0; i < steps; i++ {
		k1x, k1v := deriv(x, v, k, c)
		k2x, k2v := deriv(x+0.5*dt*k1x, v+0.5*dt*k1v, k, c)
		k3x, k3v := deriv(x+0.5*dt*k2x, v+0.5*dt*k2v, k, c)
		k4x, k4v := deriv(x+dt*k3x, v+dt*k3v, k, c)
		x += dt / 6 * (k1x + 2*k2x + 2*k3x + k4x)
		v += dt / 6 * (k1v + 2*k2v + 2*k3v + k4v)
	}
	return x*x + v*v
}

// oscillatorHand returns Oscillator and its derivatives with respect to
// k, c, x0 and v0.
func oscillatorHand(k, c float64, x0, v0 float64, steps int) (value, dk, dc, dx0, dv0 float64) {
	const dt = 0.01
	const h = 0.5 * dt
	const g = dt / 6
	if steps < 0 {
		steps = 0
	}
	// Forward: keep the state at the start of every step.
	traj := make([]float64, 2*steps)
	x, v := x0, v0
	for i := 0; i < steps; i++ {
		traj[2*i], traj[2*i+1] = x, v
		k1x, k1v := deriv(x, v, k, c)
		k2x, k2v := deriv(x+0.5*dt*k1x, v+0.5*dt*k1v, k, c)
		k3x, k3v := deriv(x+0.5*dt*k2x, v+0.5*dt*k2v, k, c)
		k4x, k4v := deriv(x+dt*k3x, v+dt*k3v, k, c)
		x += dt / 6 * (k1x + 2*k2x + 2*k3x + k4x)
		v += dt / 6 * (k1v + 2*k2v + 2*k3v + k4v)
	}
	value = x*x + v*v
	ax, av := 2*x, 2*v
	for i := steps - 1; i >= 0; i-- {
		x, v := traj[2*i], traj[2*i+1]
		// recompute the stages
		k1x, k1v := v, -k*x-c*v
		x2, v2 := x+h*k1x, v+h*k1v
		k2x, k2v := v2, -k*x2-c*v2
		x3, v3 := x+h*k2x, v+h*k2v
		k3x, k3v := v3, -k*x3-c*v3
		x4, v4 := x+dt*k3x, v+dt*k3v
		// stage adjoints from the update
		dk1x, dk2x, dk3x, dk4x := g*ax, 2*g*ax, 2*g*ax, g*ax
		dk1v, dk2v, dk3v, dk4v := g*av, 2*g*av, 2*g*av, g*av
		dx, dv := ax, av
		// k4 = deriv(x4, v4)
		dv4 := dk4x - c*dk4v
		dx4 := -k * dk4v
		dk -= x4 * dk4v
		dc -= v4 * dk4v
		dx += dx4
		dk3x += dt * dx4
		dv += dv4
		dk3v += dt * dv4
		// k3 = deriv(x3, v3)
		dv3 := dk3x - c*dk3v
		dx3 := -k * dk3v
		dk -= x3 * dk3v
		dc -= v3 * dk3v
		dx += dx3
		dk2x += h * dx3
		dv += dv3
		dk2v += h * dv3
		// k2 = deriv(x2, v2)
		dv2 := dk2x - c*dk2v
		dx2 := -k * dk2v
		dk -= x2 * dk2v
		dc -= v2 * dk2v
		dx += dx2
		dk1x += h * dx2
		dv += dv2
		dk1v += h * dv2
		// k1 = deriv(x, v)
		dv += dk1x - c*dk1v
		dx -= k * dk1v
		dk -= x * dk1v
		dc -= v * dk1v
		_, _, _ = k2x, k3x, k3v
		ax, av = dx, dv
	}
	return value, dk, dc, ax, av
}

// RowMLPLoss is the softmax cross-entropy of a one-hidden-layer tanh perceptron
// with nIn inputs, nHid hidden units and nOut outputs on the sample (x, label).
// W1 is nHid×nIn and W2 is nOut×nHid, row-major.
//
//gradgen:grad wrt=W1,b1,W2,b2
//gradgen:jvp wrt=W1,b1,W2,b2
func RowMLPLoss(W1, b1, W2, b2 []float64, x []float64, label int, nIn, nHid, nOut int) float64 {
	h := make([]float64, nHid)
	for j := 0; j < nHid; j++ {
		w := W1[j*nIn : j*nIn+nIn]
		s := b1[j]
		for i := 0; i < nIn; i++ {
			s += w[i] * x[i]
		}
		h[j] = math.Tanh(s)
	}
	logits := make([]float64, nOut)
	for o := 0; o < nOut; o++ {
		w := W2[o*nHid : o*nHid+nHid]
		s := b2[o]
		for j := 0; j < nHid; j++ {
			s += w[j] * h[j]
		}
		logits[o] = s
	}
	m := logits[0]
	for _, z := range logits[1:] {
		if z > m {
			m = z
		}
	}
	sum := 0.0
	for _, z := range logits {
		sum += math.Exp(z - m)
	}
	return math.Log(sum) - (logits[label] - m)
}

// mlpLossHand returns RowMLPLoss and adds its gradient with respect to W1, b1,
// W2 and b2 into dW1, db1, dW2 and db2.
func mlpLossHand(W1, b1, W2, b2 []float64, x []float64, label int, nIn, nHid, nOut int,
	dW1, db1, dW2, db2 []float64) float64 {
	buf := make([]float64, 2*nHid+nOut)
	h, dh, logits := buf[:nHid], buf[nHid:2*nHid], buf[2*nHid:]
	for j := 0; j < nHid; j++ {
		w := W1[j*nIn : j*nIn+nIn]
		s := b1[j]
		for i := 0; i < nIn; i++ {
			s += w[i] * x[i]
		}
		h[j] = math.Tanh(s)
	}
	for o := 0; o < nOut; o++ {
		w := W2[o*nHid : o*nHid+nHid]
		s := b2[o]
		for j := 0; j < nHid; j++ {
			s += w[j] * h[j]
		}
		logits[o] = s
	}
	m := logits[0]
	for _, z := range logits[1:] {
		if z > m {
			m = z
		}
	}
	sum := 0.0
	for _, z := range logits {
		sum += math.Exp(z - m)
	}
	loss := math.Log(sum) - (logits[label] - m)

	// Backward: dz = softmax - onehot(label); the max shift cancels.
	inv := 1 / sum
	for o := 0; o < nOut; o++ {
		dz := math.Exp(logits[o]-m) * inv
		if o == label {
			dz -= 1
		}
		w := W2[o*nHid : o*nHid+nHid]
		dw := dW2[o*nHid : o*nHid+nHid]
		for j := 0; j < nHid; j++ {
			dw[j] += dz * h[j]
			dh[j] += dz * w[j]
		}
		db2[o] += dz
	}
	for j := 0; j < nHid; j++ {
		ds := dh[j] * (1 - h[j]*h[j])
		dw := dW1[j*nIn : j*nIn+nIn]
		for i := 0; i < nIn; i++ {
			dw[i] += ds * x[i]
		}
		db1[j] += ds
	}
	return loss
}

// KernelRidgeLoss is the kernel-ridge objective with a Gaussian kernel
// K_ij = exp(-gamma ‖x_i − x_j‖²) over the n points of X (n×d, row-major):
// Σ_i (f_i − y_i)² + lambda·αᵀKα with f = Kα.
//
//gradgen:grad wrt=alpha,gamma
//gradgen:jvp wrt=alpha,gamma
func KernelRidgeLoss(alpha []float64, X []float64, y []float64, d int, gamma, lambda float64) float64 {
	n := len(alpha)
	loss := 0.0
	reg := 0.0
	for i := 0; i < n; i++ {
		xi := X[i*d : i*d+d]
		f := 0.0
		for j := 0; j < n; j++ {
			xj := X[j*d : j*d+d]
			d2 := 0.0
			for k := 0; k < d; k++ {
				diff := xi[k] - xj[k]
				d2 += diff * diff
			}
			kij := math.Exp(-gamma * d2)
			f += alpha[j] * kij
			reg += alpha[i] * alpha[j] * kij
		}
		r := f - y[i]
		loss += r * r
	}
	return loss + lambda*reg
}

// kernelRidgeLossHand returns KernelRidgeLoss, adds its gradient with respect
// to alpha into dalpha and returns the derivative with respect to gamma.
func kernelRidgeLossHand(alpha []float64, X []float64, y []float64, d int, gamma, lambda float64,
	dalpha []float64) (value, dgamma float64) {
	n := len(alpha)
	// Kernel matrix and squared distances, computed once per pair.
	buf := make([]float64, 2*n*n+n)
	K, D, res := buf[:n*n], buf[n*n:2*n*n], buf[2*n*n:]
	for i := 0; i < n; i++ {
		xi := X[i*d : i*d+d]
		for j := i; j < n; j++ {
			xj := X[j*d : j*d+d]
			d2 := 0.0
			for k := 0; k < d; k++ {
				diff := xi[k] - xj[k]
				d2 += diff * diff
			}
			kij := math.Exp(-gamma * d2)
			K[i*n+j], K[j*n+i] = kij, kij
			D[i*n+j], D[j*n+i] = d2, d2
		}
	}
	loss, reg := 0.0, 0.0
	for i := 0; i < n; i++ {
		Ki := K[i*n : i*n+n]
		f := 0.0
		for j, kij := range Ki {
			f += alpha[j] * kij
			reg += alpha[i] * alpha[j] * kij
		}
		r := f - y[i]
		res[i] = r
		loss += r * r
	}
	value = loss + lambda*reg
	// dL/dα_j = Σ_i 2(r_i + λα_i) K_ij
	// dL/dγ  = −Σ_ij α_j (2r_i + λα_i) D_ij K_ij
	for i := 0; i < n; i++ {
		Ki, Di := K[i*n:i*n+n], D[i*n:i*n+n]
		ci := 2 * (res[i] + lambda*alpha[i])
		ei := 2*res[i] + lambda*alpha[i]
		g := 0.0
		for j, kij := range Ki {
			dalpha[j] += ci * kij
			g += alpha[j] * Di[j] * kij
		}
		dgamma -= ei * g
	}
	return value, dgamma
}
