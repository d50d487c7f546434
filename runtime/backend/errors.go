package backend

import (
	"errors"

	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// The classes of errors that cross the seam. A backend returns errors that
// print Docker's text (built with kinderr.Errorf) and match one of these
// with errors.Is, so the policy and the builtins branch without matching
// strings. The texts below are never printed.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNoSuchNetwork   = errors.New("no such network")
	ErrNoSuchVolume    = errors.New("no such volume")
	ErrNoSuchImage     = errors.New("no such image")

	// ErrNameInUse: a container name is taken in the sandbox or its parent.
	ErrNameInUse = errors.New("name in use")
	// ErrNetworkExists: a network of that name exists.
	ErrNetworkExists = errors.New("network exists")
	// ErrVolumeInUse: a live container mounts the volume.
	ErrVolumeInUse = errors.New("volume is in use")
	// ErrActiveEndpoints: containers are still connected to the network.
	ErrActiveEndpoints = errors.New("network has active endpoints")
	// ErrConnected and ErrNotConnected: network connect and disconnect
	// of a container that already is, or is not, on the network.
	ErrConnected    = errors.New("already connected")
	ErrNotConnected = errors.New("not connected")

	// ErrNotRunning: the operation needs a running container.
	ErrNotRunning = errors.New("container not running")
	// ErrTimeout: a wait (a foreground run, wait_for_log, wait_for_port)
	// ran out of time.
	ErrTimeout = errors.New("timed out")
	// ErrClosed: the sandbox was closed.
	ErrClosed = errors.New("sandbox closed")
	// ErrLeftBehind: a container that a sandbox's Close could not remove
	// in time: it was killed and is left to berth gc.
	ErrLeftBehind = errors.New("left behind")
	// ErrNotImplemented: the backend does not offer the operation.
	ErrNotImplemented = errors.New("not implemented")

	// ErrInvalid is bad input; it is spec.ErrInvalid, so one sentinel
	// covers the validation in runtime/spec and the backends' own checks.
	ErrInvalid = spec.ErrInvalid
)

// errorf formats a message (Docker's text) and classifies it as kind.
func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

// NoSuchContainer is Docker's text for a missing container.
func NoSuchContainer(ref string) error {
	return errorf(ErrNoSuchContainer, "No such container: %s", ref)
}

// NoSuchNetwork is Docker's text for a missing network.
func NoSuchNetwork(name string) error {
	return errorf(ErrNoSuchNetwork, "network %s not found", name)
}

// NoSuchVolume is Docker's text for a missing volume.
func NoSuchVolume(name string) error {
	return errorf(ErrNoSuchVolume, "get %s: no such volume", name)
}

// ErrImageConflict: an image cannot be removed (several repositories name
// it, or a container uses it).
var ErrImageConflict = errors.New("image conflict")
