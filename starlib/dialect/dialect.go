// Package dialect is the Starlark dialect of scenario files, in one place,
// so that the runner, the REPL and every test parse and evaluate exactly
// the language users write.
package dialect

import "go.starlark.net/syntax"

// FileOptions returns the dialect: scenario writers expect Python-like
// freedom (sets, while loops, if and for at top level, reassigned globals,
// recursion).
func FileOptions() *syntax.FileOptions {
	return &syntax.FileOptions{
		Set:             true,
		While:           true,
		TopLevelControl: true,
		GlobalReassign:  true,
		Recursion:       true,
	}
}
