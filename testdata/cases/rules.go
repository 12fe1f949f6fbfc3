package cases

import "math"

// One function per rule of the rule table: the operators, every function
// of package math with an elementary derivative, and the builtins min and
// max. Arguments are composed (2*x + 1 rather than x) where that makes the
// chain rule do some work.

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Add(x, y float64) float64 { return x + y }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Sub(x, y float64) float64 { return x - y }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Mul(x, y float64) float64 { return x * y }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Div(x, y float64) float64 { return x / y }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Neg(x float64) float64 { return -x * (-x + 1) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Abs(x float64) float64 { return math.Abs(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Acos(x float64) float64 { return math.Acos(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Acosh(x float64) float64 { return math.Acosh(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Asin(x float64) float64 { return math.Asin(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Asinh(x float64) float64 { return math.Asinh(2*x + 1) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Atan(x float64) float64 { return math.Atan(x * x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Atan2(y, x float64) float64 { return math.Atan2(y, x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Atanh(x float64) float64 { return math.Atanh(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Cbrt(x float64) float64 { return math.Cbrt(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Ceil(x float64) float64 { return math.Ceil(x) * x }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Copysign(x, y float64) float64 { return math.Copysign(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Cos(x float64) float64 { return math.Cos(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Cosh(x float64) float64 { return math.Cosh(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Dim(x, y float64) float64 { return math.Dim(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Erf(x float64) float64 { return math.Erf(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Erfc(x float64) float64 { return math.Erfc(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Erfinv(x float64) float64 { return math.Erfinv(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Erfcinv(x float64) float64 { return math.Erfcinv(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Exp(x float64) float64 { return math.Exp(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Exp2(x float64) float64 { return math.Exp2(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Expm1(x float64) float64 { return math.Expm1(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FMA(x, y, z float64) float64 { return math.FMA(x, y, z) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Floor(x float64) float64 { return math.Floor(x) + x }

// FrexpSubnormal takes Frexp's fraction of a subnormal, whose partial is
// 2^1073 (more than float64 holds), with a zero adjoint: the gradient is
// 0, not Inf·0 = NaN.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func FrexpSubnormal(x, y float64) float64 {
	frac, _ := math.Frexp(x)
	return y*y + (y-y)*frac
}

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Frexp(x float64) float64 {
	frac, exp := math.Frexp(x)
	return frac * float64(exp)
}

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Hypot(x, y float64) float64 { return math.Hypot(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func J0(x float64) float64 { return math.J0(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func J1(x float64) float64 { return math.J1(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Jn(x float64) float64 { return math.Jn(3, x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Ldexp(x float64) float64 { return math.Ldexp(x, 3) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Log(x float64) float64 { return math.Log(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Log10(x float64) float64 { return math.Log10(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Log1p(x float64) float64 { return math.Log1p(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Log2(x float64) float64 { return math.Log2(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Logb(x float64) float64 { return math.Logb(x) * x }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Max(x, y float64) float64 { return math.Max(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Min(x, y float64) float64 { return math.Min(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Mod(x, y float64) float64 { return math.Mod(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Modf(x float64) float64 {
	whole, frac := math.Modf(x)
	return whole + 3*frac
}

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Nextafter(x, y float64) float64 { return math.Nextafter(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Nextafter32(x, y float32) float32 { return math.Nextafter32(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Pow(x, y float64) float64 { return math.Pow(x, y) }

// PowCorner has a Hessian and no //gradgen:grad, so FHessian's gradient
// comes from a gradient helper: at x = 0 its ∂/∂x is +Inf and its ∂/∂y
// is 0, as FGrad would give them (from the rows' directional
// derivatives ∂/∂y was 0·Inf = NaN; TestHessianGradientAsFGrad).
//
//gradgen:hessian
func PowCorner(x, y float64) float64 { return math.Pow(x, y) + x*y }

// PowCornerSlice is PowCorner over a slice: FHessian's gradient is a
// buffer, added into from the rows' scratch, or by the gradient helper at
// x[0] = 0.
//
//gradgen:hessian
func PowCornerSlice(x []float64) float64 { return math.Pow(x[0], x[1]) + x[0]*x[1] }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func PowConst(x float64) float64 { return math.Pow(x, 2.5) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Remainder(x, y float64) float64 { return math.Remainder(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Round(x float64) float64 { return math.Round(x) * x }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RoundToEven(x float64) float64 { return math.RoundToEven(x) * x }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Sin(x float64) float64 { return math.Sin(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Sincos(x float64) float64 {
	s, c := math.Sincos(x)
	return s * c * c
}

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Sinh(x float64) float64 { return math.Sinh(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Sqrt(x float64) float64 { return math.Sqrt(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Tan(x float64) float64 { return math.Tan(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Tanh(x float64) float64 { return math.Tanh(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Trunc(x float64) float64 { return math.Trunc(x) * x }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Y0(x float64) float64 { return math.Y0(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Y1(x float64) float64 { return math.Y1(x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Yn(x float64) float64 { return math.Yn(2, x) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Max2(x, y float64) float64 { return max(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Max3(x, y, z float64) float64 { return max(x, y, z) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Min2(x, y float64) float64 { return min(x, y) }

//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func Min3(x, y, z float64) float64 { return min(x, y, z) }

// RoundingResidual takes Frexp of a float32 rounding residual: by the
// convention that a float32 round trip has derivative 1, the residual's
// derivative is 0, exactly, in both modes (it was float32's rounding of
// the derivative, magnified 2^26 by Frexp: random programs, seed 24).
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
//gradgen:jvp
func RoundingResidual(x float64) float64 {
	frac, _ := math.Frexp(x - float64(float32(x)))
	return x*x + 0.3*frac
}
