package runner

import (
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
)

// formatError renders a case's error for the report: a Starlark error as a
// call stack with file:line:col for every frame, then the message.
//
// The deepest call stack in the error's chain is shown: an error inside a
// load()ed file, or one that a builtin wrapped, was raised further down the
// same thread than the error that finally stopped the case, and its stack
// includes every frame of the outer one plus those inside.
func formatError(err error) string {
	var list resolve.ErrorList
	if errors.As(err, &list) {
		lines := make([]string, len(list))
		for i, e := range list {
			lines[i] = e.Error()
		}
		return strings.Join(lines, "\n")
	}
	var outer *starlark.EvalError
	if !errors.As(err, &outer) {
		return err.Error()
	}
	deepest := outer
	for e := errors.Unwrap(error(outer)); e != nil; e = errors.Unwrap(e) {
		if inner, ok := e.(*starlark.EvalError); ok && len(inner.CallStack) > len(deepest.CallStack) {
			deepest = inner
		}
	}
	stack := deepest.CallStack
	msg := outer.Msg
	where := ""
	if last := len(stack) - 1; last >= 0 && stack[last].Pos.Filename() == "<builtin>" {
		// Like EvalError.Backtrace: name the builtin instead of showing
		// a frame without a position.
		name := stack[last].Name
		where = " in " + name
		stack = stack[:last]
		// Builtins prefix their errors with their own name, as
		// go.starlark.net's do; do not say it twice.
		msg = strings.TrimPrefix(msg, name+": ")
	}
	return fmt.Sprintf("%sError%s: %s", stack, where, msg)
}
