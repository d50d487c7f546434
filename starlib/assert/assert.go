// Package assert is the Starlark module assert, also predeclared as expect
// for editors and linters that treat assert as a keyword.
//
//	assert = module(
//	    eq, ne, true, false, contains, matches, fails, eventually, golden,
//	)
//
// def eq(a, b, msg=None): fails unless a == b; the error shows a diff of
// the two values (-got +want, a being "got").
//
// def ne(a, b, msg=None): fails if a == b.
//
// def true(x, msg=None), def false(x, msg=None): fail unless x is true
// (false) as Starlark's bool(x) decides.
//
// def contains(haystack, needle, msg=None): fails unless needle in haystack:
// a substring of a string, an element of a list or tuple, a key of a dict.
//
// def matches(pattern, s, msg=None): fails unless the Go regular expression
// pattern matches somewhere in s (a search, not a full match: anchor with
// ^ and $). Returns the match and its groups as a list of strings.
//
// def fails(fn, pattern): calls fn(), which must fail with an error whose
// message matches pattern (a search). Returns the error message.
//
// def eventually(fn, timeout="5s", interval="100ms"): calls fn() every
// interval until it returns a true value, and returns that value. Errors
// from fn are retried. After timeout it fails, showing fn's last result or
// error. Cancelling the case (timeout, interrupt) stops it at once.
//
// def golden(value, path): compares value (a string, or str(value)) with
// the file testdata/<path> next to the calling .star file. Under
// "berth test -update" it writes the file instead.
//
// Every failure is an ordinary error: the interpreter adds the Starlark call
// stack, and the runner shows it.
package assert

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"berth/starlib/args"
	"berth/starlib/cmpmod"
	"berth/starlib/session"
)

// Module is the assert module.
var Module = &starlarkstruct.Module{Name: "assert", Members: members()}

// Expect is the same module under the name expect.
var Expect = &starlarkstruct.Module{Name: "expect", Members: members()}

func members() starlark.StringDict {
	return starlark.StringDict{
		"eq":         starlark.NewBuiltin("assert.eq", eq),
		"ne":         starlark.NewBuiltin("assert.ne", ne),
		"true":       starlark.NewBuiltin("assert.true", isTrue),
		"false":      starlark.NewBuiltin("assert.false", isFalse),
		"contains":   starlark.NewBuiltin("assert.contains", contains),
		"matches":    starlark.NewBuiltin("assert.matches", matches),
		"fails":      starlark.NewBuiltin("assert.fails", fails),
		"eventually": starlark.NewBuiltin("assert.eventually", eventually),
		"golden":     starlark.NewBuiltin("assert.golden", golden),
	}
}

// failure builds an assertion error: "assert.eq: msg: detail".
func failure(b *starlark.Builtin, msg, format string, a ...any) error {
	prefix := b.Name() + ": "
	if msg != "" {
		prefix += msg + ": "
	}
	return errors.New(prefix + fmt.Sprintf(format, a...))
}

func eq(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	var msg string
	if err := args.Unpack(b.Name(), a, kw, "a", &got, "b", &want, "msg??", &msg); err != nil {
		return nil, err
	}
	d, err := cmpmod.Diff(got, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if d == "" {
		return starlark.None, nil
	}
	if isScalar(got) && isScalar(want) {
		return nil, failure(b, msg, "got %s, want %s", got, want)
	}
	return nil, failure(b, msg, "values differ (-got +want):\n%s", d)
}

// isScalar reports whether v reads well on one line of an error message.
func isScalar(v starlark.Value) bool {
	switch v := v.(type) {
	case starlark.NoneType, starlark.Bool, starlark.Int, starlark.Float:
		return true
	case starlark.String:
		return len(v) <= 80 && !strings.Contains(string(v), "\n")
	}
	return false
}

func ne(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	var msg string
	if err := args.Unpack(b.Name(), a, kw, "a", &x, "b", &y, "msg??", &msg); err != nil {
		return nil, err
	}
	same, err := starlark.Equal(x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if same {
		return nil, failure(b, msg, "both values are %s", x)
	}
	return starlark.None, nil
}

func isTrue(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	return truth(b, a, kw, true)
}

func isFalse(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	return truth(b, a, kw, false)
}

func truth(b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple, want bool) (starlark.Value, error) {
	var x starlark.Value
	var msg string
	if err := args.Unpack(b.Name(), a, kw, "x", &x, "msg??", &msg); err != nil {
		return nil, err
	}
	if bool(x.Truth()) == want {
		return starlark.None, nil
	}
	if want {
		return nil, failure(b, msg, "got %s, want a true value", x)
	}
	return nil, failure(b, msg, "got %s, want a false value", x)
}

func contains(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var haystack, needle starlark.Value
	var msg string
	if err := args.Unpack(b.Name(), a, kw, "haystack", &haystack, "needle", &needle, "msg??", &msg); err != nil {
		return nil, err
	}
	switch haystack.(type) {
	case starlark.String, *starlark.List, starlark.Tuple, *starlark.Dict, *starlark.Set:
	default:
		return nil, fmt.Errorf("%s: for parameter haystack: got %s, want string, list, tuple, dict or set", b.Name(), haystack.Type())
	}
	found, err := starlark.Binary(syntax.IN, needle, haystack)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if found.Truth() {
		return starlark.None, nil
	}
	return nil, failure(b, msg, "%s not found in %s", needle, show(haystack))
}

func matches(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var pattern, s, msg string
	if err := args.Unpack(b.Name(), a, kw, "pattern", &pattern, "s", &s, "msg??", &msg); err != nil {
		return nil, err
	}
	re, err := compile(b, pattern)
	if err != nil {
		return nil, err
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return nil, failure(b, msg, "no match for /%s/ in %s", pattern, show(starlark.String(s)))
	}
	groups := make([]starlark.Value, len(m))
	for i, g := range m {
		groups[i] = starlark.String(g)
	}
	return starlark.NewList(groups), nil
}

func compile(b *starlark.Builtin, pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter pattern: %w", b.Name(), err)
	}
	return re, nil
}

// show renders a value for a failure message; a multi-line string is shown
// as an indented block, which reads better than one escaped line.
func show(v starlark.Value) string {
	s, ok := v.(starlark.String)
	if !ok || !strings.Contains(string(s), "\n") {
		return v.String()
	}
	text := strings.TrimSuffix(string(s), "\n")
	return "this text:\n    " + strings.ReplaceAll(text, "\n", "\n    ")
}

func fails(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	var pattern string
	if err := args.Unpack(b.Name(), a, kw, "fn", &fn, "pattern", &pattern); err != nil {
		return nil, err
	}
	re, err := compile(b, pattern)
	if err != nil {
		return nil, err
	}
	v, err := starlark.Call(th, fn, nil, nil)
	if err == nil {
		return nil, fmt.Errorf("%s: %s returned %s, want an error matching /%s/", b.Name(), fn.Name(), v, pattern)
	}
	if ctxErr := session.Context(th).Err(); ctxErr != nil {
		// The case was cancelled: that is not the failure fn was meant
		// to produce, and it must not be swallowed.
		return nil, err
	}
	text := errorMessage(err)
	if !re.MatchString(text) {
		return nil, fmt.Errorf("%s: error %q does not match /%s/", b.Name(), text, pattern)
	}
	return starlark.String(text), nil
}

// errorMessage is the message of err without a call stack.
func errorMessage(err error) string {
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		return evalErr.Msg
	}
	return err.Error()
}

func eventually(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	timeout := args.Duration(5 * time.Second)
	interval := args.Duration(100 * time.Millisecond)
	if err := args.Unpack(b.Name(), a, kw, "fn", &fn, "timeout?", &timeout, "interval?", &interval); err != nil {
		return nil, err
	}
	if interval <= 0 {
		return nil, fmt.Errorf("%s: for parameter interval: got %s, want a duration above 0", b.Name(), interval.Std())
	}
	ctx := session.Context(th)
	deadline := time.Now().Add(timeout.Std())
	var last string
	for attempt := 1; ; attempt++ {
		v, err := starlark.Call(th, fn, nil, nil)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), ctxErr)
		}
		if err == nil && v.Truth() {
			return v, nil
		}
		if err != nil {
			last = "last error: " + errorMessage(err)
		} else {
			last = "last result: " + v.String()
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, fmt.Errorf("%s: %s did not return a true value within %s (%d attempts); %s",
				b.Name(), fn.Name(), timeout.Std(), attempt, last)
		}
		timer := time.NewTimer(min(interval.Std(), remaining))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%s: %w", b.Name(), ctx.Err())
		case <-timer.C:
		}
	}
}

func golden(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var value starlark.Value
	var name string
	if err := args.Unpack(b.Name(), a, kw, "value", &value, "path", &name); err != nil {
		return nil, err
	}
	if !filepath.IsLocal(name) {
		return nil, fmt.Errorf("%s: for parameter path: got %q, want a relative path inside testdata/", b.Name(), name)
	}
	got, ok := starlark.AsString(value)
	if !ok {
		got = value.String()
	}
	path := filepath.Join(filepath.Dir(session.CallerFile(th)), "testdata", name)

	if session.Get(th).Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		return starlark.None, nil
	}

	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %s does not exist: run \"berth test -update\" to create it", b.Name(), path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	d, err := cmpmod.Diff(starlark.String(got), starlark.String(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if d != "" {
		return nil, fmt.Errorf("%s: value differs from %s (-got +want); run \"berth test -update\" to accept it:\n%s", b.Name(), path, d)
	}
	return starlark.None, nil
}
