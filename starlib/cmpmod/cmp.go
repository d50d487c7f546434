// Package cmpmod is the Starlark module cmp, and the value diff that the
// assert module shows under a failed assert.eq.
//
//	cmp = module(
//	    diff,
//	)
//
// def diff(a, b):
//
// Returns "" when a == b (Starlark equality), else a readable diff of the
// two values, a's side marked "-" and b's "+". Values are compared as plain
// data: lists and tuples as sequences, dicts by key, strings line by line,
// objects with attributes (an exec result, a container) attribute by
// attribute. The diff's exact layout is go-cmp's and may change between
// versions: compare it with "" rather than with a golden text.
package cmpmod

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/starlib/args"
)

// Module is the cmp module.
var Module = &starlarkstruct.Module{
	Name: "cmp",
	Members: starlark.StringDict{
		"diff": starlark.NewBuiltin("cmp.diff", diff),
	},
}

func diff(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	if err := args.Unpack(b.Name(), a, kw, "a", &x, "b", &y); err != nil {
		return nil, err
	}
	d, err := Diff(x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(d), nil
}

// Diff returns "" when a == b in Starlark, else a readable diff (-a +b).
// It fails only when Starlark cannot compare the two values at all.
func Diff(a, b starlark.Value) (string, error) {
	eq, err := starlark.Equal(a, b)
	if err != nil {
		return "", err
	}
	if eq {
		return "", nil
	}
	if isAtom(a) && isAtom(b) {
		// go-cmp would wrap two scalars in three lines of Go syntax.
		return fmt.Sprintf("- %s\n+ %s\n", a, b), nil
	}
	// go-cmp deliberately varies its spacing between runs (plain or
	// non-breaking spaces); normalise it so that output is copyable.
	d := strings.ReplaceAll(cmp.Diff(plain(a, nil), plain(b, nil)), "\u00a0", " ")
	if d == "" {
		// Unequal in Starlark yet equal as plain data: the difference is
		// in the types, such as a list against a tuple.
		d = fmt.Sprintf("- %s %s\n+ %s %s\n", a.Type(), a, b.Type(), b)
	}
	return d, nil
}

// isAtom reports whether v is a scalar that one line shows in full.
func isAtom(v starlark.Value) bool {
	switch v := v.(type) {
	case starlark.NoneType, starlark.Bool, starlark.Int, starlark.Float:
		return true
	case starlark.String:
		return !strings.Contains(string(v), "\n")
	}
	return false
}

// plain converts v to Go data that go-cmp can diff: nil, bool, int64,
// float64, string, []any or map[string]any. Anything else becomes its
// Starlark representation. seen guards against lists or dicts that contain
// themselves.
func plain(v starlark.Value, seen []starlark.Value) any {
	if slices.Contains(seen, v) {
		return "<cycle: " + v.Type() + ">"
	}
	// Full slice expression: siblings must not share appended elements.
	inner := append(seen[:len(seen):len(seen)], v)
	switch v := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.Bool:
		return bool(v)
	case starlark.Int:
		if i, ok := v.Int64(); ok {
			return i
		}
		return v.String()
	case starlark.Float:
		return float64(v)
	case starlark.String:
		return string(v)
	case starlark.Bytes:
		return []byte(v)
	case *starlark.List:
		return plainSeq(v, inner)
	case starlark.Tuple:
		return plainSeq(v, inner)
	case *starlark.Dict:
		m := make(map[string]any, v.Len())
		for _, item := range v.Items() {
			m[keyString(item[0])] = plain(item[1], inner)
		}
		return m
	case *starlark.Set:
		// Sets compare unordered: sort by representation so that the
		// diff lines up equal elements.
		elems := slices.Collect(starlark.Elements(v))
		sort.SliceStable(elems, func(i, j int) bool { return elems[i].String() < elems[j].String() })
		out := make([]any, len(elems))
		for i, e := range elems {
			out[i] = plain(e, inner)
		}
		return out
	case starlark.Callable:
		return v.String()
	case starlark.HasAttrs:
		m := make(map[string]any)
		for _, name := range v.AttrNames() {
			attr, err := v.Attr(name)
			if err != nil || attr == nil {
				continue
			}
			if _, isMethod := attr.(*starlark.Builtin); isMethod {
				continue
			}
			m[name] = plain(attr, inner)
		}
		return m
	}
	return v.String()
}

func plainSeq(v starlark.Indexable, seen []starlark.Value) []any {
	out := make([]any, v.Len())
	for i := range out {
		out[i] = plain(v.Index(i), seen)
	}
	return out
}

// keyString names a dict key: strings as themselves, other keys by their
// representation.
func keyString(k starlark.Value) string {
	if s, ok := k.(starlark.String); ok {
		return string(s)
	}
	return k.String()
}
