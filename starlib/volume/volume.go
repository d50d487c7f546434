// Package volume is the scenario language's volume module:
//
//	volume.create(name=None, driver="local", labels={}, keep=False) -> Volume
//	volume.ls() -> list of Volume
//	volume.inspect(name) -> dict                  docker volume inspect
//	volume.rm(name, force=False)                  docker volume rm
//
// A Volume has the attributes name and mountpoint and the methods
// inspect() and rm(force=False). Volumes a case creates are removed when
// it ends; keep=True keeps one (under exactly its name) for later runs,
// and `berth volume rm` removes it.
package volume

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/container"
	"berth/starlib/session"
)

// Module is the volume module.
var Module = &starlarkstruct.Module{
	Name: "volume",
	Members: starlark.StringDict{
		"create":  container.SandboxBuiltin("volume.create", create),
		"ls":      container.SandboxBuiltin("volume.ls", ls),
		"inspect": container.SandboxBuiltin("volume.inspect", inspect),
		"rm":      container.SandboxBuiltin("volume.rm", rm),
	},
}

func create(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		name, driver string = "", "local"
		labels       args.StringDict
		keep         bool
	)
	if err := args.Unpack(fn, a, kw, "name?", &name, "driver?", &driver, "labels?", &labels, "keep?", &keep); err != nil {
		return nil, err
	}
	if driver != "local" {
		return nil, fmt.Errorf("driver %q: berth has only the \"local\" volume driver", driver)
	}
	if keep && name == "" {
		return nil, fmt.Errorf("keep=True needs a name: an anonymous volume cannot be found again by a later run")
	}
	v, err := sb.CreateVolume(ctx, name, backend.VolumeOptions{Labels: labels.Map(), Keep: keep})
	if err != nil {
		return nil, err
	}
	return &Value{sb: sb, v: v}, nil
}

func ls(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	vols, err := sb.Volumes(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]starlark.Value, len(vols))
	for i, v := range vols {
		list[i] = &Value{sb: sb, v: v}
	}
	return starlark.NewList(list), nil
}

func inspect(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := args.Unpack(fn, a, kw, "name", &name); err != nil {
		return nil, err
	}
	v, err := sb.Volume(ctx, name)
	if err != nil {
		return nil, err
	}
	return args.ToStarlark(v.Inspect())
}

func rm(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		name  string
		force bool
	)
	if err := args.Unpack(fn, a, kw, "name", &name, "force?", &force); err != nil {
		return nil, err
	}
	return starlark.None, sb.RemoveVolume(ctx, name, force)
}

// Value is a volume in a scenario.
type Value struct {
	sb backend.Sandbox
	v  backend.VolumeInfo
}

var _ starlark.HasAttrs = (*Value)(nil)

func (v *Value) String() string        { return fmt.Sprintf("<volume %s>", v.v.Name) }
func (v *Value) Type() string          { return "volume" }
func (v *Value) Freeze()               {}
func (v *Value) Truth() starlark.Bool  { return starlark.True }
func (v *Value) Hash() (uint32, error) { return starlark.String(v.v.StoredName).Hash() }

func (v *Value) AttrNames() []string { return []string{"inspect", "mountpoint", "name", "rm"} }

func (v *Value) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(v.v.Name), nil
	case "mountpoint":
		return starlark.String(v.v.Mountpoint), nil
	case "inspect":
		return starlark.NewBuiltin("inspect", func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			if err := args.Unpack(b.Name(), a, kw); err != nil {
				return nil, err
			}
			cur, err := v.sb.Volume(session.Context(th), v.v.Name)
			if err != nil {
				return nil, fmt.Errorf("inspect: %w", err)
			}
			return args.ToStarlark(cur.Inspect())
		}), nil
	case "rm":
		return starlark.NewBuiltin("rm", func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			var force bool
			if err := args.Unpack(b.Name(), a, kw, "force?", &force); err != nil {
				return nil, err
			}
			if err := v.sb.RemoveVolume(session.Context(th), v.v.Name, force); err != nil {
				return nil, fmt.Errorf("rm: %w", err)
			}
			return starlark.None, nil
		}), nil
	}
	return nil, nil
}
