package spec

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// MountType is --mount's type=.
type MountType string

const (
	MountBind   MountType = "bind"
	MountVolume MountType = "volume"
	MountTmpfs  MountType = "tmpfs"
)

// Mount is one volume, bind or tmpfs of a container, from -v or --mount.
type Mount struct {
	Type     MountType
	Source   string // bind: absolute host path; volume: name ("" = anonymous); tmpfs: ""
	Target   string // absolute path in the container
	ReadOnly bool
	NoCopy   bool  // volume: skip the copy-up of the image's files
	Size     int64 // tmpfs: bytes, 0 = the kernel's default (half of RAM)
	Mode     uint32
	// CreateSource is -v's rule for binds: a missing host path is created
	// as a directory. --mount refuses it instead.
	CreateSource bool
	// Spec is the text as the user gave it to -v, for HostConfig.Binds.
	Spec string
}

// MountMode is the Mode field of docker inspect's Mounts: "ro", or "" for
// a writable bind and "z" for a writable volume, as Docker prints them.
func (m Mount) MountMode() string {
	if m.ReadOnly {
		return "ro"
	}
	if m.Type == MountVolume {
		return "z"
	}
	return ""
}

// ParseVolume parses one -v argument: "/ctr" (an anonymous volume),
// "name:/ctr" (a named volume), "/host:/ctr" (a bind), each with an
// optional ":ro", ":rw" or ":nocopy" suffix. A host path that does not
// start with "/" but starts with "." or holds a "/" is relative to base,
// the scenario's directory.
func ParseVolume(spec, base string) (Mount, error) {
	m := Mount{Spec: spec}
	parts := strings.Split(spec, ":")
	var mode string
	switch len(parts) {
	case 1:
		m.Type, m.Target = MountVolume, parts[0]
	case 2:
		if validModes(parts[1]) && !strings.HasPrefix(parts[1], "/") {
			m.Type, m.Target, mode = MountVolume, parts[0], parts[1]
		} else {
			m.Source, m.Target = parts[0], parts[1]
		}
	case 3:
		m.Source, m.Target, mode = parts[0], parts[1], parts[2]
	default:
		return Mount{}, invalidf("invalid volume specification: '%s': want \"/host/path:/ctr[:ro]\", \"volname:/ctr[:ro]\" or \"/ctr\"", spec)
	}
	if spec == "" {
		return Mount{}, invalidf("invalid volume specification: '': want \"/host/path:/ctr[:ro]\", \"volname:/ctr[:ro]\" or \"/ctr\"")
	}
	if err := m.applyMode(mode); err != nil {
		return Mount{}, err
	}
	if m.Type == "" {
		switch {
		case m.Source == "":
			return Mount{}, invalidf("invalid volume specification: '%s': the host path or volume name before ':' is empty", spec)
		case strings.HasPrefix(m.Source, "/"):
			m.Type = MountBind
		case strings.HasPrefix(m.Source, ".") || strings.Contains(m.Source, "/"):
			m.Type, m.Source = MountBind, filepath.Join(base, m.Source)
		default:
			m.Type = MountVolume
		}
		if m.Type == MountBind {
			m.CreateSource = true
		}
	}
	if m.Type == MountBind && m.NoCopy {
		return Mount{}, invalidf("invalid mode: nocopy: it applies to volumes, not to the bind of %s", m.Source)
	}
	if err := m.Validate(); err != nil {
		return Mount{}, err
	}
	return m, nil
}

var knownModes = []string{"ro", "rw", "nocopy", "z", "Z"}

func validModes(s string) bool {
	for _, w := range strings.Split(s, ",") {
		if !slices.Contains(knownModes, w) {
			return false
		}
	}
	return true
}

// applyMode applies -v's third field, a comma-separated list.
func (m *Mount) applyMode(mode string) error {
	if mode == "" {
		return nil
	}
	var rw, ro bool
	for _, w := range strings.Split(mode, ",") {
		switch w {
		case "ro":
			ro = true
		case "rw":
			rw = true
		case "nocopy":
			m.NoCopy = true
		case "z", "Z":
			// SELinux relabelling: nothing to do without SELinux.
		default:
			return invalidf("invalid mode: %s: want ro, rw or nocopy (comma-separated)", mode)
		}
	}
	if ro && rw {
		return invalidf("invalid mode: %s: ro and rw contradict each other", mode)
	}
	m.ReadOnly = ro
	return nil
}

// Validate checks a mount from either syntax, with Docker's messages.
func (m Mount) Validate() error {
	kind := fmt.Sprintf("invalid mount config for type %q", m.Type)
	switch m.Type {
	case MountBind, MountVolume, MountTmpfs:
	default:
		return invalidf("invalid mount type %q: want \"bind\", \"volume\" or \"tmpfs\"", m.Type)
	}
	if m.Target == "" {
		return invalidf("%s: field Target must not be empty", kind)
	}
	if err := checkPath("mount path", m.Target); err != nil {
		return invalidf("%s: %v", kind, err)
	}
	if m.Target == "/" {
		return invalidf("invalid specification: destination can't be '/'")
	}
	switch m.Type {
	case MountBind:
		if m.Source == "" {
			return invalidf("%s: field Source must not be empty", kind)
		}
		if err := checkPath("bind source path", m.Source); err != nil {
			return invalidf("%s: %v", kind, err)
		}
	case MountVolume:
		if m.Source != "" {
			if err := CheckVolumeName(m.Source, 0); err != nil {
				return err
			}
		}
	case MountTmpfs:
		if m.Source != "" {
			return invalidf("%s: source must not be specified: got source %q", kind, m.Source)
		}
		if m.Size < 0 {
			return invalidf("%s: invalid tmpfs size %d: want a positive size such as \"64m\"", kind, m.Size)
		}
	}
	if m.Type != MountVolume && m.NoCopy {
		return invalidf("%s: nocopy applies to volumes only", kind)
	}
	if m.Type != MountTmpfs && (m.Size != 0 || m.Mode != 0) {
		return invalidf("%s: size and mode apply to tmpfs only", kind)
	}
	return nil
}

// checkPath refuses what could make a mount land somewhere other than
// the path the user wrote: relative paths and ".." elements.
func checkPath(what, p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("invalid mount path: '%s' mount path must be absolute", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("invalid %s: '%s' must not contain '..'", what, p)
		}
	}
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("invalid %s: %q contains a NUL byte", what, p)
	}
	return nil
}

// CleanTarget is the target as the kernel will see it.
func (m Mount) CleanTarget() string { return path.Clean(m.Target) }

// ParseVolumesFrom parses one --volumes-from argument, "name[:ro|:rw]".
// The mode is "" when none was given: the source's own modes apply.
func ParseVolumesFrom(s string) (name, mode string, err error) {
	name, mode, _ = strings.Cut(s, ":")
	if name == "" {
		return "", "", invalidf("invalid volumes_from %q: want \"container[:ro|:rw]\"", s)
	}
	switch mode {
	case "", "ro", "rw":
		return name, mode, nil
	}
	return "", "", invalidf("invalid mode: %s: volumes_from takes ro or rw", mode)
}
