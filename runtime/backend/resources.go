package backend

import (
	"time"

	"berth/runtime/spec"
)

// ResourcesPatch is docker update's flags: each field set replaces the
// container's value, the others stay. (With the other run, network and
// volume checks, it belongs in runtime/spec; it lives here until the
// validation pass of issue 9 moves there.)
type ResourcesPatch struct {
	Memory     *int64 // bytes; 0 = unlimited
	MemorySwap *int64 // bytes of memory+swap; -1 = unlimited
	CPUShares  *int64
	NanoCPUs   *int64 // --cpus × 1e9
	CPUPeriod  *int64 // µs
	CPUQuota   *int64 // µs
	CpusetCpus *string
	PidsLimit  *int64 // 0 or -1 = unlimited
}

// Empty reports whether the patch changes nothing (docker update with no
// flags, which Docker refuses).
func (p ResourcesPatch) Empty() bool {
	return p == ResourcesPatch{}
}

// Apply returns r with the patch's fields replaced. The caller validates
// the result (spec.Resources.Validate).
func (p ResourcesPatch) Apply(r spec.Resources) spec.Resources {
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Memory, p.Memory)
	set(&r.MemorySwap, p.MemorySwap)
	set(&r.CPUShares, p.CPUShares)
	set(&r.NanoCPUs, p.NanoCPUs)
	set(&r.CPUPeriod, p.CPUPeriod)
	set(&r.CPUQuota, p.CPUQuota)
	set(&r.PidsLimit, p.PidsLimit)
	if p.CpusetCpus != nil {
		r.CpusetCpus = *p.CpusetCpus
	}
	return r
}

// Stats is one sample of a running container's resource usage, in the
// units docker stats computes its columns from.
type Stats struct {
	Read        time.Time // when the sample was taken
	CPUUsageNS  uint64    // CPU time used since the container started
	MemoryUsage uint64    // bytes
	MemoryLimit uint64    // bytes; the host's memory when unlimited
	Pids        uint64
	PidsLimit   uint64 // 0 = unlimited
	// Networks maps an interface in the container (eth0, …) to its
	// counters.
	Networks   map[string]NetworkStats
	BlockRead  uint64 // bytes read from block devices
	BlockWrite uint64 // bytes written to block devices
}

// NetworkStats are one interface's counters.
type NetworkStats struct {
	RxBytes, TxBytes     uint64
	RxPackets, TxPackets uint64
}
