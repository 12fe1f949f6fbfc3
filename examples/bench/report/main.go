// Command report turns the output of interleaved benchmark rounds into
// BENCHMARKS.md: medians per function and method, and the ratios that
// matter, each computed from numbers of the same rounds.
//
//	go run ./report < rounds.txt > BENCHMARKS.md
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

type key struct{ fn, method string }

func main() {
	ns := map[key][]float64{}
	allocs := map[key]string{}
	cpu := ""
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "cpu: "); ok {
			cpu = strings.TrimSpace(rest)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		name = name[:strings.LastIndex(name, "-")]
		fn, method, _ := strings.Cut(name, "/")
		k := key{fn, method}
		if _, seen := ns[k]; !seen && method == "f" {
			order = append(order, fn)
		}
		v, _ := strconv.ParseFloat(f[2], 64)
		ns[k] = append(ns[k], v)
		for i := range f {
			if f[i] == "allocs/op" {
				allocs[k] = f[i-1]
			}
		}
	}
	median := func(k key) float64 {
		v := append([]float64(nil), ns[k]...)
		if len(v) == 0 {
			return 0
		}
		sort.Float64s(v)
		if len(v)%2 == 0 {
			return (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		return v[len(v)/2]
	}
	methods := []string{"f", "generated", "jvp", "hand", "fd", "gorgonia"}
	fmt.Println("# Benchmarks")
	fmt.Println()
	fmt.Println("Written by `examples/bench/run.sh`: the benchmarks of `examples/bench` run in interleaved")
	fmt.Printf("rounds (%d per benchmark), medians of ns/op; every gradient was checked against the\n", len(ns[key{order[0], "f"}]))
	fmt.Println("hand-written one first (`TestAgreement`). gonum `diff/fd` is central differences;")
	fmt.Println("gorgonia v0.9.18 runs a tape machine built once, outside the timed loop. The")
	fmt.Println("hand-written logistic gradient keeps its trajectory in an array on the stack, as the")
	fmt.Println("generated one keeps its tape, so that the two compare in arithmetic, not allocation.")
	fmt.Println("jvp is the generated forward mode (`//gradgen:jvp`) along one direction: the")
	fmt.Println("directional derivative, checked against the hand-written gradient's dot product.")
	fmt.Println()
	fmt.Printf("Machine: %s, %d cores as seen by Go; %s %s/%s.\n\n", cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Println("| function | f | generated | jvp | hand-written | fd | gorgonia | generated/f | jvp/f | generated/hand | jvp/generated | fd/generated | gorgonia/generated | allocs (generated, jvp, gorgonia) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	var ratios, jvpRatios []float64
	for _, fn := range order {
		row := []string{fn}
		for _, m := range methods {
			if v := median(key{fn, m}); v > 0 {
				row = append(row, fmtNs(v))
			} else {
				row = append(row, "n/a")
			}
		}
		g := median(key{fn, "generated"})
		ratio := func(a, b float64) string {
			if a == 0 || b == 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		j := median(key{fn, "jvp"})
		ratios = append(ratios, g/median(key{fn, "hand"}))
		jvpRatios = append(jvpRatios, j/median(key{fn, "f"}))
		row = append(row, ratio(g, median(key{fn, "f"})), ratio(j, median(key{fn, "f"})), ratio(g, median(key{fn, "hand"})),
			ratio(j, g), ratio(median(key{fn, "fd"}), g), ratio(median(key{fn, "gorgonia"}), g))
		ga, ok := allocs[key{fn, "gorgonia"}]
		if !ok {
			ga = "n/a"
		}
		row = append(row, allocs[key{fn, "generated"}]+", "+allocs[key{fn, "jvp"}]+", "+ga)
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	fmt.Printf("\nMedian of generated/hand-written over the %d functions: %.2f.\n", len(ratios), medianOf(ratios))
	fmt.Printf("Median of jvp/f (one forward-mode direction against the function alone): %.2f.\n", medianOf(jvpRatios))
	if len(os.Args) > 1 {
		secondDerivatives(os.Args[1])
	}
}

// secondDerivatives writes the section on Hessians and Jacobians from the
// benchmarks of examples/gonum's newton, stiff, robot and bratu (a file of the
// same interleaved rounds), named package/benchmark.
func secondDerivatives(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ns := map[string][]float64{}
	allocs := map[string]string{}
	pkg := ""
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = rest[strings.LastIndex(rest, "/")+1:]
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		name = pkg + "/" + name[:strings.LastIndex(name, "-")]
		v, _ := strconv.ParseFloat(f[2], 64)
		ns[name] = append(ns[name], v)
		for i := range f {
			if f[i] == "allocs/op" {
				allocs[name] = f[i-1]
			}
		}
	}
	m := func(name string) float64 { return medianOf(ns[name]) }
	fmt.Println()
	fmt.Println("## Second derivatives and Jacobians")
	fmt.Println()
	fmt.Println("The benchmarks of `examples/gonum` (newton, stiff, robot, bratu) in the same interleaved rounds,")
	fmt.Println("medians of ns/op. Rosenbrock is the extended Rosenbrock function in 100 dimensions: its")
	fmt.Println("Hessian is tridiagonal, which FHessian reads from the code and compresses to 3")
	fmt.Println("Hessian-vector products. DenseHessian is the logistic regression of examples/gonum/newton")
	fmt.Println("(5 weights, 100 observations), whose Hessian is dense: 5 products. Bratu is the residual of a")
	fmt.Println("boundary-value problem on 100 grid points, whose tridiagonal Jacobian FJacobian reads from the")
	fmt.Println("code and compresses to 3 JVPs; DenseColumns is the 100 JVPs it would take without the band.")
	fmt.Println()
	fmt.Println("| benchmark | median | allocs/op |")
	fmt.Println("| --- | --- | --- |")
	names := make([]string, 0, len(ns))
	for name := range ns {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("| %s | %s | %s |\n", name, fmtNs(m(name)), allocs[name])
	}
	fmt.Println()
	fmt.Printf("- Rosenbrock HVP/f: %.2f; HVP/gradient: %.2f; gradient/f: %.2f.\n",
		m("newton/HVP")/m("newton/F"), m("newton/HVP")/m("newton/Gradient"), m("newton/Gradient")/m("newton/F"))
	fmt.Printf("- Rosenbrock fd.Hessian/FHessian (banded, 3 products): %.1f; dense Hessian/(n × gradient), n = 5: %.2f.\n",
		m("newton/FDHessian")/m("newton/Hessian"), m("newton/DenseHessian")/(5*m("newton/DenseGradient")))
	fmt.Printf("- Robertson (3×3) fd.Jacobian/FJacobian: %.1f; planar arm (2×4): %.1f.\n",
		m("stiff/FDJacobian")/m("stiff/Jacobian"), m("robot/FDJacobian")/m("robot/Jacobian"))
	fmt.Printf("- Bratu (100×100, banded) fd.Jacobian/FJacobian: %.1f; 100 JVPs/FJacobian: %.1f.\n",
		m("bratu/FDJacobian")/m("bratu/Jacobian"), m("bratu/DenseColumns")/m("bratu/Jacobian"))
	fmt.Printf("- Robertson integrated to t = 40 by implicit Euler: %s with FJacobian, %s with fd.Jacobian.\n",
		fmtNs(m("stiff/Integrate")), fmtNs(m("stiff/IntegrateFD")))
}

// medianOf is the median of v.
func medianOf(v []float64) float64 {
	v = append([]float64(nil), v...)
	sort.Float64s(v)
	mid := v[len(v)/2]
	if len(v)%2 == 0 {
		mid = (v[len(v)/2-1] + mid) / 2
	}
	return mid
}

func fmtNs(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return fmt.Sprintf("%.2f ns", v)
}
