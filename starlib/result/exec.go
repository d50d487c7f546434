// Package result holds Starlark values that builtins of several modules
// return, so that host.exec and Container.exec give scenarios the same shape.
package result

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// ExecResult is what an exec returns: the exit code and the output of the
// process. In Starlark it is an immutable value of type "exec_result" with
// attributes exit_code, stdout, stderr and output (stdout and stderr
// interleaved as written).
type ExecResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
	Output   string
}

// NewExec returns an ExecResult for a process that exited with exitCode.
func NewExec(exitCode int, stdout, stderr, output string) *ExecResult {
	return &ExecResult{ExitCode: exitCode, Stdout: stdout, Stderr: stderr, Output: output}
}

var (
	_ starlark.HasAttrs   = (*ExecResult)(nil)
	_ starlark.Comparable = (*ExecResult)(nil)
)

var execAttrNames = []string{"exit_code", "output", "stderr", "stdout"}

// String shows the exit code and both streams (output is their
// interleaving), in the style of a Starlark struct.
func (r *ExecResult) String() string {
	return fmt.Sprintf("exec_result(exit_code=%d, stdout=%s, stderr=%s)",
		r.ExitCode, starlark.String(r.Stdout), starlark.String(r.Stderr))
}

// Type returns "exec_result".
func (r *ExecResult) Type() string { return "exec_result" }

// Freeze does nothing: an ExecResult is immutable.
func (r *ExecResult) Freeze() {}

// Truth is always true, like any object; test exit_code explicitly.
func (r *ExecResult) Truth() starlark.Bool { return starlark.True }

// Hash fails: results are compared by value, not used as keys.
func (r *ExecResult) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", r.Type())
}

// Attr returns the attribute called name, or nil (no such attribute).
func (r *ExecResult) Attr(name string) (starlark.Value, error) {
	switch name {
	case "exit_code":
		return starlark.MakeInt(r.ExitCode), nil
	case "stdout":
		return starlark.String(r.Stdout), nil
	case "stderr":
		return starlark.String(r.Stderr), nil
	case "output":
		return starlark.String(r.Output), nil
	}
	return nil, nil
}

// AttrNames lists the attributes, sorted.
func (r *ExecResult) AttrNames() []string {
	return append([]string(nil), execAttrNames...)
}

// CompareSameType supports == and != between two results.
func (r *ExecResult) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	other := y.(*ExecResult)
	switch op {
	case syntax.EQL:
		return *r == *other, nil
	case syntax.NEQ:
		return *r != *other, nil
	}
	return false, fmt.Errorf("%s %s %s not supported", r.Type(), op, y.Type())
}
