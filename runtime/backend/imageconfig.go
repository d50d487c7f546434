package backend

import (
	"maps"
	"path"
	"slices"
	"time"

	"berth/runtime/spec"
	"berth/runtime/units"
)

// Healthcheck is an image's HEALTHCHECK, as its config stores it (the
// durations in nanoseconds). berth stores and shows it; it does not run
// it yet.
type Healthcheck struct {
	Test          []string      // ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

// ContainerConfig is a container's config once its image's config is
// merged under the spec, as docker create makes it: what runs and what
// inspect's Config shows. Each rule lives here, once.
type ContainerConfig struct {
	Entrypoint, Cmd []string
	Env             []string // the image's, the spec's over it
	User            string   // the spec's, else the image's
	WorkingDir      string   // the spec's, else the image's
	Labels          map[string]string
	ExposedPorts    []string // "80/tcp": the image's and the published ones, sorted
	Volumes         []string // the image's VOLUMEs and the spec's anonymous -v volumes, cleaned and sorted
	StopSignal      string   // the image's, "" for SIGTERM
	Healthcheck     *Healthcheck
}

// MergeImageConfig merges the image's config ic under the container's
// spec cs. A bad value of the image (a STOPSIGNAL, an EXPOSE, a VOLUME)
// fails with an error naming it and the image.
func MergeImageConfig(cs spec.Container, ic ImageConfig) (ContainerConfig, error) {
	entry, cmd, err := CommandLine(cs, ic)
	if err != nil {
		return ContainerConfig{}, err
	}
	cc := ContainerConfig{
		Entrypoint: entry, Cmd: cmd,
		Env:         spec.MergeEnv(ic.Env, cs.Env),
		User:        firstSet(cs.User, ic.User),
		WorkingDir:  firstSet(cs.Workdir, ic.WorkingDir),
		Labels:      mergeLabels(ic.Labels, cs.Labels),
		Healthcheck: ic.Healthcheck,
	}
	if ic.StopSignal != "" {
		if _, err := units.ParseSignal(ic.StopSignal); err != nil {
			return ContainerConfig{}, errorf(ErrInvalid, "image %s: STOPSIGNAL: %v", cs.Image, err)
		}
		cc.StopSignal = ic.StopSignal
	}
	if cc.ExposedPorts, err = exposedPorts(cs, ic); err != nil {
		return ContainerConfig{}, err
	}
	if cc.Volumes, err = configVolumes(cs, ic.Volumes); err != nil {
		return ContainerConfig{}, err
	}
	return cc, nil
}

// StopSignalOf is the signal stop() sends first: the config's
// STOPSIGNAL, else SIGTERM.
func (cc ContainerConfig) StopSignalOf() string {
	return firstSet(cc.StopSignal, "SIGTERM")
}

// Apply writes the merged fields the spec carries back into it, so that
// everything reading the spec (the process, exec, log labels) sees them.
func (cc ContainerConfig) Apply(cs spec.Container) spec.Container {
	cs.Env, cs.User, cs.Workdir, cs.Labels = cc.Env, cc.User, cc.WorkingDir, cc.Labels
	return cs
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mergeLabels is Docker's rule: the container's labels over the image's.
func mergeLabels(image, ctr map[string]string) map[string]string {
	if len(image) == 0 {
		return ctr
	}
	out := maps.Clone(image)
	maps.Copy(out, ctr)
	return out
}

// exposedPorts is the image's EXPOSE ("80" meaning "80/tcp") and the
// spec's published container ports, as Docker's Config.ExposedPorts.
func exposedPorts(cs spec.Container, ic ImageConfig) ([]string, error) {
	set := map[string]bool{}
	for _, p := range ic.ExposedPorts {
		m, err := spec.ParsePortMapping(p)
		if err != nil || m.HostPort != 0 || m.HostIP.IsValid() {
			return nil, errorf(ErrInvalid, "image %s: EXPOSE %q: want PORT or PORT/PROTO", cs.Image, p)
		}
		set[m.Key()] = true
	}
	for _, p := range cs.Ports {
		if m, err := spec.ParsePortMapping(p); err == nil { // Validate reports bad ones
			set[m.Key()] = true
		}
	}
	return sortedSet(set), nil
}

// configVolumes is Docker's Config.Volumes: the image's VOLUME paths
// (which must be absolute) and the targets of the spec's anonymous -v
// volumes ("/ctr"); -v binds and named volumes go to HostConfig.Binds.
func configVolumes(cs spec.Container, vols []string) ([]string, error) {
	set := map[string]bool{}
	for _, v := range vols {
		if !path.IsAbs(v) {
			return nil, errorf(ErrInvalid, "image %s: VOLUME %q: want an absolute path", cs.Image, v)
		}
		if c := path.Clean(v); c != "/" {
			set[c] = true
		}
	}
	for _, m := range cs.Mounts {
		if m.Spec != "" && m.Type == spec.MountVolume && m.Source == "" {
			set[m.CleanTarget()] = true
		}
	}
	return sortedSet(set), nil
}

func sortedSet(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(set))
}

// inspect is Config.Healthcheck as Docker shows it.
func (h *Healthcheck) inspect() map[string]any {
	doc := map[string]any{"Test": StringList(h.Test)}
	for k, d := range map[string]time.Duration{"Interval": h.Interval, "Timeout": h.Timeout, "StartPeriod": h.StartPeriod, "StartInterval": h.StartInterval} {
		if d != 0 {
			doc[k] = int64(d)
		}
	}
	if h.Retries != 0 {
		doc["Retries"] = int64(h.Retries)
	}
	return doc
}

// InspectConfig adds the image-derived keys of inspect's Config to doc as
// Docker shows them: Volumes as a set (null when empty); ExposedPorts,
// StopSignal and Healthcheck only when set.
func (cc ContainerConfig) InspectConfig(doc map[string]any) map[string]any {
	if len(cc.ExposedPorts) > 0 {
		doc["ExposedPorts"] = setOf(cc.ExposedPorts)
	}
	doc["Volumes"] = setOf(cc.Volumes)
	if cc.StopSignal != "" {
		doc["StopSignal"] = cc.StopSignal
	}
	if cc.Healthcheck != nil {
		doc["Healthcheck"] = cc.Healthcheck.inspect()
	}
	return doc
}
