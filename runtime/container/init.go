package container

import (
	"os"

	"github.com/opencontainers/runc/libcontainer"
	// The C constructor in nsenter joins namespaces before the Go runtime
	// starts; libcontainer's re-exec of /proc/self/exe depends on it.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
	// Without the device manager, any device rule fails on cgroup v1 with
	// ErrDevicesUnsupported.
	_ "github.com/opencontainers/cgroups/devices"
)

// init turns this process into libcontainer's container init when it was
// re-executed for that purpose ("<binary> init" with the sync pipe in the
// environment). Init never returns.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" && os.Getenv("_LIBCONTAINER_SYNCPIPE") != "" {
		reportExecErrors()
		libcontainer.Init()
	}
}
