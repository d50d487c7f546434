// Package sizedfs gives a container's writable layer a hard size limit on a
// host whose file system has no project quota (ext4 here, where Docker's
// --storage-opt size needs xfs with pquota): an ext4 image file of the
// size, formatted and mounted through a loop device, on which the overlay's
// upper and work directories live. A write past the size fails with
// ENOSPC, as with Docker's quota.
//
// The loop device is attached with LO_FLAGS_AUTOCLEAR, so the kernel
// detaches it when the file system is unmounted, or when the process that
// attached it dies before mounting it: nothing outlives an Unmount but the
// image file, which lives in the container's directory and goes with it.
package sizedfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// mkfsOptions make a small, quick ext4: no journal (the layer dies with
// its container, a crash loses nothing worth replaying), no blocks
// reserved for root, no room kept for growing, an inode per 8 KiB (ext4
// cannot add inodes later), and inode tables left for the kernel.
var mkfsOptions = []string{
	"-q", "-F", "-t", "ext4", "-b", "4096", "-m", "0", "-i", "8192",
	"-O", "^has_journal,^resize_inode", "-E", "lazy_itable_init=1,nodiscard",
}

// ImageSize is the size of the image file holding a layer of size bytes:
// ext4 keeps 3 to 5% of it for inode tables, bitmaps and descriptors, so
// the image is 1/16 and 1 MiB larger and the files in it get at least
// size bytes (and at most about 3% more: the tests check both).
func ImageSize(size int64) int64 {
	n := size + size/16 + 1<<20
	return (n + 4095) &^ 4095
}

// Make creates image, an ext4 file system of at least size usable bytes,
// and mounts it at mountpoint (created). On failure nothing is left: no
// image, no mount point, no loop device. The size's range is
// runtime/spec's to check (spec.MinStorageSize, spec.MaxStorageSize).
func Make(image, mountpoint string, size int64) (err error) {
	if size <= 0 {
		return fmt.Errorf("sized layer: size %d: want a positive number of bytes", size)
	}
	f, err := os.OpenFile(image, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sized layer: %w", err)
	}
	defer func() {
		f.Close()
		if err != nil {
			os.Remove(image)
		}
	}()
	if err := f.Truncate(ImageSize(size)); err != nil {
		return fmt.Errorf("sized layer: %w", err)
	}
	if out, err := exec.Command("mkfs.ext4", append(mkfsOptions, image)...).CombinedOutput(); err != nil {
		return fmt.Errorf("sized layer: mkfs.ext4 %s: %w: %s", image, err, strings.TrimSpace(string(out)))
	}
	if err := os.Mkdir(mountpoint, 0o700); err != nil {
		return fmt.Errorf("sized layer: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(mountpoint)
		}
	}()
	loop, err := attach(f)
	if err != nil {
		return err
	}
	// The device closes on return: from then on the mount alone holds
	// it, and AUTOCLEAR detaches it at the unmount.
	defer loop.Close()
	// noinit_itable: the inode tables are never zeroed behind our back;
	// a fresh file system's tables are read as zero anyway (sparse file).
	// No nosuid or nodev: the overlay above decides, as on Docker's disk.
	if err := unix.Mount(loop.Name(), mountpoint, "ext4", 0, "noinit_itable"); err != nil {
		return fmt.Errorf("sized layer: mount %s at %s: %w", loop.Name(), mountpoint, err)
	}
	return nil
}

// attach binds f to a free loop device, retrying while other processes
// take the free device first.
func attach(f *os.File) (*os.File, error) {
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("sized layer: %w", err)
	}
	defer ctl.Close()
	cfg := unix.LoopConfig{Fd: uint32(f.Fd())}
	cfg.Info.Flags = unix.LO_FLAGS_AUTOCLEAR
	copy(cfg.Info.File_name[:], f.Name())
	for range 20 {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return nil, fmt.Errorf("sized layer: find a free loop device: %w", err)
		}
		dev, err := os.OpenFile(fmt.Sprintf("/dev/loop%d", n), os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) { // devtmpfs has not made the node yet
				time.Sleep(time.Millisecond)
				continue
			}
			return nil, fmt.Errorf("sized layer: %w", err)
		}
		err = unix.IoctlLoopConfigure(int(dev.Fd()), &cfg)
		if err == nil {
			return dev, nil
		}
		dev.Close()
		if !errors.Is(err, unix.EBUSY) {
			return nil, fmt.Errorf("sized layer: attach %s to /dev/loop%d: %w", f.Name(), n, err)
		}
	}
	return nil, fmt.Errorf("sized layer: attach %s: every free loop device was taken by someone else first", f.Name())
}

// Unmount detaches the file system at mountpoint, if one is mounted
// there (the kernel then releases its loop device), and removes the
// mount point and image. Nothing there is fine.
func Unmount(image, mountpoint string) error {
	// MNT_DETACH: a dying process holding a file must not block the
	// removal; the kernel frees the file system when it lets go.
	for range 8 {
		err := unix.Unmount(mountpoint, unix.MNT_DETACH)
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
			break
		}
		if err != nil {
			return fmt.Errorf("sized layer: unmount %s: %w", mountpoint, err)
		}
	}
	if m, err := mountinfo.Mounted(mountpoint); err == nil && m {
		return fmt.Errorf("sized layer: %s: still mounted after unmount", mountpoint)
	}
	if err := os.Remove(mountpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sized layer: %w", err)
	}
	if err := os.Remove(image); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sized layer: %w", err)
	}
	return nil
}

// LoopDevices lists the loop devices whose backing file lies under dir
// (as the kernel names it in /sys/block/loopN/loop/backing_file), as
// /dev/loopN paths.
func LoopDevices(dir string) ([]string, error) {
	return loopDevices("/sys/block", dir)
}

func loopDevices(sysBlock, dir string) ([]string, error) {
	entries, err := os.ReadDir(sysBlock)
	if err != nil {
		return nil, fmt.Errorf("list loop devices: %w", err)
	}
	prefix := filepath.Clean(dir) + "/"
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "loop") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(sysBlock, e.Name(), "loop", "backing_file"))
		if err != nil {
			continue // not bound
		}
		if strings.HasPrefix(strings.TrimSpace(string(b)), prefix) {
			out = append(out, "/dev/"+e.Name())
		}
	}
	return out, nil
}

// DetachUnder asks the kernel to detach the loop devices backed by files
// under dir: at once if nothing holds one, else (LOOP_CLR_FD on a busy
// device) when its last user lets go, so a live container's layer keeps
// working. It returns how many were gone right after.
func DetachUnder(dir string) (int, error) {
	devs, err := LoopDevices(dir)
	if err != nil || len(devs) == 0 {
		return 0, err
	}
	var errs []error
	for _, d := range devs {
		f, err := os.OpenFile(d, os.O_RDONLY, 0)
		if err != nil {
			continue
		}
		err = unix.IoctlSetInt(int(f.Fd()), unix.LOOP_CLR_FD, 0)
		f.Close()
		if err != nil && !errors.Is(err, unix.ENXIO) { // ENXIO: gone already
			errs = append(errs, fmt.Errorf("detach %s: %w", d, err))
		}
	}
	left, err := LoopDevices(dir)
	if err != nil {
		errs = append(errs, err)
	}
	return max(len(devs)-len(left), 0), errors.Join(errs...)
}
