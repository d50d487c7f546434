package container

import (
	"fmt"
	"math"
	"slices"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/runtime/units"
	"berth/starlib/args"
)

// runArgs is what run/create were asked for.
type runArgs struct {
	spec spec.Container
	run  backend.RunOptions
}

// parseRunArgs turns run/create arguments into a container spec.
// base is the scenario's directory, for relative bind sources.
func parseRunArgs(fn string, a starlark.Tuple, kw []starlark.Tuple, isRun bool, base string) (*runArgs, error) {
	// Only image and cmd are positional: UnpackArgs would take a third
	// positional argument as name=, a fourth as detach=, and so on.
	if len(a) > 2 {
		return nil, fmt.Errorf("%s: got %d positional arguments, want at most 2 (image and cmd): give options by name, such as name=\"db\"", fn, len(a))
	}
	var kept []starlark.Tuple
	for _, pair := range kw {
		name := string(pair[0].(starlark.String))
		if !isRun && (name == "detach" || name == "timeout") && pair[1] != starlark.None {
			return nil, fmt.Errorf("%s: %s= applies to run only: create never starts the container", fn, name)
		}
		kept = append(kept, pair)
	}
	var (
		image                         string
		cmd, entrypoint               starlark.Value = starlark.None, starlark.None
		name, hostname, workdir, user string
		network                       networkRef
		logDriver                     string
		stdin                         starlark.Value = starlark.None
		detach, readOnly              bool
		env, labels, logOpts          args.StringDict
		storageOpt                    args.StringDict
		limits                        backend.ResourcesPatch
		timeout                       args.Duration
		ip, pull, platform            string
		aliases, links, ports         args.StringList
		vols, mounts, vf              starlark.Value
	)
	// "??": an option given as None is the same as an option left out,
	// so that scenarios can pass their own optional arguments through.
	pairs := []any{
		"image", &image, "cmd?", &cmd,
		"name??", &name, "detach??", &detach, "env??", &env, "hostname??", &hostname,
		"workdir??", &workdir, "user??", &user, "entrypoint?", &entrypoint, "stdin?", &stdin,
		"network??", &network, "aliases??", &aliases, "ip??", &ip, "links??", &links, "ports??", &ports,
		"volumes?", &vols, "mounts?", &mounts, "volumes_from?", &vf, "read_only??", &readOnly,
	}
	pairs = append(pairs, limitPairs(&limits)...) // the limit options, shared with update (limits.go)
	pairs = append(pairs, "log_driver??", &logDriver, "log_opts??", &logOpts, "labels??", &labels, "timeout??", &timeout,
		"pull??", &pull, "platform??", &platform, "storage_opt??", &storageOpt)
	err := args.Unpack(fn, a, kept, pairs...)
	if err != nil {
		return nil, err
	}
	if detach && timeout > 0 {
		return nil, fmt.Errorf("%s: timeout= bounds a foreground run and means nothing with detach=True: use wait(timeout=...) on the container", fn)
	}
	o := &runArgs{run: backend.RunOptions{Detach: detach, Timeout: timeout.Std()}}
	s := &o.spec
	s.Image, s.Name, s.Hostname, s.Workdir, s.User = image, name, hostname, workdir, user
	s.Pull, s.Platform = pull, platform
	s.Network, s.ReadOnly = string(network), readOnly
	s.Aliases, s.IP, s.Links, s.Ports = slices.Clone([]string(aliases)), ip, slices.Clone([]string(links)), slices.Clone([]string(ports))
	if s.Env, err = env.Env(); err != nil {
		return nil, fmt.Errorf("%s: for parameter env: %w", fn, err)
	}
	if len(labels) > 0 {
		s.Labels = labels.Map()
	}
	if cmd != starlark.None {
		var words args.StringOrList
		if err := words.Unpack(cmd); err != nil {
			return nil, fmt.Errorf("%s: for parameter cmd: %w", fn, err)
		}
		// An empty command is no command, as in Docker's API: the
		// image's CMD runs.
		if len(words) > 0 {
			s.Cmd = slices.Clone([]string(words))
		}
	}
	if err := unpackEntrypoint(entrypoint, s); err != nil {
		return nil, fmt.Errorf("%s: for parameter entrypoint: %w", fn, err)
	}
	if stdin != starlark.None {
		str, ok := starlark.AsString(stdin)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter stdin: got %s, want string", fn, stdin.Type())
		}
		s.Stdin = &str
	}
	s.Resources = limits.Apply(spec.Resources{})
	if s.Mounts, err = parseVolumes(vols, base); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	mountList, err := parseMounts(mounts, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	s.Mounts = append(s.Mounts, mountList...)
	if s.VolumesFrom, err = parseVolumesFrom(vf); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	if len(storageOpt) > 0 {
		s.StorageOpt = storageOpt.Map()
	}
	s.Log = spec.LogConfig{Type: logDriver}
	if len(logOpts) > 0 {
		s.Log.Config = logOpts.Map()
	}
	return o, nil
}

// unpackEntrypoint follows --entrypoint: one executable name (a string is
// not split), a list for an executable with arguments, "" or [] to clear.
func unpackEntrypoint(v starlark.Value, s *spec.Container) error {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.String:
		s.EntrypointSet = true
		if v != "" {
			s.Entrypoint = []string{string(v)}
		}
		return nil
	}
	var list args.StringList
	if err := list.Unpack(v); err != nil {
		return err
	}
	s.EntrypointSet = true
	s.Entrypoint = slices.Clone([]string(list))
	return nil
}

// byteSize is a size argument: a number of bytes, or a string such as
// "64m" or "1g" (Docker's binary units); -1 means unlimited.
type byteSize int64

func (b *byteSize) Unpack(v starlark.Value) error {
	switch v := v.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < -1 {
			return fmt.Errorf("got %s, want a size such as \"64m\", a number of bytes, or -1", v)
		}
		*b = byteSize(n)
		return nil
	case starlark.String:
		if v == "-1" {
			*b = -1
			return nil
		}
		n, err := units.ParseSize(string(v))
		if err != nil {
			return fmt.Errorf("%w: want a number with an optional unit b, k, m, g, t or p, such as \"64m\"", err)
		}
		*b = byteSize(n)
		return nil
	}
	return fmt.Errorf("got %s, want a size such as \"64m\" or a number of bytes", v.Type())
}

// cpuCount is --cpus: a number of CPUs, kept as nano-CPUs.
type cpuCount int64

func (c *cpuCount) Unpack(v starlark.Value) error {
	f, ok := starlark.AsFloat(v)
	if !ok {
		return fmt.Errorf("got %s, want a number of CPUs such as 0.5", v.Type())
	}
	if math.IsNaN(f) || f < 0 || f > 1e6 {
		return fmt.Errorf("got %v, want a number of CPUs such as 0.5", f)
	}
	*c = cpuCount(math.Round(f * 1e9))
	return nil
}

// deviceRates is a dict of block device to rate: sizes ("1mb") or numbers
// of bytes per second for the bps options, plain numbers for the iops ones.
type deviceRates struct {
	list      []spec.ThrottleDevice
	sawString bool // some rate was a size string, which iops do not take
}

func (d *deviceRates) Unpack(v starlark.Value) error {
	dict, ok := v.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("got %s, want dict of device path to rate, such as {\"/dev/vda\": \"1mb\"}", v.Type())
	}
	for _, item := range dict.Items() {
		path, ok := starlark.AsString(item[0])
		if !ok {
			return fmt.Errorf("got %s key, want a device path such as \"/dev/vda\"", item[0].Type())
		}
		var rate byteSize
		if err := rate.Unpack(item[1]); err != nil || rate < 0 {
			return fmt.Errorf("rate for %s: got %s, want a size such as \"1mb\" or a positive number", path, item[1])
		}
		if _, isString := item[1].(starlark.String); isString {
			d.sawString = true
		}
		d.list = append(d.list, spec.ThrottleDevice{Path: path, Rate: uint64(rate)})
	}
	return nil
}

// networkRef is network=: a name, "container:NAME", or a Network value
// (anything with a Name).
type networkRef string

func (n *networkRef) Unpack(v starlark.Value) error {
	if s, ok := starlark.AsString(v); ok {
		*n = networkRef(s)
		return nil
	}
	if named, ok := v.(interface{ Name() string }); ok {
		*n = networkRef(named.Name())
		return nil
	}
	return fmt.Errorf("got %s, want a network name such as \"bridge\", \"container:NAME\" or a network", v.Type())
}
