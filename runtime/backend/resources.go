package backend

import (
	"slices"
	"strconv"
	"time"

	"berth/runtime/spec"
)

// ResourcesPatch is docker update's flags: each field set replaces the
// container's value, the others stay. A device list replaces the rates of
// the devices it names; a rate of 0 removes that device's limit. (With the
// other run, network and volume checks, it belongs in runtime/spec; it
// lives here until the validation pass of issue 9 moves there.)
//
// Stable seam: a new limit (blkio_weight, …) is one more pointer field
// here, one line in Merge, one row in starlib/container/limits.go.
type ResourcesPatch struct {
	Memory            *int64 // bytes; 0 = unlimited
	MemorySwap        *int64 // bytes of memory+swap; -1 = unlimited
	MemoryReservation *int64 // bytes; 0 = none
	CPUShares         *int64
	NanoCPUs          *int64 // --cpus × 1e9
	CPUPeriod         *int64 // µs
	CPUQuota          *int64 // µs
	CpusetCpus        *string
	CpusetMems        *string
	PidsLimit         *int64 // 0 or -1 = unlimited
	BlkioRead         []spec.ThrottleDevice
	BlkioWrite        []spec.ThrottleDevice
	BlkioReadIO       []spec.ThrottleDevice
	BlkioWriteIO      []spec.ThrottleDevice
	BlkioWeight       *int64 // 10 to 1000; 0 = the kernel's default
	// BlkioWeightDevice is merged as the device lists above: a weight of
	// 0 removes that device's.
	BlkioWeightDevice []spec.WeightDevice
}

// Empty reports whether the patch changes nothing (docker update with no
// flags, which Docker refuses).
func (p ResourcesPatch) Empty() bool {
	return p.Memory == nil && p.MemorySwap == nil && p.MemoryReservation == nil &&
		p.CPUShares == nil && p.NanoCPUs == nil && p.CPUPeriod == nil && p.CPUQuota == nil &&
		p.CpusetCpus == nil && p.CpusetMems == nil && p.PidsLimit == nil &&
		p.BlkioRead == nil && p.BlkioWrite == nil && p.BlkioReadIO == nil && p.BlkioWriteIO == nil &&
		p.BlkioWeight == nil && p.BlkioWeightDevice == nil
}

// Merge is docker update: the patch over the stored limits, refused with
// Docker's texts where the two conflict (UpdateContainer's rules, which
// compare the patch with what is stored), then the result validated as a
// whole as create validates it. stored is not changed; on an error
// nothing is to be applied.
func (p ResourcesPatch) Merge(stored spec.Resources, h spec.Host) (spec.Resources, error) {
	if p.Empty() {
		return stored, errorf(ErrInvalid, "you must provide one or more flags when using this command")
	}
	r := stored
	r.Normalize() // Docker stores the derived swap at create: the rules compare with it
	positive := func(v *int64) bool { return v != nil && *v > 0 }
	switch {
	case positive(p.NanoCPUs) && r.CPUPeriod > 0:
		return stored, errorf(ErrInvalid, "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set: got cpus %s, stored cpu_period %d", formatNanoCPUs(*p.NanoCPUs), r.CPUPeriod)
	case positive(p.NanoCPUs) && r.CPUQuota > 0:
		return stored, errorf(ErrInvalid, "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set: got cpus %s, stored cpu_quota %d", formatNanoCPUs(*p.NanoCPUs), r.CPUQuota)
	case positive(p.CPUPeriod) && r.NanoCPUs > 0:
		return stored, errorf(ErrInvalid, "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set: got cpu_period %d, stored cpus %s", *p.CPUPeriod, formatNanoCPUs(r.NanoCPUs))
	case positive(p.CPUQuota) && r.NanoCPUs > 0:
		return stored, errorf(ErrInvalid, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set: got cpu_quota %d, stored cpus %s", *p.CPUQuota, formatNanoCPUs(r.NanoCPUs))
	case positive(p.Memory) && p.MemorySwap == nil && *p.Memory > r.MemorySwap:
		// Also when the stored swap is unlimited (-1) or unset (0), as in Docker.
		return stored, errorf(ErrInvalid, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time: got memory %d, stored memory_swap %d", *p.Memory, r.MemorySwap)
	}
	r = p.Apply(r)
	if err := r.Validate(h); err != nil {
		return stored, err
	}
	return r, nil
}

// Apply returns r with the patch's fields set, without any check: run's
// limits are a patch over none (then validated with the whole container),
// update's go through Merge.
func (p ResourcesPatch) Apply(r spec.Resources) spec.Resources {
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Memory, p.Memory)
	set(&r.MemorySwap, p.MemorySwap)
	set(&r.MemoryReservation, p.MemoryReservation)
	set(&r.CPUShares, p.CPUShares)
	set(&r.NanoCPUs, p.NanoCPUs)
	set(&r.CPUPeriod, p.CPUPeriod)
	set(&r.CPUQuota, p.CPUQuota)
	set(&r.PidsLimit, p.PidsLimit)
	if p.CpusetCpus != nil {
		r.CpusetCpus = *p.CpusetCpus
	}
	if p.CpusetMems != nil {
		r.CpusetMems = *p.CpusetMems
	}
	r.BlkioRead = mergeDevices(r.BlkioRead, p.BlkioRead)
	r.BlkioWrite = mergeDevices(r.BlkioWrite, p.BlkioWrite)
	r.BlkioReadIO = mergeDevices(r.BlkioReadIO, p.BlkioReadIO)
	r.BlkioWriteIO = mergeDevices(r.BlkioWriteIO, p.BlkioWriteIO)
	set(&r.BlkioWeight, p.BlkioWeight)
	r.BlkioWeightDevice = mergeWeights(r.BlkioWeightDevice, p.BlkioWeightDevice)
	return r
}

// mergeWeights is mergeDevices for per-device weights.
func mergeWeights(stored, patch []spec.WeightDevice) []spec.WeightDevice {
	if patch == nil {
		return stored
	}
	out := slices.Clone(stored)
	for _, d := range patch {
		i := slices.IndexFunc(out, func(o spec.WeightDevice) bool { return o.Path == d.Path })
		switch {
		case i >= 0 && d.Weight == 0:
			out = slices.Delete(out, i, i+1)
		case i >= 0:
			out[i].Weight = d.Weight
		case d.Weight != 0:
			out = append(out, d)
		}
	}
	return out
}

// mergeDevices replaces the rates of the devices patch names, in place,
// appends new ones and drops those given a rate of 0. The result is a new
// slice: the stored one may be shared with a running container's config.
func mergeDevices(stored, patch []spec.ThrottleDevice) []spec.ThrottleDevice {
	if patch == nil {
		return stored
	}
	out := slices.Clone(stored)
	for _, d := range patch {
		i := slices.IndexFunc(out, func(o spec.ThrottleDevice) bool { return o.Path == d.Path })
		switch {
		case i >= 0 && d.Rate == 0:
			out = slices.Delete(out, i, i+1)
		case i >= 0:
			out[i].Rate = d.Rate
		case d.Rate > 0:
			out = append(out, d)
		}
	}
	return out
}

// formatNanoCPUs shows nano-CPUs as the cpus option takes them ("1.5").
func formatNanoCPUs(nano int64) string {
	return strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64)
}

// Stats is one sample of a container's resource usage, in the units
// docker stats computes its columns from; all zero (but Read) for a
// container that is not running, as Docker shows it.
type Stats struct {
	Read       time.Time // when the sample was taken
	CPUUsageNS uint64    // CPU time used since the container started
	// SystemCPUNS is the host's CPU time over all CPUs at Read
	// (/proc/stat, Docker's system_cpu_usage).
	SystemCPUNS uint64
	OnlineCPUs  uint32
	// PreCPUUsageNS and PreSystemCPUNS are the previous sample's (Docker's
	// precpu_stats): the container's previous stats call, or its start.
	PreCPUUsageNS    uint64
	PreSystemCPUNS   uint64
	ThrottledPeriods uint64
	ThrottledTimeNS  uint64
	MemoryUsage      uint64 // Docker's: usage minus the inactive file cache
	MemoryLimit      uint64 // bytes; the host's memory when unlimited
	Pids             uint64
	PidsLimit        uint64 // 0 = unlimited
	// Networks maps an interface in the container (eth0, …) to its
	// counters.
	Networks   map[string]NetworkStats
	BlockRead  uint64 // bytes read from block devices
	BlockWrite uint64 // bytes written to block devices
	OOMKills   uint64 // processes the OOM killer killed in this run
}

// CPUPercent is docker stats' CPU %: the container's share of the host's
// CPU time between the two samples, times the CPUs online (100% is one
// CPU busy). 0 when either delta is not positive.
func (s Stats) CPUPercent() float64 {
	cpu := float64(s.CPUUsageNS) - float64(s.PreCPUUsageNS)
	system := float64(s.SystemCPUNS) - float64(s.PreSystemCPUNS)
	if cpu <= 0 || system <= 0 {
		return 0
	}
	return cpu / system * float64(s.OnlineCPUs) * 100
}

// MemoryPercent is docker stats' MEM %: usage over the limit.
func (s Stats) MemoryPercent() float64 {
	if s.MemoryLimit == 0 {
		return 0
	}
	return float64(s.MemoryUsage) / float64(s.MemoryLimit) * 100
}

// NetworkStats are one interface's counters.
type NetworkStats struct {
	RxBytes, TxBytes     uint64
	RxPackets, TxPackets uint64
}
