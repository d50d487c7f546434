package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// CheckBlkioWeights refuses weights that would have no effect: a
// blkio_weight when the device holding the containers' layers (the file
// system of layerDir) is not scheduled by bfq, and a blkio_weight_device
// whose device is not, or is a partition (the kernel takes weights and
// throttles for whole disks only: ENODEV). Devices are found through
// /sys/dev/block/MAJ:MIN (there is no /dev/block here). Only bfq honours
// cgroup weights (blkio.bfq.weight on cgroup v1, io.bfq.weight on v2):
// Docker writes the weight anyway and nothing happens; berth says so
// instead. The refusals match spec.ErrInvalid.
func CheckBlkioWeights(r spec.Resources, layerDir string) error {
	if err := checkBlkioWeights("/sys", r, layerDir, deviceOf); err != nil {
		return kinderr.Errorf(spec.ErrInvalid, "%v", err)
	}
	return nil
}

// deviceOf is the device number of path: st_rdev for a block device node
// (blkio_weight_device's paths), st_dev for anything else (the file
// system a directory is on).
func deviceOf(path string) (uint64, bool, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, false, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFBLK {
		return st.Rdev, true, nil
	}
	return st.Dev, false, nil
}

func checkBlkioWeights(sys string, r spec.Resources, layerDir string, devOf func(string) (uint64, bool, error)) error {
	if r.BlkioWeight != 0 {
		dev, _, err := devOf(layerDir)
		if err != nil {
			return fmt.Errorf("blkio_weight %d: find the disk of %s: %w", r.BlkioWeight, layerDir, err)
		}
		disk, err := blockDevice(sys, dev, true)
		if err != nil {
			return fmt.Errorf("blkio_weight %d: the disk of %s: %w", r.BlkioWeight, layerDir, err)
		}
		if err := disk.honoursWeights(); err != nil {
			return fmt.Errorf("blkio_weight %d: the containers' layers in %s are on %w", r.BlkioWeight, layerDir, err)
		}
	}
	for _, d := range r.BlkioWeightDevice {
		dev, isBlock, err := devOf(d.Path)
		if err != nil {
			return fmt.Errorf("blkio_weight_device %s: %w", d.Path, err)
		}
		if !isBlock {
			return fmt.Errorf("blkio_weight_device %s: not a block device", d.Path)
		}
		disk, err := blockDevice(sys, dev, false)
		if err != nil {
			return fmt.Errorf("blkio_weight_device %s: %w", d.Path, err)
		}
		if err := disk.honoursWeights(); err != nil {
			return fmt.Errorf("blkio_weight_device %s: %w", d.Path, err)
		}
	}
	return nil
}

// disk is a whole block device as sysfs shows it.
type disk struct {
	name      string // vda, loop3
	number    string // MAJ:MIN
	scheduler string // the active one: mq-deadline, bfq, none
}

// blockDevice finds dev in sys/dev/block. A partition is refused unless
// wholeDisk, which then gives the disk it is part of (for the file system
// holding a directory, whose I/O reaches that disk).
func blockDevice(sys string, dev uint64, wholeDisk bool) (disk, error) {
	number := fmt.Sprintf("%d:%d", unix.Major(dev), unix.Minor(dev))
	dir, err := filepath.EvalSymlinks(filepath.Join(sys, "dev", "block", number))
	if err != nil {
		return disk{}, fmt.Errorf("device %s is not a block device the kernel lists in %s/dev/block: %w", number, sys, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "partition")); err == nil {
		if !wholeDisk {
			return disk{}, fmt.Errorf("%s (%s) is a partition: the kernel takes weights for whole disks only (%s), as it answers ENODEV", filepath.Base(dir), number, filepath.Base(filepath.Dir(dir)))
		}
		dir = filepath.Dir(dir)
		number = readTrim(filepath.Join(dir, "dev"))
	}
	d := disk{name: filepath.Base(dir), number: number}
	line := readTrim(filepath.Join(dir, "queue", "scheduler"))
	if line == "" {
		return disk{}, fmt.Errorf("/dev/%s (%s) has no I/O scheduler (%s/queue/scheduler missing or empty)", d.name, number, dir)
	}
	d.scheduler = activeScheduler(line)
	return d, nil
}

// honoursWeights says whether the disk's scheduler applies cgroup
// weights, and if not, which one it has.
func (d disk) honoursWeights() error {
	if d.scheduler == "bfq" {
		return nil
	}
	return fmt.Errorf("/dev/%s (%s), whose I/O scheduler %s ignores weights: only bfq honours them (the host's choice, in /sys/block/%s/queue/scheduler)",
		d.name, d.number, d.scheduler, d.name)
}

// activeScheduler picks the bracketed entry of a queue/scheduler line
// ("none [mq-deadline] kyber bfq"); a line without brackets names one.
func activeScheduler(line string) string {
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]") {
			return strings.Trim(f, "[]")
		}
	}
	if f := strings.Fields(line); len(f) == 1 {
		return f[0]
	}
	return "none"
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
