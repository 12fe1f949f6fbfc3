// Command mlp trains a multi-layer perceptron on Fisher's Iris data set
// (1936: 150 flowers, 4 measurements, 3 species) by backpropagation, with
// the gradient that gradgen generates from Model.Loss.
//
//	go run ./examples/mlp [-epochs 300] [-lr 0.01] [-seed 1]
//
// It trains with Adam on the whole data set from a fixed seed, printing
// epoch, loss and training accuracy as it goes.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	epochs := flag.Int("epochs", 300, "training epochs (full passes over the data)")
	lr := flag.Float64("lr", 0.01, "Adam learning rate")
	seed := flag.Uint64("seed", 1, "seed of the weights' initialisation")
	flag.Parse()

	f, err := os.Open("testdata/iris.csv")
	if err != nil {
		// Run from the repository root: go run ./examples/mlp.
		f, err = os.Open("examples/mlp/testdata/iris.csv")
	}
	if err != nil {
		log.Fatal(err)
	}
	data, err := readIris(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	m := NewModel(*seed)
	train(m, data, *epochs, *lr, func(epoch int, loss, acc float64) {
		if epoch%25 == 0 || epoch == *epochs {
			fmt.Printf("epoch %4d  loss %.4f  accuracy %5.1f%%\n", epoch, loss, 100*acc)
		}
	})
}
