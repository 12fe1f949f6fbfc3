package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/emit"
)

// Removing an orphan under go generate.
//
// go generate lists every package's files before it runs the first
// directive, then reads each in turn, and stops with "open foo_grad.go: no
// such file or directory" when one it listed is gone. A generated file
// removed by gradgen run from an earlier file's directive is such a file:
// the run removes it, and go generate exits 1. So under go generate
// (GOFILE is set) a listed orphan that go generate has yet to read is not
// removed but replaced by a tombstone: a file outside the build
// (//go:build ignore) whose only content is the directive that ran
// gradgen. When go generate reaches it, that directive runs gradgen again,
// and this time the orphan is the file being read, so gradgen removes it.
// One go generate run thus ends with the file gone and exit status 0.

// goGenerateReadsLater reports whether go generate, running the directive
// that ran gradgen, has still to read path. Within the directive's own
// directory it reads the files by name; a file in another directory may
// belong to a package still to come.
func goGenerateReadsLater(path string) bool {
	gofile := os.Getenv("GOFILE")
	if gofile == "" {
		return false
	}
	wd, err := os.Getwd()
	if err != nil {
		return true
	}
	if filepath.Dir(path) != wd {
		return true
	}
	// go generate reads a package's files and its in-package test files
	// as one list sorted by name (an external test package's come after,
	// and are the rarer case: such an orphan that sorts before GOFILE
	// keeps its tombstone until the next run).
	return filepath.Base(path) > gofile
}

// tombstone is the content that stands for a removed generated file until
// go generate has read it: gradgen's header, so that gradgen knows it as
// its own; a build constraint that keeps it out of every build; and the
// directive that ran gradgen, copied from the file and line go generate
// names, so that reading it runs gradgen again to remove it. Without the
// directive, the next run of gradgen removes it.
func tombstone(pkg string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n//go:build ignore\n\n", emit.Header)
	b.WriteString("// This file is being removed: its source has no annotated functions.\n")
	if directive := goGenerateDirective(); directive != "" {
		b.WriteString("// go generate, which listed it before gradgen ran, removes it when it\n// reaches it, by running gradgen again:\n//\n")
		b.WriteString(directive + "\n")
	} else {
		b.WriteString("// The next run of gradgen removes it.\n")
	}
	fmt.Fprintf(&b, "\npackage %s\n", pkg)
	return []byte(b.String())
}

// goGenerateDirective is the //go:generate line that is running gradgen,
// or "" when it cannot be read.
func goGenerateDirective() string {
	line, err := strconv.Atoi(os.Getenv("GOLINE"))
	if err != nil {
		return ""
	}
	f, err := os.Open(os.Getenv("GOFILE"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n == line {
			if text := sc.Text(); strings.HasPrefix(text, "//go:generate ") {
				return text
			}
			return ""
		}
	}
	return ""
}
