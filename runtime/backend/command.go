package backend

import (
	"berth/runtime/spec"
)

// CommandLine is Docker's rule for what a container runs: --entrypoint
// replaces the image's entrypoint and drops its CMD; a given cmd replaces
// the image's CMD. With nothing to run, it fails with Docker's text.
func CommandLine(cs spec.Container, ic ImageConfig) (entry, cmd []string, err error) {
	entry, cmd = ic.Entrypoint, ic.Cmd
	if cs.EntrypointSet {
		entry, cmd = cs.Entrypoint, nil
	}
	if cs.Cmd != nil {
		cmd = cs.Cmd
	}
	if len(entry)+len(cmd) == 0 {
		return nil, nil, errorf(ErrInvalid, "No command specified: image %s has no CMD and none was given", cs.Image)
	}
	return entry, cmd, nil
}
