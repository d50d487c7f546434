package backend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"

	"berth/runtime/spec"
)

// sandbox is the one Sandbox: the policy of Sandboxes over a Backend.
type sandbox struct {
	set    *Sandboxes
	b      Backend
	label  string
	parent *sandbox
	token  string // makes the stored names of its networks and volumes its own

	mu           sync.Mutex
	closed       bool
	kept         bool              // closed by Keep: what it has stays
	containers   []Container       // creation order; removed in reverse
	volumes      map[string]string // scenario name → stored name, of volumes made here
	volumeOrder  []string          // creation order; removed in reverse
	networks     map[string]string // scenario name → stored name, of networks made here
	networkOrder []string

	bridgeMu sync.Mutex
	bridge   *NetworkInfo // the default bridge; top-level sandboxes only
}

var (
	_ Sandbox = (*sandbox)(nil)
	_ Scope   = (*sandbox)(nil)
)

func (s *sandbox) Label() string  { return s.label }
func (s *sandbox) Root() Scope    { return s.root() }
func (s *sandbox) Images() Images { return s.b.Images() }
func (s *sandbox) Host() Host     { return s.b.Host() }

// root is the file's top-level sandbox.
func (s *sandbox) root() *sandbox {
	root := s
	for root.parent != nil {
		root = root.parent
	}
	return root
}

// depth is how many parents the sandbox has.
func (s *sandbox) depth() int {
	n := 0
	for p := s.parent; p != nil; p = p.parent {
		n++
	}
	return n
}

// scopedName is the stored name of the sandbox's network or volume name.
func (s *sandbox) scopedName(name string) string { return s.token + "_" + name }

// Containers lists the sandbox's containers in creation order, without
// the removed ones, which it forgets (a removal forgets the container).
// Container methods are called without s.mu held: a backend may hold its
// own lock while it calls the Scope.
func (s *sandbox) Containers() []Container {
	s.mu.Lock()
	list := slices.Clone(s.containers)
	s.mu.Unlock()
	var live, gone []Container
	for _, c := range list {
		if c.State().Status == StatusRemoved {
			gone = append(gone, c)
		} else {
			live = append(live, c)
		}
	}
	if len(gone) > 0 {
		s.mu.Lock()
		s.containers = slices.DeleteFunc(s.containers, func(c Container) bool { return slices.Contains(gone, c) })
		s.mu.Unlock()
	}
	return live
}

func (s *sandbox) Lookup(ref string) (Container, error) {
	ref = strings.TrimPrefix(ref, "/")
	for sb := s; sb != nil; sb = sb.parent {
		if c, err := sb.lookupHere(ref); c != nil || err != nil {
			return c, err
		}
	}
	return nil, NoSuchContainer(ref)
}

func (s *sandbox) lookupHere(ref string) (Container, error) {
	var byPrefix []Container
	for _, c := range s.Containers() {
		if c.Name() == ref || c.ID() == ref {
			return c, nil
		}
		if ref != "" && strings.HasPrefix(c.ID(), ref) {
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

// nameTaken returns the container that uses name in this sandbox or its
// parent.
func (s *sandbox) nameTaken(name string) Container {
	for sb := s; sb != nil; sb = sb.parent {
		for _, c := range sb.Containers() {
			if c.Name() == name {
				return c
			}
		}
	}
	return nil
}

func (s *sandbox) ClaimName(name string) (string, error) {
	if name == "" {
		for {
			if n := randomName(); s.nameTaken(n) == nil {
				return n, nil
			}
		}
	}
	if other := s.nameTaken(name); other != nil {
		return "", errorf(ErrNameInUse, "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, other.ID())
	}
	return name, nil
}

func (s *sandbox) Create(ctx context.Context, cs spec.Container) (Container, error) {
	return s.create(ctx, cs, false)
}

func (s *sandbox) create(ctx context.Context, cs spec.Container, foreground bool) (Container, error) {
	if err := s.checkOpen("create container"); err != nil {
		return nil, err
	}
	if err := EnsureImage(ctx, s.b.Images(), cs.Image, cs.Pull, cs.Platform); err != nil {
		return nil, err
	}
	c, err := s.b.CreateContainer(ctx, CreateRequest{Spec: cs, Scope: s, RemoveVolumes: foreground})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	closed, kept := s.closed, s.kept
	if !closed {
		s.containers = append(s.containers, c)
	}
	s.mu.Unlock()
	if closed {
		// Closed while the backend worked: nobody else will remove it,
		// nor what Close could not remove while it was being made (a
		// volume it mounts). A kept sandbox's own things stay.
		bg := context.WithoutCancel(ctx)
		rm := c.Remove(bg, RemoveOptions{Force: true, Volumes: true})
		var owned error
		if !kept {
			owned = s.closeOwned(bg)
		}
		return nil, errors.Join(s.closedError("create container "+c.Name()), rm, owned)
	}
	return c, nil
}

// checkOpen refuses new work in a closed sandbox: what it made now would
// outlive the Close that has already run (a builtin the runner gave up on
// may still be running).
func (s *sandbox) checkOpen(what string) error {
	if s.isClosed() {
		return s.closedError(what)
	}
	return nil
}

func (s *sandbox) closedError(what string) error {
	return errorf(ErrClosed, "%s: the sandbox %s is closed", what, s.label)
}

func (s *sandbox) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *sandbox) Run(ctx context.Context, cs spec.Container, opts RunOptions) (Container, error) {
	c, err := s.create(ctx, cs, !opts.Detach)
	if err != nil {
		return nil, err
	}
	if opts.Detach {
		return c, c.Start(ctx, StartOptions{})
	}
	if err := c.Start(ctx, StartOptions{Capture: true}); err != nil {
		return c, err
	}
	wctx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if _, err := c.Wait(wctx); err != nil {
		bg := context.WithoutCancel(ctx)
		_ = c.Kill(bg, syscall.SIGKILL)
		if ctx.Err() == nil {
			return c, errorf(ErrTimeout, "container %s still running after %v: killed it\nlast lines:\n%s", c.Name(), opts.Timeout, LastLines(bg, c, 10))
		}
		return c, err
	}
	return c, nil
}

func (s *sandbox) Diagnostics(ctx context.Context) string {
	var b strings.Builder
	for _, c := range s.Containers() {
		b.WriteString(Describe(ctx, c))
	}
	return b.String()
}

func (s *sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCloseTimeout)
	defer cancel()
	return s.CloseContext(ctx)
}

func (s *sandbox) CloseContext(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	// Not Containers(): it reads their states, which a container held by
	// a stuck operation may not give.
	list := slices.Clone(s.containers)
	s.mu.Unlock()
	var errs []error
	for i := len(list) - 1; i >= 0; i-- {
		if err := removeWithin(ctx, list[i]); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.closeOwned(context.WithoutCancel(ctx)))
	s.set.forget(s)
	return errors.Join(errs...)
}

// closeOwned removes the networks, the default bridge and the volumes the
// sandbox made and still has, once its containers are gone.
func (s *sandbox) closeOwned(ctx context.Context) error {
	return errors.Join(s.closeNetworks(ctx), s.closeDefaultBridge(ctx), s.closeVolumes(ctx))
}

func (s *sandbox) Keep() string {
	s.mu.Lock()
	s.closed, s.kept = true, true
	list := slices.Clone(s.containers)
	networks := make([]string, 0, len(s.networkOrder))
	for _, n := range s.networkOrder {
		if stored, ok := s.networks[n]; ok {
			networks = append(networks, fmt.Sprintf("network %s: stored as %s", n, stored))
		}
	}
	volumes := make([]string, 0, len(s.volumeOrder))
	for _, v := range s.volumeOrder {
		if stored, ok := s.volumes[v]; ok {
			volumes = append(volumes, fmt.Sprintf("volume %s: berth volume inspect %s", v, stored))
		}
	}
	s.mu.Unlock()
	s.set.forget(s)
	var b strings.Builder
	for _, c := range list {
		st := c.State()
		if st.Status == StatusRemoved {
			continue
		}
		fmt.Fprintf(&b, "container %s (%s): %s", c.Name(), shortID(c.ID()), st.Status)
		if st.Pid > 0 {
			fmt.Fprintf(&b, ", pid %d: nsenter --target %d --all sh", st.Pid, st.Pid)
		}
		b.WriteString("\n")
	}
	for _, l := range append(networks, volumes...) {
		b.WriteString(l + "\n")
	}
	s.bridgeMu.Lock()
	if s.bridge != nil {
		fmt.Fprintf(&b, "network bridge (the file's default): stored as %s\n", s.bridge.StoredName)
	}
	s.bridgeMu.Unlock()
	return b.String()
}
