package backend

import (
	"errors"
	"testing"
)

func TestNextFollowsTheLifecycle(t *testing.T) {
	statuses := []Status{StatusCreated, StatusRunning, StatusExited, StatusRemoving, StatusRemoved}
	events := []Event{EventStart, EventExit, EventRemove, EventGone}
	legal := map[Status]map[Event]Status{
		StatusCreated:  {EventStart: StatusRunning, EventRemove: StatusRemoving},
		StatusRunning:  {EventExit: StatusExited},
		StatusExited:   {EventStart: StatusRunning, EventRemove: StatusRemoving},
		StatusRemoving: {EventGone: StatusRemoved},
	}
	for _, from := range statuses {
		for _, ev := range events {
			got, err := Next("c1", from, ev)
			want, ok := legal[from][ev]
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("Next(%s, %s) = %s, %v; want %s", from, ev, got, err, want)
			case !ok && err == nil:
				t.Errorf("Next(%s, %s) = %s, want a TransitionError", from, ev, got)
			case !ok && got != from:
				t.Errorf("Next(%s, %s) moved to %s on error", from, ev, got)
			}
			var te *TransitionError
			if !ok && !errors.As(err, &te) {
				t.Errorf("Next(%s, %s) error %v is no *TransitionError", from, ev, err)
			}
		}
	}
}

func TestTransitionErrorTexts(t *testing.T) {
	tests := []struct {
		err  TransitionError
		want string
	}{
		{TransitionError{"abc", StatusRunning, EventRemove}, "You cannot remove a running container abc. Stop the container before attempting removal or force remove"},
		{TransitionError{"abc", StatusRemoving, EventStart}, "container abc is marked for removal and cannot be used"},
		{TransitionError{"abc", StatusRemoved, EventRemove}, "container abc is marked for removal and cannot be used"},
		{TransitionError{"abc", StatusExited, EventExec}, "Container abc is not running"},
		{TransitionError{"abc", StatusRunning, EventStart}, "container abc: cannot start a container that is running"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.err, got, tt.want)
		}
	}
	err := NotRunning("abc", StatusCreated)
	if err.Error() != "Container abc is not running" || !errors.Is(err, ErrNotRunning) {
		t.Errorf("NotRunning = %q (ErrNotRunning: %v)", err, errors.Is(err, ErrNotRunning))
	}
}
