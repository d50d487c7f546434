package backend

import (
	"context"
	"syscall"
	"time"
)

// Container is one container of a backend. The builtins hold it for the
// scenario's Container value; the same container is always the same
// Container value (comparable with ==).
type Container interface {
	Identity
	Lifecycle
	Processes
	LogSource
	PortProbe
	Files
	Networking
	Resources
	Committer
	// Inspect is docker inspect's document, with Docker's keys and only
	// plain values (string, int64, bool, nil, []any, map[string]any).
	Inspect(ctx context.Context) (map[string]any, error)
}

// Identity is what a container is, and its state now. None of it calls
// out: a backend keeps these at hand.
type Identity interface {
	ID() string       // 64 hex digits
	Name() string     // without Docker's leading "/"
	ImageRef() string // the image reference it was created from
	Hostname() string
	State() ContainerState
	// IP is the address on its first network, "" when it has none (not
	// running, or on no network).
	IP() string
	// IPs maps each network's name (the scenario's) to its address there
	// ("" while not running).
	IPs() map[string]string
	// ForegroundOutput is what a foreground run printed; ok is false for
	// a container that was not started with Capture (use Logs).
	ForegroundOutput() (out Output, ok bool)
}

// Lifecycle moves a container through its states (see Next).
type Lifecycle interface {
	// Start starts the main process (docker start); starting a running
	// container does nothing. A program that cannot be executed leaves
	// the container created, with exit code 127 and Docker's text.
	Start(ctx context.Context, opts StartOptions) error
	// Wait blocks until the container is not running and returns its
	// exit code (docker wait).
	Wait(ctx context.Context) (int, error)
	// Stop sends SIGTERM, then SIGKILL after timeout, and returns once
	// the container has exited (docker stop). Stopping a container that
	// is not running does nothing.
	Stop(ctx context.Context, timeout time.Duration) error
	// Kill sends sig to the main process (docker kill), with Docker's
	// text (ErrNotRunning) when it is not running. After SIGKILL it
	// returns once the container has exited, or ctx has ended (its error
	// is returned). A SIGKILL is sent even while another operation holds
	// the container.
	Kill(ctx context.Context, sig syscall.Signal) error
	// Restart stops the container if it runs and starts it again.
	Restart(ctx context.Context, timeout time.Duration) error
	// Remove deletes the container (docker rm); removing a removed one
	// does nothing.
	Remove(ctx context.Context, opts RemoveOptions) error
}

// Processes runs more processes in a running container.
type Processes interface {
	// Exec runs a process (docker exec) and returns how it ended. A
	// program that cannot be executed is an error, with Docker's text.
	Exec(ctx context.Context, opts ExecOptions) (ExecResult, error)
}

// LogSource reads what a container logged.
type LogSource interface {
	// Logs returns the log as docker logs prints it.
	Logs(ctx context.Context, opts LogOptions) (string, error)
	// FollowLogs calls fn with each message of the log (opts select
	// them; Timestamps is ignored), then with each new one, until the
	// container is not running and the log has been read to its end, the
	// log starts losing messages (State().LogErrors > 0: what was logged
	// until then is read), ctx ends (its error is returned), or fn
	// returns an error (returned as it is). A container that is not
	// running has its log read once.
	FollowLogs(ctx context.Context, opts LogOptions, fn func(LogMessage) error) error
}

// PortProbe tells whether a container accepts connections on a port.
type PortProbe interface {
	// Listening reports whether a socket in the container's network
	// namespace listens on TCP port, whatever its network mode. It is
	// false, not an error, for a container that is not running.
	Listening(ctx context.Context, port int) (bool, error)
}

// Files copies files in and out of a container (docker cp). Paths are
// absolute paths inside the container, resolved inside its root: a
// symlink never leads out of it.
type Files interface {
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// WriteFile creates the file's parent directories.
	WriteFile(ctx context.Context, path string, data []byte) error
}

// Networking connects a container to networks and away from them. The
// network comes from the sandbox (Scope.Network), named as the scenario
// names it.
type Networking interface {
	// ConnectNetwork attaches the container (docker network connect); a
	// running container is wired at once.
	ConnectNetwork(ctx context.Context, n NetworkInfo, opts EndpointOptions) error
	// DisconnectNetwork detaches it (docker network disconnect).
	DisconnectNetwork(ctx context.Context, n NetworkInfo) error
}

// Resources changes and reads a container's limits and usage.
type Resources interface {
	// Update changes the limits of a container, running or not (docker
	// update): the fields set in p replace the container's, the others
	// stay. The result is validated as create validates limits.
	Update(ctx context.Context, p ResourcesPatch) error
	// Stats reads the current usage of a running container (one sample
	// of docker stats).
	Stats(ctx context.Context) (Stats, error)
}

// Committer makes an image of a container.
type Committer interface {
	// Commit stores the container's filesystem changes as a new image
	// tagged ref ("" for none), with its config changed by opts.Changes
	// (docker commit --change). It returns the new image.
	Commit(ctx context.Context, ref string, opts CommitOptions) (ImageInfo, error)
}

// StartOptions are docker start's flags.
type StartOptions struct {
	// Capture keeps the output of this run in memory, for
	// ForegroundOutput; a later start without it drops what was kept.
	Capture bool
}

// RemoveOptions are docker rm's flags.
type RemoveOptions struct {
	Force   bool // kill a running container first
	Volumes bool // also remove its anonymous volumes no other container uses
}

// Output is what a foreground run printed: stdout and stderr interleaved
// as written, and each alone.
type Output struct {
	Output, Stdout, Stderr string
}

// ExecOptions are docker exec's flags.
type ExecOptions struct {
	Cmd     []string
	Env     []string // "KEY=value", over the container's
	User    string   // "" for the container's
	Workdir string   // "" for the container's
	Stdin   *string  // fed to the process, which then sees EOF
}

// ExecResult is how an exec'd process ended and what it printed.
type ExecResult struct {
	ExitCode               int
	Stdout, Stderr, Output string
}

// LogOptions are docker logs' flags.
type LogOptions struct {
	Tail         int // lines from the end; -1 for all
	Since, Until time.Time
	Timestamps   bool
	Stdout       bool
	Stderr       bool
}

// LogMessage is one entry of a container's log. Line has no newline, and
// belongs to the backend: it is valid only during the call it is given to.
type LogMessage struct {
	Stream string // "stdout" or "stderr"
	Line   []byte
	Time   time.Time
}

// EndpointOptions are docker network connect's flags.
type EndpointOptions struct {
	Aliases []string
	IP      string // --ip; "" to allocate one
}

// CommitOptions are docker commit's flags.
type CommitOptions struct {
	// Changes are Dockerfile instructions applied to the image config:
	// "CMD [...]", "ENTRYPOINT ...", "ENV K=V", "WORKDIR /x", "USER u",
	// "EXPOSE 80/tcp", "LABEL k=v", "VOLUME /data".
	Changes []string
	Message string
	Author  string
}
