package main

import (
	"fmt"
	"strings"
)

// shortDiff returns the lines that differ between old and new, "-" for
// removed and "+" for added, at most limit of them: enough for a CI log to
// show what changed, not a patch to apply.
func shortDiff(old, new []byte, limit int) string {
	a := strings.Split(string(old), "\n")
	b := strings.Split(string(new), "\n")
	// Longest common subsequence by dynamic programming: generated files
	// are small, and this keeps the tool free of a diff dependency.
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	shown, total := 0, 0
	emit := func(prefix string, line int, text string) {
		total++
		if shown < limit {
			fmt.Fprintf(&out, "\t%s%d: %s\n", prefix, line+1, text)
			shown++
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			emit("+", j, b[j])
			j++
		default:
			emit("-", i, a[i])
			i++
		}
	}
	if total > shown {
		fmt.Fprintf(&out, "\t... and %d more changed lines\n", total-shown)
	}
	return out.String()
}
