package dialect

import (
	"errors"
	"fmt"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"berth/starlib/builtins"
)

// FileProgram resolves and compiles a parsed file, as starlark.FileProgram
// does, and gives every undefined name the nearest name the file could
// have meant, the predeclared and universal ones included:
// "undefined: rnu (did you mean run?)". go.starlark.net's resolver only
// compares with the file's own names, as it cannot list the predeclared
// ones.
func FileProgram(f *syntax.File, predeclared starlark.StringDict) (*starlark.Program, error) {
	prog, err := starlark.FileProgram(f, predeclared.Has)
	var list resolve.ErrorList
	if err == nil || !errors.As(err, &list) {
		return prog, err
	}
	hints := undefinedNames(f, predeclared)
	for i, e := range list {
		if msg, ok := hints[e.Pos]; ok {
			list[i].Msg = msg
		}
	}
	return nil, list
}

// undefinedNames returns, by position, the resolver's message for each
// use of an undefined name (the identifiers the resolver bound to
// nothing), with the nearest name in scope as its hint: the enclosing
// functions' locals, the file's globals, the predeclared names and
// Starlark's universe, as the resolver would compare if it could.
func undefinedNames(f *syntax.File, predeclared starlark.StringDict) map[syntax.Position]string {
	var outer []string
	if m, ok := f.Module.(*resolve.Module); ok {
		outer = append(bindingNames(m.Globals), bindingNames(m.Locals)...)
	}
	outer = append(outer, predeclared.Keys()...)
	outer = append(outer, starlark.Universe.Keys()...)

	msgs := map[syntax.Position]string{}
	var stack []syntax.Node // the nodes being walked, outermost first
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		id, ok := n.(*syntax.Ident)
		if !ok {
			return true
		}
		if b, ok := id.Binding.(*resolve.Binding); !ok || b.Scope != resolve.Undefined {
			return true
		}
		candidates := append(enclosingLocals(stack), outer...)
		msg := "undefined: " + id.Name
		if near := builtins.Nearest(id.Name, candidates); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		msgs[id.NamePos] = msg
		return true
	})
	return msgs
}

// enclosingLocals returns the locals of the functions around the end of
// stack, innermost first.
func enclosingLocals(stack []syntax.Node) []string {
	var names []string
	for i := len(stack) - 1; i >= 0; i-- {
		var fn any
		switch n := stack[i].(type) {
		case *syntax.DefStmt:
			fn = n.Function
		case *syntax.LambdaExpr:
			fn = n.Function
		}
		if rf, ok := fn.(*resolve.Function); ok {
			names = append(names, bindingNames(rf.Locals)...)
			names = append(names, bindingNames(rf.FreeVars)...)
		}
	}
	return names
}

func bindingNames(bs []*resolve.Binding) []string {
	names := make([]string, 0, len(bs))
	for _, b := range bs {
		if b.First != nil {
			names = append(names, b.First.Name)
		}
	}
	return names
}
