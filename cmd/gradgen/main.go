// Command gradgen generates gradients of Go functions.
//
// Mark a function that returns a single float with a //gradgen:grad
// directive in its doc comment, and run gradgen (usually through go
// generate) in its package:
//
//	//go:generate go tool gradgen
//
//	// Hypot is the length of (x, y).
//	//
//	//gradgen:grad
//	func Hypot(x, y float64) float64 {
//		return math.Sqrt(x*x + y*y)
//	}
//
// gradgen writes hypot_grad.go beside hypot.go with
//
//	func HypotGrad(x, y float64) (float64, float64, float64)
//
// which returns Hypot(x, y), ∂/∂x and ∂/∂y: plain, allocation-free Go that
// computes the function forward and then applies the chain rule backward.
//
// Usage:
//
//	gradgen [flags] [packages]
//	gradgen vet [packages]
//	go vet -vettool=$(go tool -n gradgen) [packages]
//
// With no packages, gradgen processes the package in the current directory.
// Packages are go/packages patterns, such as ./...
//
// Flags:
//
//	-check      write nothing; exit 1 naming every generated file that is
//	            missing, stale or orphaned, with a short diff
//	-tags list  build tags for loading packages
//	-graph NAME print the adjoint graph of function NAME (Loss or T.Loss) as
//	            Graphviz DOT, and write nothing
//	-at x=3,y=4 with -graph: evaluate the graph there, values and adjoints
//	            on the nodes, partials on the edges (straight-line functions)
//	-v          say what was read and written
//
// gradgen vet runs the gradgen analyzer (package analyzer), which writes
// nothing: it reports bad directives, constructs that cannot be
// differentiated, and missing or stale generated code, at the annotated
// functions, with paths relative to the working directory, each once; it
// exits 3 when it reports anything.
//
// Exit status: 0 on success; 1 when the code has a problem (a construct
// that cannot be differentiated, a malformed directive, a stale file under
// -check); 2 for usage and load errors.
//
// See the project README for the directive's options, the rules of
// differentiation and the conventions at non-smooth points.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/gradgen/gradgen/analyzer"
)

func main() {
	args := os.Args[1:]
	switch {
	case invokedByGoVet(args):
		// go vet -vettool=$(go tool -n gradgen)
		unitchecker.Main(analyzer.Analyzer)
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

// invokedByGoVet recognizes go vet's protocol: a -V=full or -flags query,
// or flags followed by a .cfg file describing one package.
func invokedByGoVet(args []string) bool {
	if len(args) == 0 {
		return false
	}
	return strings.HasPrefix(args[0], "-V=") || args[0] == "-flags" || strings.HasSuffix(args[len(args)-1], ".cfg")
}

// config is the parsed command line.
type config struct {
	check   bool
	vet     bool // gradgen vet: run the analyzer, write nothing
	tags    string
	graph   string
	at      string // -at: the point at which -graph evaluates the graph
	verbose bool
	dir     string
	// Internal switches for tests (see analyzer.Options).
	noActivity, saveAll bool
	sanity              bool
	patterns            []string
	stdout, stderr      io.Writer
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gradgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{stdout: stdout, stderr: stderr}
	if len(args) > 0 && args[0] == "vet" {
		c.vet, args = true, args[1:]
	}
	fs.BoolVar(&c.check, "check", false, "write nothing; exit 1 naming every generated file that is missing, stale or orphaned")
	fs.StringVar(&c.tags, "tags", "", "comma-separated build tags for loading packages")
	fs.StringVar(&c.graph, "graph", "", "print the adjoint graph of function `NAME` as Graphviz DOT, and write nothing")
	fs.StringVar(&c.at, "at", "", "with -graph: evaluate the graph at `x=3,y=4`: values and ∂R/∂node on the nodes, partials on the edges")
	fs.BoolVar(&c.verbose, "v", false, "say what was read and written")
	fs.BoolVar(&c.noActivity, "internal.noactivity", false, "(for tests) switch activity analysis off")
	fs.BoolVar(&c.saveAll, "internal.saveall", false, "(for tests) save every overwritten value")
	fs.BoolVar(&c.sanity, "internal.sanity", false, "(for tests) check the adjoint program after every pass")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gradgen [-check] [-tags list] [-graph NAME [-at x=3,y=4]] [-v] [packages]\n       gradgen vet [-tags list] [packages]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if c.at != "" && c.graph == "" {
		fmt.Fprintln(stderr, "gradgen: -at needs -graph NAME: it evaluates that function's graph")
		return 2
	}
	c.patterns = fs.Args()
	if len(c.patterns) == 0 {
		c.patterns = []string{"."}
	}
	return c.run()
}
