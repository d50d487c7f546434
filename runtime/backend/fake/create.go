package fake

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// netMode is how a container gets its network namespace.
type netMode int

const (
	netNetworks  netMode = iota // its own, on one or more networks
	netNone                     // its own, with lo only
	netHost                     // the host's
	netContainer                // another container's
)

// link is --link target[:alias].
type link struct {
	target backend.Container
	alias  string
}

// mount is a mount of a container, with the volume it resolved to.
type mount struct {
	spec.Mount
	Name   string // volume: the scenario's name
	Stored string // volume: the stored name
	From   string // inherited from this container (volumes_from)
}

// attachment is the container's place on a network; addr is set while it
// runs.
type attachment struct {
	net     backend.NetworkInfo
	aliases []string
	ip      string // --ip; "" to allocate
	addr    netip.Addr
	prefix  int
}

// resolveNetworking applies the network options at create, in the
// engine's order: the mode, the links, the ports.
func (c *Container) resolveNetworking(ctx context.Context) error {
	cs := c.spec
	switch mode := cs.Network; {
	case mode == backend.NetworkNone:
		c.netMode = netNone
	case mode == backend.NetworkHost:
		c.netMode = netHost
	case strings.HasPrefix(mode, "container:"):
		target, err := c.scope.Lookup(strings.TrimPrefix(mode, "container:"))
		if err != nil {
			return err
		}
		fc, ok := target.(*Container)
		if !ok {
			return fmt.Errorf("fake: container %s is not a fake container", target.Name())
		}
		c.netMode, c.join = netContainer, fc
	default:
		if err := c.resolveNetwork(ctx, mode); err != nil {
			return err
		}
	}
	for _, l := range cs.Links {
		name, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = name
		}
		target, err := c.scope.Lookup(name)
		if err != nil {
			return fmt.Errorf("could not get container for %s: %w", name, err)
		}
		c.links = append(c.links, link{target: target, alias: alias})
	}
	for _, p := range cs.Ports {
		m, err := spec.ParsePortMapping(p)
		if err != nil {
			return err
		}
		if c.netMode == netNetworks {
			c.ports = append(c.ports, m)
		}
	}
	return nil
}

// resolveNetwork puts the container on its first network.
func (c *Container) resolveNetwork(ctx context.Context, mode string) error {
	if mode == "" || mode == "default" {
		mode = backend.NetworkBridge
	}
	n, err := c.scope.Network(ctx, mode)
	if err != nil {
		return err
	}
	if _, err := spec.CheckIP(c.spec.IP, spec.IPNetwork{User: n.User(), UserSubnet: n.UserSubnet}); err != nil {
		return err
	}
	c.nets = []*attachment{{net: n, aliases: slices.Clone(c.spec.Aliases), ip: c.spec.IP}}
	return nil
}

// resolveMounts resolves volumes_from, then -v and --mount, creating
// missing volumes through the scope. On failure, the volumes it created
// are removed again.
func (c *Container) resolveMounts(ctx context.Context) (retErr error) {
	var created []string
	defer func() {
		if retErr != nil {
			for _, name := range created {
				_ = c.scope.RemoveVolume(ctx, name, true)
			}
		}
	}()
	own := map[string]bool{}
	for _, m := range c.spec.Mounts {
		own[m.CleanTarget()] = true
	}
	for _, vf := range c.spec.VolumesFrom {
		inherited, err := c.volumesFrom(vf, own)
		if err != nil {
			return err
		}
		c.mounts = append(c.mounts, inherited...)
	}
	for _, m := range c.spec.Mounts {
		mp := mount{Mount: m}
		if m.Type == spec.MountVolume {
			v, isNew, err := c.volumeFor(ctx, m.Source)
			if err != nil {
				return err
			}
			if isNew {
				created = append(created, v.Name)
			}
			mp.Name, mp.Stored = v.Name, v.StoredName
		}
		c.mounts = append(c.mounts, mp)
	}
	// Parents before children, as Docker sorts them.
	slices.SortStableFunc(c.mounts, func(a, b mount) int {
		return strings.Count(a.CleanTarget(), "/") - strings.Count(b.CleanTarget(), "/")
	})
	return nil
}

// volumeFor finds or creates the volume of a "name:/ctr" or "/ctr" mount.
func (c *Container) volumeFor(ctx context.Context, name string) (backend.VolumeInfo, bool, error) {
	if name != "" {
		v, err := c.scope.Volume(ctx, name)
		if err == nil {
			return v, false, nil
		}
		if !errors.Is(err, backend.ErrNoSuchVolume) {
			return backend.VolumeInfo{}, false, err
		}
	}
	v, err := c.scope.CreateVolume(ctx, name, backend.VolumeOptions{})
	return v, err == nil, err
}

// volumesFrom copies another container's mounts, with ":ro" or ":rw"
// overriding their modes; targets the container mounts itself win.
func (c *Container) volumesFrom(arg string, own map[string]bool) ([]mount, error) {
	name, mode, err := spec.ParseVolumesFrom(arg)
	if err != nil {
		return nil, err
	}
	src, err := c.scope.Lookup(name)
	if err != nil {
		return nil, err
	}
	fc, ok := src.(*Container)
	if !ok {
		return nil, fmt.Errorf("fake: container %s is not a fake container", src.Name())
	}
	var out []mount
	for _, m := range fc.mounts {
		if m.Type == spec.MountTmpfs || own[m.CleanTarget()] {
			continue
		}
		switch mode {
		case "ro":
			m.ReadOnly = true
		case "rw":
			m.ReadOnly = false
		}
		m.From = fc.name
		out = append(out, m)
	}
	return out, nil
}
