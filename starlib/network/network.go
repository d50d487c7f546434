// Package network is the scenario language's network module:
//
//	network.create(name, driver="bridge", subnet=None, gateway=None, ip_range=None,
//	               options={}, internal=False, labels={}) -> Network
//	network.ls() -> list of Network (bridge, host and none, then the sandbox's)
//	network.inspect(name) -> dict                 docker network inspect
//	network.connect(net, c, aliases=[], ip=None)  docker network connect
//	network.disconnect(net, c)                    docker network disconnect
//	network.rm(name)                              docker network rm
//
// A Network has the attributes name, id, driver, subnet and gateway and the
// methods inspect(), connect(c, aliases=[], ip=None), disconnect(c) and
// rm(). Wherever a network is expected, its name or the Network works.
package network

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

// Module is the network module.
var Module = &starlarkstruct.Module{
	Name: "network",
	Members: starlark.StringDict{
		"create":     container.SandboxBuiltin("network.create", create),
		"ls":         container.SandboxBuiltin("network.ls", ls),
		"inspect":    container.SandboxBuiltin("network.inspect", inspect),
		"connect":    container.SandboxBuiltin("network.connect", connect),
		"disconnect": container.SandboxBuiltin("network.disconnect", disconnect),
		"rm":         container.SandboxBuiltin("network.rm", rm),
	},
}

func create(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		name                     string
		driver                   = "bridge"
		subnet, gateway, ipRange string
		options, labels          args.StringDict
		internal                 bool
	)
	if err := args.Unpack(fn, a, kw, "name", &name, "driver?", &driver, "subnet??", &subnet,
		"gateway??", &gateway, "ip_range??", &ipRange, "options??", &options, "internal?", &internal, "labels??", &labels); err != nil {
		return nil, err
	}
	n, err := sb.CreateNetwork(ctx, name, backend.NetworkOptions{
		Driver: driver, Subnet: subnet, Gateway: gateway, IPRange: ipRange,
		Options: options.Map(), Labels: labels.Map(), Internal: internal,
	})
	if err != nil {
		return nil, err
	}
	return &Value{sb: sb, n: n}, nil
}

func ls(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	nets, err := sb.Networks(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]starlark.Value, len(nets))
	for i, n := range nets {
		list[i] = &Value{sb: sb, n: n}
	}
	return starlark.NewList(list), nil
}

func inspect(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref starlark.Value
	if err := args.Unpack(fn, a, kw, "name", &ref); err != nil {
		return nil, err
	}
	name, err := networkName(ref)
	if err != nil {
		return nil, err
	}
	doc, err := sb.InspectNetwork(ctx, name)
	if err != nil {
		return nil, err
	}
	return args.ToStarlark(doc)
}

func connect(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		ref, c  starlark.Value
		aliases args.StringList
		ip      string
	)
	if err := args.Unpack(fn, a, kw, "net", &ref, "c", &c, "aliases??", &aliases, "ip??", &ip); err != nil {
		return nil, err
	}
	return starlark.None, doConnect(ctx, sb, ref, c, aliases, ip)
}

func doConnect(ctx context.Context, sb backend.Sandbox, ref, c starlark.Value, aliases []string, ip string) error {
	n, ctr, err := resolve(ctx, sb, ref, c)
	if err != nil {
		return err
	}
	return ctr.ConnectNetwork(ctx, n, backend.EndpointOptions{Aliases: aliases, IP: ip})
}

func disconnect(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref, c starlark.Value
	if err := args.Unpack(fn, a, kw, "net", &ref, "c", &c); err != nil {
		return nil, err
	}
	n, ctr, err := resolve(ctx, sb, ref, c)
	if err != nil {
		return nil, err
	}
	return starlark.None, ctr.DisconnectNetwork(ctx, n)
}

func rm(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref starlark.Value
	if err := args.Unpack(fn, a, kw, "name", &ref); err != nil {
		return nil, err
	}
	name, err := networkName(ref)
	if err != nil {
		return nil, err
	}
	return starlark.None, sb.RemoveNetwork(ctx, name)
}

// resolve finds the network and the container of connect/disconnect; the
// container may be a Container or its name.
func resolve(ctx context.Context, sb backend.Sandbox, ref, c starlark.Value) (backend.NetworkInfo, backend.Container, error) {
	name, err := networkName(ref)
	if err != nil {
		return backend.NetworkInfo{}, nil, err
	}
	n, err := sb.Network(ctx, name)
	if err != nil {
		return backend.NetworkInfo{}, nil, err
	}
	if ctr, ok := container.ContainerOf(c); ok {
		return n, ctr, nil
	}
	s, ok := starlark.AsString(c)
	if !ok {
		return backend.NetworkInfo{}, nil, fmt.Errorf("got %s for the container, want a container or its name", c.Type())
	}
	ctr, err := sb.Lookup(s)
	return n, ctr, err
}

// networkName accepts a Network or a name.
func networkName(v starlark.Value) (string, error) {
	if n, ok := v.(*Value); ok {
		return n.n.Name, nil
	}
	if s, ok := starlark.AsString(v); ok {
		return s, nil
	}
	return "", fmt.Errorf("got %s for the network, want a network or its name", v.Type())
}

// Value is a network in a scenario.
type Value struct {
	sb backend.Sandbox
	n  backend.NetworkInfo
}

var _ starlark.HasAttrs = (*Value)(nil)

func (v *Value) String() string        { return fmt.Sprintf("<network %s>", v.n.Name) }
func (v *Value) Type() string          { return "network" }
func (v *Value) Freeze()               {}
func (v *Value) Truth() starlark.Bool  { return starlark.True }
func (v *Value) Hash() (uint32, error) { return starlark.String(v.n.ID).Hash() }

// Name is the network's name, for options that take a network.
func (v *Value) Name() string { return v.n.Name }

func (v *Value) AttrNames() []string {
	return []string{"connect", "disconnect", "driver", "gateway", "id", "inspect", "name", "rm", "subnet"}
}

func (v *Value) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(v.n.Name), nil
	case "id":
		return starlark.String(v.n.ID), nil
	case "driver":
		return starlark.String(v.n.Driver), nil
	case "subnet":
		return starlark.String(v.n.Subnet), nil
	case "gateway":
		return starlark.String(v.n.Gateway), nil
	case "inspect":
		return v.method("inspect", func(ctx context.Context, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			if err := args.Unpack("inspect", a, kw); err != nil {
				return nil, err
			}
			doc, err := v.sb.InspectNetwork(ctx, v.n.Name)
			if err != nil {
				return nil, err
			}
			return args.ToStarlark(doc)
		}), nil
	case "connect":
		return v.method("connect", func(ctx context.Context, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			var (
				c       starlark.Value
				aliases args.StringList
				ip      string
			)
			if err := args.Unpack("connect", a, kw, "c", &c, "aliases??", &aliases, "ip??", &ip); err != nil {
				return nil, err
			}
			return starlark.None, doConnect(ctx, v.sb, v, c, aliases, ip)
		}), nil
	case "disconnect":
		return v.method("disconnect", func(ctx context.Context, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			var c starlark.Value
			if err := args.Unpack("disconnect", a, kw, "c", &c); err != nil {
				return nil, err
			}
			_, ctr, err := resolve(ctx, v.sb, v, c)
			if err != nil {
				return nil, err
			}
			return starlark.None, ctr.DisconnectNetwork(ctx, v.n)
		}), nil
	case "rm":
		return v.method("rm", func(ctx context.Context, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			if err := args.Unpack("rm", a, kw); err != nil {
				return nil, err
			}
			return starlark.None, v.sb.RemoveNetwork(ctx, v.n.Name)
		}), nil
	}
	return nil, nil
}

func (v *Value) method(name string, f func(ctx context.Context, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		res, err := f(session.Context(th), a, kw)
		if err != nil {
			return nil, fmt.Errorf("network.%s: %w", name, err)
		}
		return res, nil
	})
}
