package misspelled

// gradgen:grad // want `"// gradgen:grad // want .*" is not a gradgen directive, and is ignored: write "//gradgen:grad`
func A(x float64) float64 { return x * x }

// gradgen: grad wrt=x // want `is not a gradgen directive, and is ignored: write "//gradgen:grad wrt=x`
func B(x float64) float64 { return x * x }

// gradgen jvp // want `"// gradgen jvp .*" is not a gradgen directive, and is ignored: write "//gradgen:jvp`
func C(x float64) float64 { return x * x }

// Gradgen:grad // want `write "//gradgen:grad`
func D(x float64) float64 { return x * x }

//go:gradgen grad // want `write "//gradgen:grad`
func E(x float64) float64 { return x * x }

// F is not annotated, and says so: gradgen is run by go generate, and
// gradgen rules are written beside their function. No warning.
func F(x float64) float64 { return x * x }

// G has prose that starts like a directive: a gradgen rule for the
// function above would be written as a directive. No warning.
//
// gradgen grad is what users ask for. No warning either.
func G(x float64) float64 { return x * x }
