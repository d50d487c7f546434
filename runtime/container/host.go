package container

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"berth/runtime/spec"
	"berth/runtime/units"
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
	h.Mems = memoryNodes()
	return h
}

// memoryNodes reads the online NUMA memory nodes, for --cpuset-mems
// checks; nil when the kernel does not say (then nothing is checked).
func memoryNodes() []int {
	data, err := os.ReadFile("/sys/devices/system/node/online")
	if err != nil {
		return nil
	}
	nodes, err := units.ParseCPUSet(strings.TrimSpace(string(data)))
	if err != nil {
		return nil
	}
	return nodes
}

// SystemCPUNS is the host's CPU time over all CPUs, in nanoseconds: the
// sum of the first line of /proc/stat up to steal, in clock ticks (USER_HZ,
// 100 on Linux), as Docker computes system_cpu_usage.
func SystemCPUNS() (uint64, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read host CPU time: %w", err)
	}
	defer f.Close()
	buf := make([]byte, 256) // the first line is about 60 bytes
	n, err := f.Read(buf)
	if err != nil {
		return 0, fmt.Errorf("read host CPU time: %w", err)
	}
	return parseSystemCPU(buf[:n])
}

const clockTicks = 100 // USER_HZ

func parseSystemCPU(data []byte) (uint64, error) {
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("read host CPU time: unexpected /proc/stat line %q", line)
	}
	var ticks uint64
	for _, v := range f[1:8] { // user nice system idle iowait irq softirq
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read host CPU time: %q in /proc/stat: %w", v, err)
		}
		ticks += n
	}
	return ticks * (1e9 / clockTicks), nil
}

// HostMemory is the machine's memory in bytes (docker stats' limit for a
// container without one); 0 when unknown.
func HostMemory() uint64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
