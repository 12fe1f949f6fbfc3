package inline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// Early returns in an expanded helper or literal. An expansion is a block
// of the caller's, which cannot return from the helper alone; a body
// whose early returns sit in if statements is rewritten first into one
// that returns once, at its end:
//
//	if x < 0 {             if x < 0 {
//		return 0               res = 0
//	}                      } else {
//	y := x * x      →          y := x * x
//	return y                   res = y
//	                       }
//	                       return res
//
// The statements after an if that returns go into the branches that do
// not, as Go would run them. A return inside a loop, a switch or a select
// keeps the call unexpanded, as does a statement after the if that names
// something declared in one of its branches (it would then mean that).

// maxEarlyReturns bounds the rewrite: each early return may copy the
// statements after it into another branch.
const maxEarlyReturns = 8

// singleExit returns body rewritten to return only at its end, with
// results results (0 or 1) of type result; body itself when it already
// does, or a reason it cannot be.
func (in *inliner) singleExit(body *ast.BlockStmt, results int, result types.Type) (*ast.BlockStmt, string) {
	early := 0
	for i, s := range body.List {
		ast.Inspect(s, func(n ast.Node) bool {
			if r, ok := n.(*ast.ReturnStmt); ok && (i != len(body.List)-1 || r != s) {
				early++
			}
			_, lit := n.(*ast.FuncLit)
			return !lit
		})
	}
	if early == 0 {
		return body, ""
	}
	if early > maxEarlyReturns {
		return nil, fmt.Sprintf("it returns early more than %d times", maxEarlyReturns)
	}
	x := &exits{in: in, results: results}
	if results == 1 {
		x.res = "res"
		for k := 1; in.taken[x.res]; k++ {
			x.res = fmt.Sprintf("res%d", k)
		}
		in.taken[x.res] = true
	}
	list := x.rewrite(body.List)
	if x.why != "" {
		return nil, x.why
	}
	out := &ast.BlockStmt{Lbrace: body.Lbrace, Rbrace: body.Rbrace}
	if results == 1 {
		typ := in.typeExpr(result)
		if typ == nil {
			return nil, "the caller's file cannot name its result's type"
		}
		out.List = append(out.List, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: body.Lbrace, Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{{NamePos: body.Lbrace, Name: x.res}}, Type: typ}}}})
	}
	out.List = append(out.List, list...)
	if results == 1 {
		out.List = append(out.List, &ast.ReturnStmt{Return: body.Rbrace, Results: []ast.Expr{&ast.Ident{NamePos: body.Rbrace, Name: x.res}}})
	}
	return out, ""
}

// exits rewrites the returns of one body into assignments of res.
type exits struct {
	in      *inliner
	results int
	res     string
	why     string
}

// rewrite returns list with each return an assignment of res (or gone),
// and the statements after an if that returns moved into its branches.
func (x *exits) rewrite(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for i, s := range list {
		switch s := s.(type) {
		case *ast.ReturnStmt:
			if x.results == 1 {
				out = append(out, &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: s.Return, Name: x.res}}, TokPos: s.Return, Tok: token.ASSIGN, Rhs: []ast.Expr{s.Results[0]}})
			}
			return out // what follows a return never runs
		case *ast.IfStmt, *ast.BlockStmt:
			if !returns(s) {
				break
			}
			rest := list[i+1:]
			if len(rest) > 0 && x.shadowed(s, rest) {
				x.why = "a statement after an if or a block that returns names a variable declared inside it"
				return nil
			}
			if b, isBlock := s.(*ast.BlockStmt); isBlock {
				return append(out, &ast.BlockStmt{Lbrace: b.Lbrace, List: x.rewrite(append(append([]ast.Stmt(nil), b.List...), rest...)), Rbrace: b.Rbrace})
			}
			return append(out, x.branchIf(s.(*ast.IfStmt), rest))
		default:
			if returns(s) {
				x.why = "it returns from inside a loop, a switch or a select"
				return nil
			}
		}
		out = append(out, s)
	}
	return out
}

// branchIf is the if s with rest, the statements after it, run at the
// end of each branch that does not return.
func (x *exits) branchIf(s *ast.IfStmt, rest []ast.Stmt) *ast.IfStmt {
	out := *s
	out.Body = &ast.BlockStmt{Lbrace: s.Body.Lbrace, List: x.rewrite(append(append([]ast.Stmt(nil), s.Body.List...), rest...)), Rbrace: s.Body.Rbrace}
	switch e := s.Else.(type) {
	case nil:
		if len(rest) > 0 {
			out.Else = &ast.BlockStmt{Lbrace: s.Body.Rbrace, List: x.rewrite(rest), Rbrace: s.Body.Rbrace}
		}
	case *ast.BlockStmt:
		out.Else = &ast.BlockStmt{Lbrace: e.Lbrace, List: x.rewrite(append(append([]ast.Stmt(nil), e.List...), rest...)), Rbrace: e.Rbrace}
	case *ast.IfStmt:
		out.Else = &ast.BlockStmt{Lbrace: e.Pos(), List: x.rewrite(append([]ast.Stmt{e}, rest...)), Rbrace: e.End()}
	}
	return &out
}

// shadowed reports whether rest, once moved to the end of s's block or
// branches, would mean something else there: it names, as another
// variable or as a declaration at its own top level, a name that s
// declares at the top level of its block, its branches or its init
// (names declared deeper, in a loop of s, are out of scope there).
func (x *exits) shadowed(s ast.Stmt, rest []ast.Stmt) bool {
	info := x.in.p.Info
	var scopes []*types.Scope
	switch s := s.(type) {
	case *ast.BlockStmt:
		scopes = append(scopes, info.Scopes[s])
	case *ast.IfStmt:
		scopes = append(scopes, info.Scopes[s], info.Scopes[s.Body])
		if b, ok := s.Else.(*ast.BlockStmt); ok {
			scopes = append(scopes, info.Scopes[b])
		}
	}
	declared := map[string]bool{}
	for _, sc := range scopes {
		if sc == nil {
			return x.shadowedByName(s, rest) // a copy gradgen made: no scopes recorded
		}
		for _, name := range sc.Names() {
			declared[name] = true
		}
	}
	start, end := rest[0].Pos(), rest[len(rest)-1].End()
	inRest := func(pos token.Pos) bool { return pos >= start && pos < end }
	found := false
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if found {
			return false
		}
		if sel, ok := n.(*ast.SelectorExpr); ok {
			ast.Inspect(sel.X, visit) // a field or method name is not looked up in scope
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || !declared[id.Name] {
			return true
		}
		if obj := info.Defs[id]; obj != nil {
			// rest's own declaration clashes only at rest's top level.
			found = obj.Parent() == nil || !inRest(obj.Parent().Pos())
		} else {
			obj := info.Uses[id]
			found = obj == nil || !inRest(obj.Pos())
		}
		return !found
	}
	for _, r := range rest {
		ast.Inspect(r, visit)
	}
	return found
}

// shadowedByName is shadowed without scopes: rest names anything s
// declares anywhere.
func (x *exits) shadowedByName(s ast.Stmt, rest []ast.Stmt) bool {
	declared := map[string]bool{}
	ast.Inspect(s, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && x.in.p.Info.Defs[id] != nil {
			declared[id.Name] = true
		}
		return true
	})
	found := false
	for _, r := range rest {
		ast.Inspect(r, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && declared[id.Name] {
				found = true
			}
			return !found
		})
	}
	return found
}

// returns reports whether s holds a return statement (function literals
// aside).
func returns(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.ReturnStmt:
			found = true
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}
