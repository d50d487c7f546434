package container

import (
	"os"
	"runtime"

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
//
// Otherwise it keeps the main thread for the main goroutine. libcontainer
// starts a goroutine that locks its thread, joins the new container's
// mount namespace and never unlocks (goCreateMountSources); Go ends such a
// thread, except the main thread, which it keeps, wedged in that
// namespace. /proc/self is the main thread's view, so the whole process
// then read the container's /proc/self/mountinfo, where libcontainer and
// berth look for the host's cgroups (seen in TestCgroupViewV1, one run in
// three). A goroutine locked from init keeps the main thread to itself.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" && os.Getenv("_LIBCONTAINER_SYNCPIPE") != "" {
		reportExecErrors()
		libcontainer.Init()
	}
	runtime.LockOSThread()
}
