package backend

import (
	"context"
	"fmt"
	"time"

	"berth/runtime/spec"
)

// Backend is one way of running containers: the embedded engine, the fake
// of the tests, later a Docker daemon. It knows nothing of scenarios:
// networks and volumes go by the names they are stored under, and the
// names a scenario uses are resolved above it, by the Sandbox (see
// Sandboxes), through the Scope it hands to CreateContainer.
//
// Methods take a context that bounds the call; cancelling it does not
// undo what was done.
type Backend interface {
	// Name is the backend's name, as berth's --backend flag takes it.
	Name() string
	Containers
	NetworkStore
	VolumeStore
	// Images is the backend's image store.
	Images() Images
	// Host is the machine the containers run on.
	Host() Host
	// GC removes what dead berth processes left behind (berth gc).
	GC(ctx context.Context) (GCReport, error)
	// Close releases the backend. Sandboxes must be closed first
	// (Sandboxes.Close): Close does not remove containers.
	Close() error
}

// Containers creates containers.
type Containers interface {
	// CreateContainer makes a container without starting it (docker
	// create). The spec holds the scenario's names (a network, a link's
	// or volumes_from's container, a volume); the backend resolves them
	// through req.Scope, as it resolves them, so that the first error it
	// reports is the one Docker would. On failure nothing is left behind.
	CreateContainer(ctx context.Context, req CreateRequest) (Container, error)
}

// CreateRequest is what CreateContainer is asked to make.
type CreateRequest struct {
	// Spec is the container as the scenario asked for it, not yet
	// validated: the backend validates it against Host().Info().
	Spec spec.Container
	// Scope resolves the scenario's names; the backend keeps it for the
	// container's life (rm -v removes anonymous volumes through it).
	Scope Scope
	// RemoveVolumes makes every removal of the container take its
	// anonymous volumes along, as docker run --rm does: set for a run in
	// the foreground.
	RemoveVolumes bool
}

// Scope is the sandbox a container is created in, as a backend sees it.
// Its methods apply the sandbox's rules (names scoped to the sandbox and
// its parent); a backend calls them where Docker's daemon would look a
// name up. They call the sandbox's containers' State, Name and ID, and
// the backend's stores: a backend must not call them while it holds a
// lock those need.
type Scope interface {
	// Label names the sandbox in records and diagnostics
	// ("dir/file.star", "dir/file.star::test_x").
	Label() string
	// Root is the file's top-level sandbox (the sandbox itself for a
	// file's): a backend keys what it keeps per scenario file on it (the
	// embedded engine's DNS table).
	Root() Scope
	// ClaimName returns the name the new container gets: name when no
	// container of the sandbox or its parent has it (else Docker's
	// "Conflict." text, classified ErrNameInUse), or a fresh
	// "adjective_surname" when name is "".
	ClaimName(name string) (string, error)
	// Lookup finds a container of the sandbox or its parent by name, full
	// id or unique id prefix, as Docker does.
	Lookup(ref string) (Container, error)
	// Network finds a network by the scenario's name or by id: "bridge"
	// is the file's default bridge, "host" and "none" Docker's.
	Network(ctx context.Context, name string) (NetworkInfo, error)
	// Volume finds a volume by the scenario's name.
	Volume(ctx context.Context, name string) (VolumeInfo, error)
	// CreateVolume creates a volume for a mount (name "" for an anonymous
	// one), owned by the sandbox, or returns the one the name already
	// finds.
	CreateVolume(ctx context.Context, name string, opts VolumeOptions) (VolumeInfo, error)
	// RemoveVolume removes a volume by the scenario's name; force ignores
	// a missing one.
	RemoveVolume(ctx context.Context, name string, force bool) error
}

// Sandbox is what a scenario case works in, and all the builtins see of a
// backend: containers, networks and volumes by the scenario's names,
// removed again when the sandbox closes. Sandboxes.New makes one; the
// policy it implements is written once, over Backend.
type Sandbox interface {
	Scope
	// Create makes a container (docker create).
	Create(ctx context.Context, cs spec.Container) (Container, error)
	// Run creates and starts a container (docker run). In the foreground
	// it waits for the exit, killing the container after opts.Timeout;
	// the container keeps its output for ForegroundOutput. The container
	// is returned with an error that happened after it was created.
	Run(ctx context.Context, cs spec.Container, opts RunOptions) (Container, error)
	// Containers lists the sandbox's own containers in creation order.
	Containers() []Container

	// CreateNetwork creates a user network (docker network create).
	CreateNetwork(ctx context.Context, name string, opts NetworkOptions) (NetworkInfo, error)
	// Networks lists bridge, host, none and the networks the sandbox and
	// its parent created, sorted by name.
	Networks(ctx context.Context) ([]NetworkInfo, error)
	// InspectNetwork is docker network inspect's document, with the
	// containers on the network now.
	InspectNetwork(ctx context.Context, name string) (map[string]any, error)
	// RemoveNetwork removes a network (docker network rm).
	RemoveNetwork(ctx context.Context, name string) error

	// Volumes lists the volumes the sandbox sees, sorted by name: its
	// own, its parent's and the kept ones.
	Volumes(ctx context.Context) ([]VolumeInfo, error)

	// Images is the backend's image store.
	Images() Images
	// Host is the machine the containers run on.
	Host() Host

	// Diagnostics describes every container of the sandbox (state and
	// last log lines), for a failure report.
	Diagnostics(ctx context.Context) string
	// CloseContext removes what the sandbox created: containers newest
	// first (killing running ones), then its networks, then the file's
	// default bridge, then its volumes, carrying on past failures. A
	// container not removed when ctx ends is sent SIGKILL and reported as
	// left to berth gc (ErrLeftBehind); its removal goes on in the
	// background. It is safe to call more than once.
	CloseContext(ctx context.Context) error
	// Close is CloseContext with DefaultCloseTimeout.
	Close() error
	// Keep leaves what the sandbox made as it is, for someone to look at
	// (berth test -work), instead of CloseContext: the sandbox takes no
	// new work and Sandboxes.Close passes it by; berth gc removes it once
	// this process has ended. It returns what is kept and how to look at
	// it, one line each.
	Keep() string
}

// DefaultCloseTimeout bounds Sandbox.Close: one stuck container must not
// hang a CI run.
const DefaultCloseTimeout = time.Minute

// RunOptions are docker run's flags that are not part of the container.
type RunOptions struct {
	Detach bool
	// Timeout bounds a foreground run; 0 means until ctx ends.
	Timeout time.Duration
}

// GCReport counts what GC removed, and says what it had to leave.
type GCReport struct {
	Containers int // containers killed and destroyed
	Mounts     int // root filesystems unmounted
	Cgroups    int // cgroup directories removed
	StateDirs  int // container directories removed
	Volumes    int // volumes of dead runs removed
	Networks   int // networks of dead runs removed, with their bridges
	Links      int // host links of dead runs found by their mark alone
	TempDirs   int // host.tempdir directories of dead runs
	// Left says, one line each, what GC could not settle and left alone:
	// damaged records, owners it could not tell.
	Left []string
}

func (r GCReport) String() string {
	return fmt.Sprintf("removed %d containers, %d mounts, %d cgroups, %d state directories, %d volumes, %d networks, %d host links, %d temporary directories",
		r.Containers, r.Mounts, r.Cgroups, r.StateDirs, r.Volumes, r.Networks, r.Links, r.TempDirs)
}
