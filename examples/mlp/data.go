package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// species are the class labels, in the order of the data set.
var species = []string{"setosa", "versicolor", "virginica"}

// readIris reads the CSV (header row, four measurements in centimetres
// and the species) and scales each measurement to zero mean and unit
// variance, which the tanh units need.
func readIris(r io.Reader) ([]Sample, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("iris: no data rows")
	}
	var data []Sample
	for i, row := range rows[1:] {
		if len(row) != nIn+1 {
			return nil, fmt.Errorf("iris: row %d has %d fields, want %d", i+2, len(row), nIn+1)
		}
		var s Sample
		for k := range nIn {
			if s.X[k], err = strconv.ParseFloat(row[k], 64); err != nil {
				return nil, fmt.Errorf("iris: row %d: %v", i+2, err)
			}
		}
		s.Label = -1
		for c, name := range species {
			if row[nIn] == name {
				s.Label = c
			}
		}
		if s.Label < 0 {
			return nil, fmt.Errorf("iris: row %d: unknown species %q", i+2, row[nIn])
		}
		data = append(data, s)
	}
	standardize(data)
	return data, nil
}

func standardize(data []Sample) {
	for k := range nIn {
		mean, sq := 0.0, 0.0
		for _, s := range data {
			mean += s.X[k]
		}
		mean /= float64(len(data))
		for _, s := range data {
			sq += (s.X[k] - mean) * (s.X[k] - mean)
		}
		sd := sqrt(sq / float64(len(data)))
		for i := range data {
			data[i].X[k] = (data[i].X[k] - mean) / sd
		}
	}
}
