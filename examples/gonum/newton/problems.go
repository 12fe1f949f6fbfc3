package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

//go:generate go run github.com/gradgen/gradgen/cmd/gradgen

// Rosenbrock is the extended Rosenbrock function: its minimum is 0, at
// x = (1, 1, ..., 1). Its Hessian is tridiagonal.
//
//gradgen:grad
//gradgen:hvp
//gradgen:hessian
func Rosenbrock(x []float64) float64 {
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		s += 100*a*a + b*b
	}
	return s
}

// An Obs is one flower of the two-class problem: its four measurements and
// whether it is a virginica (1) or a versicolor (0).
type Obs struct {
	X [4]float64
	Y float64
}

// NLL is the negative log-likelihood of logistic regression with weights
// w[0:4] and intercept w[4].
//
//gradgen:grad wrt=w
//gradgen:hessian wrt=w
func NLL(w []float64, data []Obs) float64 {
	s := 0.0
	for _, o := range data {
		z := w[4]
		for k := range o.X {
			z += w[k] * o.X[k]
		}
		// log(1 + e^z) - y·z, stable for large |z|.
		s += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - o.Y*z
	}
	return s
}

// readTwoClasses reads versicolor and virginica from the Iris CSV: the two
// species that a line does not separate, so that the likelihood has a
// finite maximum.
func readTwoClasses(r io.Reader) ([]Obs, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	var data []Obs
	for i, row := range rows[1:] {
		if len(row) != 5 {
			return nil, fmt.Errorf("iris: row %d has %d fields", i+2, len(row))
		}
		var o Obs
		switch row[4] {
		case "versicolor":
		case "virginica":
			o.Y = 1
		default:
			continue
		}
		for k := range 4 {
			if o.X[k], err = strconv.ParseFloat(row[k], 64); err != nil {
				return nil, fmt.Errorf("iris: row %d: %v", i+2, err)
			}
		}
		data = append(data, o)
	}
	return data, nil
}
