package container

import (
	"runtime"

	"golang.org/x/sys/unix"

	"berth/runtime/spec"
)

// Host reads the CPUs this process may use, for --cpus and --cpuset-cpus
// checks.
func Host() spec.Host {
	h := spec.Host{NumCPU: runtime.NumCPU()}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		for i := 0; i < 1024; i++ {
			if set.IsSet(i) {
				h.CPUs = append(h.CPUs, i)
			}
		}
	}
	return h
}
