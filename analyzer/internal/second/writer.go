// Package second writes the derivatives built from both modes: Hessian-
// vector products and Hessians (reverse mode over forward mode's JVP),
// Jacobians (rows by VJPs, columns by JVPs, banded ones compressed), and the
// JVPs and VJPs of functions with several outputs. Each is written as Go
// source, type-checked with the user's package (the synthetic package) and
// differentiated again by internal/lower's reverse mode.
package second

import (
	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/lower"
)

// A Writer writes one package's second derivatives and Jacobians. The
// synthetic package is checked once, for all of them (RunSynthetic).
type Writer struct {
	*lower.Package
	synth      *syntheticBatch
	synthSrc   map[string][]byte       // the synthetic files' sources, by path, to map their errors back
	userFiles  map[string]userFile     // files as on disk, to map those errors to (userFile)
	outputVJPs map[outputVJPKey]string // the inner VJPs written, shared by FVJP and FJacobian
	// docs write the doc comments of functions that wait for the
	// synthetic package, once their parameters are known.
	docs map[*adjoint.Func]func(*adjoint.Func) string
}

// New returns a Writer for the package p.
func New(p *lower.Package) *Writer {
	return &Writer{Package: p, synth: newSyntheticBatch()}
}
