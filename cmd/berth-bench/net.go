package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sync"
	"time"

	miekg "github.com/miekg/dns"

	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/runtime/network/nstest"
	"berth/runtime/spec"
)

// benchNetworks measures the networking targets: a run on a user bridge,
// the embedded DNS's round trip from inside a container, and 100
// containers on one bridge resolving each other.
func benchNetworks(ctx context.Context, o options, e *engine.Engine, w io.Writer) error {
	sbs := backend.NewSandboxes(e)
	defer sbs.Close()
	sb, err := sbs.New("bench-net", nil)
	if err != nil {
		return err
	}
	defer sb.Close()
	if _, err := sb.CreateNetwork(ctx, "benchnet", backend.NetworkOptions{}); err != nil {
		return err
	}
	for _, mode := range []string{"bridge", "benchnet"} {
		s := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: mode}
		if err := runOnce(ctx, sb, s); err != nil { // warm-up: the default bridge appears
			return err
		}
		var st stats
		for range o.runs {
			start := time.Now()
			if err := runOnce(ctx, sb, s); err != nil {
				return err
			}
			st = append(st, time.Since(start))
		}
		label := `berth run("busybox", "true"), default bridge`
		if mode == "benchnet" {
			label = `berth run("busybox", "true"), user bridge`
		}
		fmt.Fprintf(w, "%-44s %s\n", label, st)
	}
	fmt.Fprintf(w, "%-44s %s\n", "docker run --rm --network benchnet (user br.)", dockerRuns(o.runs, "benchnet"))

	// DNS round trip, from inside a container's namespace.
	members := make([]backend.Container, 3)
	for i := range members {
		c, err := sb.Run(ctx, spec.Container{Image: "busybox", Name: fmt.Sprintf("web%d", i), Cmd: []string{"sleep", "3600"},
			Network: "benchnet", Aliases: []string{"web"}}, backend.RunOptions{Detach: true})
		if err != nil {
			return err
		}
		members[i] = c
	}
	var rtts stats
	err = inNetNS(members[0].State().Pid, func() error {
		cl := &miekg.Client{Net: "udp", Timeout: 2 * time.Second}
		conn, err := cl.Dial("127.0.0.11:53")
		if err != nil {
			return err
		}
		defer conn.Close()
		q := new(miekg.Msg).SetQuestion("web.", miekg.TypeA)
		for range 1000 {
			start := time.Now()
			r, _, err := cl.ExchangeWithConn(q, conn)
			if err != nil {
				return err
			}
			if len(r.Answer) != 3 {
				return fmt.Errorf("dns: %d answers for web, want 3", len(r.Answer))
			}
			rtts = append(rtts, time.Since(start))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dns round trip: %w", err)
	}
	fmt.Fprintf(w, "%-44s %s\n", "embedded DNS, 1000 queries from a container", percentiles(rtts))
	for _, c := range members {
		if err := c.Remove(ctx, backend.RemoveOptions{Force: true}); err != nil {
			return err
		}
	}
	return bench100(ctx, sb, w)
}

// bench100 starts 100 containers on one bridge and checks that each
// resolves every other by name to the right address.
func bench100(ctx context.Context, sb backend.Sandbox, w io.Writer) error {
	const n = 100
	if _, err := sb.CreateNetwork(ctx, "many", backend.NetworkOptions{}); err != nil {
		return err
	}
	start := time.Now()
	cs := make([]backend.Container, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := sb.Run(ctx, spec.Container{Image: "busybox", Name: fmt.Sprintf("m%03d", i), Cmd: []string{"sleep", "3600"},
				Network: "many"}, backend.RunOptions{Detach: true})
			cs[i] = c
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	setup := time.Since(start)
	want := map[string]netip.Addr{}
	for _, c := range cs {
		want[c.Name()] = netip.MustParseAddr(c.IP())
	}
	start = time.Now()
	queries := 0
	for _, c := range cs {
		err := inNetNS(c.State().Pid, func() error {
			cl := &miekg.Client{Net: "udp", Timeout: 2 * time.Second}
			conn, err := cl.Dial("127.0.0.11:53")
			if err != nil {
				return err
			}
			defer conn.Close()
			for name, addr := range want {
				if name == c.Name() {
					continue
				}
				r, _, err := cl.ExchangeWithConn(new(miekg.Msg).SetQuestion(name+".", miekg.TypeA), conn)
				if err != nil {
					return err
				}
				if len(r.Answer) != 1 || r.Answer[0].(*miekg.A).A.String() != addr.String() {
					return fmt.Errorf("%s resolves %s to %v, want %s", c.Name(), name, r.Answer, addr)
				}
				queries++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%-44s set up in %.1f ms; %d lookups all right in %.1f ms\n", "100 containers on one bridge",
		ms(setup), queries, ms(time.Since(start)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentiles is p50/p99/max of round trips in microseconds.
func percentiles(s stats) string {
	sorted := slices.Clone(s)
	slices.Sort(sorted)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	return fmt.Sprintf("p50 %6.1f  p99 %6.1f  max %7.1f µs  (n=%d)", us(sorted[len(sorted)/2]), us(sorted[len(sorted)*99/100]), us(sorted[len(sorted)-1]), len(sorted))
}

// inNetNS runs fn on a throwaway thread inside the network namespace of
// pid, as a process of that container would.
func inNetNS(pid int, fn func() error) error {
	return nstest.Do(fmt.Sprintf("/proc/%d/ns/net", pid), fn)
}
