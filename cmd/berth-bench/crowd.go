package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"berth/cmd/internal/crowd"
	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

// benchCrowd runs o.crowd scenario files at once, each with its default
// bridge and two user networks (berth test -parallel N), and reports the
// time and how many passed: every file needs three subnets of its own.
func benchCrowd(ctx context.Context, o options, e *engine.Engine, w io.Writer) error {
	dir, err := os.MkdirTemp("", "berth-bench-crowd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := crowd.Write(dir, o.crowd); err != nil {
		return err
	}
	sbs := backend.NewSandboxes(e)
	defer sbs.Close()
	opts := harness.Options(sbs)
	opts.Paths, opts.Parallel, opts.Timeout = []string{dir}, o.crowd, 10*time.Minute
	var report bytes.Buffer
	opts.Stdout = &report
	start := time.Now()
	sum, err := runner.Test(ctx, opts)
	if err != nil {
		return fmt.Errorf("%d files at once: %w", o.crowd, err)
	}
	label := fmt.Sprintf("%d files at -parallel %d, 3 networks each", o.crowd, o.crowd)
	fmt.Fprintf(w, "%-44s total %.1f s; %d passed, %d failed\n", label, time.Since(start).Seconds(), sum.Passed, sum.Failed)
	if sum.Failed > 0 {
		lines := strings.SplitN(report.String(), "\n", 41)
		fmt.Fprintf(w, "  first failures:\n  %s\n", strings.Join(lines[:min(40, len(lines))], "\n  "))
	}
	return nil
}
