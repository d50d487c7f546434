package image

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// The accounts of Docker's busybox image.
const (
	busyboxPasswd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`
	busyboxGroup = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
`
	busyboxShadow = `root:*:10933:0:99999:7:::
daemon:*:10933:0:99999:7:::
bin:*:10933:0:99999:7:::
sys:*:10933:0:99999:7:::
sync:*:10933:0:99999:7:::
mail:*:10933:0:99999:7:::
www-data:*:10933:0:99999:7:::
operator:*:10933:0:99999:7:::
nobody:*:10933:0:99999:7:::
`
)

// busyboxDirs are the directories of Docker's busybox image, with modes.
var busyboxDirs = []struct {
	path string
	mode os.FileMode
}{
	{"bin", 0o755}, {"dev", 0o755}, {"etc", 0o755}, {"home", 0o755},
	{"proc", 0o755}, {"root", 0o700}, {"sys", 0o755}, {"tmp", os.ModeSticky | 0o777},
	{"sbin", 0o755}, {"usr", 0o755}, {"usr/bin", 0o755}, {"usr/sbin", 0o755},
	{"var", 0o755}, {"var/spool", 0o755}, {"var/spool/mail", 0o755}, {"var/www", 0o755},
}

// ensureBusybox returns the busybox image, building it from the host's
// static busybox when the store does not have it. The config depends only
// on the host binary (path, size, mtime), so concurrent builders arrive at
// the same ID and all but one copy are discarded.
func (s *Store) ensureBusybox() (*Image, error) {
	fi, err := os.Stat(s.busybox)
	if err != nil {
		return nil, fmt.Errorf("build image busybox: %w (install the Debian package busybox-static: apt-get install busybox-static, or make setup)", err)
	}
	if err := checkStatic(s.busybox); err != nil {
		return nil, fmt.Errorf("build image busybox: %w", err)
	}
	img, err := s.busyboxLayered(fi)
	if err != nil {
		return nil, fmt.Errorf("build image busybox: %w", err)
	}
	return img, nil
}

// checkStatic refuses a dynamically linked busybox: it would not run in a
// root filesystem without the host's C library.
func checkStatic(bin string) error {
	f, err := elf.Open(bin)
	if err != nil {
		return fmt.Errorf("%s is not a usable busybox: %w", bin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked: install the Debian package busybox-static", bin)
		}
	}
	return nil
}

// buildBusyboxRootfs lays out Docker's busybox image: /bin/busybox, a hard
// link for every applet in /bin (as Docker's image has) and at the path
// `busybox --list-full` gives, the usual directories and /etc accounts.
func buildBusyboxRootfs(bin, rootfs string) (int64, error) {
	for _, d := range busyboxDirs {
		p := filepath.Join(rootfs, d.path)
		if err := os.Mkdir(p, d.mode); err != nil {
			return 0, err
		}
		if err := os.Chmod(p, d.mode); err != nil { // past the umask
			return 0, err
		}
	}
	target := filepath.Join(rootfs, "bin", "busybox")
	size, err := copyFile(bin, target, 0o755)
	if err != nil {
		return 0, err
	}
	applets, err := exec.Command(bin, "--list-full").Output()
	if err != nil {
		return 0, fmt.Errorf("%s --list-full: %w", bin, err)
	}
	for _, line := range strings.Fields(string(applets)) {
		p, ok := cleanEntryPath(line)
		if !ok || p == "." || strings.Contains(p, "\x00") {
			return 0, fmt.Errorf("%s --list-full gave the unusable path %q", bin, line)
		}
		for _, link := range []string{p, path.Join("bin", path.Base(p))} {
			if err := linkApplet(rootfs, target, link); err != nil {
				return 0, err
			}
		}
	}
	for _, f := range []struct {
		name, content string
		mode          os.FileMode
	}{
		{"etc/passwd", busyboxPasswd, 0o644},
		{"etc/group", busyboxGroup, 0o644},
		{"etc/shadow", busyboxShadow, 0o640},
	} {
		p := filepath.Join(rootfs, f.name)
		if err := os.WriteFile(p, []byte(f.content), f.mode); err != nil {
			return 0, err
		}
		if err := os.Chmod(p, f.mode); err != nil {
			return 0, err
		}
	}
	return size, nil
}

func linkApplet(rootfs, target, link string) error {
	p := filepath.Join(rootfs, link)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.Link(target, p); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// copyFile copies a regular file; io.Copy between files uses
// copy_file_range, so the kernel does the work.
func copyFile(src, dst string, mode os.FileMode) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", src, err)
	}
	return n, os.Chmod(dst, mode)
}
