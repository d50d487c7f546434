package backend

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"berth/runtime/spec"
)

// predefinedNetworks are Docker's three networks that always exist.
var predefinedNetworks = []string{NetworkBridge, NetworkHost, NetworkNone}

// defaultBridge returns the file's default bridge, creating it on first
// use. Each top-level sandbox (a scenario file) has its own, so the
// addresses a file sees do not depend on what runs beside it.
func (s *sandbox) defaultBridge(ctx context.Context) (NetworkInfo, error) {
	root := s.root()
	root.bridgeMu.Lock()
	defer root.bridgeMu.Unlock()
	if root.bridge == nil {
		// Close marks the sandbox closed before it takes bridgeMu.
		if err := root.checkOpen("default bridge"); err != nil {
			return NetworkInfo{}, err
		}
		n, err := s.b.CreateNetwork(ctx, NetworkSpec{
			Name: root.scopedName(NetworkBridge), NetworkOptions: NetworkOptions{Driver: "bridge"}, Default: true,
		})
		if err != nil {
			return NetworkInfo{}, fmt.Errorf("default bridge: %w", err)
		}
		root.bridge = &n
	}
	n := *root.bridge
	n.Name = NetworkBridge
	return n, nil
}

// closeDefaultBridge removes the file's default bridge once its
// containers are gone.
func (s *sandbox) closeDefaultBridge(ctx context.Context) error {
	s.bridgeMu.Lock()
	defer s.bridgeMu.Unlock()
	if s.bridge == nil {
		return nil
	}
	n := *s.bridge
	n.Name = NetworkBridge
	if err := s.b.RemoveNetwork(ctx, n); err != nil {
		return err
	}
	s.bridge = nil
	return nil
}

func (s *sandbox) CreateNetwork(ctx context.Context, name string, opts NetworkOptions) (NetworkInfo, error) {
	if err := spec.CheckNetworkName(name); err != nil {
		return NetworkInfo{}, err
	}
	if err := spec.CheckNetworkOptions(opts.Driver, opts.Options); err != nil {
		return NetworkInfo{}, err
	}
	what := fmt.Sprintf("create network %q", name)
	if err := s.checkOpen(what); err != nil {
		return NetworkInfo{}, err
	}
	if _, err := s.Network(ctx, name); err == nil {
		return NetworkInfo{}, errorf(ErrNetworkExists, "network with name %s already exists", name)
	}
	n, err := s.b.CreateNetwork(ctx, NetworkSpec{Name: s.scopedName(name), NetworkOptions: opts})
	if err != nil {
		return NetworkInfo{}, err
	}
	n.Name = name
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.networks[name] = n.StoredName
		s.networkOrder = append(s.networkOrder, name)
	}
	s.mu.Unlock()
	if closed {
		// Closed while the network was made: Close has missed it.
		return NetworkInfo{}, errors.Join(s.closedError(what), s.b.RemoveNetwork(context.WithoutCancel(ctx), n))
	}
	return n, nil
}

func (s *sandbox) Network(ctx context.Context, name string) (NetworkInfo, error) {
	switch name {
	case NetworkBridge:
		return s.defaultBridge(ctx)
	case NetworkHost, NetworkNone:
		return predefinedNetwork(name), nil
	}
	var byID []NetworkInfo
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		stored, ok := sb.networks[name]
		all := maps.Clone(sb.networks)
		sb.mu.Unlock()
		if ok {
			n, err := s.b.Network(ctx, stored)
			if err != nil {
				return NetworkInfo{}, NoSuchNetwork(name)
			}
			n.Name = name
			return n, nil
		}
		if len(name) < 12 {
			continue // an id prefix is at least Docker's short id
		}
		for visible, st := range all {
			if n, err := s.b.Network(ctx, st); err == nil && strings.HasPrefix(n.ID, name) {
				n.Name = visible
				byID = append(byID, n)
			}
		}
	}
	if len(byID) == 1 {
		return byID[0], nil
	}
	return NetworkInfo{}, NoSuchNetwork(name)
}

func (s *sandbox) Networks(ctx context.Context) ([]NetworkInfo, error) {
	seen := map[string]NetworkInfo{}
	for _, name := range predefinedNetworks {
		n, err := s.Network(ctx, name)
		if err != nil {
			return nil, err
		}
		seen[name] = n
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		names := slices.Collect(maps.Keys(sb.networks))
		sb.mu.Unlock()
		for _, name := range names {
			if _, ok := seen[name]; ok {
				continue
			}
			if n, err := s.Network(ctx, name); err == nil {
				seen[name] = n
			}
		}
	}
	return slices.SortedFunc(maps.Values(seen), func(a, b NetworkInfo) int { return strings.Compare(a.Name, b.Name) }), nil
}

func (s *sandbox) InspectNetwork(ctx context.Context, name string) (map[string]any, error) {
	n, err := s.Network(ctx, name)
	if err != nil {
		return nil, err
	}
	var eps []EndpointInfo
	if !n.Predefined {
		if eps, err = s.b.NetworkEndpoints(ctx, n.ID); err != nil {
			return nil, err
		}
	}
	return InspectNetwork(n, eps), nil
}

func (s *sandbox) RemoveNetwork(ctx context.Context, name string) error {
	if slices.Contains(predefinedNetworks, name) {
		return errorf(ErrInvalid, "%s is a pre-defined network and cannot be removed", name)
	}
	n, err := s.Network(ctx, name)
	if err != nil {
		return err
	}
	if err := s.b.RemoveNetwork(ctx, n); err != nil {
		return err
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		delete(sb.networks, n.Name)
		sb.networkOrder = slices.DeleteFunc(sb.networkOrder, func(x string) bool { return x == n.Name })
		sb.mu.Unlock()
	}
	return nil
}

// closeNetworks removes the networks the sandbox created, newest first.
func (s *sandbox) closeNetworks(ctx context.Context) error {
	s.mu.Lock()
	order := slices.Clone(s.networkOrder)
	s.mu.Unlock()
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		if err := s.RemoveNetwork(ctx, order[i]); err != nil && !errors.Is(err, ErrNoSuchNetwork) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
