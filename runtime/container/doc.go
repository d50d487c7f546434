// Package container runs containers with runc's libcontainer: it turns a
// Config into a libcontainer configuration shaped like Docker's defaults
// (capabilities, masked paths, seccomp, mounts), starts the init, waits for
// it, runs exec'd processes, applies live resource updates and recovers
// containers that a killed berth process left behind.
//
// It knows nothing of names, logs, images or sandboxes: that is the engine's
// job. Any binary that links this package becomes a valid libcontainer init
// (see init.go), so the engine needs no helper binary and no shim.
package container
