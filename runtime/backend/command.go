package backend

import (
	"strings"

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

// MergeEnv is Docker's rule for a container's Config.Env: the user's
// variables over the image's, a user KEY replacing the image's KEY in
// place, new keys following in order.
func MergeEnv(base, overlay []string) []string {
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
