package engine

import (
	"berth/runtime/network"
	"berth/runtime/network/dns"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Sandbox owns what one scenario case created. Names are scoped to a
// sandbox (and its parent, the file's top level), so two files running in
// parallel can both call a container "db".
type Sandbox struct {
	e      *Engine
	label  string
	parent *Sandbox

	mu         sync.Mutex
	closed     bool
	containers []*Container // creation order; removed in reverse
	// token makes the store names of the sandbox's volumes its own.
	token        string
	volumes      map[string]string // scenario name → store name, of volumes created here
	volumeOrder  []string          // creation order; removed in reverse
	networks     map[string]string // scenario name → store name, of networks created here
	networkOrder []string
	table        *dns.Table // the embedded DNS's members; top-level sandboxes only

	bridgeMu sync.Mutex
	bridge   *network.Record // the default bridge; top-level sandboxes only
}

// NewSandbox opens a sandbox. Lookups that miss in it continue in parent,
// which may be nil.
func (e *Engine) NewSandbox(label string, parent *Sandbox) *Sandbox {
	sb := &Sandbox{e: e, label: label, parent: parent, token: newSandboxToken(), volumes: map[string]string{}, networks: map[string]string{}}
	e.mu.Lock()
	e.sandboxes[sb] = struct{}{}
	e.mu.Unlock()
	return sb
}

// Label names the sandbox in diagnostics and on-disk records.
func (s *Sandbox) Label() string { return s.label }

// Engine is the engine the sandbox belongs to.
func (s *Sandbox) Engine() *Engine { return s.e }

// Containers lists the sandbox's containers in creation order.
func (s *Sandbox) Containers() []*Container {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.containers)
}

// Lookup finds a container of this sandbox or its parent by name, full id
// or unique id prefix, as Docker does.
func (s *Sandbox) Lookup(ref string) (*Container, error) {
	ref = strings.TrimPrefix(ref, "/")
	for sb := s; sb != nil; sb = sb.parent {
		if c, err := sb.lookupHere(ref); c != nil || err != nil {
			return c, err
		}
	}
	return nil, noSuchContainer(ref)
}

func (s *Sandbox) lookupHere(ref string) (*Container, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var byPrefix []*Container
	for _, c := range s.containers {
		if c.name == ref || c.id == ref {
			return c, nil
		}
		if len(ref) >= 1 && strings.HasPrefix(c.id, ref) {
			byPrefix = append(byPrefix, c)
		}
	}
	switch len(byPrefix) {
	case 0:
		return nil, nil
	case 1:
		return byPrefix[0], nil
	}
	return nil, fmt.Errorf("multiple IDs found with provided prefix: %s", ref)
}

// nameTaken returns the container that already uses name in this sandbox
// or its parent.
func (s *Sandbox) nameTaken(name string) *Container {
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		for _, c := range sb.containers {
			if c.name == name {
				sb.mu.Unlock()
				return c
			}
		}
		sb.mu.Unlock()
	}
	return nil
}

func (s *Sandbox) add(c *Container) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closedError("create container " + c.name)
	}
	s.containers = append(s.containers, c)
	return nil
}

// checkOpen refuses new work in a closed sandbox: what it made now would
// outlive the Close that has already run (a builtin the runner gave up on
// may still be running).
func (s *Sandbox) checkOpen(what string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closedError(what)
	}
	return nil
}

func (s *Sandbox) closedError(what string) error {
	return errorf(ErrClosed, "%s: the sandbox %s is closed", what, s.label)
}

func (s *Sandbox) forget(c *Container) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.containers = slices.DeleteFunc(s.containers, func(x *Container) bool { return x == c })
}

// Close is CloseContext with DefaultCloseTimeout.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCloseTimeout)
	defer cancel()
	return s.CloseContext(ctx)
}

// CloseContext removes every container of the sandbox, newest first, even
// if some removals fail, then its networks and volumes. A container not
// removed when ctx ends is killed and left, with its record, to berth gc
// (see removeWithin). It is safe to call more than once.
func (s *Sandbox) CloseContext(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	list := slices.Clone(s.containers)
	s.mu.Unlock()
	var errs []error
	for i := len(list) - 1; i >= 0; i-- {
		if err := list[i].removeWithin(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.closeNetworks(); err != nil {
		errs = append(errs, err)
	}
	if err := s.closeDefaultBridge(); err != nil {
		errs = append(errs, err)
	}
	if err := s.closeVolumes(); err != nil {
		errs = append(errs, err)
	}
	s.e.mu.Lock()
	delete(s.e.sandboxes, s)
	s.e.mu.Unlock()
	return errors.Join(errs...)
}

// Diagnostics describes every container of the sandbox with its state and
// last log lines, for a failure report that can be read without a rerun.
func (s *Sandbox) Diagnostics() string {
	var b strings.Builder
	for _, c := range s.Containers() {
		b.WriteString(c.describe())
	}
	return b.String()
}

// depth is how many parents the sandbox has.
func (s *Sandbox) depth() int {
	n := 0
	for p := s.parent; p != nil; p = p.parent {
		n++
	}
	return n
}
