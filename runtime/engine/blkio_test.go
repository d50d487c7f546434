package engine

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/spec"
)

// bfqLoopDevice attaches a loop device of its own and schedules it with
// bfq, so no disk of the host changes scheduler; both are undone when the
// test ends.
func bfqLoopDevice(t *testing.T) (dev string) {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 4<<20); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device: losetup: %v: %s", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	sched := filepath.Join("/sys/block", filepath.Base(dev), "queue", "scheduler")
	old, err := os.ReadFile(sched)
	if err != nil {
		t.Skipf("no scheduler for %s: %v", dev, err)
	}
	if err := os.WriteFile(sched, []byte("bfq"), 0o644); err != nil {
		t.Skipf("this kernel has no bfq for %s: %v", dev, err)
	}
	t.Cleanup(func() {
		active := strings.Trim(strings.Fields(strings.SplitN(string(old), "[", 2)[1])[0], "]")
		if err := os.WriteFile(sched, []byte(active), 0o644); err != nil {
			t.Errorf("restore %s's scheduler %s: %v", dev, active, err)
		}
	})
	return dev
}

// A weight on a disk scheduled by bfq reaches the container's cgroup; on
// one that is not, the create is refused, naming the device and the
// scheduler, and leaves nothing.
func TestBlkioWeightDevice(t *testing.T) {
	sb := sandbox(t)
	if _, err := os.Stat(filepath.Join(container.CgroupRoot, "blkio")); err != nil {
		t.Skip("not a cgroup v1 host: the v2 decision is unit-tested over a fake sysfs")
	}
	dev := bfqLoopDevice(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"sleep", "1000"},
		Resources: spec.Resources{BlkioWeightDevice: []spec.WeightDevice{{Path: dev, Weight: 500}}}},
		backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(container.CgroupRoot, "blkio", container.CgroupPrefix+c.ID(), "blkio.bfq.weight_device"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("/sys/block", filepath.Base(dev), "dev"))
	if err != nil {
		t.Fatal(err)
	}
	number := strings.TrimSpace(string(b)) // MAJ:MIN
	if want := number + " 500"; !strings.Contains(string(got), want) {
		t.Errorf("blkio.bfq.weight_device = %q, want a line %q", got, want)
	}
	if err := c.Remove(ctx(t), backend.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}

	// The same device under mq-deadline: refused.
	sched := filepath.Join("/sys/block", filepath.Base(dev), "queue", "scheduler")
	if err := os.WriteFile(sched, []byte("mq-deadline"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := len(containerDirs(t))
	_, err = sb.Create(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"true"},
		Resources: spec.Resources{BlkioWeightDevice: []spec.WeightDevice{{Path: dev, Weight: 500}}}})
	want := "blkio_weight_device " + dev + ": " + dev + " (" + number + "), whose I/O scheduler mq-deadline ignores weights"
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, spec.ErrInvalid) {
		t.Errorf("create on mq-deadline: %v, want an invalid-argument error with %q", err, want)
	}
	if n := len(containerDirs(t)); n != before {
		t.Errorf("the refused create left %d container directories", n-before)
	}
}

// blkio_weight is checked against the disk holding the root: on this VM
// (mq-deadline) it is refused.
func TestBlkioWeightRefusedWhereIgnored(t *testing.T) {
	sb := sandbox(t)
	if container.CheckBlkioWeights(spec.Resources{BlkioWeight: 500}, testEngine.root) == nil {
		t.Skip("the root's disk is scheduled by bfq here")
	}
	before := len(containerDirs(t))
	_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"}, Resources: spec.Resources{BlkioWeight: 500}})
	if err == nil || !strings.Contains(err.Error(), "blkio_weight 500: the containers' layers in "+testEngine.root+" are on /dev/") ||
		!strings.Contains(err.Error(), "ignores weights") || !errors.Is(err, spec.ErrInvalid) {
		t.Errorf("got %v, want the refusal naming the disk and its scheduler", err)
	}
	if n := len(containerDirs(t)); n != before {
		t.Errorf("the refused create left %d container directories", n-before)
	}
}
