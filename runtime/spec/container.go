package spec

// Container is everything `run`/`create` were asked for. Fields left at
// their zero value mean "Docker's default".
type Container struct {
	Name  string // without the leading "/"; empty: the engine picks one
	Image string
	// Pull is when run/create pull the image (PullMissing when empty),
	// for Platform ("os/arch[/variant]"; empty: this machine's).
	Pull     string
	Platform string

	// Cmd and Entrypoint override the image's. A nil slice keeps the
	// image's value; EntrypointSet with an empty Entrypoint clears it
	// (Docker's --entrypoint "").
	Cmd           []string
	Entrypoint    []string
	EntrypointSet bool

	Env      []string // "KEY=value", in the order given
	Hostname string
	Workdir  string
	User     string // "uid", "uid:gid", "name" or "name:group"

	// Stdin, when set, is fed to the main process, which then sees EOF.
	Stdin    *string
	Network  string   // "" or "bridge" (the default bridge), "none", "host", "container:NAME", or a network's name
	Aliases  []string // --net-alias, on the first (user) network
	IP       string   // --ip, on the first (user) network
	Links    []string // --link "name[:alias]"
	Ports    []string // -p "[hostip:]hostport:ctrport[/proto]"
	Labels   map[string]string
	ReadOnly bool

	Mounts      []Mount  // -v and --mount, in the order given
	VolumesFrom []string // "name[:ro|:rw]"

	Resources Resources
	Log       LogConfig

	// StorageOpt is --storage-opt: "size" limits the writable layer.
	StorageOpt map[string]string
}

// Resources are the cgroup limits of a container, in Docker's units.
type Resources struct {
	Memory       int64 // bytes; 0 = unlimited
	MemorySwap   int64 // bytes of memory+swap; 0 = default (2x memory), -1 = unlimited
	CPUShares    int64
	NanoCPUs     int64 // --cpus × 1e9
	CPUPeriod    int64 // µs
	CPUQuota     int64 // µs
	CpusetCpus   string
	PidsLimit    int64            // 0 = unlimited
	BlkioRead    []ThrottleDevice // bytes per second
	BlkioWrite   []ThrottleDevice
	BlkioReadIO  []ThrottleDevice // operations per second
	BlkioWriteIO []ThrottleDevice
	// MemoryReservation is the soft limit the kernel reclaims towards
	// under pressure; 0 = none.
	MemoryReservation int64
	CpusetMems        string // memory nodes, as CpusetCpus

	// BlkioWeight is --blkio-weight, 10 to 1000 (0: the kernel's
	// default), on every device; BlkioWeightDevice the per-device
	// weights of --blkio-weight-device.
	BlkioWeight       int64
	BlkioWeightDevice []WeightDevice
}

// WeightDevice is one per-device block-I/O weight, as in Docker's inspect
// output.
type WeightDevice struct {
	Path   string
	Weight int64
}

// ThrottleDevice is one block-I/O limit, as in Docker's inspect output.
type ThrottleDevice struct {
	Path string
	Rate uint64
}

// LogConfig selects the log driver and its options (--log-driver, --log-opt).
type LogConfig struct {
	Type   string // "" means json-file
	Config map[string]string
}

// DriverName returns the log driver, defaulting to json-file.
func (l LogConfig) DriverName() string {
	if l.Type == "" {
		return "json-file"
	}
	return l.Type
}
