package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"berth/runtime/sizedfs"
)

// Names inside a container's directory.
const (
	upperName = "upper"
	workName  = "work"
	mountName = "rootfs"
	// A sized layer (storage_opt size): its file system, mounted at
	// layer/ and holding upper/ and work/, and the image file behind it.
	sizedName      = "layer"
	sizedImageName = "layer.img"
)

// MountRootfs mounts a container's root filesystem at dir/rootfs: an overlay
// with the image's RootDir as the read-only lower layer and dir/upper as the
// container's private layer (dir/work is overlayfs' scratch space). It
// returns dir/rootfs. With readonly the whole mount is read-only; for
// Docker's --read-only prefer readonly=false and a read-only root in the
// container config, so the runtime can still create mount points first.
func MountRootfs(img *Image, dir string, readonly bool) (rootfs string, err error) {
	return mountRootfs(img, dir, readonly, 0)
}

// MountRootfsSized is MountRootfs with the container's layer limited to
// size bytes (storage_opt size): upper/ and work/ live on a file system
// of that size (runtime/sizedfs) mounted at dir/layer, so a write past it
// fails with ENOSPC.
func MountRootfsSized(img *Image, dir string, size int64) (rootfs string, err error) {
	return mountRootfs(img, dir, false, size)
}

// layerDir is the directory holding dir's upper/ and work/: the sized
// layer's file system when there is one.
func layerDir(dir string) string {
	if _, err := os.Lstat(filepath.Join(dir, sizedName)); err == nil {
		return filepath.Join(dir, sizedName)
	}
	return dir
}

func mountRootfs(img *Image, dir string, readonly bool, size int64) (rootfs string, err error) {
	if img == nil || (img.RootDir == "" && len(img.Layers) == 0) {
		return "", errors.New("mount root filesystem: no image given")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("mount root filesystem: %w", err)
	}
	layer := dir
	if size > 0 {
		layer = filepath.Join(dir, sizedName)
	}
	lowers, upper, work, target := img.lowerDirs(), filepath.Join(layer, upperName), filepath.Join(layer, workName), filepath.Join(dir, mountName)
	for _, p := range append([]string{upper, work}, lowers...) {
		// The mount options are a comma-separated list and lowerdir a
		// colon-separated one.
		if strings.ContainsAny(p, ",:\\") {
			return "", fmt.Errorf("mount root filesystem: path %q holds one of , : \\ which overlayfs options cannot carry", p)
		}
	}
	var st unix.Stat_t
	if err := unix.Stat(lowers[0], &st); err != nil {
		return "", fmt.Errorf("mount root filesystem: image %s: %w", img.ID, err)
	}
	created := []string{}
	defer func() {
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				os.RemoveAll(created[i])
			}
		}
	}()
	if size > 0 {
		image := filepath.Join(dir, sizedImageName)
		if err := sizedfs.Make(image, layer, size); err != nil {
			return "", fmt.Errorf("mount root filesystem: %w", err)
		}
		defer func() {
			if err != nil {
				_ = sizedfs.Unmount(image, layer)
			}
		}()
	}
	for _, p := range []string{upper, work, target} {
		if err := os.Mkdir(p, 0o755); err != nil {
			if !errors.Is(err, os.ErrExist) {
				return "", fmt.Errorf("mount root filesystem: %w", err)
			}
			if p == target {
				if m, _ := mountinfo.Mounted(target); m {
					return "", fmt.Errorf("mount root filesystem: %q is already mounted", target)
				}
			}
			continue // a stopped container's layer, mounted again
		}
		created = append(created, p)
	}
	// The merged root takes owner and mode from the upper directory: copy
	// them from the image's root.
	if err := os.Lchown(upper, int(st.Uid), int(st.Gid)); err != nil {
		return "", fmt.Errorf("mount root filesystem: %w", err)
	}
	if err := unix.Chmod(upper, st.Mode&0o7777); err != nil {
		return "", fmt.Errorf("mount root filesystem: chmod %q: %w", upper, err)
	}
	if err := mountOverlay(lowers, upper, work, target, readonly); err != nil {
		return "", fmt.Errorf("mount root filesystem: image %s: %w", img.ID, err)
	}
	return target, nil
}

// UnmountRootfs undoes MountRootfs: it detaches dir/rootfs and removes the
// container's layer (dir/upper, dir/work, dir/rootfs). It is idempotent:
// nothing mounted or nothing there is fine.
func UnmountRootfs(dir string) error {
	target := filepath.Join(dir, mountName)
	// MNT_DETACH: a process still holding a file open in the root filesystem
	// (say, a dying container) does not block the cleanup; the kernel frees
	// the mount when it lets go. Loop in case something was stacked on top.
	for range 8 {
		err := unix.Unmount(target, unix.MNT_DETACH)
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
			break
		}
		if err != nil {
			return fmt.Errorf("unmount root filesystem %q: %w", target, err)
		}
	}
	// Deleting through a live overlay would only whiteout, never free:
	// make sure nothing is mounted before removing the layer.
	mounted, err := mountinfo.Mounted(target)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unmount root filesystem %q: %w", target, err)
	}
	if mounted {
		return fmt.Errorf("unmount root filesystem %q: still mounted after unmount", target)
	}
	// A sized layer goes whole with its file system: no file-by-file
	// removal of upper/.
	if err := sizedfs.Unmount(filepath.Join(dir, sizedImageName), filepath.Join(dir, sizedName)); err != nil {
		return fmt.Errorf("remove container layer: %w", err)
	}
	for _, name := range []string{mountName, workName, upperName} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("remove container layer: %w", err)
		}
	}
	return nil
}
