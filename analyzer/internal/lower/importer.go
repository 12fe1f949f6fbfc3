package lower

import (
	"go/importer"
	"go/types"
)

// importer is the package's importer for synthetic files, made once: its
// fallback reads export data, which is slow to find.
func (p *Package) importer() *packageImporter {
	if p.imports == nil {
		p.imports = newPackageImporter(p.Pkg)
	}
	return p.imports
}

// A packageImporter gives the packages the user's package imports, as
// they were loaded, so that types from them are the same objects; others
// (fmt, for length checks' messages) come from export data.
type packageImporter struct {
	known    map[string]*types.Package
	fallback types.Importer
}

func newPackageImporter(pkg *types.Package) *packageImporter {
	imp := &packageImporter{known: map[string]*types.Package{}}
	var add func(*types.Package)
	add = func(p *types.Package) {
		for _, q := range p.Imports() {
			if _, ok := imp.known[q.Path()]; !ok {
				imp.known[q.Path()] = q
				add(q)
			}
		}
	}
	add(pkg)
	return imp
}

// Import returns the package at path.
func (imp *packageImporter) Import(path string) (*types.Package, error) {
	if p, ok := imp.known[path]; ok && p.Complete() {
		return p, nil
	}
	if imp.fallback == nil {
		imp.fallback = importer.Default()
	}
	p, err := imp.fallback.Import(path)
	if err == nil {
		imp.known[path] = p
	}
	return p, err
}

// Importer gives the packages p's package imports, as they were loaded
// (see packageImporter): for type-checking the synthetic package.
func (p *Package) Importer() types.Importer { return p.importer() }

// NewImporter gives the packages pkg imports, as they were loaded, and
// others from export data: for type-checking a rewritten copy of pkg.
func NewImporter(pkg *types.Package) types.Importer { return newPackageImporter(pkg) }
