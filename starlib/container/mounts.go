package container

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"berth/runtime/spec"
	"berth/starlib/args"
)

// parseVolumes reads volumes= (-v): "/host:/ctr[:ro]", "name:/ctr[:ro]" or
// "/ctr". Relative host paths are relative to the scenario's directory.
func parseVolumes(v starlark.Value, base string) ([]spec.Mount, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	var list args.StringList
	if err := list.Unpack(v); err != nil {
		return nil, fmt.Errorf("for parameter volumes: %w", err)
	}
	var out []spec.Mount
	for _, s := range list {
		m, err := spec.ParseVolume(s, base)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// mountKeys are the keys a mounts= dict takes, --mount's fields.
var mountKeys = []string{"type", "source", "target", "readonly", "nocopy", "size", "mode"}

// mountAliases are --mount's other spellings of the same fields.
var mountAliases = map[string]string{"src": "source", "destination": "target", "dst": "target", "ro": "readonly", "volume-nocopy": "nocopy"}

// parseMounts reads mounts= (--mount): a list of dicts such as
// {"type": "bind", "source": "/h", "target": "/c", "readonly": True}.
func parseMounts(v starlark.Value, base string) ([]spec.Mount, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	iter, ok := v.(starlark.Indexable)
	if !ok {
		return nil, fmt.Errorf("for parameter mounts: got %s, want a list of dicts such as {\"type\": \"bind\", \"source\": \"/h\", \"target\": \"/c\"}", v.Type())
	}
	var out []spec.Mount
	for i := 0; i < iter.Len(); i++ {
		d, ok := iter.Index(i).(*starlark.Dict)
		if !ok {
			return nil, fmt.Errorf("mounts[%d]: got %s, want a dict such as {\"type\": \"volume\", \"source\": \"data\", \"target\": \"/data\"}", i, iter.Index(i).Type())
		}
		m, err := mountFromDict(d, base)
		if err != nil {
			return nil, fmt.Errorf("mounts[%d]: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func mountFromDict(d *starlark.Dict, base string) (spec.Mount, error) {
	m := spec.Mount{Type: spec.MountVolume} // --mount's default type
	for _, item := range d.Items() {
		key, ok := starlark.AsString(item[0])
		if !ok {
			return m, fmt.Errorf("got %s key, want one of %s", item[0].Type(), strings.Join(mountKeys, ", "))
		}
		if alias, ok := mountAliases[key]; ok {
			key = alias
		}
		val := item[1]
		var err error
		switch key {
		case "type":
			var s string
			s, err = asString(val)
			m.Type = spec.MountType(s)
		case "source":
			m.Source, err = asString(val)
		case "target":
			m.Target, err = asString(val)
		case "readonly":
			m.ReadOnly, err = asBool(val)
		case "nocopy":
			m.NoCopy, err = asBool(val)
		case "size":
			var size byteSize
			err = size.Unpack(val)
			m.Size = int64(size)
		case "mode":
			var mode int64
			mode, err = asInt(val)
			if err == nil && (mode < 0 || mode > 0o7777) {
				err = fmt.Errorf("got %#o, want file mode bits such as 0o1777", mode)
			}
			m.Mode = uint32(mode)
		default:
			return m, fmt.Errorf("unknown key %q: want one of %s", key, strings.Join(mountKeys, ", "))
		}
		if err != nil {
			return m, fmt.Errorf("%s: %w", key, err)
		}
	}
	// A relative bind source is the scenario directory's, as for volumes=.
	if m.Type == spec.MountBind && m.Source != "" && !strings.HasPrefix(m.Source, "/") && !slices.Contains(strings.Split(m.Source, "/"), "..") {
		m.Source = filepath.Join(base, m.Source)
	}
	return m, m.Validate()
}

func asString(v starlark.Value) (string, error) {
	s, ok := starlark.AsString(v)
	if !ok {
		return "", fmt.Errorf("got %s, want string", v.Type())
	}
	return s, nil
}

func asBool(v starlark.Value) (bool, error) {
	b, ok := v.(starlark.Bool)
	if !ok {
		return false, fmt.Errorf("got %s, want True or False", v.Type())
	}
	return bool(b), nil
}

func asInt(v starlark.Value) (int64, error) {
	if s, ok := v.(starlark.String); ok {
		// "1777" as --mount tmpfs-mode=1777 writes it: octal.
		var mode int64
		if _, err := fmt.Sscanf(string(s), "%o", &mode); err != nil {
			return 0, fmt.Errorf("got %q, want octal mode bits such as \"1777\"", string(s))
		}
		return mode, nil
	}
	i, ok := v.(starlark.Int)
	if !ok {
		return 0, fmt.Errorf("got %s, want int", v.Type())
	}
	n, ok := i.Int64()
	if !ok {
		return 0, fmt.Errorf("got %s, want a small int", i)
	}
	return n, nil
}

// parseVolumesFrom reads volumes_from= (--volumes-from): "name[:ro|:rw]".
func parseVolumesFrom(v starlark.Value) ([]string, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	var list args.StringList
	if err := list.Unpack(v); err != nil {
		return nil, fmt.Errorf("for parameter volumes_from: %w", err)
	}
	for _, s := range list {
		if _, _, err := spec.ParseVolumesFrom(s); err != nil {
			return nil, err
		}
	}
	return slices.Clone([]string(list)), nil
}
