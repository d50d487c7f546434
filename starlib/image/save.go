package image

import (
	"fmt"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/session"
)

// save is docker save -o path: the images ref_or_list names (a reference
// or a list of them) as one archive at path, written whole or not at all.
func (m *module) save(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var which starlark.Value
	var path string
	if err := args.Unpack(fn, a, kw, "ref_or_list", &which, "path", &path); err != nil {
		return nil, err
	}
	var refs []string
	if s, ok := which.(starlark.String); ok {
		refs = []string{string(s)}
	} else {
		var list args.StringList
		if err := list.Unpack(which); err != nil {
			return nil, fmt.Errorf("%s: ref_or_list: %s, want a string or a list of strings", fn, which.Type())
		}
		refs = list
	}
	if err := backend.SaveFile(session.Context(th), st, refs, resolve(th, path)); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}
