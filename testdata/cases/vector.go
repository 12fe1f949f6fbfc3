package cases

import "math"

// Vector-valued functions: an output parameter (out=) or several float
// results, with their JVPs, VJPs and Jacobians.

// Robertson is the right-hand side of the Robertson chemical kinetics
// problem, gonum's func(dy, y []float64) shape. n = m: the Jacobian takes
// the forward sweeps.
//
//gradgen:jvp out=dy
//gradgen:vjp out=dy
//gradgen:jacobian out=dy
func Robertson(dy, y []float64) {
	dy[0] = -0.04*y[0] + 1e4*y[1]*y[2]
	dy[2] = 3e7 * y[1] * y[1]
	dy[1] = -dy[0] - dy[2]
}

// Arm is the forward kinematics of a planar arm: 2 outputs, 2n inputs, so
// the Jacobian takes the reverse sweeps.
//
//gradgen:jvp out=p
//gradgen:vjp out=p
//gradgen:jacobian out=p
func Arm(p, theta, lens []float64) {
	x, y, a := 0.0, 0.0, 0.0
	for i := range theta {
		a += theta[i]
		x += lens[i] * math.Cos(a)
		y += lens[i] * math.Sin(a)
	}
	p[0] = x
	p[1] = y
}

// Expand has more outputs than inputs, decided by y's length at run time.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func Expand(y []float64, a, b float64) {
	for i := range y {
		y[i] = math.Sin(a*float64(i)) * b
	}
}

// EarlyOut returns early from a branch and from inside a loop: the VJP's
// scalar function returns Σ dy·y at each return.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func EarlyOut(y, x []float64) {
	y[0] = x[0] * x[1]
	if x[0] > 1 {
		y[1] = math.Sin(x[1])
		y[2] = x[2] * y[1]
		return
	}
	acc := 0.0
	for i := range x {
		if x[i] < -1 {
			y[1] = x[i] * x[i]
			y[2] = acc / x[i]
			return
		}
		acc += x[i] * y[0]
	}
	y[1] = math.Exp(x[0]) * x[1]
	y[2] = acc
}

// Cumsum reads elements of its output it wrote before (y[i-1]), and
// branches on them.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func Cumsum(y, x []float64) {
	y[0] = x[0]
	for i := 1; i < len(y); i++ {
		if y[i-1] > 0 {
			y[i] = y[i-1] + x[i]*x[i]
		} else {
			y[i] = y[i-1] * x[i]
		}
	}
}

// PolarPair returns two results.
//
//gradgen:jvp
//gradgen:vjp
//gradgen:jacobian
func PolarPair(x, y float64) (float64, float64) {
	return math.Hypot(x, y), math.Atan2(y, x)
}

// Decay is a model whose residuals a fit minimises: the data are in the
// receiver, the parameters differentiated.
type Decay struct{ T, Y []float64 }

// Residuals fills r with the model's misfit at theta.
//
//gradgen:jvp out=r wrt=theta
//gradgen:vjp out=r wrt=theta
//gradgen:jacobian out=r wrt=theta
func (d *Decay) Residuals(r, theta []float64) {
	for i := range r {
		r[i] = theta[0]*math.Exp(-theta[1]*d.T[i]) - d.Y[i]
	}
}

// Force takes a struct by value and a float.
//
//gradgen:jvp out=f
//gradgen:vjp out=f
//gradgen:jacobian out=f
func Force(f []float64, p Point, k float64) {
	f[0] = -k * p.X * p.X
	f[1] = -k * p.Y
	f[2] = p.X * p.Y
}

// Squares32 is float32 code: its Jacobian buffer is a []float32.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func Squares32(y, x []float32) {
	for i := range y {
		y[i] = x[i] * x[i] * float32(i+1)
	}
}

// Spread fills its output from a variadic parameter (the VJP's synthetic
// function had the cotangent after the variadic parameter: it did not
// type-check).
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func Spread(y []float64, xs ...float64) {
	for i := range y {
		y[i] = xs[i%len(xs)] * xs[0]
	}
}

// ScaledPair calls a function whose rule is a pullback, which forward mode
// cannot use: its Jacobian is made of reverse sweeps alone.
//
//gradgen:vjp out=y
//gradgen:jacobian out=y
func ScaledPair(y, w []float64) {
	y[0] = scaleInto(w, 2)
	y[1] = w[0] * w[1]
}

// PointerInputs reads its inputs through a pointer to a slice and a
// pointer to a pointer. Regression (a fresh trial): the Jacobian's and
// VJP's component walks and the buffers' length checks indexed the
// pointers themselves, which did not compile.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func PointerInputs(y []float64, xs *[]float64, k **float64) {
	for i, x := range *xs {
		y[i] = x * x * **k
	}
	y[len(y)-1] += math.Sin(**k)
}

// Tip fills an output held in an array through a pointer.
//
//gradgen:jvp out=tip
//gradgen:vjp out=tip
//gradgen:jacobian out=tip
func Tip(tip *[2]float64, theta []float64) {
	x, y, a := 0.0, 0.0, 0.0
	for i := range theta {
		a += theta[i]
		x += math.Cos(a)
		y += math.Sin(a)
	}
	tip[0] = x
	tip[1] = y
}

// Pose is a struct output: its floats, the array's in index order, are
// the output's components; Steps is passive, read and then written by
// StructTip (FVJP and FJacobian give every run the caller's Steps).
type Pose struct {
	X, Y  float64
	Angle float64
	Joint [2]float64
	Steps int
}

// StructTip fills a struct through a pointer (out=p): five components.
// With three inputs the Jacobian takes columns, with seven rows.
//
//gradgen:jvp out=p
//gradgen:vjp out=p
//gradgen:jacobian out=p
func StructTip(p *Pose, theta []float64, l float64) {
	p.X = l * math.Cos(theta[0])
	p.Y = l * math.Sin(theta[0]+theta[len(theta)-1])
	p.Angle = theta[0] * p.X
	if p.Steps > 3 { // a passive field's incoming value read
		p.Angle = -p.Angle
	}
	if l > 1.8 {
		return // Joint unwritten: zero derivatives
	}
	for i := range p.Joint {
		p.Joint[i] = theta[i] * l * p.Y
	}
	p.Steps = len(theta) // read above: every run starts from the caller's
}

// IncomingRead reads y[0] before it writes it, which SPEC §7 asks a
// function not to do: its incoming contents are passive (constant here).
// FVJP and FJacobian run the body more than once and gave the later runs
// the y the first one filled; they now start every run from the caller's
// y.
//
//gradgen:jvp out=y
//gradgen:vjp out=y
//gradgen:jacobian out=y
func IncomingRead(y, x []float64) {
	y[1] = y[0]*x[0] + x[1]
	y[0] = x[1] * x[1]
	for i := 2; i < len(y); i++ {
		y[i] += y[i-1] * x[0] // the incoming y[i] read, by an op-assignment
	}
}

// LeadingIf starts with an if that writes the output: FJVP zeroed the
// output's tangent after every leading if, as if they were its length
// checks, wiping what the branch wrote (a wrong Jacobian by columns), and
// left it unzeroed on the early return (a new-user trial).
//
//gradgen:jvp out=r
//gradgen:vjp out=r
//gradgen:jacobian out=r
func LeadingIf(r, u []float64) {
	if u[0] > 1 {
		r[0] = u[1] - u[0]
		r[1] = u[0] * u[1]
		return
	} else {
		r[0] = u[0] - 1
	}
	for i := 1; i < len(u)-1; i++ {
		r[i] = u[i-1] - 2*u[i] + u[i+1] + u[i]*u[i]
	}
	r[len(u)-1] = u[len(u)-1]
}
