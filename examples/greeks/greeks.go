// Command greeks prices European options with the Black-Scholes formula
// and gets their Greeks — ∂/∂S (delta), ∂/∂K, ∂/∂T (theta, as ∂/∂T), ∂/∂r
// (rho) and ∂/∂σ (vega) — from one call to the generated gradient, beside
// the closed forms.
//
//	go run ./examples/greeks
package main

import (
	"fmt"
	"math"
)

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// normCDF is the standard normal distribution function, through Erfc,
// which is accurate in both tails.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Call is the Black-Scholes price of a European call: spot S, strike K,
// time to expiry T (years), rate r, volatility sigma.
//
//gradgen:grad
func Call(S, K, T, r, sigma float64) float64 {
	sq := sigma * math.Sqrt(T)
	d1 := (math.Log(S/K) + (r+sigma*sigma/2)*T) / sq
	d2 := d1 - sq
	return S*normCDF(d1) - K*math.Exp(-r*T)*normCDF(d2)
}

// Put is the Black-Scholes price of a European put.
//
//gradgen:grad
func Put(S, K, T, r, sigma float64) float64 {
	sq := sigma * math.Sqrt(T)
	d1 := (math.Log(S/K) + (r+sigma*sigma/2)*T) / sq
	d2 := d1 - sq
	return K*math.Exp(-r*T)*normCDF(-d2) - S*normCDF(-d1)
}

// Greeks are an option's price and first derivatives.
type Greeks struct {
	Price, Delta, DK, DT, Rho, Vega float64
}

// closedForm returns the textbook Greeks of a call (put = false) or put.
func closedForm(put bool, S, K, T, r, sigma float64) Greeks {
	sq := sigma * math.Sqrt(T)
	d1 := (math.Log(S/K) + (r+sigma*sigma/2)*T) / sq
	d2 := d1 - sq
	pdf := math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi)
	disc := K * math.Exp(-r*T)
	g := Greeks{Vega: S * pdf * math.Sqrt(T)}
	decay := S * pdf * sigma / (2 * math.Sqrt(T))
	if !put {
		g.Price = S*normCDF(d1) - disc*normCDF(d2)
		g.Delta = normCDF(d1)
		g.DK = -math.Exp(-r*T) * normCDF(d2)
		g.DT = decay + r*disc*normCDF(d2)
		g.Rho = T * disc * normCDF(d2)
		return g
	}
	g.Price = disc*normCDF(-d2) - S*normCDF(-d1)
	g.Delta = normCDF(d1) - 1
	g.DK = math.Exp(-r*T) * normCDF(-d2)
	g.DT = decay - r*disc*normCDF(-d2)
	g.Rho = -T * disc * normCDF(-d2)
	return g
}

// generated returns the Greeks from the generated gradient.
func generated(put bool, S, K, T, r, sigma float64) Greeks {
	f := CallGrad
	if put {
		f = PutGrad
	}
	price, dS, dK, dT, dr, dsigma := f(S, K, T, r, sigma)
	return Greeks{price, dS, dK, dT, dr, dsigma}
}

func main() {
	S, K, T, r, sigma := 100.0, 105.0, 0.5, 0.03, 0.25
	fmt.Printf("S = %g, K = %g, T = %g, r = %g, σ = %g\n\n", S, K, T, r, sigma)
	for _, put := range []bool{false, true} {
		name := "call"
		if put {
			name = "put"
		}
		g, c := generated(put, S, K, T, r, sigma), closedForm(put, S, K, T, r, sigma)
		fmt.Printf("%-4s  %-10s %-22s %-22s\n", name, "", "gradgen (one call)", "closed form")
		for _, row := range []struct {
			name string
			a, b float64
		}{{"price", g.Price, c.Price}, {"delta", g.Delta, c.Delta}, {"∂/∂K", g.DK, c.DK},
			{"∂/∂T", g.DT, c.DT}, {"rho", g.Rho, c.Rho}, {"vega", g.Vega, c.Vega}} {
			fmt.Printf("      %-10s %-22.15g %-22.15g\n", row.name, row.a, row.b)
		}
		fmt.Println()
	}
}
