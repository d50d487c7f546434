package engine

import (
	"context"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// BenchmarkRunStorageSize is run("busybox", "true") (create, start, exit,
// remove) with storage_opt size=64m and without, alternated as in
// BenchmarkRunLimitsOverhead. The sized layer's cost is mkfs.ext4 of a
// sparse image, a loop device and an ext4 mount at create, and the
// unmount (the kernel then detaches the device) at remove.
func BenchmarkRunStorageSize(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	defer sb.Close()
	plain := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none"}
	sized := plain
	sized.StorageOpt = map[string]string{"size": "64m"}
	var none, with []time.Duration
	run := func(s spec.Container, out *[]time.Duration) {
		start := time.Now()
		c, err := sb.Run(context.Background(), s, backend.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Remove(context.Background(), backend.RemoveOptions{}); err != nil {
			b.Fatal(err)
		}
		*out = append(*out, time.Since(start))
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			run(plain, &none)
			run(sized, &with)
		} else {
			run(sized, &with)
			run(plain, &none)
		}
		i++
	}
	n, w := median(none), median(with)
	b.ReportMetric(n, "none-median-ms")
	b.ReportMetric(w, "sized-median-ms")
	b.ReportMetric(pairedOverhead(with, none), "overhead-ms")
}

// BenchmarkRunCgroupView is run("busybox", "true") with the read-only
// cgroup view at /sys/fs/cgroup and without it, alternated: what every
// start pays for the view.
func BenchmarkRunCgroupView(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	defer sb.Close()
	s := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none"}
	defer func() { cgroupView = true }()
	var off, on []time.Duration
	run := func(view bool, out *[]time.Duration) {
		cgroupView = view
		start := time.Now()
		c, err := sb.Run(context.Background(), s, backend.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Remove(context.Background(), backend.RemoveOptions{}); err != nil {
			b.Fatal(err)
		}
		*out = append(*out, time.Since(start))
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			run(false, &off)
			run(true, &on)
		} else {
			run(true, &on)
			run(false, &off)
		}
		i++
	}
	n, w := median(off), median(on)
	b.ReportMetric(n, "noview-median-ms")
	b.ReportMetric(w, "view-median-ms")
	b.ReportMetric(pairedOverhead(on, off), "overhead-ms")
}
