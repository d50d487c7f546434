package host

import (
	"context"
	"errors"
	"fmt"

	"go.starlark.net/starlark"

	"berth/starlib/args"
	"berth/starlib/container"
	"berth/starlib/session"
)

// vethPair creates a veth pair on the host of the case's backend, both
// ends up and without addresses, and returns the two names: a stand-in
// for a physical network (the parent of a macvlan network) that is never
// the host's own uplink. Both ends are deleted when the case ends.
func vethPair(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(b.Name(), a, kw); err != nil {
		return nil, err
	}
	sb, err := container.SandboxOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	h := sb.Host()
	ctx := session.Context(th)
	p, err := h.CreateVethPair(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	remove := func() error { return h.RemoveVethPair(context.WithoutCancel(ctx), p) }
	if err := session.AddCleanup(th, remove); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", b.Name(), err), remove())
	}
	return starlark.Tuple{starlark.String(p.A), starlark.String(p.B)}, nil
}
