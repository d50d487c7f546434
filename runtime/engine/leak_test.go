package engine

import (
	"berth/runtime/backend"
	"os"
	"runtime/debug"
	"testing"

	"berth/runtime/spec"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// Every start opens two pipes for the container's output; berth must close
// its read ends when the copiers are done, not leave them to finalizers.
// The GC is off so that finalizers cannot hide a leak.
func TestRunsLeaveNoFileDescriptorsOpen(t *testing.T) {
	sb := sandbox(t)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runOnce := func(detach bool) {
		t.Helper()
		c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"true"}}, backend.RunOptions{Detach: detach})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Wait(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if err := c.Remove(ctx(t), backend.RemoveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	runOnce(false) // the image, the default bridge and the seccomp filter are made once
	before := openFDs(t)
	const runs = 200
	for i := range runs {
		runOnce(i%2 == 0)
	}
	// A handful may be open for unrelated reasons (the Go runtime's own);
	// one leaked per run would be hundreds.
	if grown := openFDs(t) - before; grown > 10 {
		t.Errorf("%d runs left %d more file descriptors open (%d before)", runs, grown, before)
	}
}
