package container

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"syscall"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"berth/runtime/backend"
	"berth/runtime/units"
	"berth/starlib/args"
	"berth/starlib/result"
	"berth/starlib/session"
)

// Value is a container as a Starlark value. Attributes read the live state;
// methods act on the backend's container.
type Value struct {
	c backend.Container
}

var (
	_ starlark.HasAttrs   = (*Value)(nil)
	_ starlark.Comparable = (*Value)(nil)
)

func newValue(c backend.Container) *Value { return &Value{c: c} }

func (v *Value) String() string       { return fmt.Sprintf("<container %s %s>", v.c.Name(), v.c.ID()[:12]) }
func (v *Value) Type() string         { return "container" }
func (v *Value) Freeze()              {}
func (v *Value) Truth() starlark.Bool { return starlark.True }
func (v *Value) Hash() (uint32, error) {
	return starlark.String(v.c.ID()).Hash()
}

func (v *Value) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	other := y.(*Value)
	switch op {
	case syntax.EQL:
		return v.c == other.c, nil
	case syntax.NEQ:
		return v.c != other.c, nil
	}
	return false, fmt.Errorf("%s %s %s not implemented", v.Type(), op, y.Type())
}

type method func(v *Value, th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error)

var methods = map[string]method{
	"exec":          (*Value).exec,
	"logs":          (*Value).logs,
	"wait_for_log":  (*Value).waitForLog,
	"wait_for_port": (*Value).waitForPort,
	"wait":          (*Value).wait,
	"start":         (*Value).start,
	"stop":          (*Value).stop,
	"restart":       (*Value).restart,
	"kill":          (*Value).kill,
	"rm":            (*Value).rm,
	"inspect":       (*Value).inspect,
	"read_file":     (*Value).readFile,
	"write_file":    (*Value).writeFile,
	"commit":        (*Value).commit,
}

var attrNames = []string{"exit_code", "hostname", "id", "image", "ip", "ips", "log_drops", "log_errors", "name", "oom_killed", "output", "pid", "status", "stderr", "stdout"}

func (v *Value) AttrNames() []string {
	names := append([]string{}, attrNames...)
	for m := range methods {
		names = append(names, m)
	}
	sort.Strings(names)
	return names
}

func (v *Value) Attr(name string) (starlark.Value, error) {
	if m, ok := methods[name]; ok {
		fn := "container." + name
		return starlark.NewBuiltin(fn, func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			if err := v.checkExists(fn); err != nil {
				return nil, err
			}
			return m(v, th, fn, a, kw)
		}).BindReceiver(v), nil
	}
	st := v.c.State()
	switch name {
	case "id":
		return starlark.String(v.c.ID()), nil
	case "name":
		return starlark.String(v.c.Name()), nil
	case "image":
		return starlark.String(v.c.ImageRef()), nil
	case "status":
		return starlark.String(st.Status), nil
	case "exit_code":
		if st.Status == backend.StatusRunning {
			return starlark.None, nil
		}
		return starlark.MakeInt(st.ExitCode), nil
	case "oom_killed":
		return starlark.Bool(st.OOMKilled), nil
	case "log_drops":
		return starlark.MakeInt64(st.LogDrops), nil
	case "log_errors":
		return starlark.MakeInt64(st.LogErrors), nil
	case "pid":
		return starlark.MakeInt(st.Pid), nil
	case "hostname":
		return starlark.String(v.c.Hostname()), nil
	case "ip":
		return starlark.String(v.c.IP()), nil
	case "ips":
		ips := v.c.IPs()
		d := starlark.NewDict(len(ips))
		for _, k := range slices.Sorted(maps.Keys(ips)) {
			_ = d.SetKey(starlark.String(k), starlark.String(ips[k]))
		}
		return d, nil
	case "output", "stdout", "stderr":
		if st.Status == backend.StatusRunning {
			return starlark.None, nil
		}
		out, ok := v.c.ForegroundOutput()
		if !ok {
			return starlark.None, nil
		}
		return starlark.String(map[string]string{"output": out.Output, "stdout": out.Stdout, "stderr": out.Stderr}[name]), nil
	}
	return nil, nil
}

// checkExists refuses to act on a removed container, with Docker's text:
// the backend's files of it are gone, and writing a file would create them
// again outside any sandbox. rm stays allowed (and does nothing).
func (v *Value) checkExists(fn string) error {
	if fn == "container.rm" {
		return nil
	}
	switch v.c.State().Status {
	case backend.StatusRemoving, backend.StatusRemoved:
		return fmt.Errorf("%s: No such container: %s (it was removed)", fn, v.c.Name())
	}
	return nil
}

func (v *Value) exec(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var cmd args.StringOrList
	var env args.StringDict
	var user, workdir string
	stdin := starlark.Value(starlark.None)
	if err := args.Unpack(fn, a, kw, "cmd", &cmd, "env??", &env, "user??", &user, "workdir??", &workdir, "stdin?", &stdin); err != nil {
		return nil, err
	}
	if workdir != "" && !path.IsAbs(workdir) {
		// Docker's text; without this check runc's chdir error names
		// config.json, which the user never wrote.
		return nil, fmt.Errorf("%s: the working directory '%s' is invalid, it needs to be an absolute path", fn, workdir)
	}
	envList, err := env.Env()
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter env: %w", fn, err)
	}
	opts := backend.ExecOptions{Cmd: cmd, Env: envList, User: user, Workdir: workdir}
	if stdin != starlark.None {
		s, ok := starlark.AsString(stdin)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter stdin: got %s, want string", fn, stdin.Type())
		}
		opts.Stdin = &s
	}
	res, err := v.c.Exec(session.Context(th), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return result.NewExec(res.ExitCode, res.Stdout, res.Stderr, res.Output), nil
}

// parseTail reads tail=: None or "all" for everything, else a count.
func parseTail(v starlark.Value) (int, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return -1, nil
	case starlark.String:
		if v == "all" {
			return -1, nil
		}
		n, err := strconv.Atoi(string(v))
		if err != nil || n < -1 {
			return 0, fmt.Errorf("got %q, want a number of lines or \"all\"", string(v))
		}
		return n, nil
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < -1 {
			return 0, fmt.Errorf("got %s, want a number of lines (0 or more) or \"all\"", v)
		}
		return int(n), nil
	}
	return 0, fmt.Errorf("got %s, want a number of lines or \"all\"", v.Type())
}

// parseTime reads since=/until=: RFC 3339, unix seconds or a relative
// duration, with Docker's error text.
func parseTime(param string, v starlark.Value, now time.Time) (time.Time, error) {
	var s string
	switch v := v.(type) {
	case starlark.NoneType:
		return time.Time{}, nil
	case starlark.String:
		s = string(v)
	case starlark.Int:
		s = v.String()
	case starlark.Float:
		// Not v.String(): Starlark writes large floats with an exponent
		// ("1.7e+09"), which is no timestamp.
		s = strconv.FormatFloat(float64(v), 'f', -1, 64)
	default:
		return time.Time{}, fmt.Errorf("invalid value for %q: got %s, want RFC 3339 time, unix seconds or a duration such as \"10s\"", param, v.Type())
	}
	t, err := units.ParseTimestamp(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid value for %q: %w", param, err)
	}
	return t, nil
}

func (v *Value) logs(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	tail, since, until := starlark.Value(starlark.None), starlark.Value(starlark.None), starlark.Value(starlark.None)
	var timestamps bool
	stream := "all"
	if err := args.Unpack(fn, a, kw, "tail?", &tail, "since?", &since, "until?", &until, "timestamps??", &timestamps, "stream??", &stream); err != nil {
		return nil, err
	}
	opts := backend.LogOptions{Timestamps: timestamps}
	var err error
	if opts.Tail, err = parseTail(tail); err != nil {
		return nil, fmt.Errorf("%s: for parameter tail: %w", fn, err)
	}
	now := time.Now()
	if opts.Since, err = parseTime("since", since, now); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	if opts.Until, err = parseTime("until", until, now); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	switch stream {
	case "all":
		opts.Stdout, opts.Stderr = true, true
	case "stdout":
		opts.Stdout = true
	case "stderr":
		opts.Stderr = true
	default:
		return nil, fmt.Errorf("%s: for parameter stream: got %q, want \"all\", \"stdout\" or \"stderr\"", fn, stream)
	}
	out, err := v.c.Logs(session.Context(th), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.String(out), nil
}

func (v *Value) waitForLog(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var pattern string
	timeout := args.Duration(10 * time.Second)
	occurrences := 1
	if err := args.Unpack(fn, a, kw, "pattern", &pattern, "timeout??", &timeout, "occurrences??", &occurrences); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter pattern: %w", fn, err)
	}
	if occurrences < 1 {
		return nil, fmt.Errorf("%s: for parameter occurrences: got %d, want 1 or more", fn, occurrences)
	}
	if err := backend.WaitForLog(session.Context(th), v.c, re, occurrences, timeout.Std()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) waitForPort(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var port int
	timeout := args.Duration(10 * time.Second)
	if err := args.Unpack(fn, a, kw, "port", &port, "timeout??", &timeout); err != nil {
		return nil, err
	}
	if err := backend.WaitForPort(session.Context(th), v.c, port, timeout.Std()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) wait(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	timeout := args.Duration(0)
	if err := args.Unpack(fn, a, kw, "timeout??", &timeout); err != nil {
		return nil, err
	}
	ctx := session.Context(th)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout.Std())
		defer cancel()
	}
	code, err := v.c.Wait(ctx)
	if err != nil {
		if timeout > 0 && errors.Is(err, context.DeadlineExceeded) && session.Context(th).Err() == nil {
			return nil, fmt.Errorf("%s: container %s is still running after %v", fn, v.c.Name(), timeout.Std())
		}
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.MakeInt(code), nil
}

func (v *Value) start(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	if err := v.c.Start(session.Context(th), backend.StartOptions{}); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) stop(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	timeout := args.Duration(10 * time.Second)
	if err := args.Unpack(fn, a, kw, "timeout??", &timeout); err != nil {
		return nil, err
	}
	if err := v.c.Stop(session.Context(th), timeout.Std()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) restart(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	timeout := args.Duration(10 * time.Second)
	if err := args.Unpack(fn, a, kw, "timeout??", &timeout); err != nil {
		return nil, err
	}
	if err := v.c.Restart(session.Context(th), timeout.Std()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) kill(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	sigArg := starlark.Value(starlark.String("KILL"))
	if err := args.Unpack(fn, a, kw, "signal??", &sigArg); err != nil {
		return nil, err
	}
	sig, err := parseSignal(sigArg)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter signal: %w", fn, err)
	}
	if err := v.c.Kill(session.Context(th), sig); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

// parseSignal reads kill's signal: a name as docker kill takes it, or a
// number.
func parseSignal(v starlark.Value) (syscall.Signal, error) {
	const want = "want a signal name such as \"TERM\", \"SIGUSR1\" or \"RTMIN+1\", or a number from 1 to 64"
	switch v := v.(type) {
	case starlark.String:
		sig, err := units.ParseSignal(string(v))
		if err != nil {
			return 0, fmt.Errorf("%w: %s", err, want)
		}
		return sig, nil
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < 1 || n > 64 {
			return 0, fmt.Errorf("got %s, %s", v, want)
		}
		return syscall.Signal(n), nil
	}
	return 0, fmt.Errorf("got %s, %s", v.Type(), want)
}

func (v *Value) rm(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var opts backend.RemoveOptions
	if err := args.Unpack(fn, a, kw, "force??", &opts.Force, "volumes??", &opts.Volumes); err != nil {
		return nil, err
	}
	if err := v.c.Remove(session.Context(th), opts); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (v *Value) inspect(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	doc, err := v.c.Inspect(session.Context(th))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return args.ToStarlark(doc)
}

func (v *Value) readFile(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := args.Unpack(fn, a, kw, "path", &path); err != nil {
		return nil, err
	}
	data, err := v.c.ReadFile(session.Context(th), path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.String(data), nil
}

func (v *Value) writeFile(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path, content string
	if err := args.Unpack(fn, a, kw, "path", &path, "content", &content); err != nil {
		return nil, err
	}
	if err := v.c.WriteFile(session.Context(th), path, []byte(content)); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

// commit is docker commit: the container's filesystem changes as a new
// image tagged ref, its config changed by changes ("ENV A=1", ...).
func (v *Value) commit(th *starlark.Thread, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref string
	changes := starlark.Value(starlark.None)
	if err := args.Unpack(fn, a, kw, "ref", &ref, "changes?", &changes); err != nil {
		return nil, err
	}
	var opts backend.CommitOptions
	if changes != starlark.None {
		var list args.StringList
		if err := list.Unpack(changes); err != nil {
			return nil, fmt.Errorf("%s: changes: %w", fn, err)
		}
		opts.Changes = list
	}
	img, err := v.c.Commit(session.Context(th), ref, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.String(img.ID), nil
}

// ContainerOf unwraps a Container value, for other modules' builtins.
func ContainerOf(v starlark.Value) (backend.Container, bool) {
	if cv, ok := v.(*Value); ok {
		return cv.c, true
	}
	return nil, false
}
