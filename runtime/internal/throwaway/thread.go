// Package throwaway runs code on an OS thread of its own that is ended
// afterwards: code that moves its thread into a container's namespaces
// or unshares its file system state, which no other goroutine may inherit.
package throwaway

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Thread calls fn on a locked OS thread that Go ends when fn returns.
//
// That thread is never the process's main thread. Go ends a thread whose
// locked goroutine exits, except the main one, which it keeps, wedged,
// with whatever namespaces fn left it in; and /proc/self is the main
// thread's view, so the whole process would then read another mount
// namespace's /proc/self/mountinfo (which libcontainer reads to find the
// cgroups).
func Thread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// While this goroutine holds the main thread, the one
			// Thread starts cannot get it; this one changed nothing and
			// gives it back.
			defer runtime.UnlockOSThread()
			errc <- Thread(fn)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
