package cases

import "math"

// One function per rule of the rule table: the operators, every function
// of package math with an elementary derivative, and the builtins min and
// max. Arguments are composed (2*x + 1 rather than x) where that makes the
// chain rule do some work.

//gradgen:grad
func Add(x, y float64) float64 { return x + y }

//gradgen:grad
func Sub(x, y float64) float64 { return x - y }

//gradgen:grad
func Mul(x, y float64) float64 { return x * y }

//gradgen:grad
func Div(x, y float64) float64 { return x / y }

//gradgen:grad
func Neg(x float64) float64 { return -x * (-x + 1) }

//gradgen:grad
func Abs(x float64) float64 { return math.Abs(x) }

//gradgen:grad
func Acos(x float64) float64 { return math.Acos(x) }

//gradgen:grad
func Acosh(x float64) float64 { return math.Acosh(x) }

//gradgen:grad
func Asin(x float64) float64 { return math.Asin(x) }

//gradgen:grad
func Asinh(x float64) float64 { return math.Asinh(2*x + 1) }

//gradgen:grad
func Atan(x float64) float64 { return math.Atan(x * x) }

//gradgen:grad
func Atan2(y, x float64) float64 { return math.Atan2(y, x) }

//gradgen:grad
func Atanh(x float64) float64 { return math.Atanh(x) }

//gradgen:grad
func Cbrt(x float64) float64 { return math.Cbrt(x) }

//gradgen:grad
func Ceil(x float64) float64 { return math.Ceil(x) * x }

//gradgen:grad
func Copysign(x, y float64) float64 { return math.Copysign(x, y) }

//gradgen:grad
func Cos(x float64) float64 { return math.Cos(x) }

//gradgen:grad
func Cosh(x float64) float64 { return math.Cosh(x) }

//gradgen:grad
func Dim(x, y float64) float64 { return math.Dim(x, y) }

//gradgen:grad
func Erf(x float64) float64 { return math.Erf(x) }

//gradgen:grad
func Erfc(x float64) float64 { return math.Erfc(x) }

//gradgen:grad
func Erfinv(x float64) float64 { return math.Erfinv(x) }

//gradgen:grad
func Erfcinv(x float64) float64 { return math.Erfcinv(x) }

//gradgen:grad
func Exp(x float64) float64 { return math.Exp(x) }

//gradgen:grad
func Exp2(x float64) float64 { return math.Exp2(x) }

//gradgen:grad
func Expm1(x float64) float64 { return math.Expm1(x) }

//gradgen:grad
func FMA(x, y, z float64) float64 { return math.FMA(x, y, z) }

//gradgen:grad
func Floor(x float64) float64 { return math.Floor(x) + x }

//gradgen:grad
func Frexp(x float64) float64 {
	frac, exp := math.Frexp(x)
	return frac * float64(exp)
}

//gradgen:grad
func Hypot(x, y float64) float64 { return math.Hypot(x, y) }

//gradgen:grad
func J0(x float64) float64 { return math.J0(x) }

//gradgen:grad
func J1(x float64) float64 { return math.J1(x) }

//gradgen:grad
func Jn(x float64) float64 { return math.Jn(3, x) }

//gradgen:grad
func Ldexp(x float64) float64 { return math.Ldexp(x, 3) }

//gradgen:grad
func Log(x float64) float64 { return math.Log(x) }

//gradgen:grad
func Log10(x float64) float64 { return math.Log10(x) }

//gradgen:grad
func Log1p(x float64) float64 { return math.Log1p(x) }

//gradgen:grad
func Log2(x float64) float64 { return math.Log2(x) }

//gradgen:grad
func Logb(x float64) float64 { return math.Logb(x) * x }

//gradgen:grad
func Max(x, y float64) float64 { return math.Max(x, y) }

//gradgen:grad
func Min(x, y float64) float64 { return math.Min(x, y) }

//gradgen:grad
func Mod(x, y float64) float64 { return math.Mod(x, y) }

//gradgen:grad
func Modf(x float64) float64 {
	whole, frac := math.Modf(x)
	return whole + 3*frac
}

//gradgen:grad
func Nextafter(x, y float64) float64 { return math.Nextafter(x, y) }

//gradgen:grad
func Nextafter32(x, y float32) float32 { return math.Nextafter32(x, y) }

//gradgen:grad
func Pow(x, y float64) float64 { return math.Pow(x, y) }

//gradgen:grad
func PowConst(x float64) float64 { return math.Pow(x, 2.5) }

//gradgen:grad
func Remainder(x, y float64) float64 { return math.Remainder(x, y) }

//gradgen:grad
func Round(x float64) float64 { return math.Round(x) * x }

//gradgen:grad
func RoundToEven(x float64) float64 { return math.RoundToEven(x) * x }

//gradgen:grad
func Sin(x float64) float64 { return math.Sin(x) }

//gradgen:grad
func Sincos(x float64) float64 {
	s, c := math.Sincos(x)
	return s * c * c
}

//gradgen:grad
func Sinh(x float64) float64 { return math.Sinh(x) }

//gradgen:grad
func Sqrt(x float64) float64 { return math.Sqrt(x) }

//gradgen:grad
func Tan(x float64) float64 { return math.Tan(x) }

//gradgen:grad
func Tanh(x float64) float64 { return math.Tanh(x) }

//gradgen:grad
func Trunc(x float64) float64 { return math.Trunc(x) * x }

//gradgen:grad
func Y0(x float64) float64 { return math.Y0(x) }

//gradgen:grad
func Y1(x float64) float64 { return math.Y1(x) }

//gradgen:grad
func Yn(x float64) float64 { return math.Yn(2, x) }

//gradgen:grad
func Max2(x, y float64) float64 { return max(x, y) }

//gradgen:grad
func Max3(x, y, z float64) float64 { return max(x, y, z) }

//gradgen:grad
func Min2(x, y float64) float64 { return min(x, y) }

//gradgen:grad
func Min3(x, y, z float64) float64 { return min(x, y, z) }
