package nldump

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"berth/runtime/network/nstest"
)

func TestRetry(t *testing.T) {
	other := errors.New("permission denied")
	tests := []struct {
		name        string
		interrupted int   // dumps flagged before the outcome
		final       error // the outcome after them
		wantCalls   int
		wantErr     string // substring; "" means success
	}{
		{name: "first dump complete", wantCalls: 1},
		{name: "complete after interruptions", interrupted: 7, wantCalls: 8},
		{name: "complete on the last attempt", interrupted: Attempts - 1, wantCalls: Attempts},
		{name: "other error returned at once", final: other, wantCalls: 1, wantErr: "list links: permission denied"},
		{name: "other error after interruptions", interrupted: 3, final: other, wantCalls: 4, wantErr: "permission denied"},
		{name: "always interrupted", interrupted: Attempts + 5, wantCalls: Attempts,
			wantErr: fmt.Sprintf("list links: the table changed during each of %d dumps", Attempts)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var slept time.Duration
			sleep = func(d time.Duration) { slept += d }
			t.Cleanup(func() { sleep = time.Sleep })
			calls := 0
			got, err := Retry("list links", func() ([]int, error) {
				calls++
				if calls <= tt.interrupted {
					return []int{1}, netlink.ErrDumpInterrupted // partial result
				}
				if tt.final != nil {
					return nil, tt.final
				}
				return []int{1, 2, 3}, nil
			})
			if calls != tt.wantCalls {
				t.Errorf("dump called %d times, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr == "" {
				if err != nil || len(got) != 3 {
					t.Fatalf("Retry = %v, %v; want the complete result", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Retry error = %v, want one containing %q", err, tt.wantErr)
			}
			if got != nil {
				t.Errorf("Retry returned %v with its error; a partial result must not escape", got)
			}
			if tt.interrupted > 0 && !errors.Is(err, netlink.ErrDumpInterrupted) && tt.final == nil {
				t.Errorf("error %v does not wrap ErrDumpInterrupted", err)
			}
			if tt.interrupted > 0 && slept == 0 {
				t.Errorf("no pause between interrupted dumps")
			}
		})
	}
}

func TestBackoffBounded(t *testing.T) {
	var total time.Duration
	for i := range Attempts {
		d := backoff(i)
		if d <= 0 || d > maxBackoff {
			t.Fatalf("backoff(%d) = %v, want within (0, %v]", i, d, maxBackoff)
		}
		total += d
	}
	if total > 3*time.Second {
		t.Errorf("all backoffs add up to %v; a caller would wait too long", total)
	}
}

// TestDumpDuringChurn lists links in a namespace where another goroutine
// keeps adding and deleting links, as parallel cases do on the host: each
// listing must come back complete (the churned link may or may not be in
// it, the fixed ones always are).
func TestDumpDuringChurn(t *testing.T) {
	path := nstest.New(t)
	ns, err := netns.GetFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	const fixed = 50 // 25 veth pairs (this kernel has no dummy links)
	for i := range fixed / 2 {
		pair := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("fixed%da", i)}, PeerName: fmt.Sprintf("fixed%db", i)}
		if err := h.LinkAdd(pair); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 3 {
		churn, err := netlink.NewHandleAt(ns) // a handle per goroutine: one is not safe for concurrent use
		if err != nil {
			t.Fatal(err)
		}
		defer churn.Close()
		wg.Add(1)
		go churnLinks(churn, g, stop, &wg)
	}
	defer func() { close(stop); wg.Wait() }()

	interruptedSeen, longestRun := 0, 0
	for range 300 {
		run := 0
		links, err := Retry("list links", func() ([]netlink.Link, error) {
			l, err := h.LinkList()
			if errors.Is(err, netlink.ErrDumpInterrupted) {
				interruptedSeen++
				run++
				longestRun = max(longestRun, run)
			}
			return l, err
		})
		if err != nil {
			t.Fatalf("Retry under churn: %v", err)
		}
		n := 0
		for _, l := range links {
			if strings.HasPrefix(l.Attrs().Name, "fixed") {
				n++
			}
		}
		if n != fixed {
			t.Fatalf("a listing holds %d of the %d fixed links", n, fixed)
		}
	}
	t.Logf("%d interrupted dumps retried, at most %d in a row", interruptedSeen, longestRun)
}

// churnLinks adds and deletes veth pairs named after g until stop closes.
func churnLinks(h *netlink.Handle, g int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		l := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("c%d-%da", g, i%4)}, PeerName: fmt.Sprintf("c%d-%db", g, i%4)}
		if h.LinkAdd(l) == nil {
			_ = h.LinkDel(l)
		}
	}
}
