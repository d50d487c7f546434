// Package nstest gives tests throwaway network namespaces that are removed
// when the test ends, so network code can be tested without touching the
// host's own interfaces.
package nstest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"berth/runtime/internal/throwaway"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// New creates a network namespace with only a down lo in it, bind-mounted at
// a file in t.TempDir(), and returns that file's path. The namespace is
// unmounted (and so destroyed with everything in it) at cleanup.
func New(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	path := filepath.Join(t.TempDir(), "netns")
	if err := create(path); err != nil {
		t.Fatalf("create network namespace: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount network namespace %s: %v", path, err)
		}
	})
	return path
}

// Do runs fn on an OS thread inside the namespace at path, then throws the
// thread away so no other goroutine ever runs in that namespace by accident.
func Do(path string, fn func() error) error {
	return throwaway.Thread(func() error {
		ns, err := netns.GetFromPath(path)
		if err != nil {
			return fmt.Errorf("open network namespace %s: %w", path, err)
		}
		defer ns.Close()
		if err := netns.Set(ns); err != nil {
			return fmt.Errorf("enter network namespace %s: %w", path, err)
		}
		return fn()
	})
}

func create(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	f.Close()
	// The thread ends in the new namespace: Go must end it.
	err = throwaway.Thread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(self, path, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind-mount %s: %w", self, err)
		}
		return nil
	})
	if err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// Handle returns a netlink handle working in the namespace at path, closed
// at cleanup: the "host" side of a test that must not touch the real host.
func Handle(t testing.TB, path string) *netlink.Handle {
	t.Helper()
	ns, err := netns.GetFromPath(path)
	if err != nil {
		t.Fatalf("open namespace %s: %v", path, err)
	}
	defer ns.Close() // the handle keeps its own reference
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatalf("netlink handle in %s: %v", path, err)
	}
	t.Cleanup(h.Close)
	return h
}
