package args

import (
	"fmt"
	"reflect"
	"sort"

	"go.starlark.net/starlark"
)

// ToStarlark converts a plain Go value, such as the documents an inspect()
// returns, to a Starlark value:
//
//	nil, nil pointer, nil interface → None
//	bool → bool; any integer kind → int; float32, float64 → float; string → str
//	slice or array → list ([]byte included: a list of ints)
//	map with string keys → dict with sorted keys
//	pointer → what it points to
//	starlark.Value → itself
//
// Anything else (structs, channels, funcs, maps with non-string keys) is an
// error naming the Go type and where it was found, e.g. `["State"]["Pid"]`.
// The lists and dicts returned are new and unfrozen.
func ToStarlark(v any) (starlark.Value, error) {
	return toStarlark(reflect.ValueOf(v), "")
}

var starlarkValueType = reflect.TypeFor[starlark.Value]()

func toStarlark(rv reflect.Value, path string) (starlark.Value, error) {
	if !rv.IsValid() {
		return starlark.None, nil
	}
	if rv.Type().Implements(starlarkValueType) {
		if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
			return starlark.None, nil
		}
		return rv.Interface().(starlark.Value), nil
	}
	switch rv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return starlark.None, nil
		}
		return toStarlark(rv.Elem(), path)
	case reflect.Bool:
		return starlark.Bool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return starlark.MakeInt64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return starlark.MakeUint64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return starlark.Float(rv.Float()), nil
	case reflect.String:
		return starlark.String(rv.String()), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return starlark.NewList(nil), nil
		}
		elems := make([]starlark.Value, rv.Len())
		for i := range elems {
			elem, err := toStarlark(rv.Index(i), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			elems[i] = elem
		}
		return starlark.NewList(elems), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("convert %s to Starlark: unsupported Go type %s (map keys must be strings)", where(path), rv.Type())
		}
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		dict := starlark.NewDict(len(keys))
		for _, k := range keys {
			elem, err := toStarlark(rv.MapIndex(k), fmt.Sprintf("%s[%q]", path, k.String()))
			if err != nil {
				return nil, err
			}
			if err := dict.SetKey(starlark.String(k.String()), elem); err != nil {
				return nil, fmt.Errorf("convert %s to Starlark: %w", where(path), err)
			}
		}
		return dict, nil
	}
	return nil, fmt.Errorf("convert %s to Starlark: unsupported Go type %s", where(path), rv.Type())
}

func where(path string) string {
	if path == "" {
		return "value"
	}
	return "value at " + path
}
