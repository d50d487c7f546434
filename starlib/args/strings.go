package args

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"

	"berth/runtime/spec"
	"berth/runtime/units"
)

// StringList is an Unpacker for a list or tuple of strings.
type StringList []string

var _ starlark.Unpacker = (*StringList)(nil)

// Unpack implements starlark.Unpacker.
func (l *StringList) Unpack(v starlark.Value) error {
	seq, ok := v.(starlark.Indexable)
	if !ok || !isListOrTuple(v) {
		return fmt.Errorf("got %s, want list of strings", v.Type())
	}
	out := make([]string, seq.Len())
	for i := range out {
		s, ok := starlark.AsString(seq.Index(i))
		if !ok {
			return fmt.Errorf("got %s with %s at index %d, want list of strings", v.Type(), seq.Index(i).Type(), i)
		}
		out[i] = s
	}
	*l = out
	return nil
}

// StringOrList is an Unpacker for a command: a list or tuple of strings, or
// one string split into words the way a shell would split it (quotes
// respected, no shell run; see units.SplitWords).
type StringOrList []string

var _ starlark.Unpacker = (*StringOrList)(nil)

// Unpack implements starlark.Unpacker.
func (l *StringOrList) Unpack(v starlark.Value) error {
	if s, ok := v.(starlark.String); ok {
		words, err := units.SplitWords(string(s))
		if err != nil {
			return err
		}
		*l = words
		return nil
	}
	if !isListOrTuple(v) {
		return fmt.Errorf("got %s, want string or list of strings", v.Type())
	}
	var list StringList
	if err := list.Unpack(v); err != nil {
		return err
	}
	*l = StringOrList(list)
	return nil
}

// KeyValue is one entry of a StringDict.
type KeyValue struct {
	Key, Value string
}

// StringDict is an Unpacker for a dict of string to string, or (as for
// environment variables, like docker run -e) a list or tuple of "KEY=VALUE"
// strings. It keeps the order the script gave; a key given twice keeps its
// first position and its last value.
type StringDict []KeyValue

var _ starlark.Unpacker = (*StringDict)(nil)

// Unpack implements starlark.Unpacker.
func (d *StringDict) Unpack(v starlark.Value) error {
	var out StringDict
	switch v := v.(type) {
	case *starlark.Dict:
		for _, item := range v.Items() {
			k, ok := starlark.AsString(item[0])
			if !ok {
				return fmt.Errorf("got dict with %s key %s, want dict of strings", item[0].Type(), item[0])
			}
			val, ok := starlark.AsString(item[1])
			if !ok {
				return fmt.Errorf("got dict with %s value for key %q, want dict of strings", item[1].Type(), k)
			}
			out = out.with(k, val)
		}
	case *starlark.List, starlark.Tuple:
		var list StringList
		if err := list.Unpack(v); err != nil {
			return err
		}
		for i, entry := range list {
			k, val, ok := strings.Cut(entry, "=")
			if !ok || k == "" {
				return fmt.Errorf("got %q at index %d, want \"KEY=VALUE\"", entry, i)
			}
			out = out.with(k, val)
		}
	default:
		return fmt.Errorf("got %s, want dict of strings or list of \"KEY=VALUE\"", v.Type())
	}
	*d = out
	return nil
}

// with sets key to value, keeping the key's first position.
func (d StringDict) with(key, value string) StringDict {
	for i := range d {
		if d[i].Key == key {
			d[i].Value = value
			return d
		}
	}
	return append(d, KeyValue{key, value})
}

// Map returns the entries as a map.
func (d StringDict) Map() map[string]string {
	m := make(map[string]string, len(d))
	for _, kv := range d {
		m[kv.Key] = kv.Value
	}
	return m
}

// Env returns the entries as "KEY=VALUE" strings, in order. A key that
// is no variable name (one with '=' would silently set another variable)
// is refused.
func (d StringDict) Env() ([]string, error) {
	env := make([]string, len(d))
	for i, kv := range d {
		if err := spec.CheckEnvKey(kv.Key); err != nil {
			return nil, err
		}
		env[i] = kv.Key + "=" + kv.Value
	}
	return env, nil
}

func isListOrTuple(v starlark.Value) bool {
	switch v.(type) {
	case *starlark.List, starlark.Tuple:
		return true
	}
	return false
}
