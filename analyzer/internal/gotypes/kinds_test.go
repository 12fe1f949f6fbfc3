package gotypes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// kindsSource declares one variable per type the predicates are asked
// about; the test looks each up by name.
const kindsSource = `package p

type Celsius float64
type Vec []float64
type Point struct{ X, Y float64 }
type Body struct {
	Pos  [3]float64
	Hist []float64
}
type Node struct {
	V    float64
	Next *Node
}
type Counts struct{ N int }

func generic[T ~float32 | ~float64](t T) T { return t }

var (
	f64   float64
	f32   float32
	named Celsius
	n     int
	s     []float64
	vec   Vec
	arr   [4]float64
	pt    Point
	body  Body
	ptr   *Point
	node  Node
	m     map[string]float64
	cnt   Counts
	ints  []int
)
`

// TestKinds checks each question gotypes answers on types the lowering
// meets: a wrong answer changes what is differentiated or how.
func TestKinds(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", kindsSource, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := new(types.Config).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	typeOf := func(name string) types.Type { return pkg.Scope().Lookup(name).Type() }
	// The type parameter T of generic, constrained to floats.
	tp := pkg.Scope().Lookup("generic").Type().(*types.Signature).TypeParams().At(0)

	type answers struct {
		float, differentiable, ref, byReference, hasSlices, floatsByValue, aggregate bool
	}
	tests := []struct {
		name string
		typ  types.Type
		want answers
	}{
		{"float64", typeOf("f64"), answers{float: true, differentiable: true}},
		{"float32", typeOf("f32"), answers{float: true, differentiable: true}},
		{"named float", typeOf("named"), answers{float: true, differentiable: true}},
		{"type parameter of floats", tp, answers{float: true, differentiable: true}},
		{"int", typeOf("n"), answers{}},
		{"float slice", typeOf("s"), answers{differentiable: true, ref: true, byReference: true, hasSlices: true}},
		{"named float slice", typeOf("vec"), answers{differentiable: true, ref: true, byReference: true, hasSlices: true}},
		{"float array", typeOf("arr"), answers{differentiable: true, aggregate: true}},
		{"struct of floats", typeOf("pt"), answers{differentiable: true, aggregate: true}},
		{"struct with a slice", typeOf("body"), answers{differentiable: true, ref: true, byReference: true, hasSlices: true, floatsByValue: true}},
		{"pointer to struct", typeOf("ptr"), answers{differentiable: true, ref: true, byReference: true}},
		{"linked struct", typeOf("node"), answers{differentiable: true, ref: true, byReference: true, floatsByValue: true}},
		{"map", typeOf("m"), answers{ref: true, byReference: true}},
		{"struct of ints", typeOf("cnt"), answers{}},
		{"int slice", typeOf("ints"), answers{ref: true, byReference: true, hasSlices: true}},
	}
	for _, tt := range tests {
		got := answers{
			float:          IsFloat(tt.typ),
			differentiable: IsDifferentiable(tt.typ),
			ref:            IsRef(tt.typ),
			byReference:    ByReference(tt.typ),
			hasSlices:      HasSlices(tt.typ),
			floatsByValue:  HoldsFloatsByValue(tt.typ),
			aggregate:      ByValueAggregate(tt.typ),
		}
		if got != tt.want {
			t.Errorf("%s (%s):\n got %+v\nwant %+v", tt.name, tt.typ, got, tt.want)
		}
	}
}
