package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/runtime/volume"
)

// benchVolumes measures the volume targets: a run with a bind, a named
// volume and a tmpfs against one with none, interleaved so that machine
// noise hits both alike, and a copy-up of 1,000 small files on the root's
// own filesystem.
func benchVolumes(ctx context.Context, o options, sb backend.Sandbox, w io.Writer) error {
	bind, err := os.MkdirTemp(o.root, "bench-bind-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bind)
	plain := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none"}
	three := plain
	three.Mounts = []spec.Mount{
		{Type: spec.MountBind, Source: bind, Target: "/bind"},
		{Type: spec.MountVolume, Source: "benchvol", Target: "/vol"},
		{Type: spec.MountTmpfs, Target: "/tmpfs", Size: 8 << 20},
	}
	var none, vols stats
	type variant struct {
		s   spec.Container
		out *stats
	}
	for i := range o.runs {
		// Alternate which goes first: a run pays for the kernel's
		// asynchronous cleanup of the one before it.
		order := []variant{{plain, &none}, {three, &vols}}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, tc := range order {
			start := time.Now()
			if err := runOnce(ctx, sb, tc.s); err != nil {
				return err
			}
			*tc.out = append(*tc.out, time.Since(start))
		}
	}
	fmt.Fprintf(w, "%-44s %s\n", "  same, interleaved: no volume", none)
	fmt.Fprintf(w, "%-44s %s\n", "  same: bind + named volume + tmpfs", vols)

	src, err := os.MkdirTemp(o.root, "bench-copyup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	data := filepath.Join(src, "data")
	for d := range 10 {
		dir := filepath.Join(data, fmt.Sprintf("d%d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", f)), make([]byte, 100), 0o644); err != nil {
				return err
			}
		}
	}
	var copies stats
	for i := range 5 {
		dst := filepath.Join(src, fmt.Sprintf("copy%d", i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			return err
		}
		start := time.Now()
		if err := volume.CopyUp(data, dst); err != nil {
			return err
		}
		copies = append(copies, time.Since(start))
	}
	fmt.Fprintf(w, "%-44s %s\n", "copy-up of 1,000 files of 100 bytes", copies)
	return nil
}
