package container

import (
	"fmt"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/session"
)

// update is docker update: the limit options of run, each given one
// replacing the container's, validated with the others as a whole.
func (v *Value) update(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var p backend.ResourcesPatch
	if err := args.Unpack(fn, a, kw, limitPairs(&p)...); err != nil {
		return nil, err
	}
	if err := v.c.Update(session.Context(th), p); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

// stats is docker stats --no-stream: one sample, with Docker's formulas.
func (v *Value) stats(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	s, err := v.c.Stats(session.Context(th))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return statsDict(s), nil
}

// statsDict is what stats() returns: docker stats' columns in their
// units, the network counters summed and per interface.
func statsDict(s backend.Stats) *starlark.Dict {
	d := starlark.NewDict(20)
	put := func(k string, v starlark.Value) { _ = d.SetKey(starlark.String(k), v) }
	u := func(n uint64) starlark.Value { return starlark.MakeUint64(n) }
	put("memory_usage", u(s.MemoryUsage))
	put("memory_limit", u(s.MemoryLimit))
	put("memory_percent", starlark.Float(s.MemoryPercent()))
	put("cpu_usage_ns", u(s.CPUUsageNS))
	put("cpu_percent", starlark.Float(s.CPUPercent()))
	put("online_cpus", u(uint64(s.OnlineCPUs)))
	put("pids", u(s.Pids))
	put("pids_limit", u(s.PidsLimit))
	put("throttled_periods", u(s.ThrottledPeriods))
	put("throttled_time_ns", u(s.ThrottledTimeNS))
	put("blkio_read_bytes", u(s.BlockRead))
	put("blkio_write_bytes", u(s.BlockWrite))
	var rx, tx uint64
	nets := starlark.NewDict(len(s.Networks))
	for name, n := range s.Networks {
		rx += n.RxBytes
		tx += n.TxBytes
		one := starlark.NewDict(4)
		_ = one.SetKey(starlark.String("rx_bytes"), u(n.RxBytes))
		_ = one.SetKey(starlark.String("tx_bytes"), u(n.TxBytes))
		_ = one.SetKey(starlark.String("rx_packets"), u(n.RxPackets))
		_ = one.SetKey(starlark.String("tx_packets"), u(n.TxPackets))
		_ = nets.SetKey(starlark.String(name), one)
	}
	put("net_rx_bytes", u(rx))
	put("net_tx_bytes", u(tx))
	put("networks", nets)
	put("oom_kills", u(s.OOMKills))
	return d
}
