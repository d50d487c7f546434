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

// Docker's system_cpu_usage: user to softirq (7 fields) of /proc/stat's
// first line, in ticks of 10 ms.
func TestParseSystemCPU(t *testing.T) {
	got, err := parseSystemCPU([]byte("cpu  100 2 30 400 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"))
	if err != nil || got != 550*1e7 {
		t.Errorf("got %d, %v; want %d", got, err, uint64(550*1e7))
	}
	if _, err := parseSystemCPU([]byte("intr 1 2 3\n")); err == nil {
		t.Error("a line other than cpu: no error")
	}
	if n, err := SystemCPUNS(); err != nil || n == 0 {
		t.Errorf("SystemCPUNS() = %d, %v", n, err)
	}
}
