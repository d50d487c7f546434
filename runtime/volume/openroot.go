package volume

import (
	"os"
	"path/filepath"

	"berth/runtime/fsroot"
)

// OpenRoot opens the part of a stopped container's filesystem that holds
// path (absolute, inside the container) and returns it with path's place
// inside it: the volume or bind of mps mounted at path, else rootfs (the
// overlay). Only the root is opened by a host path: see fsroot.
func OpenRoot(rootfs string, mps []MountPoint, path string) (*fsroot.Root, string, error) {
	dir, inside := rootfs, path
	if host, rest, ok := HostPath(mps, path); ok {
		dir, inside = host, "/"+rest
		if fi, err := os.Stat(host); err == nil && !fi.IsDir() {
			// A file bind: the file is reached from its directory.
			dir, inside = filepath.Dir(host), filepath.Join("/", filepath.Base(host), rest)
		}
	}
	r, err := fsroot.Open(dir)
	if err != nil {
		return nil, "", err
	}
	return r, inside, nil
}
