package backend_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	"berth/runtime/spec"
)

var ctx = context.Background()

// recorder is the fake backend with its removals logged, and failures
// injected by name.
type recorder struct {
	*fake.Backend
	mu        sync.Mutex
	log       []string
	fail      map[string]bool // "network n", "container c" fail to be removed
	volLookup int             // calls of Volume
}

func newRecorder() *recorder {
	return &recorder{Backend: fake.New(), fail: map[string]bool{}}
}

func (r *recorder) record(what string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, what)
	if r.fail[what] {
		return errors.New("injected failure: " + what)
	}
	return nil
}

func (r *recorder) removals() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

func (r *recorder) CreateContainer(ctx context.Context, req backend.CreateRequest) (backend.Container, error) {
	c, err := r.Backend.CreateContainer(ctx, req)
	if err != nil {
		return nil, err
	}
	return &recContainer{Container: c, r: r}, nil
}

func (r *recorder) RemoveNetwork(ctx context.Context, n backend.NetworkInfo) error {
	if err := r.record("network " + n.Name); err != nil {
		return err
	}
	return r.Backend.RemoveNetwork(ctx, n)
}

func (r *recorder) RemoveVolume(ctx context.Context, name, shown string) error {
	if err := r.record("volume " + shown); err != nil {
		return err
	}
	return r.Backend.RemoveVolume(ctx, name, shown)
}

func (r *recorder) Volume(ctx context.Context, name string) (backend.VolumeInfo, error) {
	r.mu.Lock()
	r.volLookup++
	r.mu.Unlock()
	return r.Backend.Volume(ctx, name)
}

type recContainer struct {
	backend.Container
	r *recorder
}

func (c *recContainer) Remove(ctx context.Context, opts backend.RemoveOptions) error {
	if c.State().Status != backend.StatusRemoved {
		if err := c.r.record("container " + c.Name()); err != nil {
			return err
		}
	}
	return c.Container.Remove(ctx, opts)
}

// fakeOf is the fake container behind c.
func fakeOf(c backend.Container) *fake.Container {
	if rc, ok := c.(*recContainer); ok {
		c = rc.Container
	}
	return c.(*fake.Container)
}

// newFile opens a file's top-level sandbox over b.
func newFile(t *testing.T, sbs *backend.Sandboxes) backend.Sandbox {
	t.Helper()
	sb, err := sbs.New("f.star", nil)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// closeAll closes the sandboxes at the end of the test.
func closeAll(t *testing.T, sbs *backend.Sandboxes) {
	t.Cleanup(func() {
		if err := sbs.Close(); err != nil {
			t.Errorf("close sandboxes: %v", err)
		}
	})
}

func named(name string, cmd ...string) spec.Container {
	return spec.Container{Name: name, Image: "busybox", Cmd: cmd}
}

func mustRun(t *testing.T, sb backend.Sandbox, cs spec.Container) backend.Container {
	t.Helper()
	c, err := sb.Run(ctx, cs, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatalf("run %s: %v", cs.Name, err)
	}
	return c
}

func wantErr(t *testing.T, what string, err error, want string, kind error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %q", what, want)
	case !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q, want %q", what, err, want)
	case kind != nil && !errors.Is(err, kind):
		t.Errorf("%s: error %q does not match %v", what, err, kind)
	}
}
