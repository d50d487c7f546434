package backend

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"berth/runtime/spec"
)

func ptr[T any](v T) *T { return &v }

// Merge is docker update: a patch over the stored limits, the others
// kept, Docker's conflict rules against what is stored, the result
// validated as a whole; a refusal returns the stored limits unchanged.
func TestResourcesPatchMerge(t *testing.T) {
	host := spec.Host{NumCPU: 2, CPUs: []int{0, 1}, Mems: []int{0}}
	vda := func(rate uint64) spec.ThrottleDevice { return spec.ThrottleDevice{Path: "/dev/vda", Rate: rate} }
	vdb := spec.ThrottleDevice{Path: "/dev/vdb", Rate: 7}
	all := spec.Resources{Memory: 64 << 20, CPUShares: 512, NanoCPUs: 5e8, CpusetCpus: "0", PidsLimit: 20,
		BlkioWrite: []spec.ThrottleDevice{vda(1 << 20)}}
	tests := []struct {
		name    string
		stored  spec.Resources
		patch   ResourcesPatch
		want    spec.Resources
		wantErr string
	}{
		{"memory only keeps cpu, pids and blkio", all, ResourcesPatch{Memory: ptr(int64(100 << 20))},
			spec.Resources{Memory: 100 << 20, MemorySwap: 128 << 20, CPUShares: 512, NanoCPUs: 5e8, CpusetCpus: "0", PidsLimit: 20,
				BlkioWrite: []spec.ThrottleDevice{vda(1 << 20)}}, ""},
		{"memory above the stored swap", all, ResourcesPatch{Memory: ptr(int64(200 << 20))}, all,
			"Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time: got memory 209715200, stored memory_swap 134217728"},
		{"memory with swap", all, ResourcesPatch{Memory: ptr(int64(200 << 20)), MemorySwap: ptr(int64(-1))},
			spec.Resources{Memory: 200 << 20, MemorySwap: -1, CPUShares: 512, NanoCPUs: 5e8, CpusetCpus: "0", PidsLimit: 20,
				BlkioWrite: []spec.ThrottleDevice{vda(1 << 20)}}, ""},
		{"memory when the stored swap is unlimited", spec.Resources{Memory: 64 << 20, MemorySwap: -1}, ResourcesPatch{Memory: ptr(int64(32 << 20))},
			spec.Resources{Memory: 64 << 20, MemorySwap: -1}, "already set memoryswap limit, update the memoryswap at the same time: got memory 33554432, stored memory_swap -1"},
		{"memory when none was set", spec.Resources{}, ResourcesPatch{Memory: ptr(int64(32 << 20))},
			spec.Resources{}, "got memory 33554432, stored memory_swap 0"},
		{"memory below the reservation", spec.Resources{Memory: 64 << 20, MemoryReservation: 32 << 20}, ResourcesPatch{Memory: ptr(int64(16 << 20))},
			spec.Resources{Memory: 64 << 20, MemoryReservation: 32 << 20}, "Minimum memory limit can not be less than memory reservation limit"},
		{"reservation and mems", spec.Resources{}, ResourcesPatch{MemoryReservation: ptr(int64(32 << 20)), CpusetMems: ptr("0")},
			spec.Resources{MemoryReservation: 32 << 20, CpusetMems: "0"}, ""},
		{"quota over stored cpus", all, ResourcesPatch{CPUQuota: ptr(int64(50000))}, all,
			"Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set: got cpu_quota 50000, stored cpus 0.5"},
		{"period over stored cpus", all, ResourcesPatch{CPUPeriod: ptr(int64(50000))}, all,
			"Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set"},
		{"cpus over stored period", spec.Resources{CPUPeriod: 50000}, ResourcesPatch{NanoCPUs: ptr(int64(1e9))}, spec.Resources{CPUPeriod: 50000},
			"Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set: got cpus 1, stored cpu_period 50000"},
		{"cpus over stored quota", spec.Resources{CPUQuota: 50000}, ResourcesPatch{NanoCPUs: ptr(int64(1e9))}, spec.Resources{CPUQuota: 50000},
			"Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set"},
		{"cpus in range", all, ResourcesPatch{NanoCPUs: ptr(int64(15e8))},
			spec.Resources{Memory: 64 << 20, MemorySwap: 128 << 20, CPUShares: 512, NanoCPUs: 15e8, CpusetCpus: "0", PidsLimit: 20,
				BlkioWrite: []spec.ThrottleDevice{vda(1 << 20)}}, ""},
		{"too many cpus", all, ResourcesPatch{NanoCPUs: ptr(int64(3e9))}, all, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available: got cpus 3"},
		{"pids near 2^63", all, ResourcesPatch{PidsLimit: ptr(int64(1<<63 - 1))}, all, "invalid pids_limit 9223372036854775807: want from 1 to 4194304"},
		{"devices merge by path", spec.Resources{BlkioWrite: []spec.ThrottleDevice{vda(1), vdb}},
			ResourcesPatch{BlkioWrite: []spec.ThrottleDevice{vda(0), {Path: "/dev/vdc", Rate: 9}}, BlkioRead: []spec.ThrottleDevice{vda(5)}},
			spec.Resources{BlkioWrite: []spec.ThrottleDevice{vdb, {Path: "/dev/vdc", Rate: 9}}, BlkioRead: []spec.ThrottleDevice{vda(5)}}, ""},
		{"nothing to change", all, ResourcesPatch{}, all, "you must provide one or more flags when using this command"},
	}
	for _, tt := range tests {
		stored := tt.stored
		stored.BlkioWrite = append([]spec.ThrottleDevice(nil), tt.stored.BlkioWrite...)
		got, err := tt.patch.Merge(stored, host)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
		case tt.wantErr != "" && !errors.Is(err, ErrInvalid):
			t.Errorf("%s: %v is not ErrInvalid", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) && !(tt.wantErr != "" && reflect.DeepEqual(got, tt.stored)) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if !reflect.DeepEqual(stored.BlkioWrite, tt.stored.BlkioWrite) {
			t.Errorf("%s: the stored device list changed: %v", tt.name, stored.BlkioWrite)
		}
	}
}

// docker stats' formulas: CPU % from the deltas of two samples times the
// CPUs online; memory % over the limit.
func TestStatsPercents(t *testing.T) {
	tests := []struct {
		name     string
		s        Stats
		cpu, mem float64
	}{
		{"one CPU busy of two", Stats{CPUUsageNS: 3e9, PreCPUUsageNS: 2e9, SystemCPUNS: 12e9, PreSystemCPUNS: 10e9, OnlineCPUs: 2,
			MemoryUsage: 16 << 20, MemoryLimit: 64 << 20}, 100, 25},
		{"half a CPU", Stats{CPUUsageNS: 5e8, SystemCPUNS: 2e9, OnlineCPUs: 2}, 50, 0},
		{"no time passed", Stats{CPUUsageNS: 5e8, PreCPUUsageNS: 5e8, SystemCPUNS: 2e9, PreSystemCPUNS: 2e9, OnlineCPUs: 2}, 0, 0},
		{"counter went back (a restart)", Stats{CPUUsageNS: 1, PreCPUUsageNS: 5e8, SystemCPUNS: 3e9, PreSystemCPUNS: 2e9, OnlineCPUs: 2}, 0, 0},
		{"stopped: zeros", Stats{}, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.s.CPUPercent(); got != tt.cpu {
			t.Errorf("%s: CPUPercent = %v, want %v", tt.name, got, tt.cpu)
		}
		if got := tt.s.MemoryPercent(); got != tt.mem {
			t.Errorf("%s: MemoryPercent = %v, want %v", tt.name, got, tt.mem)
		}
	}
}
