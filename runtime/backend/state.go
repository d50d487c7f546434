package backend

import (
	"fmt"
	"time"
)

// Status is a container's lifecycle state, spelled as Docker's.
type Status string

const (
	StatusCreated  Status = "created"
	StatusRunning  Status = "running"
	StatusExited   Status = "exited"
	StatusRemoving Status = "removing"
	StatusRemoved  Status = "removed"
)

// ContainerState is a snapshot of a container's lifecycle state.
type ContainerState struct {
	Status    Status
	ExitCode  int
	OOMKilled bool
	Pid       int // 0 when not running
	// Error is why the last run failed ("" when it did not), then what
	// the log lost in the container's life.
	Error string
	// LogErrors counts the log messages the log driver refused in the
	// container's life (log_errors).
	LogErrors int64
	// LogDrops counts the log messages the driver took but could not
	// deliver (mode=non-blocking with a full buffer, a receiver down, not
	// flushed at stop) in the container's life (log_drops).
	LogDrops   int64
	StartedAt  time.Time
	FinishedAt time.Time
}

// Event moves a container from one state to another.
type Event string

const (
	EventStart  Event = "start"
	EventExit   Event = "exit"
	EventRemove Event = "remove"
	EventGone   Event = "gone"
	// EventExec is not a transition: exec needs a running container, and
	// a TransitionError for it carries Docker's text.
	EventExec Event = "exec"
)

// transitions is the lifecycle: every legal (state, event) pair and where
// it leads. Anything else is a *TransitionError. Backends that keep their
// own state (the embedded engine, the fake) share it.
var transitions = map[Status]map[Event]Status{
	StatusCreated:  {EventStart: StatusRunning, EventRemove: StatusRemoving},
	StatusRunning:  {EventExit: StatusExited},
	StatusExited:   {EventStart: StatusRunning, EventRemove: StatusRemoving},
	StatusRemoving: {EventGone: StatusRemoved},
}

// TransitionError is an operation that the container's state forbids.
type TransitionError struct {
	ID    string
	From  Status
	Event Event
}

func (e *TransitionError) Error() string {
	switch {
	case e.From == StatusRunning && e.Event == EventRemove:
		return fmt.Sprintf("You cannot remove a running container %s. Stop the container before attempting removal or force remove", e.ID)
	case e.From == StatusRemoving || e.From == StatusRemoved:
		return fmt.Sprintf("container %s is marked for removal and cannot be used", e.ID)
	case e.Event == EventExec:
		return fmt.Sprintf("Container %s is not running", e.ID)
	}
	return fmt.Sprintf("container %s: cannot %s a container that is %s", e.ID, e.Event, e.From)
}

// Next returns the state that ev leads to from s, or a *TransitionError
// for the container id.
func Next(id string, s Status, ev Event) (Status, error) {
	if to, ok := transitions[s][ev]; ok {
		return to, nil
	}
	return s, &TransitionError{ID: id, From: s, Event: ev}
}

// NotRunning is the error of exec on a container that is not running:
// Docker's text, classified as ErrNotRunning.
func NotRunning(id string, s Status) error {
	return errorf(ErrNotRunning, "%s", &TransitionError{ID: id, From: s, Event: EventExec})
}
