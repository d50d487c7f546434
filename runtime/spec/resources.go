package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"berth/runtime/units"
)

// The ranges of the limits the kernel or Docker's arithmetic bound. A
// memory limit is at most 1 EiB, so that Docker's default swap, twice the
// memory, fits in an int64 with room to spare; pids.max takes at most the
// kernel's PID_MAX_LIMIT, cpu.cfs_quota_us at most 2^44-1 µs.
const (
	minMemory    = 6 * 1024 * 1024
	maxMemory    = 1 << 60
	maxPidsLimit = 4 * 1024 * 1024
	maxCPUQuota  = 1<<44 - 1
)

// Validate checks the limits with Docker's rules and messages. It does not
// fill in defaults: see Normalize.
func (r *Resources) Validate(h Host) error {
	checks := []func() error{
		r.checkMemory,
		func() error { return r.checkCPUs(h) },
		r.checkCFS,
		func() error { return r.checkCpuset(h) },
		func() error { return r.checkCpusetMems(h) },
		r.checkBlkio,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Resources) checkMemory() error {
	if r.Memory < 0 {
		return invalidf("invalid memory %d: want a size such as \"64m\" or a positive number of bytes", r.Memory)
	}
	if r.Memory > 0 && r.Memory < minMemory {
		return invalidf("Minimum memory limit allowed is 6MB: got memory %d", r.Memory)
	}
	if r.Memory > maxMemory {
		return invalidf("invalid memory %d: want at most 1 EiB (%d bytes), or 0 for unlimited", r.Memory, int64(maxMemory))
	}
	if r.MemorySwap != 0 && r.MemorySwap != -1 {
		if r.Memory == 0 {
			return invalidf("You should always set the Memory limit when using Memoryswap limit, see usage: got memory_swap %d without memory", r.MemorySwap)
		}
		if r.MemorySwap < r.Memory {
			return invalidf("Minimum memoryswap limit should be larger than memory limit, see usage: got memory_swap %d, memory %d", r.MemorySwap, r.Memory)
		}
	}
	if r.MemoryReservation < 0 || r.MemoryReservation > maxMemory {
		return invalidf("invalid memory_reservation %d: want a size from 6 MB to 1 EiB (%d bytes), or 0 for none", r.MemoryReservation, int64(maxMemory))
	}
	if r.MemoryReservation > 0 && r.MemoryReservation < minMemory {
		return invalidf("Minimum memory reservation allowed is 6MB: got memory_reservation %d", r.MemoryReservation)
	}
	if r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation {
		return invalidf("Minimum memory limit can not be less than memory reservation limit, see usage: got memory %d, memory_reservation %d", r.Memory, r.MemoryReservation)
	}
	if r.MemorySwap < -1 || r.MemorySwap > 2*maxMemory {
		return invalidf("invalid memory_swap %d: want a size up to 2 EiB (%d bytes), or -1 for unlimited", r.MemorySwap, int64(2*maxMemory))
	}
	return nil
}

func (r *Resources) checkCPUs(h Host) error {
	// The kernel's range for cpu.shares; runc refuses 1 at start.
	if r.CPUShares < 0 || r.CPUShares == 1 || r.CPUShares > 262144 {
		return invalidf("invalid cpu_shares %d: want a weight from 2 to 262144 (default 1024), or 0 for the default", r.CPUShares)
	}
	if r.NanoCPUs == 0 {
		return nil
	}
	if r.CPUQuota != 0 || r.CPUPeriod != 0 {
		return invalidf("Conflicting options: Nano CPUs and CPU Quota cannot both be set: got cpus %s with cpu_quota %d, cpu_period %d", formatCPUs(r.NanoCPUs), r.CPUQuota, r.CPUPeriod)
	}
	n := h.NumCPU
	if n < 1 {
		n = 1
	}
	if r.NanoCPUs < 1e7 || r.NanoCPUs > int64(n)*1e9 {
		return invalidf("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available: got cpus %s", n, n, formatCPUs(r.NanoCPUs))
	}
	return nil
}

func (r *Resources) checkCFS() error {
	if r.CPUPeriod != 0 && (r.CPUPeriod < 1000 || r.CPUPeriod > 1000000) {
		return invalidf("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000): got cpu_period %d", r.CPUPeriod)
	}
	if r.CPUQuota != 0 && r.CPUQuota < 1000 {
		return invalidf("CPU cfs quota can not be less than 1ms (i.e. 1000): got cpu_quota %d", r.CPUQuota)
	}
	if r.CPUQuota > maxCPUQuota {
		return invalidf("invalid cpu_quota %d: want at most %d µs (the kernel's maximum)", r.CPUQuota, int64(maxCPUQuota))
	}
	if r.PidsLimit < -1 || r.PidsLimit > maxPidsLimit {
		return invalidf("invalid pids_limit %d: want from 1 to %d, or 0 or -1 for unlimited", r.PidsLimit, maxPidsLimit)
	}
	return nil
}

func (r *Resources) checkCpuset(h Host) error {
	if r.CpusetCpus == "" {
		return nil
	}
	cpus, err := units.ParseCPUSet(r.CpusetCpus)
	if err != nil {
		return invalidf("Invalid value %s for cpuset cpus: %v", r.CpusetCpus, err)
	}
	if len(h.CPUs) == 0 {
		return nil
	}
	for _, c := range cpus {
		if !slices.Contains(h.CPUs, c) {
			return invalidf("Requested CPUs are not available - requested %s, available: %s", r.CpusetCpus, formatCPUList(h.CPUs))
		}
	}
	return nil
}

func (r *Resources) checkCpusetMems(h Host) error {
	if r.CpusetMems == "" {
		return nil
	}
	nodes, err := units.ParseCPUSet(r.CpusetMems)
	if err != nil {
		return invalidf("Invalid value %s for cpuset mems: %v", r.CpusetMems, err)
	}
	if h.Mems == nil {
		return nil
	}
	for _, n := range nodes {
		if !slices.Contains(h.Mems, n) {
			return invalidf("Requested memory nodes are not available - requested %s, available: %s", r.CpusetMems, formatCPUList(h.Mems))
		}
	}
	return nil
}

func (r *Resources) checkBlkio() error {
	for _, list := range [][]ThrottleDevice{r.BlkioRead, r.BlkioWrite, r.BlkioReadIO, r.BlkioWriteIO} {
		for _, d := range list {
			if !strings.HasPrefix(d.Path, "/dev/") {
				return invalidf("invalid device path %q: want a block device such as /dev/vda", d.Path)
			}
		}
	}
	if r.BlkioWeight != 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000) {
		return invalidf("Range of blkio weight is from 10 to 1000: got blkio_weight %d", r.BlkioWeight)
	}
	for _, d := range r.BlkioWeightDevice {
		if !strings.HasPrefix(d.Path, "/dev/") {
			return invalidf("bad format for device path: %s:%d: want a block device such as /dev/vda", d.Path, d.Weight)
		}
		if d.Weight < 10 || d.Weight > 1000 {
			return invalidf("invalid weight for device: %s:%d: want a weight from 10 to 1000", d.Path, d.Weight)
		}
	}
	return nil
}

// Normalize fills in Docker's derived defaults: memory alone allows as much
// swap again.
func (r *Resources) Normalize() {
	if r.Memory > 0 && r.MemorySwap == 0 {
		r.MemorySwap = 2 * r.Memory
	}
}

// formatCPUs shows nano-CPUs as the cpus option takes them ("1.5").
func formatCPUs(nano int64) string {
	return strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64)
}

func formatCPUList(cpus []int) string {
	if len(cpus) == 0 {
		return ""
	}
	var parts []string
	start, prev := cpus[0], cpus[0]
	flush := func() {
		if start == prev {
			parts = append(parts, fmt.Sprint(start))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", start, prev))
		}
	}
	for _, c := range cpus[1:] {
		if c == prev+1 {
			prev = c
			continue
		}
		flush()
		start, prev = c, c
	}
	flush()
	return strings.Join(parts, ",")
}
