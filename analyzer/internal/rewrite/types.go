package rewrite

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"sync"

	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Rewriting typed syntax: the rewrites (function literals, named results,
// composite literals) write new nodes and copies of old ones, and record
// for each what the type checker would have, so that every analysis after
// them reads the rewritten function as if it were source.

// typeExpr is what the type checker records for a type used as an
// expression (its mode cannot be set otherwise): the function of a
// conversion gradgen writes takes it, with its own type.
var typeExpr = sync.OnceValue(func() types.TypeAndValue {
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	id := ast.NewIdent("float64")
	if err := types.CheckExpr(token.NewFileSet(), nil, token.NoPos, id, info); err != nil {
		panic(err)
	}
	return info.Types[id]
})

// Converted returns the constant a as a conversion to the float type t,
// t(a), with the types the type checker would record: pasted bare into
// an expression, an untyped 3 in t / 2 would be integer division. It
// returns nil when t has no name to write.
func (p *Rewriter) Converted(a ast.Expr, t types.Type) ast.Expr {
	var name *types.TypeName
	switch t := t.(type) {
	case *types.Named:
		name = t.Obj()
	case *types.Alias:
		name = t.Obj()
	case *types.Basic:
		name, _ = types.Universe.Lookup(t.Name()).(*types.TypeName)
	case *types.TypeParam:
		name = t.Obj()
	}
	tv, ok := p.Info.Types[a]
	if _, basic := t.Underlying().(*types.Basic); name == nil || !ok || tv.Value == nil || !basic && !gotypes.IsTypeParam(t) {
		return nil
	}
	fun := &ast.Ident{NamePos: a.Pos(), Name: name.Name()}
	p.Info.Uses[fun] = name
	ftv := typeExpr()
	ftv.Type = t
	p.Info.Types[fun] = ftv
	conv := &ast.CallExpr{Fun: fun, Lparen: a.Pos(), Args: []ast.Expr{a}, Rparen: a.End()}
	if gotypes.IsTypeParam(t) {
		// A conversion to a type parameter is no constant: Go rounds it
		// for each type when it runs.
		tv.Type, tv.Value = t, nil
		p.Info.Types[conv] = tv
		return conv
	}
	switch b := t.Underlying().(*types.Basic); {
	case b.Info()&types.IsFloat != 0:
		f, _ := constant.Float64Val(constant.ToFloat(tv.Value))
		if b.Kind() == types.Float32 {
			f = float64(float32(f))
		}
		tv.Value = constant.MakeFloat64(f)
	case b.Info()&types.IsInteger != 0:
		tv.Value = constant.ToInt(tv.Value)
	}
	tv.Type = t
	p.Info.Types[conv] = tv
	return conv
}

// Paren wraps e in parentheses that carry its type.
func (p *Rewriter) Paren(e ast.Expr) ast.Expr {
	out := &ast.ParenExpr{Lparen: e.Pos(), X: e, Rparen: e.End()}
	if tv, ok := p.Info.Types[e]; ok {
		p.Info.Types[out] = tv
	}
	return out
}

// CloneNode deep-copies a syntax tree, recording each copy's type and
// object beside the original's.
func (p *Rewriter) CloneNode(n ast.Node) ast.Node {
	return p.cloneValue(reflect.ValueOf(n)).Interface().(ast.Node)
}

// The reflected types that CloneNode copies by reference, not deeply.
var (
	ObjectType       = reflect.TypeFor[*ast.Object]()
	CommentGroupType = reflect.TypeFor[*ast.CommentGroup]()
	ScopeType        = reflect.TypeFor[*ast.Scope]()
)

func (p *Rewriter) cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == ObjectType || v.Type() == CommentGroupType || v.Type() == ScopeType {
			return v
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		if c.Elem().Kind() == reflect.Struct {
			for i := range c.Elem().NumField() {
				if f := c.Elem().Field(i); f.CanSet() {
					f.Set(p.cloneValue(f))
				}
			}
		}
		if orig, ok := v.Interface().(ast.Node); ok {
			p.recordClone(orig, c.Interface().(ast.Node))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(p.cloneValue(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(p.cloneValue(v.Index(i)))
		}
		return c
	}
	return v
}

// recordClone gives a copied node what the type checker recorded for
// the original.
func (p *Rewriter) recordClone(orig, c ast.Node) {
	info := p.Info
	if e, ok := orig.(ast.Expr); ok {
		if tv, ok := info.Types[e]; ok {
			info.Types[c.(ast.Expr)] = tv
		}
	}
	if id, ok := orig.(*ast.Ident); ok {
		if o, ok := info.Uses[id]; ok {
			info.Uses[c.(*ast.Ident)] = o
		}
		if o, ok := info.Defs[id]; ok {
			info.Defs[c.(*ast.Ident)] = o
		}
		if in, ok := info.Instances[id]; ok {
			info.Instances[c.(*ast.Ident)] = in
		}
	}
	if s, ok := orig.(*ast.SelectorExpr); ok {
		if sel, ok := info.Selections[s]; ok {
			info.Selections[c.(*ast.SelectorExpr)] = sel
		}
	}
	if o, ok := info.Implicits[orig]; ok {
		info.Implicits[c] = o
	}
	if sc, ok := info.Scopes[orig]; ok {
		info.Scopes[c] = sc
	}
}

// ShortPos writes pos as file.go:line:col, the file without its directory.
func (p *Rewriter) ShortPos(pos token.Pos) string {
	if p.Fset == nil {
		return "?" // ExportsOf reads no positions, and reports nothing
	}
	at := p.Fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", filepath.Base(at.Filename), at.Line, at.Column)
}

// IsBasic reports whether t's underlying type is a basic type.
func IsBasic(t types.Type) bool {
	_, ok := t.Underlying().(*types.Basic)
	return ok
}
