// Command robot solves the inverse kinematics of a planar arm with four
// links: the joint angles that put its tip on a target, by
// Levenberg–Marquardt on the Jacobian of the tip's position that gradgen
// generates.
//
//	cd examples/gonum && go run ./robot
package main

import (
	"fmt"
	"log"
	"math"
)

func main() {
	arm := &Arm{Lengths: []float64{1, 0.8, 0.6, 0.4}}
	for _, target := range [][]float64{{1.5, 1.2}, {-0.5, 2.1}, {0.3, -1.9}} {
		theta, iterations, err := arm.Solve(target, []float64{0.1, 0.1, 0.1, 0.1}, 1e-12)
		if err != nil {
			log.Fatal(err)
		}
		p := make([]float64, 2)
		arm.Reach(p, theta)
		fmt.Printf("target (%5.2f, %5.2f): angles %7.4f in %2d iterations, tip off by %.1e\n",
			target[0], target[1], theta, iterations, math.Hypot(p[0]-target[0], p[1]-target[1]))
	}
}
