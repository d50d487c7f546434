package spec

import (
	"errors"
	"regexp"
	"strings"
	"sync"

	"berth/runtime/kinderr"
)

// ErrInvalid marks every validation failure, so callers can tell bad input
// from an engine fault without matching strings.
var ErrInvalid = errors.New("invalid argument")

// invalidf builds a validation error that matches ErrInvalid but prints
// only the message (Docker's text where there is one).
func invalidf(format string, args ...any) error {
	return kinderr.Errorf(ErrInvalid, format, args...)
}

// namePattern is Docker's rule for container and volume names.
var namePattern = lazyRegexp(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidName reports whether s follows Docker's naming rule.
func ValidName(s string) bool { return namePattern().MatchString(s) }

// Host describes the machine limits are checked against.
type Host struct {
	NumCPU int   // CPUs usable (--cpus range)
	CPUs   []int // CPU numbers present (--cpuset-cpus)
	Mems   []int // memory nodes present (--cpuset-mems); nil: not checked
}

// Validate runs every check on c and returns the first failure.
func (c *Container) Validate(h Host) error {
	checks := []func() error{
		c.checkName,
		c.checkImage,
		func() error { return CheckPull(c.Pull) },
		func() error { return CheckPlatform(c.Platform) },
		func() error { return CheckEnv(c.Env) },
		c.checkArgv,
		func() error { return CheckUser(c.User) },
		c.checkHostname,
		c.checkWorkdir,
		c.checkNetwork,
		c.checkMounts,
		c.checkStorageOpt,
		func() error { return c.Resources.Validate(h) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Container) checkName() error {
	if c.Name == "" {
		return nil
	}
	if !ValidName(c.Name) {
		return invalidf("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", c.Name)
	}
	return nil
}

func (c *Container) checkImage() error {
	if strings.TrimSpace(c.Image) == "" {
		return invalidf("image: want an image reference such as \"busybox\", got an empty string")
	}
	return nil
}

// hostnamePattern is RFC 1123: labels of letters, digits and hyphens.
var hostnamePattern = lazyRegexp(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)

func (c *Container) checkHostname() error {
	if c.Hostname == "" {
		return nil
	}
	if len(c.Hostname) > 63 || !hostnamePattern().MatchString(c.Hostname) {
		return invalidf("invalid hostname %q: want letters, digits, hyphens and dots, at most 63 characters", c.Hostname)
	}
	return nil
}

func (c *Container) checkWorkdir() error {
	if c.Workdir != "" && !strings.HasPrefix(c.Workdir, "/") {
		return invalidf("the working directory '%s' is invalid, it needs to be an absolute path", c.Workdir)
	}
	return nil
}

func (c *Container) checkNetwork() error {
	mode := c.Network
	switch {
	case mode == "default":
		mode = ""
	case mode == "container:":
		return invalidf("invalid network %q: want \"container:NAME\"", c.Network)
	case strings.HasPrefix(mode, "container:"):
		switch {
		case c.Hostname != "":
			return invalidf("conflicting options: hostname and the network mode: got hostname %q with network %q", c.Hostname, c.Network)
		case len(c.Ports) > 0:
			return invalidf("conflicting options: port publishing and the container type network mode: got ports %q with network %q", c.Ports, c.Network)
		case len(c.Links) > 0:
			return invalidf("conflicting options: container type network can't be used with links. This would result in undefined behavior: got links %q with network %q", c.Links, c.Network)
		}
	case mode == "host" && len(c.Links) > 0:
		return invalidf("conflicting options: host type networking can't be used with links. This would result in undefined behavior: got links %q", c.Links)
	}
	if _, err := CheckEndpoint(IPNetwork{Name: shownNetwork(mode), User: UserNetwork(mode), Unresolved: true}, c.Aliases, c.IP); err != nil {
		return err
	}
	for _, l := range c.Links {
		name, alias, _ := strings.Cut(l, ":")
		if name == "" || strings.Count(l, ":") > 1 || (strings.Contains(l, ":") && alias == "") {
			return invalidf("invalid link %q: want \"name:alias\" or \"name\"", l)
		}
		if alias != "" {
			if err := CheckAlias(alias); err != nil {
				return invalidf("invalid link %q: %v", l, err)
			}
		}
	}
	return nil
}

// shownNetwork is the network mode as a user would name it.
func shownNetwork(mode string) string {
	if mode == "" {
		return "bridge"
	}
	return mode
}

// UserNetwork reports whether a network mode names a user-defined network
// rather than one of the predefined ones.
func UserNetwork(mode string) bool {
	switch mode {
	case "", "default", "bridge", "none", "host":
		return false
	}
	return !strings.HasPrefix(mode, "container:")
}

func (c *Container) checkMounts() error {
	seen := map[string]bool{}
	for _, m := range c.Mounts {
		if err := m.Validate(); err != nil {
			return err
		}
		t := m.CleanTarget()
		if seen[t] {
			return invalidf("Duplicate mount point: %s", t)
		}
		seen[t] = true
	}
	for _, vf := range c.VolumesFrom {
		if _, _, err := ParseVolumesFrom(vf); err != nil {
			return err
		}
	}
	return nil
}

// lazyRegexp compiles expr on first use. Every container's init is this
// binary re-executed, and package initialisation runs before the init can
// take over: a pattern compiled there costs every start (hostnamePattern
// alone was most of this package's 2 ms at init on this VM).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
