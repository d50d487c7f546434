package engine

import (
	"berth/runtime/backend"
	"context"
	"fmt"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"berth/runtime/spec"
)

// BenchmarkRunTrue is run("busybox", "true") end to end: create, start,
// exit, remove. Target: median ≤ 25 ms on the 2-core CI machine.
func BenchmarkRunTrue(b *testing.B) {
	benchRun(b, spec.Container{Image: "busybox", Cmd: []string{"true"}})
}

// benchRun runs s in the foreground and removes it, once per iteration.
func benchRun(b *testing.B, s spec.Container) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	defer sb.Close()
	for b.Loop() {
		c, err := sb.Run(context.Background(), s, backend.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Remove(context.Background(), backend.RemoveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun20Parallel starts 20 containers at once and waits for all of
// them. Target: ≤ 400 ms per operation.
func BenchmarkRun20Parallel(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	defer sb.Close()
	s := spec.Container{Image: "busybox", Cmd: []string{"true"}}
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() {
				c, err := sb.Run(context.Background(), s, backend.RunOptions{})
				if err == nil {
					err = c.Remove(context.Background(), backend.RemoveOptions{})
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunThreeVolumes is BenchmarkRunTrue with a bind, a named volume
// and a tmpfs. Target: median within 5 ms of BenchmarkRunTrue.
func BenchmarkRunThreeVolumes(b *testing.B) {
	benchRun(b, spec.Container{Image: "busybox", Cmd: []string{"true"}, Mounts: []spec.Mount{
		{Type: spec.MountBind, Source: b.TempDir(), Target: "/bind"},
		{Type: spec.MountVolume, Source: "bench", Target: "/vol"},
		{Type: spec.MountTmpfs, Target: "/tmpfs", Size: 8 << 20},
	}})
}

// BenchmarkRun20Layers is BenchmarkRunTrue from a 20-layer image (an
// overlay of 20 lower layers). Target: median ≤ 5 ms slower than
// BenchmarkRunTrue.
func BenchmarkRun20Layers(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	layers := []v1.Layer{busyboxLayer(b)}
	for i := 1; i < 20; i++ {
		layers = append(layers, layerOf(b, [2]string{fmt.Sprintf("f%d", i), "x"}))
	}
	loadLayered(b, "bench/layers20:1", layers...)
	benchRun(b, spec.Container{Image: "bench/layers20:1", Cmd: []string{"true"}})
}
