package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/cmd/internal/crowd"
)

// crowdFiles is how many files run at once, each with a default bridge
// and two user networks: 192 networks. With a /16 per network, ~31 fit on
// the machine and most files failed with "could not find an available,
// non-overlapping IPv4 address pool".
const crowdFiles = 64

// crowdDeadline bounds the whole run on a slow, shared machine; it is a
// deadline that turns a hang into a failure, not an expectation.
const crowdDeadline = 10 * time.Minute

func TestManyFilesWithNetworksAtOnce(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("starts 256 containers")
	}
	r := newRoot(t)
	dir := t.TempDir()
	links, err := crowd.Write(dir, crowdFiles)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), crowdDeadline)
	defer cancel()
	cmd := berthCmd(ctx, r.path, "test", "-parallel", strconv.Itoa(crowdFiles), dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("berth test: %v\n%s", err, res)
	}
	if want := strconv.Itoa(crowdFiles) + " passed, 0 failed"; res.code != 0 || res.lastLine() != want {
		t.Fatalf("berth test -parallel %d on %d files: want %q\n%s", crowdFiles, crowdFiles, want, res)
	}

	// Nothing is left: containers, mounts, cgroups, processes and network
	// records of the root, and the bridges and veths the files made.
	if l := r.scan(t); !l.empty() {
		t.Errorf("left after the run: %s", l)
	}
	ifindexes, devs := madeOnHost(t, links)
	if len(ifindexes) != 4*crowdFiles || len(devs) != 3*crowdFiles {
		t.Fatalf("the files recorded %d veths and %d bridges, want %d and %d", len(ifindexes), len(devs), 4*crowdFiles, 3*crowdFiles)
	}
	// The kernel deletes a veth's host end a little after its container's
	// namespace is gone: wait for it, up to a deadline.
	deadline := time.Now().Add(markerDeadline)
	for {
		left := hostLinksAmong(t, ifindexes, devs)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("host links left %s after the run: %v", markerDeadline, left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// madeOnHost reads what the files recorded: veth host ends by ifindex and
// bridges by name.
func madeOnHost(t *testing.T, dir string) (ifindexes map[int]bool, devs map[string]bool) {
	t.Helper()
	ifindexes, devs = map[int]bool{}, map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			kind, value, _ := strings.Cut(line, " ")
			switch n, err := strconv.Atoi(value); {
			case kind == "ifindex" && err == nil && n > 0:
				ifindexes[n] = true
			case kind == "dev" && value != "":
				devs[value] = true
			default:
				t.Fatalf("%s: bad line %q", e.Name(), line)
			}
		}
	}
	return ifindexes, devs
}

// hostLinksAmong lists the host's links that have one of the ifindexes or
// names.
func hostLinksAmong(t *testing.T, ifindexes map[int]bool, devs map[string]bool) []string {
	t.Helper()
	entries, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("/sys/class/net", e.Name(), "ifindex"))
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.EINVAL) {
			continue // deleted while we looked (EINVAL: being unregistered)
		}
		if err != nil {
			t.Fatal(err)
		}
		idx, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if ifindexes[idx] || devs[e.Name()] {
			left = append(left, e.Name()+" (ifindex "+strconv.Itoa(idx)+")")
		}
	}
	slices.Sort(left)
	return left
}
