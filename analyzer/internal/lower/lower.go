package lower

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"go/types"
	"reflect"
	"strings"

	"github.com/gradgen/gradgen/analyzer/adjoint"
	"github.com/gradgen/gradgen/analyzer/internal/gotypes"
	"github.com/gradgen/gradgen/analyzer/internal/rules"
)

// A Variable is a local of the generated function: a source Variable or
// parameter, or a temporary that three-address form introduced.
type Variable struct {
	Name  string
	Typ   types.Type
	IR    adjoint.Type
	obj   types.Object // nil for temporaries
	Adj   string       // name of its adjoint, "" until first needed
	defs  int          // assignments to it in the function body
	param bool         // a parameter: its value exists before the body runs
	temp  bool
	// alias is the adjoint of a range value over an active slice: the
	// element's adjoint, dxs[i].
	alias       adjoint.Expr
	adjDeclared bool      // its adjoint is declared already (a buffer parameter, a view)
	viewOf      *Variable // for a slice that is a view of another variable: the one it views
	// shadow is the adjoint of a slice or pointer variable, held in a
	// variable the forward sweep sets alongside it: dW[a:b] for W[a:b].
	shadow *Variable
}

// singleDef reports whether v is assigned exactly once and has no value
// before that: its adjoint never needs resetting.
func (v *Variable) singleDef() bool { return !v.param && v.defs <= 1 }

// singleDefOrUnchanged reports whether v holds one value for the whole
// body: assigned once, or a parameter never assigned.
func (v *Variable) singleDefOrUnchanged() bool {
	return v != nil && (v.singleDef() || v.param && v.defs == 0)
}

// An Operand is a value an operation reads: its expression, and for an
// active variable, the variable (whose adjoint receives the Operand's share).
type Operand struct {
	Val  adjoint.Expr // the value, as forward code reads it
	Bval adjoint.Expr // the value as backward code reads it (constants as float literals)
	v    *Variable    // the active variable read, or nil for a passive operand
	// path is the adjoint of an element or field read (dw[i] for w[i]);
	// nil when the operand is the whole variable v.
	path adjoint.Expr
	Typ  types.Type
}

// An op is one primitive operation of three-address form.
type op struct {
	rule    *rules.Rule
	name    string // what the operation is, for graph labels
	args    []Operand
	results []*Variable
	resType types.Type
	fwd     adjoint.Expr // the forward expression, to recompute it in loops
	store   *storeTarget // for a write to an element: where it writes
	fwdAt   int          // index in the statement's forward code just after the op
	// taped is the tape that keeps the op's result, inside a loop, when
	// recomputing it would cost a math function call.
	taped *tape
}

// writes reports whether the op writes a variable or element of the
// source (not a temporary).
func (o *op) writes() bool { return o.store != nil || !o.results[0].temp }

// Lowerer turns one annotated function into its gradient function.
type Lowerer struct {
	*Package
	Fn     *ast.FuncDecl
	fnName string // name of the generated function
	Names  *namer
	vars   map[types.Object]*Variable
	byName map[string]*Variable
	Varied map[types.Object]bool
	useful map[ast.Expr]bool

	// needed holds the primal variables that backward code reads, found by
	// a first lowering; an overwrite of one of them saves the old value.
	needed map[string]bool
	shape  *bodyStructure // the body's parents, gotos and addressed variables, once found

	zero   map[string]bool // adjoints known to be zero at this point of the backward sweep
	adjOrd []*Variable     // variables with adjoints, in order of first use

	fwd      []adjoint.Stmt             // forward code of the statement being lowered
	ops      []*op                      // its operations
	defining map[*Variable]bool         // variables the statement declares
	seed     map[*Variable]adjoint.Expr // the result's adjoint, ∂R/∂R = 1
	graph    *adjoint.Graph
	opExprs  map[*op]adjoint.Expr // each op's forward expression, for the linear form
	Diags    []Diagnostic
	bwdCode  []adjoint.Stmt // the backward sweep, once lowered

	// Control flow.
	depth     int                // nesting of blocks in the forward sweep
	loopDepth int                // nesting of loops
	loops     []*loopCtx         // enclosing loops, innermost last
	hoistAll  bool               // declare every local at the top (the body has early returns)
	hoisted   []*Variable        // locals declared at the top of the function
	consts    []adjoint.Stmt     // local constants, declared at the top
	hoistSet  map[*Variable]bool //
	tapes     []*tape            // stacks of values saved inside loops
	tapeOf    map[tapeKey]*tape
	switches  []*ast.SwitchStmt            // enclosing switches
	targets   map[*ast.BranchStmt]ast.Stmt // what each break and continue leaves
	revDepth  int                          // nesting of the backward code being written
	exitDepth int                          // early exits before the statement being reversed (pathGuard)
	// adjDepth is, for each adjoint backward code has added into, the
	// shallowest nesting (of branches and loops) at which it did: one added
	// into only deeper than a statement is zero when the path did not run.
	adjDepth      map[string]int
	importNames   map[string]bool       // names of the packages the package imports
	restoreLog    *[]adjoint.Stmt       // when set, restores are recorded here too
	checking      map[*types.Named]bool // types lengthChecks is inside
	elemAddDepth  map[string]int        // like adjDepth, by element adjoint (da[k])
	liveCtxs      []*liveCtx            // enclosing loops and switches, for liveness
	recorders     []*recorder           // branch, trip-count and completion records
	early         bool                  // some return is not the last statement
	exitLabel     string                // where early returns jump: "reverse" unless the user took it
	resultVars    []*Variable           // the results, when there are several returns
	logicalZero   map[*Variable]bool    // temporaries not yet given an adjoint in this statement's reversal
	saveAll       bool                  // the to-be-recorded analysis is off
	noReplay      bool                  // no loop's trips are replayed (replay.go)
	unsavedDefs   map[ast.Stmt]bool     // statements whose overwrites backward code recomputes, not saved: views taken again (views.go), counters set from trip counts (counter.go)
	constLocals   map[types.Object]bool // locals set once, to a constant, and never written again (constLocals)
	graphValues   map[string]string     // the graph's node of each variable's current value
	Target        *Target
	fused         ast.Stmt                // the sum loop, when the function ends in one
	fusing        bool                    // lowering or reversing the sum loop's body
	heapTapes     map[string]bool         // tape storage made on the heap when its nest starts, reused across calls by poolTapes
	tapeValues    map[string]types.Type   // the Go type of each tape element type, by its IR's text
	zeroedScratch map[string]bool         // scratch taken from a pool that must start at zero (cleared)
	exactScratch  map[string]bool         // scratch whose capacity must be its length, as make gives (a user's slice)
	grownTapes    map[string]bool         // a sum loop's tape storage, grown on the heap inside it, reused across calls too
	appendedTapes map[string]adjoint.Type // tapes started on the stack that grow by append, by element type
	fusedLocal    map[*Variable]bool      // values of one trip of the sum loop
	fusedTail     []*lowered              // the sum loop and the return after it
	inlined       []inlineFrame           // helpers being expanded in place, innermost last
	fusedAccs     map[types.Object]bool   // the sum loop's accumulators
	revCode       []adjoint.Stmt          // backward code only (a sum loop's forward code is among the backward sweep's)
	readers       map[string][]reader     // from the first lowering: whose backward code reads each variable
	viewRoots     map[string]string       // from the previous lowering: the variable each view views
	readersOut    map[string][]reader     // collected by this lowering
	seedNames     []string                // a pullback's parameters holding the results' adjoints
	final         ast.Stmt                // the last statement of the body
	resultVals    []adjoint.Expr          // what the gradient function returns as its values
	sanity        sanity                  // the IR sanity check's state (Options.Sanity)
	checks        []adjoint.Stmt          // the buffers' length checks, once built
}

// Errorf reports an error at pos; the function is then not generated.
func (l *Lowerer) Errorf(pos token.Pos, format string, args ...any) {
	l.Diags = append(l.Diags, Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// isConst reports whether e is a constant expression.
func (l *Lowerer) isConst(e ast.Expr) bool {
	tv, ok := l.Info.Types[e]
	return ok && tv.Value != nil
}

// CallRule returns the derivative rule of a call to a math function or a
// builtin, or nil for any other call.
func (l *Lowerer) CallRule(call *ast.CallExpr) *rules.Rule {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if pkg, ok := l.Info.Uses[gotypes.IdentOf(fun.X)].(*types.PkgName); ok && pkg.Imported().Path() == "math" {
			return rules.Math[fun.Sel.Name]
		}
	case *ast.Ident:
		if b, ok := l.Info.Uses[fun].(*types.Builtin); ok {
			return rules.Builtins[b.Name()]
		}
	}
	return nil
}

// Source prints n on one line, for comments in generated code.
func (l *Lowerer) Source(n ast.Node) string {
	var b bytes.Buffer
	printer.Fprint(&b, l.Fset, n)
	lines := strings.Split(b.String(), "\n")
	if len(lines) > 1 {
		return strings.TrimSpace(lines[0]) + " ..."
	}
	return lines[0]
}

// VariableOf returns the local variable for obj, creating it on first use.
func (l *Lowerer) VariableOf(obj types.Object) *Variable {
	if v, ok := l.vars[obj]; ok {
		return v
	}
	t, _ := gotypes.IrType(obj.Type())
	v := &Variable{Name: l.Names.Fresh(obj.Name()), Typ: obj.Type(), IR: t, obj: obj}
	l.vars[obj] = v
	l.byName[v.Name] = v
	return v
}

// loopStmts lists the loops being lowered around the current statement.
func (l *Lowerer) loopStmts() []ast.Stmt {
	var out []ast.Stmt
	for _, c := range l.loops {
		out = append(out, c.stmt)
	}
	return out
}

// local records that v belongs to one trip of the sum loop being lowered.
func (l *Lowerer) local(v *Variable) *Variable {
	if l.fusing {
		l.fusedLocal[v] = true
	}
	return v
}

// NewTemp declares a temporary of type t named after base.
func (l *Lowerer) NewTemp(base string, t types.Type) *Variable {
	it, _ := gotypes.IrType(t)
	v := &Variable{Name: l.Names.Fresh(base), Typ: t, IR: it, temp: true, defs: 1}
	l.byName[v.Name] = v
	return l.local(v)
}

// AdjOf returns the adjoint of v, naming it on first use.
func (l *Lowerer) AdjOf(v *Variable) adjoint.Expr {
	if v.Adj == "" {
		v.Adj = l.Names.Fresh(l.adjointBase(v))
		l.adjOrd = append(l.adjOrd, v)
	}
	return adjoint.Id(v.Adj)
}

// accumulateTo adds e into an operand's adjoint: an element's with +=,
// a variable's through accumulate.
func (l *Lowerer) accumulateTo(v *Variable, path adjoint.Expr, e adjoint.Expr) adjoint.Stmt {
	if path == nil {
		return l.accumulate(v, e)
	}
	l.noteAdd(v)
	// Which element: a store of another element (a[0] = ..., with only
	// a[k] added into) is guarded by its own adjoint (pathGuard).
	key := adjoint.ExprString(path)
	here := l.revDepth + l.exitDepth
	if l.elemAddDepth == nil {
		l.elemAddDepth = map[string]int{}
	}
	if depth, seen := l.elemAddDepth[key]; !seen || here < depth {
		l.elemAddDepth[key] = here
	}
	if m, ok := adjoint.Negated(e); ok {
		return adjoint.Set(path, "-=", m)
	}
	return adjoint.Set(path, "+=", e)
}

// accumulate adds e into the adjoint of v: a plain assignment when the
// adjoint is known to be zero, which saves an addition and reads better.
func (l *Lowerer) accumulate(v *Variable, e adjoint.Expr) adjoint.Stmt {
	wasZero := l.isZeroAdj(v)
	d := l.AdjOf(v)
	l.noteAdd(v)
	l.zero[v.Adj] = false
	delete(l.logicalZero, v)
	if wasZero {
		return adjoint.Set(d, "=", e)
	}
	if m, ok := adjoint.Negated(e); ok {
		return adjoint.Set(d, "-=", m)
	}
	return adjoint.Set(d, "+=", e)
}

// noteAdd records that backward code adds into v's adjoint at the current
// nesting, for the guards of untaken paths (pathGuard). Every addition
// into an adjoint goes through here.
func (l *Lowerer) noteAdd(v *Variable) {
	here := l.revDepth + l.exitDepth
	if depth, seen := l.adjDepth[v.Adj]; !seen || here < depth {
		l.adjDepth[v.Adj] = here
	}
}

// isZeroAdj reports whether v's adjoint is known to be zero here: a
// temporary whose statement has not given it a share yet, or, in
// straight-line backward code, an adjoint nothing has touched.
func (l *Lowerer) isZeroAdj(v *Variable) bool {
	if l.logicalZero[v] {
		return true
	}
	if l.fusing && !l.fusedLocal[v] {
		return false // an adjoint from outside the sum loop accumulates over its trips
	}
	if l.revDepth > 0 {
		return v.Adj != "" && l.zero[v.Adj]
	}
	return v.Adj == "" || l.zero[v.Adj]
}

// declareOp is ":=" for a variable that can be declared where it is first
// assigned, and "=" for one declared at the top of the function: in a
// nested block (the backward sweep, outside that block, reads it) or
// anywhere in a function with early returns (goto must not jump over a
// declaration).
func (l *Lowerer) declareOp(v *Variable) string {
	if l.depth == 0 && !l.hoistAll {
		return ":="
	}
	l.hoist(v)
	return "="
}

// hoist declares v at the top of the function.
func (l *Lowerer) hoist(v *Variable) {
	if !l.hoistSet[v] {
		l.hoistSet[v] = true
		l.hoisted = append(l.hoisted, v)
	}
}

// lowerExpr emits the three-address form of e into l.fwd and l.ops and
// returns the operand that holds its value. When into is not nil, the last
// operation writes into it instead of a temporary, if that is safe.
func (l *Lowerer) lowerExpr(e ast.Expr, into *Variable) Operand {
	if !l.ExprVaried(e) {
		return l.Passive(e)
	}
	t := l.Info.TypeOf(e)
	switch e := e.(type) {
	case *ast.ParenExpr:
		return l.lowerExpr(e.X, into)
	case *ast.Ident:
		if o, ok := l.bound(l.Info.Uses[e]); ok {
			return o
		}
		v := l.vars[l.Info.Uses[e]]
		if v == nil {
			v = l.VariableOf(l.Info.Uses[e])
		}
		return Operand{Val: adjoint.Id(v.Name), Bval: adjoint.Id(v.Name), v: v, path: v.alias, Typ: t}
	case *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr:
		// An element or field: its adjoint is the same element of the
		// adjoint, dw[i] for w[i].
		if !gotypes.IsFloat(t) {
			break
		}
		root := l.VariableOf(l.RootVar(e))
		val := l.Conv(e)
		return Operand{Val: val, Bval: val, v: root, path: l.adjPath(e), Typ: t}
	case *ast.BinaryExpr:
		x := l.lowerExpr(e.X, nil)
		y := l.lowerExpr(e.Y, nil)
		return l.emitOp(rules.Operators[e.Op.String()], e.Op.String(), []Operand{x, y}, adjoint.Bin(e.Op.String(), x.Val, y.Val), t, "t", into)
	case *ast.UnaryExpr:
		if e.Op == token.ADD {
			return l.lowerExpr(e.X, into)
		}
		// The operand goes through a temporary: negating into the same
		// variable would make the negation read its own result.
		x := l.lowerExpr(e.X, nil)
		return l.emitOp(rules.Operators["neg"], "-", []Operand{x}, adjoint.Unary{Op: "-", X: x.Val}, t, "t", into)
	case *ast.CallExpr:
		return l.lowerCall(e, into)
	}
	l.Errorf(e.Pos(), "cannot differentiate %s: gradgen differentiates arithmetic, conversions and calls to package math", l.Source(e))
	return l.Passive(e)
}

// lowerCall lowers a conversion or a call to a math function or builtin.
func (l *Lowerer) lowerCall(call *ast.CallExpr, into *Variable) Operand {
	t := l.Info.TypeOf(call)
	if tv, ok := l.Info.Types[call.Fun]; ok && tv.IsType() {
		if inner, ok := l.RoundTrip(call); ok {
			// float64(float32(y)): the value is rounded, the derivative
			// is 1 and is not (y - float64(float32(y)) has derivative 0,
			// not a rounding residual that a later Frexp would magnify).
			x := l.lowerExpr(inner, nil)
			mid := ast.Unparen(call.Args[0]).(*ast.CallExpr)
			rounded := adjoint.Call{Fun: l.Conv(mid.Fun), Args: []adjoint.Expr{x.Val}}
			return l.emitOp(rules.Operators["copy"], l.Source(call.Fun), []Operand{x},
				adjoint.Call{Fun: l.Conv(call.Fun), Args: []adjoint.Expr{rounded}}, t, "t", into)
		}
		x := l.lowerExpr(call.Args[0], nil)
		if types.Identical(x.Typ, t) {
			return x
		}
		return l.emitOp(rules.Conversion, l.Source(call.Fun), []Operand{x},
			adjoint.Call{Fun: l.Conv(call.Fun), Args: []adjoint.Expr{x.Val}}, t, "t", into)
	}
	r, name := l.CallRule(call), l.Source(call.Fun)
	if fn, _ := l.CalleeOf(call); r == nil || fn != nil && l.Rules[fn] != nil {
		// A //gradgen:rule overrides even a math function's rule.
		if o, ok := l.lowerFuncCall(call, into); ok {
			return o
		}
	}
	switch {
	case r == nil:
		if fn, _ := l.CalleeOf(call); fn != nil && fn.Pkg() != nil && fn.Pkg() != l.Pkg {
			l.Errorf(call.Pos(), "cannot differentiate the call %s: gradgen cannot see into %s; supply its derivative with a function marked //gradgen:rule %s of signature %s", l.Source(call), fn.FullName(), name, ruleSignature(fn, l.Pkg))
			return l.Passive(call)
		}
		if fn, _ := l.CalleeOf(call); fn != nil {
			if recv := fn.Type().(*types.Signature).Recv(); recv != nil && instantiatedGeneric(recv.Type()) {
				l.Errorf(call.Pos(), "cannot differentiate the call %s: it is a method of the generic type %s, and gradgen does not differentiate methods of generic types yet; write the method's code in a function generic over the float type (func norm[T ~float64](x, y T) T)", l.Source(call), types.TypeString(recv.Type(), types.RelativeTo(l.Pkg)))
				return l.Passive(call)
			}
		}
		l.Errorf(call.Pos(), "cannot differentiate the call %s: gradgen differentiates calls to package math, the builtins min and max, and functions of this package; write a custom rule with //gradgen:rule %s", l.Source(call), name)
		return l.Passive(call)
	case r.None != "":
		l.Errorf(call.Pos(), "cannot differentiate %s: %s; supply its derivative with a //gradgen:rule function", l.Source(call), r.None)
		return l.Passive(call)
	}
	if _, multi := t.(*types.Tuple); multi {
		l.Errorf(call.Pos(), "%s returns several values: assign them to variables first", l.Source(call))
		return l.Passive(call)
	}
	args := make([]Operand, len(call.Args))
	vals := make([]adjoint.Expr, len(call.Args))
	for i, a := range call.Args {
		args[i] = l.lowerExpr(a, nil)
		vals[i] = args[i].Val
	}
	fwd := adjoint.Call{Fun: l.Conv(call.Fun), Args: vals}
	base := strings.ToLower(name[strings.LastIndex(name, ".")+1:])
	return l.emitOp(r, name, args, fwd, t, base, into)
}

// RoundTrip reports whether call converts a float to another float type
// and back (float64(float32(y))), and returns y.
func (l *Lowerer) RoundTrip(call *ast.CallExpr) (ast.Expr, bool) {
	inner, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr)
	if !ok || len(inner.Args) != 1 {
		return nil, false
	}
	if tv, ok := l.Info.Types[inner.Fun]; !ok || !tv.IsType() {
		return nil, false
	}
	y := inner.Args[0]
	if t, mid := l.Info.TypeOf(call), l.Info.TypeOf(inner); !gotypes.IsFloat(t) || !gotypes.IsFloat(mid) || !types.Identical(l.Info.TypeOf(y), t) {
		return nil, false
	}
	return y, true
}

// emitOp records one operation and writes its forward statement.
func (l *Lowerer) emitOp(r *rules.Rule, name string, args []Operand, fwd adjoint.Expr, t types.Type, base string, into *Variable) Operand {
	target := into
	if target != nil && l.loopDepth > 0 {
		// Inside a loop the backward sweep recomputes a statement's
		// temporaries from restored operands; the result goes through a
		// temporary too, so that it can be recomputed like the others.
		target = nil
	}
	if target != nil && readsWhole(args, target) && (r.Piecewise() || r.UsesResult(len(args))) {
		// The backward code would need both the old and the new value of
		// target: compute into a temporary, then copy.
		target = nil
	}
	if target == nil {
		target = l.NewTemp(base, t)
	}
	l.writeForward(target, fwd)
	o := &op{rule: r, name: name, args: args, results: []*Variable{target}, resType: t, fwd: fwd, fwdAt: len(l.fwd)}
	l.ops = append(l.ops, o)
	l.graphOp(o, fwd)
	res := Operand{Val: adjoint.Id(target.Name), Bval: adjoint.Id(target.Name), v: target, Typ: t}
	if into != nil && target != into {
		l.writeForward(into, res.Val)
		copyOp := &op{rule: rules.Operators["copy"], name: "=", args: []Operand{res}, results: []*Variable{into}, resType: t}
		l.ops = append(l.ops, copyOp)
		l.graphOp(copyOp, res.Val)
		res = Operand{Val: adjoint.Id(into.Name), Bval: adjoint.Id(into.Name), v: into, Typ: t}
	}
	return res
}

func readsVar(args []Operand, v *Variable) bool {
	for _, a := range args {
		if a.v == v {
			return true
		}
	}
	return false
}

// writeForward writes "v := e" for a new variable, or "v = e" (v op= y
// where that reads better) for an existing one.
func (l *Lowerer) writeForward(v *Variable, e adjoint.Expr) {
	if v.temp || l.defining[v] {
		delete(l.defining, v)
		l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(v.Name), l.declareOp(v), e))
		return
	}
	// x = x op y prints as x op= y, which means exactly the same.
	if b, ok := e.(adjoint.Binary); ok && reflect.DeepEqual(b.X, adjoint.Id(v.Name)) && strings.Contains("+-*/", b.Op) {
		if adjoint.IsLit(b.Y, "1") && (b.Op == "+" || b.Op == "-") {
			l.fwd = append(l.fwd, adjoint.IncDec{X: adjoint.Id(v.Name), Inc: b.Op == "+"})
			return
		}
		l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(v.Name), b.Op+"=", b.Y))
		return
	}
	l.fwd = append(l.fwd, adjoint.Set(adjoint.Id(v.Name), "=", e))
}

// adjointBase is the name v's adjoint would like: dx for x, or the name
// the generated function gives a parameter's derivative (FHVP names the
// tangent of its inner JVP v and its adjoint, the gradient, dx).
func (l *Lowerer) adjointBase(v *Variable) string {
	if pv, ok := v.obj.(*types.Var); ok {
		if name, ok := l.Target.AdjNames[pv]; ok {
			return name
		}
	}
	return AdjointName(v.Name)
}
