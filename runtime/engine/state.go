package engine

import "fmt"

// Status is a container's lifecycle state, spelled as Docker's.
type Status string

const (
	StatusCreated  Status = "created"
	StatusRunning  Status = "running"
	StatusExited   Status = "exited"
	StatusRemoving Status = "removing"
	StatusRemoved  Status = "removed"
)

// event is what moves a container from one state to another.
type event string

const (
	evStart  event = "start"
	evExit   event = "exit"
	evRemove event = "remove"
	evGone   event = "gone"
)

// transitions is the lifecycle: every legal (state, event) pair and where
// it leads. Anything else is a *TransitionError.
var transitions = map[Status]map[event]Status{
	StatusCreated:  {evStart: StatusRunning, evRemove: StatusRemoving},
	StatusRunning:  {evExit: StatusExited},
	StatusExited:   {evStart: StatusRunning, evRemove: StatusRemoving},
	StatusRemoving: {evGone: StatusRemoved},
}

// TransitionError is an operation that the container's state forbids.
type TransitionError struct {
	ID    string
	From  Status
	Event string
}

func (e *TransitionError) Error() string {
	switch {
	case e.From == StatusRunning && e.Event == string(evRemove):
		return fmt.Sprintf("You cannot remove a running container %s. Stop the container before attempting removal or force remove", e.ID)
	case e.From == StatusRemoving || e.From == StatusRemoved:
		return fmt.Sprintf("container %s is marked for removal and cannot be used", e.ID)
	case e.Event == "exec":
		return fmt.Sprintf("Container %s is not running", e.ID)
	}
	return fmt.Sprintf("container %s: cannot %s a container that is %s", e.ID, e.Event, e.From)
}

// next returns the state that ev leads to from s.
func next(id string, s Status, ev event) (Status, error) {
	if to, ok := transitions[s][ev]; ok {
		return to, nil
	}
	return s, &TransitionError{ID: id, From: s, Event: string(ev)}
}
