package image

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// mountOverlay mounts an overlay at target with lowers (top layer first) as
// its read-only layers. It builds the mount with fsconfig's "lowerdir+"
// (Linux ≥ 6.8), one layer per call, so a stack of any depth fits: the
// classic mount(2) carries all options in one page (4096 bytes), about 40
// layers of store paths. On an older kernel it falls back to mount(2) with
// a "lowerdir=" list and fails with a clear error when that list does not
// fit in the page.
func mountOverlay(lowers []string, upper, work, target string, readonly bool) error {
	err := mountOverlayAppend(lowers, upper, work, target, readonly)
	if err == nil || !errors.Is(err, errNoLowerdirPlus) {
		return err
	}
	var flags uintptr
	if readonly {
		flags |= unix.MS_RDONLY
	}
	opts := "lowerdir=" + strings.Join(lowers, ":") + ",upperdir=" + upper + ",workdir=" + work
	if len(opts) >= unix.Getpagesize() {
		return fmt.Errorf("mount overlay at %q: %d layers need %d bytes of mount options, more than the page (%d) mount(2) takes, and this kernel has no lowerdir+ (Linux 6.8 or later)",
			target, len(lowers), len(opts), unix.Getpagesize())
	}
	if err := unix.Mount("overlay", target, "overlay", flags, opts); err != nil {
		return fmt.Errorf("mount overlay at %q (%s): %w", target, opts, err)
	}
	return nil
}

var errNoLowerdirPlus = errors.New("the kernel has no fsconfig lowerdir+")

func mountOverlayAppend(lowers []string, upper, work, target string, readonly bool) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if errors.Is(err, unix.ENOSYS) {
		return errNoLowerdirPlus
	}
	if err != nil {
		return fmt.Errorf("mount overlay at %q: fsopen: %w", target, err)
	}
	defer unix.Close(fd)
	if err := unix.FsconfigSetString(fd, "source", "overlay"); err != nil {
		return fmt.Errorf("mount overlay at %q: source: %w", target, err)
	}
	for i, l := range lowers {
		if err := unix.FsconfigSetString(fd, "lowerdir+", l); err != nil {
			if i == 0 && errors.Is(err, unix.EINVAL) {
				return errNoLowerdirPlus
			}
			return fmt.Errorf("mount overlay at %q: lowerdir+ %q: %w", target, l, err)
		}
	}
	if err := unix.FsconfigSetString(fd, "upperdir", upper); err != nil {
		return fmt.Errorf("mount overlay at %q: upperdir %q: %w", target, upper, err)
	}
	if err := unix.FsconfigSetString(fd, "workdir", work); err != nil {
		return fmt.Errorf("mount overlay at %q: workdir %q: %w", target, work, err)
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fmt.Errorf("mount overlay at %q: create: %w", target, err)
	}
	var attr int
	if readonly {
		attr = unix.MOUNT_ATTR_RDONLY
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, attr)
	if err != nil {
		return fmt.Errorf("mount overlay at %q: fsmount: %w", target, err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount overlay at %q: move_mount: %w", target, err)
	}
	return nil
}

// mountedStacks returns the lower directories (top first) of every overlay
// mounted in this mount namespace, in either form the kernel shows them
// ("lowerdir=a:b" or one "lowerdir+=a" per layer).
func mountedStacks() ([][]string, error) {
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("overlay"))
	if err != nil {
		return nil, fmt.Errorf("read mounts: %w", err)
	}
	var stacks [][]string
	for _, m := range mounts {
		var stack []string
		for _, opt := range strings.Split(m.VFSOptions, ",") {
			if l, ok := strings.CutPrefix(opt, "lowerdir+="); ok {
				stack = append(stack, l)
			} else if ls, ok := strings.CutPrefix(opt, "lowerdir="); ok {
				stack = append(stack, strings.Split(ls, ":")...)
			}
		}
		stacks = append(stacks, stack)
	}
	return stacks, nil
}
