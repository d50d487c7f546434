package backend

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Sandboxes makes the sandboxes of one run over a backend and closes those
// still open at the end. It is the one implementation of Sandbox: the
// rules below hold for every backend.
//
//   - Names are the scenario's, in memory: a container's name is unique in
//     its sandbox and the parent's (Docker's "Conflict." text otherwise),
//     and lookups that miss in a sandbox continue in its parent, so a
//     case sees what its file's top level made and cannot hide it.
//   - Networks and volumes a scenario names are stored under a private
//     name, the sandbox's token ("sb" and 8 hex digits), "_" and the
//     scenario's name, so files running in parallel never share one. A
//     volume made with Keep is stored under exactly its name.
//   - Each top-level sandbox has its own default bridge, "bridge" to the
//     scenario, stored as the token and "_bridge", made on first use.
//   - Close removes containers newest first, then networks, then the
//     default bridge, then volumes, carrying on past failures.
type Sandboxes struct {
	b Backend

	mu   sync.Mutex
	open map[*sandbox]struct{}
}

// NewSandboxes returns the sandbox factory over b.
func NewSandboxes(b Backend) *Sandboxes {
	return &Sandboxes{b: b, open: map[*sandbox]struct{}{}}
}

// Backend is the backend the sandboxes work on.
func (f *Sandboxes) Backend() Backend { return f.b }

// New opens a sandbox labelled label ("dir/file.star" for a file's top
// level, "dir/file.star::test_x" for a case; the label only names it).
// parent is the sandbox lookups continue in, the file's top level for a
// case, or nil; it must come from the same factory.
func (f *Sandboxes) New(label string, parent Sandbox) (Sandbox, error) {
	sb := &sandbox{
		set: f, b: f.b, label: label, token: newSandboxToken(),
		volumes: map[string]string{}, networks: map[string]string{},
	}
	if parent != nil {
		p, ok := parent.(*sandbox)
		if !ok || p.set != f {
			return nil, fmt.Errorf("sandbox %s: parent %s was not made by this factory", label, parent.Label())
		}
		sb.parent = p
	}
	f.mu.Lock()
	f.open[sb] = struct{}{}
	f.mu.Unlock()
	return sb, nil
}

// Close closes every sandbox still open, cases before their files (a
// file's default bridge and volumes go after its cases' containers).
func (f *Sandboxes) Close() error {
	f.mu.Lock()
	open := make([]*sandbox, 0, len(f.open))
	for sb := range f.open {
		open = append(open, sb)
	}
	f.mu.Unlock()
	slices.SortFunc(open, func(a, b *sandbox) int { return b.depth() - a.depth() })
	var errs []error
	for _, sb := range open {
		errs = append(errs, sb.Close())
	}
	return errors.Join(errs...)
}

func (f *Sandboxes) forget(sb *sandbox) {
	f.mu.Lock()
	delete(f.open, sb)
	f.mu.Unlock()
}
