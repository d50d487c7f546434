package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
	"berth/runtime/spec"
)

// defaultPath is Docker's PATH for images that set none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ProcessOptions is what NewProcess builds a container's process from.
type ProcessOptions struct {
	Rootfs   string // the container's root filesystem on the host
	Name     string // the container's name, for errors
	Hostname string
	Args     []string
	User     string // as docker run -u takes it; "" is root
	// LinkEnv (--link's), Env (the container's) and ExtraEnv (exec -e)
	// are merged in that order, each over the ones before.
	LinkEnv, Env, ExtraEnv []string
	// Workdir is used as given (exec -w). Without it, DefaultWorkdir is,
	// created in the container when missing ("" is "/").
	Workdir, DefaultWorkdir string
	Stdin                   *string
}

// NewProcess builds a process of the container as Docker does: the user
// looked up in the container's own account files, Docker's default
// environment, and the working directory.
func NewProcess(o ProcessOptions) (*Process, error) {
	u, err := lookupUser(o.Rootfs, o.Name, o.User)
	if err != nil {
		return nil, err
	}
	cwd := o.Workdir
	if cwd == "" {
		if cwd, err = makeWorkdir(o.Rootfs, o.Name, o.DefaultWorkdir); err != nil {
			return nil, err
		}
	}
	p := &Process{
		Args: o.Args, Env: processEnv(o, u), Cwd: cwd,
		UID: u.Uid, GID: u.Gid, Groups: u.Sgids,
	}
	if o.Stdin != nil {
		p.Stdin = strings.NewReader(*o.Stdin)
	}
	return p, nil
}

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

// lookupUser looks the user up in the container's own /etc/passwd and
// /etc/group, as Docker does (never the host's). A missing file counts as
// empty, as in Docker; one that cannot be read is an error.
func lookupUser(rootfs, name, spec string) (*user.ExecUser, error) {
	root, err := fsroot.Open(rootfs)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	defer root.Close()
	passwd, err := readEtcFile(root, "/etc/passwd")
	if err != nil {
		return nil, fmt.Errorf("unable to find user %s: %w", spec, err)
	}
	group, err := readEtcFile(root, "/etc/group")
	if err != nil {
		return nil, fmt.Errorf("unable to find user %s: %w", spec, err)
	}
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	u, err := user.GetExecUser(spec, defaults, passwd, group)
	if err != nil {
		return nil, err // already Docker's "unable to find user NAME: ..."
	}
	return u, nil
}

// readEtcFile reads one of the container's account files, or returns nil
// if it has none.
func readEtcFile(root *fsroot.Root, path string) (io.Reader, error) {
	data, err := root.ReadFile(path, fsroot.MaxReadFile)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return nil, nil
	}
	var notRegular *fsroot.NotRegularError
	if errors.As(err, &notRegular) {
		// A FIFO there would have blocked the start, holding the lock.
		return nil, fmt.Errorf("%s in the container is %w", path, notRegular)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s in the container: %w", path, fsroot.UnwrapPath(err))
	}
	return bytes.NewReader(data), nil
}

// processEnv is the environment of a process in the container: Docker
// adds PATH (if missing), HOSTNAME and HOME to the configured variables.
func processEnv(o ProcessOptions, u *user.ExecUser) []string {
	env := spec.MergeEnv(spec.MergeEnv(o.LinkEnv, o.Env), o.ExtraEnv)
	var add []string
	if !hasKey(env, "PATH") {
		add = append(add, defaultPath)
	}
	add = append(add, "HOSTNAME="+o.Hostname)
	if !hasKey(env, "HOME") {
		add = append(add, "HOME="+u.Home)
	}
	return append(add, env...)
}

// makeWorkdir returns the working directory, creating it in the
// container's root filesystem when missing (Docker does the same).
func makeWorkdir(rootfs, name, dir string) (string, error) {
	if dir == "" {
		return "/", nil
	}
	root, err := fsroot.Open(rootfs)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", name, err)
	}
	defer root.Close()
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create workdir %q: %w", dir, fsroot.UnwrapPath(err))
	}
	return dir, nil
}
