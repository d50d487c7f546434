package fsroot

import (
	"os"
	"testing"

	"berth/runtime/store"
)

// OpenProcessRoot opens a live process's root only when the start time
// says it is the same process, so a reused PID is never taken for it.
func TestOpenProcessRoot(t *testing.T) {
	pid := os.Getpid()
	start, err := store.ProcessStartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		pid   int
		start uint64
		want  bool
	}{
		{"this process", pid, start, true},
		{"another start time", pid, start + 1, false},
		{"no pid", 0, start, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := OpenProcessRoot(tt.pid, tt.start)
			if (r != nil) != tt.want {
				t.Fatalf("OpenProcessRoot(%d, %d) = %v, want a root: %v", tt.pid, tt.start, r, tt.want)
			}
			if r == nil {
				return
			}
			defer r.Close()
			if _, err := r.ReadFile("/proc/self/stat", MaxReadFile); err != nil {
				t.Errorf("read through the root: %v", err)
			}
		})
	}
}
