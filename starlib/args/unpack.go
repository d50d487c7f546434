package args

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"berth/starlib/builtins"
)

// Unpack is starlark.UnpackArgs, which every builtin calls through it: it
// first checks each keyword argument against all the parameters, so that
// an unknown one gets a "did you mean" naming the nearest parameter or the
// one Docker spells that way (UnpackArgs's own hint only ever compares
// with the first half of the parameters, and knows nothing of Docker).
// The error is an *UnknownKeywordError.
func Unpack(fn string, a starlark.Tuple, kw []starlark.Tuple, pairs ...any) error {
	if len(kw) > 0 {
		params := ParamNames(pairs)
		for _, pair := range kw {
			name, _ := starlark.AsString(pair[0])
			if !slices.Contains(params, name) {
				return &UnknownKeywordError{Fn: fn, Keyword: name, Params: params, Hint: builtins.Hint(name, params)}
			}
		}
	}
	return starlark.UnpackArgs(fn, a, kw, pairs...)
}

// ParamNames returns the parameter names of UnpackArgs's pairs, without
// their "?" and "??" suffixes.
func ParamNames(pairs []any) []string {
	names := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if s, ok := pairs[i].(string); ok {
			names = append(names, strings.TrimRight(s, "?"))
		}
	}
	return names
}

// UnknownKeywordError is a keyword argument that is none of a builtin's
// parameters.
type UnknownKeywordError struct {
	Fn      string   // the builtin, as it names itself in errors
	Keyword string   // the argument's name
	Params  []string // the builtin's parameters, in order
	Hint    string   // what "did you mean" says: "memory", "ports, Docker's --publish"; "" when nothing is close
}

// Error reads as go.starlark.net's own message, plus the hint.
func (e *UnknownKeywordError) Error() string {
	msg := fmt.Sprintf("%s: unexpected keyword argument %s", e.Fn, starlark.String(e.Keyword))
	if e.Hint != "" {
		msg += " (did you mean " + e.Hint + "?)"
	}
	return msg
}
