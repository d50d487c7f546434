package container

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/runtime/spec"
)

// fakeSysfs lays out sys/devices/.../block/<disk>[/<part>] with queue/scheduler
// on disks and a partition file on partitions, and sys/dev/block/MAJ:MIN
// symlinks to them, as the kernel does.
func fakeSysfs(t *testing.T) string {
	t.Helper()
	sys := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(number, target string) {
		t.Helper()
		dir := filepath.Join(sys, "dev", "block")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..", "..", target), filepath.Join(dir, number)); err != nil {
			t.Fatal(err)
		}
	}
	vda := "devices/pci0000:00/0000:00:05.0/virtio2/block/vda"
	write(filepath.Join(sys, vda, "queue", "scheduler"), "none [mq-deadline] kyber bfq\n")
	write(filepath.Join(sys, vda, "dev"), "253:0\n")
	write(filepath.Join(sys, vda, "vda1", "partition"), "1\n")
	write(filepath.Join(sys, vda, "vda1", "dev"), "253:1\n")
	link("253:0", vda)
	link("253:1", vda+"/vda1")
	sdb := "devices/virtual/block/sdb"
	write(filepath.Join(sys, sdb, "queue", "scheduler"), "mq-deadline kyber [bfq] none\n")
	write(filepath.Join(sys, sdb, "dev"), "8:16\n")
	write(filepath.Join(sys, sdb, "sdb2", "partition"), "2\n")
	link("8:16", sdb)
	link("8:18", sdb+"/sdb2")
	loop := "devices/virtual/block/loop3"
	write(filepath.Join(sys, loop, "queue", "scheduler"), "[none] mq-deadline kyber bfq\n")
	link("7:3", loop)
	return sys
}

func TestCheckBlkioWeights(t *testing.T) {
	sys := fakeSysfs(t)
	// The fake devices: paths to (device number, is a block device node).
	devs := map[string][2]uint64{
		"/dev/vda":      {unix.Mkdev(253, 0), 1},
		"/dev/vda1":     {unix.Mkdev(253, 1), 1},
		"/dev/sdb":      {unix.Mkdev(8, 16), 1},
		"/dev/sdb2":     {unix.Mkdev(8, 18), 1},
		"/dev/loop3":    {unix.Mkdev(7, 3), 1},
		"/dev/zram9":    {unix.Mkdev(251, 9), 1},
		"/root-on-vda1": {unix.Mkdev(253, 1), 0},
		"/root-on-sdb2": {unix.Mkdev(8, 18), 0},
		"/root-on-sdb":  {unix.Mkdev(8, 16), 0},
		"/etc/hostname": {unix.Mkdev(8, 16), 0},
	}
	devOf := func(p string) (uint64, bool, error) {
		d, ok := devs[p]
		if !ok {
			return 0, false, &os.PathError{Op: "stat", Path: p, Err: unix.ENOENT}
		}
		return d[0], d[1] == 1, nil
	}
	weight := func(w int64) spec.Resources { return spec.Resources{BlkioWeight: w} }
	device := func(p string, w int64) spec.Resources {
		return spec.Resources{BlkioWeightDevice: []spec.WeightDevice{{Path: p, Weight: w}}}
	}
	tests := []struct {
		name  string
		r     spec.Resources
		layer string
		want  string // "" for accepted
	}{
		{"no weights", spec.Resources{}, "/nowhere", ""},
		{"weight, layers on mq-deadline", weight(500), "/root-on-vda1",
			"blkio_weight 500: the containers' layers in /root-on-vda1 are on /dev/vda (253:0), whose I/O scheduler mq-deadline ignores weights: only bfq honours them (the host's choice, in /sys/block/vda/queue/scheduler)"},
		{"weight, layers on a bfq disk's partition", weight(500), "/root-on-sdb2", ""},
		{"weight, layers on a bfq disk", weight(10), "/root-on-sdb", ""},
		{"weight, layers nowhere", weight(500), "/nowhere", "blkio_weight 500: find the disk of /nowhere: stat /nowhere: no such file or directory"},
		{"device on bfq", device("/dev/sdb", 300), "/nowhere", ""},
		{"device on mq-deadline", device("/dev/vda", 300), "/nowhere",
			"blkio_weight_device /dev/vda: /dev/vda (253:0), whose I/O scheduler mq-deadline ignores weights"},
		{"device with no scheduler", device("/dev/loop3", 300), "/nowhere", "I/O scheduler none ignores weights"},
		{"partition", device("/dev/sdb2", 300), "/nowhere",
			"blkio_weight_device /dev/sdb2: sdb2 (8:18) is a partition: the kernel takes weights for whole disks only (sdb)"},
		{"unknown to sysfs", device("/dev/zram9", 300), "/nowhere", "device 251:9 is not a block device the kernel lists in"},
		{"missing", device("/dev/nosuch", 300), "/nowhere", "blkio_weight_device /dev/nosuch: stat /dev/nosuch: no such file or directory"},
		{"not a device", device("/etc/hostname", 300), "/nowhere", "blkio_weight_device /etc/hostname: not a block device"},
	}
	for _, tt := range tests {
		err := checkBlkioWeights(sys, tt.r, tt.layer, devOf)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

func TestActiveScheduler(t *testing.T) {
	for line, want := range map[string]string{
		"none [mq-deadline] kyber bfq": "mq-deadline",
		"[bfq] none":                   "bfq",
		"none":                         "none",
		"mq-deadline bfq":              "none",
	} {
		if got := activeScheduler(line); got != want {
			t.Errorf("activeScheduler(%q) = %q, want %q", line, got, want)
		}
	}
}

// On this host: the refusal is classified as bad input, and names the
// device and scheduler of the disk holding the directory.
func TestCheckBlkioWeightsHere(t *testing.T) {
	err := CheckBlkioWeights(spec.Resources{BlkioWeight: 500}, t.TempDir())
	if err == nil {
		t.Skip("the disk holding the temporary directory is scheduled by bfq: weights are accepted")
	}
	if !errors.Is(err, spec.ErrInvalid) || !strings.Contains(err.Error(), "I/O scheduler") {
		t.Errorf("got %v, want an invalid-argument error naming the scheduler", err)
	}
}
