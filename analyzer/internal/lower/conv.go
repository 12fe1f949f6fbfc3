package lower

import (
	"go/ast"
	"go/constant"
	"go/types"
	"math"
	"strconv"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
)

// Passive expressions: source expressions copied into generated code, with
// local variables renamed, other packages' names qualified and float
// constants written as float literals.

// Conv converts a passive source expression into the adjoint program,
// renaming local variables and qualifying other packages' names. It is
// long because it is one switch with a case per kind of expression.
func (l *Lowerer) Conv(e ast.Expr) adjoint.Expr {
	switch e := e.(type) {
	case *ast.Ident:
		if o, ok := l.bound(l.Info.ObjectOf(e)); ok {
			return o.Val
		}
		switch obj := l.Info.ObjectOf(e).(type) {
		case *types.Var:
			if v, ok := l.vars[obj]; ok {
				return adjoint.Id(v.Name)
			}
			if obj.Parent() != nil && obj.Parent() != l.Pkg.Scope() && obj.Pkg() == l.Pkg {
				return adjoint.Id(l.VariableOf(obj).Name)
			}
		case *types.TypeName:
			if t, ok := gotypes.IrType(obj.Type()); ok {
				return adjoint.TypeExpr{Type: t}
			}
		}
		return adjoint.Id(e.Name)
	case *ast.BasicLit:
		return adjoint.Lit{Text: e.Value}
	case *ast.ParenExpr:
		return adjoint.Paren{X: l.Conv(e.X)}
	case *ast.BinaryExpr:
		return adjoint.Bin(e.Op.String(), l.Conv(e.X), l.Conv(e.Y))
	case *ast.UnaryExpr:
		return adjoint.Unary{Op: e.Op.String(), X: l.Conv(e.X)}
	case *ast.StarExpr:
		return adjoint.Unary{Op: "*", X: l.Conv(e.X)}
	case *ast.CallExpr:
		args := make([]adjoint.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = l.Conv(a)
		}
		return adjoint.Call{Fun: l.Conv(e.Fun), Args: args, Ellipsis: e.Ellipsis.IsValid()}
	case *ast.SelectorExpr:
		if pkg, ok := l.Info.Uses[gotypes.IdentOf(e.X)].(*types.PkgName); ok {
			return adjoint.Qual{Path: pkg.Imported().Path(), Name: e.Sel.Name}
		}
		return adjoint.Selector{X: l.Conv(e.X), Sel: e.Sel.Name}
	case *ast.IndexExpr:
		return adjoint.Index{X: l.Conv(e.X), Index: l.Conv(e.Index)}
	case *ast.SliceExpr:
		s := adjoint.SliceExpr{X: l.Conv(e.X)}
		if e.Low != nil {
			s.Lo = l.Conv(e.Low)
		}
		if e.High != nil {
			s.Hi = l.Conv(e.High)
		}
		if e.Max != nil {
			s.Max = l.Conv(e.Max)
		}
		return s
	case *ast.CompositeLit:
		t, _ := gotypes.IrType(l.Info.TypeOf(e))
		_, isStruct := l.Info.TypeOf(e).Underlying().(*types.Struct)
		elts := make([]adjoint.Expr, len(e.Elts))
		for i, x := range e.Elts {
			if kv, ok := x.(*ast.KeyValueExpr); ok && isStruct {
				if key, ok := kv.Key.(*ast.Ident); ok {
					// A field's name, which no renaming of variables may
					// touch (it met a variable's new name in a JVP
					// differentiated again: {X1: 0.22}).
					elts[i] = adjoint.KeyValue{Key: adjoint.Id(key.Name), Value: l.Conv(kv.Value)}
					continue
				}
			}
			elts[i] = l.Conv(x)
		}
		return adjoint.Composite{Type: t, Elts: elts}
	case *ast.KeyValueExpr:
		return adjoint.KeyValue{Key: l.Conv(e.Key), Value: l.Conv(e.Value)}
	case *ast.ArrayType, *ast.MapType:
		if t, ok := gotypes.IrType(l.Info.TypeOf(e)); ok {
			return adjoint.TypeExpr{Type: t}
		}
	}
	if _, isChan := e.(*ast.ChanType); isChan {
		l.Errorf(e.Pos(), "cannot differentiate code that uses the channel type %s: gradgen does not follow values through channels; receive the values before calling the annotated function and pass them as parameters", l.Source(e))
		return adjoint.Id("_")
	}
	l.Errorf(e.Pos(), "gradgen cannot handle the expression %s here: compute it outside the annotated function and pass its value as a parameter", l.Source(e))
	return adjoint.Id("_")
}

// Passive makes an operand of an expression that does not depend on a wrt
// parameter. Backward code reads float constants as float literals, so
// that a partial such as 1/3 is never integer division.
func (l *Lowerer) Passive(e ast.Expr) Operand {
	o := Operand{Val: l.Conv(e), Typ: l.Info.TypeOf(e)}
	o.Bval = o.Val
	if tv := l.Info.Types[e]; tv.Value != nil && gotypes.IsTypeParam(tv.Type) {
		o.Bval = typeParamConst(tv.Type, tv.Value, o.Val)
	} else if tv.Value != nil && gotypes.IsFloat(tv.Type) {
		o.Bval = FloatLit(tv.Value, tv.Type)
	}
	return o
}

// typeParamConst writes the constant v, whose source text is x, as a
// value of the type parameter t. No literal has t's type, and T(v) rounds
// twice for float32 when v is no float64 (Go converts through float64: a
// v on a float32 rounding tie comes out one bit off); an untyped constant
// beside a T operand rounds once, as the source's x * v does.
func typeParamConst(t types.Type, v constant.Value, x adjoint.Expr) adjoint.Expr {
	it, _ := gotypes.IrType(t)
	zero := adjoint.Call{Fun: adjoint.TypeExpr{Type: it}, Args: []adjoint.Expr{adjoint.Literal("0")}}
	if _, exact := constant.Float64Val(constant.ToFloat(v)); exact {
		return adjoint.Call{Fun: adjoint.TypeExpr{Type: it}, Args: []adjoint.Expr{x}}
	}
	if _, op := x.(adjoint.Binary); op {
		x = adjoint.Paren{X: x}
	}
	return adjoint.Paren{X: adjoint.Bin("+", zero, x)}
}

// FloatLit writes a constant of float type t as a literal with exactly the
// value the forward code computes with: whole numbers without a fraction
// (3, not 3.0), the rest in the shortest form that reads back exactly.
func FloatLit(v constant.Value, t types.Type) adjoint.Expr {
	if gotypes.IsTypeParam(t) {
		f := constant.ToFloat(v)
		text := constant.Num(f).ExactString()
		if d := constant.Denom(f); d.ExactString() != "1" {
			text += ".0 / " + d.ExactString()
		}
		if constant.Num(f).Kind() == constant.Unknown {
			text = f.String()
		}
		return typeParamConst(t, v, adjoint.Lit{Text: text})
	}
	bits := 64
	f, _ := constant.Float64Val(constant.ToFloat(v))
	if t.Underlying().(*types.Basic).Kind() == types.Float32 {
		f32, _ := constant.Float32Val(constant.ToFloat(v))
		f, bits = float64(f32), 32
	}
	text := strconv.FormatFloat(math.Abs(f), 'g', -1, bits)
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		text = strconv.FormatFloat(math.Abs(f), 'f', -1, bits)
	}
	if math.Signbit(f) {
		return adjoint.Unary{Op: "-", X: adjoint.Lit{Text: text}}
	}
	return adjoint.Lit{Text: text}
}
