package container

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Host lists exactly the CPUs of this process's affinity mask.
func TestHost(t *testing.T) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	h := Host()
	if len(h.CPUs) != set.Count() {
		t.Fatalf("Host().CPUs = %v, want the %d CPUs of the affinity mask", h.CPUs, set.Count())
	}
	for _, cpu := range h.CPUs {
		if !set.IsSet(cpu) {
			t.Errorf("CPU %d listed but not in the affinity mask", cpu)
		}
	}
	if h.NumCPU < 1 {
		t.Errorf("NumCPU = %d, want at least 1", h.NumCPU)
	}
}
