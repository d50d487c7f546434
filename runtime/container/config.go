package container

import (
	"fmt"
	"os"
	goruntime "runtime"
	"slices"
	"sync"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// NetMode says which network namespace a container gets.
type NetMode int

const (
	// NetPrivate is a new network namespace; libcontainer brings up lo only,
	// the engine wires anything else between Start and Exec.
	NetPrivate NetMode = iota
	// NetHost shares the host's network namespace.
	NetHost
	// NetJoin joins the namespace at Config.NetNSPath (container:NAME).
	NetJoin
)

// Config describes one container to libcontainer.
type Config struct {
	ID             string
	Rootfs         string
	Hostname       string
	ReadonlyRootfs bool
	Net            NetMode
	NetNSPath      string // with NetJoin
	Binds          []Bind // files and directories from the host (/etc/hosts, volumes)
	Tmpfs          []Tmpfs
	Resources      spec.Resources
	// CgroupView mounts the container's own cgroups, read-only, at
	// /sys/fs/cgroup, as Docker does, so runtimes inside (JVM, Go, Node)
	// read their limits there. It costs a cgroup namespace and mounts on
	// every start (a tmpfs and one per hierarchy on v1).
	CgroupView bool
}

// Bind is a bind mount from the host into the container.
type Bind struct {
	Source, Destination string
	ReadOnly            bool
}

// Tmpfs is a tmpfs mounted in the container.
type Tmpfs struct {
	Destination string
	Size        int64  // bytes; 0 = the kernel's default
	Mode        uint32 // 0 = 01777, Docker's default
	ReadOnly    bool
}

// CgroupPrefix starts the name of every cgroup berth creates, directly under
// each hierarchy's root: an absolute path, so it never nests under the
// calling shell's cgroup, and flat, so concurrent berth processes share no
// parent directory that one might remove under another.
const CgroupPrefix = "berth-"

// CgroupPath is the cgroup of the container with the given id.
func CgroupPath(id string) string { return "/" + CgroupPrefix + id }

// defaultCapabilities is Docker's default capability set.
var defaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// Docker's masked and read-only /proc and /sys paths.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// dockerMounts are the mounts Docker gives every container.
func dockerMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
	}
}

// ociSpec builds the OCI runtime spec for cfg, with Docker's defaults.
func ociSpec(cfg *Config) (*specs.Spec, error) {
	caps := append([]string(nil), defaultCapabilities...)
	s := &specs.Spec{
		Version:  specs.Version,
		Root:     &specs.Root{Path: cfg.Rootfs, Readonly: cfg.ReadonlyRootfs},
		Hostname: cfg.Hostname,
		Mounts:   dockerMounts(),
		Process: &specs.Process{
			Capabilities: &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps},
		},
		Linux: &specs.Linux{
			CgroupsPath:   CgroupPath(cfg.ID),
			MaskedPaths:   maskedPaths,
			ReadonlyPaths: readonlyPaths,
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
				{Type: specs.IPCNamespace}, {Type: specs.PIDNamespace},
			},
		},
	}
	switch cfg.Net {
	case NetPrivate:
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	case NetJoin:
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: cfg.NetNSPath})
	case NetHost:
		// sysfs of the host's network namespace cannot be mounted from a
		// new mount namespace without owning it: bind it, as runc does.
		for i, m := range s.Mounts {
			if m.Destination == "/sys" {
				s.Mounts[i] = specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
			}
		}
	}
	if cfg.CgroupView {
		// In a cgroup namespace of its own (Docker's default on v2) the
		// container's cgroup is the root of each hierarchy it mounts.
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
		if unifiedMode() {
			// One read-only cgroup2 mount.
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
				Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}})
		}
		// On v1, Start mounts the view itself (see cgroupview.go).
	}
	for _, b := range cfg.Binds {
		opts := []string{"rbind", "rprivate"}
		if b.ReadOnly {
			opts = append(opts, "ro")
		}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: b.Destination, Type: "bind", Source: b.Source, Options: opts})
	}
	for _, t := range cfg.Tmpfs {
		mode := t.Mode
		if mode == 0 {
			mode = 0o1777
		}
		opts := []string{"nosuid", "nodev", "noexec", fmt.Sprintf("mode=%o", mode)}
		if t.Size > 0 {
			opts = append(opts, fmt.Sprintf("size=%d", t.Size))
		}
		if t.ReadOnly {
			opts = append(opts, "ro")
		}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: t.Destination, Type: "tmpfs", Source: "tmpfs", Options: opts})
	}
	return s, nil
}

// libcontainerConfig converts cfg into libcontainer's configuration.
func (r *Runtime) libcontainerConfig(cfg *Config) (*configs.Config, error) {
	s, err := ociSpec(cfg)
	if err != nil {
		return nil, err
	}
	lc, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{CgroupName: cfg.ID, Spec: s})
	if err != nil {
		return nil, fmt.Errorf("container %s: build runtime config: %w", cfg.ID, err)
	}
	if err := applyResources(lc.Cgroups.Resources, cfg.Resources); err != nil {
		return nil, fmt.Errorf("container %s: %w", cfg.ID, err)
	}
	if seccompSupported {
		sc, err := r.defaultSeccomp()
		if err != nil {
			return nil, err
		}
		lc.Seccomp = sc
	}
	return lc, nil
}

// defaultSeccomp converts Docker's default profile once per Runtime: it
// depends only on the (fixed) default capability set.
func (r *Runtime) defaultSeccomp() (*configs.Seccomp, error) {
	r.seccompOnce.Do(func() {
		caps := append([]string(nil), defaultCapabilities...)
		s := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}}}
		profile, err := seccomp.GetDefaultProfile(s)
		if err != nil {
			r.seccompErr = fmt.Errorf("load default seccomp profile: %w", err)
			return
		}
		r.seccomp, r.seccompErr = specconv.SetupSeccomp(profile)
		if r.seccomp != nil {
			r.seccomp.Architectures = nativeOnly(r.seccomp.Architectures)
		}
	})
	return r.seccomp, r.seccompErr
}

// nativeOnly keeps the native architecture of Docker's profile and drops
// the compatibility ones (x86 and x32 on amd64). libcontainer compiles the
// filter in every container's init, and the three-architecture filter
// costs about 25 ms per start on a 2-core VM against 3 ms for one. The
// price: 32-bit system calls are refused, which only 32-bit binaries
// make. This is berth's one deliberate difference from Docker's profile.
func nativeOnly(arches []string) []string {
	native := goruntime.GOARCH
	if native == "386" {
		native = "x86"
	}
	if slices.Contains(arches, native) {
		return []string{native}
	}
	return arches
}

type seccompCache struct {
	seccompOnce sync.Once
	seccomp     *configs.Seccomp
	seccompErr  error
}

// applyResources maps Docker-style limits onto libcontainer's cgroup
// resources.
func applyResources(dst *cgroups.Resources, r spec.Resources) error {
	r.Normalize()
	dst.Memory = r.Memory
	dst.MemorySwap = r.MemorySwap
	if dst.MemorySwap != 0 && !swapAccounting() {
		dst.MemorySwap = 0 // no memsw files: the kernel cannot limit swap
	}
	dst.CpuShares = uint64(r.CPUShares)
	dst.CpuPeriod = uint64(r.CPUPeriod)
	dst.CpuQuota = r.CPUQuota
	if r.NanoCPUs > 0 {
		dst.CpuPeriod = 100000
		dst.CpuQuota = r.NanoCPUs * 100000 / 1e9
	}
	dst.MemoryReservation = r.MemoryReservation
	dst.CpusetCpus = r.CpusetCpus
	dst.CpusetMems = r.CpusetMems
	if r.PidsLimit != 0 {
		limit := r.PidsLimit
		dst.PidsLimit = &limit
	} else {
		dst.PidsLimit = nil
	}
	var err error
	if dst.BlkioThrottleReadBpsDevice, err = throttleDevices(r.BlkioRead); err != nil {
		return err
	}
	if dst.BlkioThrottleWriteBpsDevice, err = throttleDevices(r.BlkioWrite); err != nil {
		return err
	}
	if dst.BlkioThrottleReadIOPSDevice, err = throttleDevices(r.BlkioReadIO); err != nil {
		return err
	}
	if dst.BlkioThrottleWriteIOPSDevice, err = throttleDevices(r.BlkioWriteIO); err != nil {
		return err
	}
	// Checked against the devices' schedulers at create (CheckBlkioWeights).
	dst.BlkioWeight = uint16(r.BlkioWeight)
	dst.BlkioWeightDevice = nil
	for _, d := range r.BlkioWeightDevice {
		var st unix.Stat_t
		if err := unix.Stat(d.Path, &st); err != nil {
			return fmt.Errorf("stat %s: %w", d.Path, err)
		}
		dst.BlkioWeightDevice = append(dst.BlkioWeightDevice,
			cgroups.NewWeightDevice(int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), uint16(d.Weight), 0))
	}
	return nil
}

// CheckDevices resolves the block devices of r's throttle limits, as
// Docker does at create and update: a missing device or one that is not a
// block device is refused before anything is made or changed.
func CheckDevices(r spec.Resources) error {
	for _, list := range [][]spec.ThrottleDevice{r.BlkioRead, r.BlkioWrite, r.BlkioReadIO, r.BlkioWriteIO} {
		if _, err := throttleDevices(list); err != nil {
			return kinderr.Errorf(spec.ErrInvalid, "%s", err.Error())
		}
	}
	return nil
}

func throttleDevices(list []spec.ThrottleDevice) ([]*cgroups.ThrottleDevice, error) {
	var out []*cgroups.ThrottleDevice
	for _, d := range list {
		var st unix.Stat_t
		if err := unix.Stat(d.Path, &st); err != nil {
			return nil, fmt.Errorf("stat %s: %w", d.Path, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFBLK {
			return nil, fmt.Errorf("%s is not a block device", d.Path)
		}
		out = append(out, cgroups.NewThrottleDevice(int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), d.Rate))
	}
	return out, nil
}

// swapAccounting reports whether the kernel can limit memory+swap.
func swapAccounting() bool {
	if cgroups.IsCgroup2UnifiedMode() {
		return true
	}
	_, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
	return err == nil
}

// SeccompSupported reports whether this binary applies Docker's default
// seccomp profile (built with the seccomp tag and libseccomp).
func SeccompSupported() bool { return seccompSupported }
