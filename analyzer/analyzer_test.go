package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gradgen/gradgen/analyzer"
)

// TestAnalyzer checks the analyzer's diagnostics against the // want
// comments of testdata/src: constructs that cannot be differentiated, a
// missing generated file (while another file already calls the missing
// gradient), and in package fresh a generated file that gradgen wrote
// before Cube changed: Square's part is fresh, Cube's stale.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "a", "fresh", "misspelled", "mathx", "crossbad")
}
