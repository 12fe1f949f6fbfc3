// Package adjoint defines the adjoint program: the small, printable
// intermediate form that the analyzer produces from an annotated function and
// that emit turns into Go source.
//
// It is a deliberately tiny mirror of Go's own syntax (statements, expressions
// and types) so that emit never has to see go/ast or go/types: everything it
// needs — names, package paths for qualified identifiers, literal text — is
// already resolved here. Each node prints in Go syntax (see String) so that
// tests and error messages can show a program without rendering a whole file.
package adjoint

// A File is one generated source file.
type File struct {
	Package    string // package name
	Path       string // import path of the package (qualified names in it print unqualified)
	Constraint string // the source file's //go:build expression, without the prefix; "" for none
	// Reserved are the names declared in the package's scope: an import of
	// the generated file must not take one of them, or the package stops
	// compiling (var rules = 2.0 beside an import of package rules).
	Reserved []string
	Funcs    []*Func
}

// A Func is one generated function or method.
type Func struct {
	Doc        string // doc comment text, lines without "//"
	Recv       *Param // nil for a plain function
	Name       string
	TypeParams []Param // a generic function's type parameters, each with its constraint as Type
	Params     []Param
	Results    []Param // names may be empty
	Body       []Stmt
	// Globals are package-level variables the function uses, declared
	// just before it: the pools its tape storage is reused from across
	// calls.
	Globals []Param
}

// A Param is a named, typed parameter, result or receiver.
type Param struct {
	Name string
	Type Type
}

// Type is a Go type expression.
type Type interface{ isType() }

// Named is a type referred to by name: a predeclared type (Path ""),
// or a type declared in package Path.
type Named struct{ Path, Name string }

// Slice is []Elem.
type Slice struct{ Elem Type }

// Array is [Len]Elem.
type Array struct {
	Len  int64
	Elem Type
}

// Pointer is *Elem.
type Pointer struct{ Elem Type }

// Map is map[Key]Elem, the type of a passive parameter.
type Map struct{ Key, Elem Type }

// Opaque is a type written as Go source, for passive parameters of
// function, interface and channel types that name no package.
type Opaque struct{ Text string }

func (Map) isType()     {}
func (Opaque) isType()  {}
func (Named) isType()   {}
func (Slice) isType()   {}
func (Array) isType()   {}
func (Pointer) isType() {}

// Expr is a Go expression.
type Expr interface{ isExpr() }

// Ident is a local name (variable, parameter, or package-level name of the
// generated package when Path is empty).
type Ident struct{ Name string }

// Qual is a name declared in another package (math.Sqrt), or in the generated
// package itself when Path equals File.Path.
type Qual struct{ Path, Name string }

// Lit is a literal, written as Go source text ("2", "0.5", "1e-8", `"s"`).
type Lit struct{ Text string }

// Binary is X Op Y.
type Binary struct {
	Op   string
	X, Y Expr
}

// Unary is Op X (Op is "-", "+", "!", "^", "&" or "*").
type Unary struct {
	Op string
	X  Expr
}

// Paren is (X).
type Paren struct{ X Expr }

// Call is Fun(Args...), with Ellipsis set for f(xs...).
type Call struct {
	Fun      Expr
	Args     []Expr
	Ellipsis bool
}

// TypeExpr uses a type as an expression: the function of a conversion, or an
// argument of make.
type TypeExpr struct{ Type Type }

// TypeAssert is X.(Type); assigned to two names it is the comma-ok form.
type TypeAssert struct {
	X    Expr
	Type Type
}

// Index is X[Index].
type Index struct{ X, Index Expr }

// SliceExpr is X[Lo:Hi] or X[Lo:Hi:Max]; nil bounds are omitted.
type SliceExpr struct{ X, Lo, Hi, Max Expr }

// Selector is X.Sel.
type Selector struct {
	X   Expr
	Sel string
}

// Composite is Type{Elts...}.
type Composite struct {
	Type Type
	Elts []Expr
}

// KeyValue is Key: Value inside a composite literal.
type KeyValue struct{ Key, Value Expr }

func (Ident) isExpr()      {}
func (Qual) isExpr()       {}
func (Lit) isExpr()        {}
func (Binary) isExpr()     {}
func (Unary) isExpr()      {}
func (Paren) isExpr()      {}
func (Call) isExpr()       {}
func (TypeExpr) isExpr()   {}
func (Index) isExpr()      {}
func (TypeAssert) isExpr() {}
func (SliceExpr) isExpr()  {}
func (Selector) isExpr()   {}
func (Composite) isExpr()  {}
func (KeyValue) isExpr()   {}

// Stmt is a Go statement.
type Stmt interface{ isStmt() }

// Assign is Lhs Op Rhs, where Op is ":=", "=", "+=", "-=", "*=", "/=", ...
type Assign struct {
	Lhs []Expr
	Op  string
	Rhs []Expr
}

// VarDecl is var Names Type = Values (Type or Values may be absent), or
// const Names Type = Values when Const is set.
type VarDecl struct {
	Const  bool
	Names  []string
	Type   Type
	Values []Expr
}

// IncDec is X++ or X--.
type IncDec struct {
	X   Expr
	Inc bool
}

// ExprStmt is an expression used as a statement (a call).
type ExprStmt struct{ X Expr }

// If is if Init; Cond { Then } else { Else }. An Else holding a single If
// prints as "else if".
type If struct {
	Init Stmt
	Cond Expr
	Then []Stmt
	Else []Stmt
}

// For is for Init; Cond; Post { Body }; all three clauses may be nil.
type For struct {
	Label      string
	Init, Post Stmt
	Cond       Expr
	Body       []Stmt
}

// Range is for Key, Value := range X { Body } (Define false prints "=").
// Key and Value may be nil.
type Range struct {
	Label      string
	Key, Value Expr
	Define     bool
	X          Expr
	Body       []Stmt
}

// Switch is switch Init; Tag { Cases }; Tag may be nil.
type Switch struct {
	Label string
	Init  Stmt
	Tag   Expr
	Cases []Case
}

// A Case is one clause of a Switch; an empty List is the default clause.
type Case struct {
	List []Expr
	Body []Stmt
}

// Defer is defer Call.
type Defer struct{ Call Expr }

// Return is return Results...
type Return struct{ Results []Expr }

// Branch is break, continue or fallthrough, with an optional label.
type Branch struct {
	Tok   string
	Label string
}

// Labeled is a label on an empty statement: Label:
type Labeled struct{ Label string }

// Goto is goto Label.
type Goto struct{ Label string }

// Block is { Body }.
type Block struct{ Body []Stmt }

// A Graph is the adjoint graph of one function, for -graph: nodes are
// values with the forward expressions that compute them, edges carry the
// local partial derivative of their head with respect to their tail.
type Graph struct {
	Name string
	// Params are the names of the function's float parameters, wrt or
	// not: the values Evaluate may be given.
	Params []string
	Nodes  []GraphNode
	Edges  []GraphEdge
	// Linear is the lowering's linear form of the function, printed,
	// when the analyzer was asked for it (analyzer.Options.Linear).
	Linear string
}

// A GraphNode is one value of the forward sweep.
type GraphNode struct {
	// Name is the node's: its variable's name, primed for each value
	// after the first the variable takes (t, t′, t″).
	Name   string
	Var    string // the variable the node is a value of; "" when it is Name
	Expr   string // forward expression; "" for an input
	Input  bool   // a wrt parameter
	Output bool   // the function's result
}

// A GraphEdge says that To is computed from From, with ∂To/∂From = Partial.
type GraphEdge struct {
	From, To string
	Partial  string
}

// Comment is a line comment on its own line.
type Comment struct{ Text string }

// Blank is an empty line, used to separate the forward and backward sweeps.
type Blank struct{}

func (Assign) isStmt()   {}
func (VarDecl) isStmt()  {}
func (IncDec) isStmt()   {}
func (ExprStmt) isStmt() {}
func (If) isStmt()       {}
func (For) isStmt()      {}
func (Range) isStmt()    {}
func (Switch) isStmt()   {}
func (Return) isStmt()   {}
func (Defer) isStmt()    {}
func (Branch) isStmt()   {}
func (Block) isStmt()    {}
func (Labeled) isStmt()  {}
func (Goto) isStmt()     {}
func (Comment) isStmt()  {}
func (Blank) isStmt()    {}

// Id is shorthand for Ident{name}.
func Id(name string) Expr { return Ident{Name: name} }

// Bin is shorthand for Binary{op, x, y}.
func Bin(op string, x, y Expr) Expr { return Binary{Op: op, X: x, Y: y} }

// Precedence is the precedence of binary operator op in Go (5 binds
// tightest). Printers use it to add the parentheses that the tree implies.
func Precedence(op string) int {
	switch op {
	case "*", "/", "%", "<<", ">>", "&", "&^":
		return 5
	case "+", "-", "|", "^":
		return 4
	case "==", "!=", "<", "<=", ">", ">=":
		return 3
	case "&&":
		return 2
	case "||":
		return 1
	}
	return 0
}

// Operand returns x, parenthesised if printing it as an operand of a binary
// operator op (on the right side when right is set) would change its meaning.
// Unary operators (prec 6) wrap binary operands.
func Operand(x Expr, op string, right bool) Expr {
	b, ok := x.(Binary)
	if !ok {
		return x
	}
	p, q := Precedence(b.Op), Precedence(op)
	if p < q || (right && p == q) {
		return Paren{X: x}
	}
	return x
}
