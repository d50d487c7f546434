// Command berth-bench measures the engine against the targets and,
// side by side in the same run, Docker and the runc CLI when they are
// available:
//
//   - run("busybox", "true") end to end (create → exit → removed), N times,
//     without a network, on the default bridge and on a user bridge
//   - the same with three volumes (bind, named, tmpfs), and a copy-up of
//     1,000 small files
//   - the embedded DNS's round trip from inside a container, and 100
//     containers on one bridge resolving each other
//   - N containers started in parallel
//   - 64 scenario files at once, each with a default bridge and two user
//     networks (berth test -parallel 64): time and pass count
//   - berth's own RSS with 50 detached containers running (no shim)
//   - berth's peak RSS (a child `berth run`) during a foreground run
//     printing 200 MB, and during logs() of a 200 MB log
//   - 200 MB of 80-byte lines through json-file (and none), detached,
//     from run to exit
//
// Timings are printed, never asserted: targets are read off this output.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/runtime/spec"
)

type options struct {
	root     string
	runs     int
	parallel int
	detached int
	crowd    int
	berth    string // the berth binary for the peak RSS measurements
	bigMB    int
}

func main() {
	var o options
	flag.StringVar(&o.root, "root", envOr("BERTH_ROOT", engine.DefaultRoot), "berth root")
	flag.IntVar(&o.runs, "runs", 20, "sequential runs per measurement")
	flag.IntVar(&o.parallel, "parallel", 20, "containers started at once")
	flag.IntVar(&o.detached, "detached", 50, "detached containers for the RSS measurement")
	flag.IntVar(&o.crowd, "crowd", 64, "scenario files run at once, each with a default bridge and two user networks")
	flag.StringVar(&o.berth, "berth", defaultBerth(), "berth binary run for the peak RSS measurements")
	flag.IntVar(&o.bigMB, "big", 200, "MB printed for the peak RSS measurements")
	flag.Parse()
	if err := bench(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "berth-bench:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// stats summarises durations as min/median/max in milliseconds.
type stats []time.Duration

func (s stats) String() string {
	if len(s) == 0 {
		return "no samples"
	}
	sorted := slices.Clone(s)
	slices.Sort(sorted)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return fmt.Sprintf("min %7.1f  median %7.1f  max %7.1f ms  (n=%d)", ms(sorted[0]), ms(sorted[len(sorted)/2]), ms(sorted[len(sorted)-1]), len(sorted))
}

func bench(ctx context.Context, o options, w io.Writer) error {
	e, err := engine.Open(engine.Options{Root: o.root})
	if err != nil {
		return err
	}
	defer e.Close()
	sbs := backend.NewSandboxes(e)
	defer sbs.Close()
	sb, err := sbs.New("bench", nil)
	if err != nil {
		return err
	}
	true1 := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none"}

	// Warm-up: builds the busybox image on a fresh root.
	if err := runOnce(ctx, sb, true1); err != nil {
		return err
	}
	fmt.Fprintf(w, "berth bench — %d runs each, root %s\n\n", o.runs, o.root)

	var berth stats
	for range o.runs {
		start := time.Now()
		if err := runOnce(ctx, sb, true1); err != nil {
			return err
		}
		berth = append(berth, time.Since(start))
	}
	fmt.Fprintf(w, "%-44s %s\n", `berth run("busybox", "true"), lo only`, berth)
	fmt.Fprintf(w, "%-44s %s\n", "docker run --rm --network none busybox true", dockerRuns(o.runs, "none"))
	fmt.Fprintf(w, "%-44s %s\n", "runc run (CLI, busybox bundle)", runcRuns(e, o.runs))

	if err := benchVolumes(ctx, o, sb, w); err != nil {
		return err
	}
	if err := benchNetworks(ctx, o, e, w); err != nil {
		return err
	}
	if err := benchCrowd(ctx, o, e, w); err != nil {
		return err
	}
	if err := benchMemory(ctx, o, w); err != nil {
		return err
	}
	if err := benchLogs(ctx, o, sb, w); err != nil {
		return err
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, o.parallel)
	for range o.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- runOnce(ctx, sb, true1)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%-44s total %.1f ms\n", fmt.Sprintf("%d containers started in parallel", o.parallel), float64(time.Since(start).Microseconds())/1000)

	before := rssKB()
	for i := range o.detached {
		if _, err := sb.Run(ctx, spec.Container{Image: "busybox", Cmd: []string{"sleep", "3600"}}, backend.RunOptions{Detach: true}); err != nil {
			return fmt.Errorf("detached container %d: %w", i, err)
		}
	}
	fmt.Fprintf(w, "%-44s %.1f MB (before: %.1f MB)\n", fmt.Sprintf("berth RSS with %d detached containers", o.detached), float64(rssKB())/1024, float64(before)/1024)
	return nil
}

// runOnce is run("busybox", "true") end to end: create, start, exit, rm.
func runOnce(ctx context.Context, sb backend.Sandbox, s spec.Container) error {
	c, err := sb.Run(ctx, s, backend.RunOptions{})
	if err != nil {
		return err
	}
	return c.Remove(ctx, backend.RemoveOptions{Force: true})
}

// rssKB is this process's resident set size.
func rssKB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// dockerRef is the busybox image the Docker comparisons run.
const dockerRef = "busybox:local"

// dockerUnavailable says why Docker cannot be compared with ("" when it
// can): no client, no daemon, or no busybox:local image.
func dockerUnavailable() string {
	if _, err := exec.LookPath("docker"); err != nil {
		return "(docker not installed)"
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		return "(docker installed, daemon not running: start dockerd --iptables=false --ip-forward=false --ip-masq=false)"
	}
	if err := exec.Command("docker", "image", "inspect", dockerRef).Run(); err != nil {
		return "(no " + dockerRef + " image: tar -C ROOTFS -c . | docker import - " + dockerRef + ")"
	}
	return ""
}

// dockerRuns times `docker run --rm` against a daemon that is already
// running, with an image imported from the host's busybox.
func dockerRuns(n int, network string) string {
	if why := dockerUnavailable(); why != "" {
		return why
	}
	ref := dockerRef
	if network != "none" {
		if err := exec.Command("docker", "network", "create", network).Run(); err != nil {
			return fmt.Sprintf("(docker network create %s failed: %v)", network, err)
		}
		defer exec.Command("docker", "network", "rm", network).Run()
	}
	var s stats
	for range n {
		start := time.Now()
		if out, err := exec.Command("docker", "run", "--rm", "--network", network, ref, "true").CombinedOutput(); err != nil {
			return fmt.Sprintf("(docker run failed: %v: %s)", err, out)
		}
		s = append(s, time.Since(start))
	}
	return s.String()
}

// runcRuns times the runc CLI on a bundle whose rootfs is berth's busybox
// image (read-only, so nothing is copied).
func runcRuns(e *engine.Engine, n int) string {
	if _, err := exec.LookPath("runc"); err != nil {
		return "(runc not installed: apt-get install runc)"
	}
	img, err := e.ImageStore().Get("busybox")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	root := img.RootDir // busybox is one layer: that layer is its whole root
	if len(img.Layers) == 1 {
		root = img.Layers[0]
	}
	bundle, err := os.MkdirTemp("", "berth-bench-runc-")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer os.RemoveAll(bundle)
	if out, err := exec.Command("runc", "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		return fmt.Sprintf("(runc spec: %v: %s)", err, out)
	}
	cfgPath := filepath.Join(bundle, "config.json")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	cfg = []byte(strings.Replace(strings.Replace(string(cfg), `"path": "rootfs"`, `"path": "`+root+`"`, 1), `"terminal": true`, `"terminal": false`, 1))
	cfg = []byte(strings.Replace(string(cfg), `"sh"`, `"true"`, 1))
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		return "(" + err.Error() + ")"
	}
	var s stats
	for i := range n {
		id := fmt.Sprintf("berth-bench-%d-%d", os.Getpid(), i)
		start := time.Now()
		if out, err := exec.Command("runc", "run", "--bundle", bundle, id).CombinedOutput(); err != nil {
			return fmt.Sprintf("(runc run failed: %v: %s)", err, out)
		}
		s = append(s, time.Since(start))
	}
	return s.String()
}
