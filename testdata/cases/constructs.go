package cases

import (
	"math"
	"strings"
)

// One function per straight-line construct of SPEC §5.

// Define uses := and reads each variable more than once.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Define(x, y float64) float64 {
	a := x * y
	b := a + x
	c := b * a
	return c / y
}

// VarDecl declares with var, with and without values and types.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func VarDecl(x float64) float64 {
	var a float64
	var b = x * 2
	var c float64 = b + 1
	var d, e = c * c, x
	a = d - e
	return a
}

// Reassign overwrites variables whose old values the backward sweep needs.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Reassign(x, y float64) float64 {
	a := x * y
	a = a * a
	x = math.Sin(x)
	a = a * x
	return a + x
}

// OpAssign uses every arithmetic assignment operator.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func OpAssign(x, y float64) float64 {
	s := x
	s += y * x
	s -= y
	s *= s
	s /= y + 3
	return s
}

// IncDec counts with ++ and -- on floats.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func IncDec(x float64) float64 {
	t := x * x
	t++
	t--
	t++
	return t * x
}

// Swap assigns in parallel: every right side is read before any change.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Swap(x, y float64) float64 {
	a, b := x, y*2
	a, b = b, a
	a, b = a*b, a+b
	return a - 3*b
}

// Shadow declares a variable that shadows a parameter, in a block.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Shadow(x float64) float64 {
	y := x * 2
	{
		x := y * y
		y = x + 1
	}
	return x * y
}

// Constants mixes untyped and typed constants, constant expressions and
// local constants with the variables.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Constants(x float64) float64 {
	const third = 1.0 / 3
	const k float64 = 2
	a := x / 3
	b := 1 / 3 * x
	c := x * third * math.Pi
	return a + b + c + k*x/(1<<4)
}

// Conversions converts between float types and from integers.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Conversions(x float64, n int) float64 {
	f := float32(x) * 3
	g := float64(f*f) + float64(n)
	var c Celsius = Celsius(g)
	return float64(c) * x / float64(n+1)
}

// Celsius is a named float type.
type Celsius float64

// Named computes in a named float type.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Named(c Celsius, k Celsius) Celsius {
	f := c*9/5 + 32
	return f * k
}

// Float32 computes in float32 throughout.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Float32(x, y float32) float32 {
	t := x*y + 1
	return t * float32(math.Sin(float64(t)))
}

// Fahrenheit is a method with a value receiver of a named float type.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func (c Celsius) Fahrenheit(scale float64) float64 {
	return (float64(c)*9/5 + 32) * scale
}

// unexported is an unexported function: its gradient is unexportedGrad.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func unexported(x float64) float64 { return x * x * x }

// Unexported calls unexported, so that it is used.
func Unexported(x float64) float64 { return unexported(x) }

// Wrt differentiates only with respect to w and b.
//
//gradgen:grad wrt=w,b
//gradgen:hvp wrt=w,b
//gradgen:hessian wrt=w,b
//gradgen:jvp wrt=w,b
func Wrt(w, x, b float64) float64 {
	z := w*x + b
	return z * z
}

// Renamed has its gradient generated under another name.
//
//gradgen:grad name=RenamedGradient
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Renamed(x float64) float64 { return math.Exp(-x * x) }

// Passive mixes integer, bool and string code with the float code; none
// of it is differentiated.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Passive(x float64, n int, name string) float64 {
	k := n * 2
	k++
	ok := x > 0 && k > 3
	label := strings.ToUpper(name)
	scale := float64(len(label) + k)
	_ = ok
	return x * scale
}

// DeadNaN computes an infinite intermediate that never reaches the
// result: its derivative (Inf times a zero adjoint is NaN) must not leak
// into the gradient.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func DeadNaN(x float64) float64 {
	unused := math.Exp(1000 * x)
	_ = unused
	y := math.Log(x) * 0
	y = x * 2
	return y
}

// PassiveExponent raises to a power that does not depend on x: no ∂y is
// computed at all.
//
//gradgen:grad wrt=x
//gradgen:hvp wrt=x
//gradgen:hessian wrt=x
//gradgen:jvp wrt=x
func PassiveExponent(x, p float64) float64 {
	return math.Pow(x, p) + math.Pow(2, p)
}

// ReturnParam returns a parameter as it is.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func ReturnParam(x, y float64) float64 {
	_ = y
	return x
}

// Unused does not depend on its parameter at all.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Unused(x float64) float64 {
	_ = x
	return 42
}

// Parens keeps the source's grouping, which decides the value bit for bit.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Parens(x, y, z float64) float64 {
	return (x + y) + z - (x - (y - z)) + x*(y+z)
}
