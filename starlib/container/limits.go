package container

import (
	"fmt"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/starlib/builtins"
)

// limitOption is one resource limit option, the same for run, create and
// update: its keyword, Docker's flag, its doc for the reference, and how
// its value sets a field of a patch. The ranges and Docker's texts are the
// backend's (runtime/spec's Validate and ResourcesPatch.Merge): here only
// the value's type and unit are read.
//
// Stable seam: a new limit (blkio_weight, …) is one row here and one
// pointer field in backend.ResourcesPatch; run, update and the reference
// all take it from this table.
type limitOption struct {
	name, docker, doc string
	unpack            func(v starlark.Value, p *backend.ResourcesPatch) error
}

var limitOptions = []limitOption{
	{"memory", "-m, --memory", "a size with a binary unit, `\"64m\"`, `\"1.5g\"` (`b`, `k`, `m`, `g`, `t`, `p`, any case, optional `b`/`ib`), or an int of bytes; from 6 MB to 1 EiB",
		sizeInto(func(p *backend.ResourcesPatch) **int64 { return &p.Memory })},
	{"memory_swap", "--memory-swap", "memory plus swap, a size as above, or `-1` (or `\"-1\"`) for unlimited swap; needs `memory`; default twice `memory`",
		sizeInto(func(p *backend.ResourcesPatch) **int64 { return &p.MemorySwap })},
	{"memory_reservation", "--memory-reservation", "a soft limit, a size as `memory`, from 6 MB and at most `memory`: under memory pressure the kernel reclaims the container's memory down towards it",
		sizeInto(func(p *backend.ResourcesPatch) **int64 { return &p.MemoryReservation })},
	{"cpu_shares", "-c, --cpu-shares", "int, relative weight from 2 to 262144 (the kernel's default is 1024), which counts only when CPUs are contended",
		intInto(func(p *backend.ResourcesPatch) **int64 { return &p.CPUShares })},
	{"cpus", "--cpus", "int or float number of CPUs, from 0.01 to the number of CPUs; sets a 100000 µs period and the matching quota",
		func(v starlark.Value, p *backend.ResourcesPatch) error {
			var c cpuCount
			if err := c.Unpack(v); err != nil {
				return err
			}
			n := int64(c)
			p.NanoCPUs = &n
			return nil
		}},
	{"cpu_period", "--cpu-period", "int, µs, 1000 to 1000000; not with `cpus`",
		intInto(func(p *backend.ResourcesPatch) **int64 { return &p.CPUPeriod })},
	{"cpu_quota", "--cpu-quota", "int, µs, from 1000 to 2^44-1; not with `cpus`",
		intInto(func(p *backend.ResourcesPatch) **int64 { return &p.CPUQuota })},
	{"cpuset_cpus", "--cpuset-cpus", "`\"0\"`, `\"0-1\"`, `\"0,2-3\"`; only CPUs this machine has",
		stringInto(func(p *backend.ResourcesPatch) **string { return &p.CpusetCpus })},
	{"cpuset_mems", "--cpuset-mems", "memory (NUMA) nodes, written as `cpuset_cpus`; only nodes this machine has (here: `\"0\"`)",
		stringInto(func(p *backend.ResourcesPatch) **string { return &p.CpusetMems })},
	{"pids_limit", "--pids-limit", "int from 1 to 4194304 (the kernel's maximum); `0` or `-1` for unlimited",
		intInto(func(p *backend.ResourcesPatch) **int64 { return &p.PidsLimit })},
	{"device_read_bps", "--device-read-bps", "dict of block device path to bytes per second read: a size string (`{\"/dev/vda\": \"1mb\"}`) or an int. Applies to direct I/O (`O_DIRECT`) only on cgroup v1",
		devicesInto(false, func(p *backend.ResourcesPatch) *[]spec.ThrottleDevice { return &p.BlkioRead })},
	{"device_write_bps", "--device-write-bps", "dict of block device path to bytes per second written, as `device_read_bps`",
		devicesInto(false, func(p *backend.ResourcesPatch) *[]spec.ThrottleDevice { return &p.BlkioWrite })},
	{"device_read_iops", "--device-read-iops", "dict of block device path to an int of read operations per second (`{\"/dev/vda\": 100}`)",
		devicesInto(true, func(p *backend.ResourcesPatch) *[]spec.ThrottleDevice { return &p.BlkioReadIO })},
	{"device_write_iops", "--device-write-iops", "dict of block device path to an int of write operations per second, as `device_read_iops`",
		devicesInto(true, func(p *backend.ResourcesPatch) *[]spec.ThrottleDevice { return &p.BlkioWriteIO })},
	{"blkio_weight", "--blkio-weight", "int from 10 to 1000, the container's share of block I/O against others (`0`: the kernel's default); only where the disk holding berth's root is scheduled by bfq, else refused naming the disk and its scheduler (mq-deadline, kyber and none ignore weights)",
		intInto(func(p *backend.ResourcesPatch) **int64 { return &p.BlkioWeight })},
	{"blkio_weight_device", "--blkio-weight-device", "dict of block device path to an int weight from 10 to 1000 (`{\"/dev/sdb\": 500}`; in `update`, `0` removes one); whole disks scheduled by bfq only, else refused naming the device and its scheduler",
		func(v starlark.Value, p *backend.ResourcesPatch) error {
			var d deviceWeights
			if err := d.Unpack(v); err != nil {
				return err
			}
			if d == nil {
				d = deviceWeights{} // given, even if empty
			}
			p.BlkioWeightDevice = d
			return nil
		}},
}

// deviceWeights is blkio_weight_device: a dict of block device to weight.
type deviceWeights []spec.WeightDevice

func (d *deviceWeights) Unpack(v starlark.Value) error {
	dict, ok := v.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("got %s, want dict of device path to weight, such as {\"/dev/sdb\": 500}", v.Type())
	}
	for _, item := range dict.Items() {
		path, ok := starlark.AsString(item[0])
		if !ok {
			return fmt.Errorf("got %s key, want a device path such as \"/dev/sdb\"", item[0].Type())
		}
		n, ok := item[1].(starlark.Int)
		var w int64
		if ok {
			w, ok = n.Int64()
		}
		if !ok {
			return fmt.Errorf("weight for %s: got %s, want an int from 10 to 1000", path, item[1])
		}
		*d = append(*d, spec.WeightDevice{Path: path, Weight: w})
	}
	return nil
}

// limitParams are the limit options for the reference, in the table's order.
func limitParams() []builtins.Param {
	out := make([]builtins.Param, len(limitOptions))
	for i, o := range limitOptions {
		out[i] = builtins.Param{Name: o.name, Docker: o.docker, Doc: o.doc}
	}
	return out
}

// limitPairs are UnpackArgs pairs that fill p: an option left out or
// given as None leaves its field nil ("??").
func limitPairs(p *backend.ResourcesPatch) []any {
	pairs := make([]any, 0, 2*len(limitOptions))
	for i := range limitOptions {
		pairs = append(pairs, limitOptions[i].name+"??", &limitSetter{&limitOptions[i], p})
	}
	return pairs
}

// limitSetter is a starlark.Unpacker for one limit option.
type limitSetter struct {
	opt *limitOption
	p   *backend.ResourcesPatch
}

func (s *limitSetter) Unpack(v starlark.Value) error { return s.opt.unpack(v, s.p) }

func sizeInto(field func(*backend.ResourcesPatch) **int64) func(starlark.Value, *backend.ResourcesPatch) error {
	return func(v starlark.Value, p *backend.ResourcesPatch) error {
		var b byteSize
		if err := b.Unpack(v); err != nil {
			return err
		}
		n := int64(b)
		*field(p) = &n
		return nil
	}
}

func intInto(field func(*backend.ResourcesPatch) **int64) func(starlark.Value, *backend.ResourcesPatch) error {
	return func(v starlark.Value, p *backend.ResourcesPatch) error {
		i, ok := v.(starlark.Int)
		if !ok {
			return fmt.Errorf("got %s, want int", v.Type())
		}
		n, ok := i.Int64()
		if !ok {
			return fmt.Errorf("got %s, want an int of 64 bits", v)
		}
		*field(p) = &n
		return nil
	}
}

func stringInto(field func(*backend.ResourcesPatch) **string) func(starlark.Value, *backend.ResourcesPatch) error {
	return func(v starlark.Value, p *backend.ResourcesPatch) error {
		s, ok := v.(starlark.String)
		if !ok {
			return fmt.Errorf("got %s, want string", v.Type())
		}
		str := string(s)
		*field(p) = &str
		return nil
	}
}

// devicesInto reads a dict of device to rate; iops rates are plain
// numbers, bps rates sizes or numbers.
func devicesInto(iops bool, field func(*backend.ResourcesPatch) *[]spec.ThrottleDevice) func(starlark.Value, *backend.ResourcesPatch) error {
	return func(v starlark.Value, p *backend.ResourcesPatch) error {
		var d deviceRates
		if err := d.Unpack(v); err != nil {
			return err
		}
		if iops && d.sawString {
			return fmt.Errorf("device_read_iops/device_write_iops take a number of operations per second per device, such as {\"/dev/vda\": 100}: got a size string")
		}
		list := d.list
		if list == nil {
			list = []spec.ThrottleDevice{} // given, even if empty: a patch that sets nothing for this option
		}
		*field(p) = list
		return nil
	}
}

// limitDocParams are update's parameters for the reference.
func limitDocParams() []builtins.Param {
	out := make([]builtins.Param, len(limitOptions))
	for i, o := range limitOptions {
		out[i] = builtins.Param{Name: o.name, Default: "None"}
	}
	return out
}
