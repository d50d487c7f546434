package throwaway

import (
	"errors"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// fn never runs on the main thread, and what it does to its thread (here
// a UTS namespace and hostname of its own) never reaches the process's
// view (/proc/self, the main thread's) nor another goroutine's thread.
// Many calls from many goroutines give the scheduler every chance to hand
// the main thread to one of them, as it did to the cgroup view's mount.
func TestThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("unshare(CLONE_NEWUTS) needs root")
	}
	hostNS, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	hostname, _ := os.Hostname()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Thread(func() error {
				if unix.Gettid() == unix.Getpid() {
					return errors.New("fn ran on the main thread")
				}
				if err := unix.Unshare(unix.CLONE_NEWUTS); err != nil {
					return err
				}
				return unix.Sethostname([]byte("throwaway"))
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ns, _ := os.Readlink("/proc/self/ns/uts"); ns != hostNS {
		t.Errorf("the main thread's UTS namespace is now %s, was %s", ns, hostNS)
	}
	if h, _ := os.Hostname(); h != hostname {
		t.Errorf("hostname seen by the process is now %q, was %q", h, hostname)
	}
}

func TestThreadReturnsTheError(t *testing.T) {
	want := errors.New("boom")
	if err := Thread(func() error { return want }); err != want {
		t.Errorf("Thread returned %v, want %v", err, want)
	}
}
