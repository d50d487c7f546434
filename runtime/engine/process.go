package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"berth/runtime/container"
	"berth/runtime/logdriver"
)

// defaultPath is Docker's PATH for images that set none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// mergeEnv overlays user variables on the image's: a user KEY replaces the
// image's KEY in place, new keys follow in order.
func mergeEnv(base, overlay []string) []string {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overlay {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

// resolveUser looks the user up in the container's own /etc/passwd and
// /etc/group, as Docker does (never the host's).
func (c *Container) resolveUser(spec string) (*user.ExecUser, error) {
	var dbs [2]io.Reader // untyped nil for a missing file, as GetExecUser wants
	for i, name := range []string{"/etc/passwd", "/etc/group"} {
		f, err := openUserDB(c.rootfs, name)
		if err != nil {
			return nil, fmt.Errorf("look up user %q: %w", spec, err)
		}
		if f != nil {
			defer f.Close()
			dbs[i] = io.LimitReader(f, maxUserDB)
		}
	}
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	u, err := user.GetExecUser(spec, defaults, dbs[0], dbs[1])
	if err != nil {
		return nil, err // already Docker's "unable to find user NAME: ..."
	}
	return u, nil
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "of type " + m.Type().String()
}

// maxUserDB bounds what is read of a container's /etc/passwd or /etc/group.
const maxUserDB = 16 << 20

// openUserDB opens the container's /etc/passwd or /etc/group, resolved
// inside its root (the container controls the symlinks) and only if it is
// a regular file: the container could make it a FIFO, whose open would
// block the start (holding the container's lock) forever. A missing file
// is nil, nil.
func openUserDB(rootfs, name string) (*os.File, error) {
	h, err := pathrs.OpenInRoot(rootfs, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer h.Close()
	fi, err := h.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s in the container is not a regular file but %s", name, fileKind(fi.Mode()))
	}
	// Reopening the handle opens the inode just checked, whatever the
	// path points to by now.
	return pathrs.Reopen(h, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC)
}

// processEnv is the environment of a process in the container: Docker
// adds PATH (if missing), HOSTNAME and HOME to the configured variables.
func (c *Container) processEnv(u *user.ExecUser, extra []string) []string {
	env := mergeEnv(mergeEnv(c.net.linkEnv, c.spec.Env), extra)
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
	host, err := securejoin.SecureJoin(c.rootfs, dir)
	if err != nil {
		return "", fmt.Errorf("workdir %q: %w", dir, err)
	}
	if err := os.MkdirAll(host, 0o755); err != nil {
		return "", fmt.Errorf("create workdir %q: %w", dir, err)
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

// The standard lines Docker writes at the top of every /etc/hosts.
const hostsHeader = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"

// writeEtcFiles writes the hostname, hosts and resolv.conf files that are
// bind-mounted into the container.
func (c *Container) writeEtcFiles() error {
	hosts := hostsHeader
	resolv, err := containerResolvConf()
	if err != nil {
		return err
	}
	if c.onUserNetwork() {
		resolv = userResolvConf
	}
	if c.net.kind == netHost {
		if data, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(data)
		}
		if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
			resolv = string(data)
		}
	}
	files := map[string]string{
		"hostname":    c.hostname + "\n",
		"hosts":       hosts,
		"resolv.conf": resolv,
	}
	for name, content := range files {
		if err := os.WriteFile(c.dir+"/"+name, []byte(content), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// containerResolvConf is the host's resolv.conf without its nameservers.
// Docker drops the loopback ones, which would point at the container
// itself; berth drops the others too, because a container reaches them
// only through forwarding, which berth never enables. A lookup then fails
// at once (glibc falls back to a local server that is not there) instead
// of after a 10 s timeout, and no query leaves the container's namespace.
func containerResolvConf() (string, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		if os.IsNotExist(err) {
			return "", nil
		}
		return "", fmt.Errorf("read host resolv.conf: %w", err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 1 && f[0] == "nameserver" {
			continue
		}
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String(), nil
}
