package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/fsroot"
	"berth/runtime/logdriver"
)

// defaultPath is Docker's PATH for images that set none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

// resolveUser looks the user up in the container's own /etc/passwd and
// /etc/group, as Docker does (never the host's). A missing file counts as
// empty, as in Docker; one that cannot be read is an error.
func (c *Container) resolveUser(spec string) (*user.ExecUser, error) {
	root, err := fsroot.Open(c.rootfs)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.name, err)
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
		return nil, fmt.Errorf("read %s in the container: %w", path, unwrapPath(err))
	}
	return bytes.NewReader(data), nil
}

// processEnv is the environment of a process in the container: Docker
// adds PATH (if missing), HOSTNAME and HOME to the configured variables.
func (c *Container) processEnv(u *user.ExecUser, extra []string) []string {
	env := backend.MergeEnv(backend.MergeEnv(c.linkEnv, c.spec.Env), extra)
	var add []string
	if !hasKey(env, "PATH") {
		add = append(add, defaultPath)
	}
	add = append(add, "HOSTNAME="+c.hostname)
	if !hasKey(env, "HOME") {
		add = append(add, "HOME="+u.Home)
	}
	return append(add, env...)
}

// processSpec builds the main process from the container's config.
func (c *Container) processSpec() (*container.Process, error) {
	userSpec := c.spec.User
	if userSpec == "" {
		userSpec = c.img.Config.User
	}
	u, err := c.resolveUser(userSpec)
	if err != nil {
		return nil, err
	}
	cwd, err := c.workdir(c.spec.Workdir)
	if err != nil {
		return nil, err
	}
	p := &container.Process{
		Args: c.args, Env: c.processEnv(u, nil), Cwd: cwd,
		UID: u.Uid, GID: u.Gid, Groups: u.Sgids,
	}
	if c.spec.Stdin != nil {
		p.Stdin = strings.NewReader(*c.spec.Stdin)
	}
	return p, nil
}

// workdir returns the working directory, creating it in the container's
// root filesystem when missing (Docker does the same).
func (c *Container) workdir(dir string) (string, error) {
	if dir == "" {
		dir = c.img.Config.WorkingDir
	}
	if dir == "" {
		return "/", nil
	}
	root, err := fsroot.Open(c.rootfs)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", c.name, err)
	}
	defer root.Close()
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create workdir %q: %w", dir, unwrapPath(err))
	}
	return dir, nil
}

func (c *Container) logInfo() logdriver.Info {
	return logdriver.Info{
		ContainerID:   c.id,
		ContainerName: "/" + c.name,
		ImageName:     c.spec.Image,
		ImageID:       c.img.ID,
		Hostname:      c.hostname,
		DaemonName:    "berth",
		Config:        c.spec.Log.Config,
		LogPath:       c.logPath,
		Env:           c.spec.Env,
		Labels:        c.spec.Labels,
	}
}
