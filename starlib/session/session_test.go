package session

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"go.starlark.net/starlark"
)

func TestGetDefault(t *testing.T) {
	th := &starlark.Thread{}
	s := Get(th)
	if s == nil || s.Ctx == nil {
		t.Fatalf("Get on a bare thread = %+v, want a default session with a context", s)
	}
	if Context(th) != context.Background() {
		t.Errorf("Context on a bare thread is not context.Background()")
	}
}

func TestSetGet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	want := &Session{Ctx: ctx, File: "/s/a.star", Out: &out}
	th := &starlark.Thread{}
	Set(th, want)
	if got := Get(th); got != want {
		t.Fatalf("Get = %p, want %p", got, want)
	}
	if Context(th) != ctx {
		t.Errorf("Context did not return the session's context")
	}
	Print(th, "hello")
	if out.String() != "hello\n" {
		t.Errorf("Print wrote %q, want %q", out.String(), "hello\n")
	}
}

func TestCleanupsRunLastFirstAndJoinErrors(t *testing.T) {
	th := &starlark.Thread{}
	if err := AddCleanup(th, func() error { return nil }); !errors.Is(err, ErrNoSession) {
		t.Fatalf("AddCleanup without a session: err = %v, want ErrNoSession", err)
	}

	s := &Session{Ctx: context.Background()}
	Set(th, s)
	var order []int
	errA := errors.New("a failed")
	errC := errors.New("c failed")
	for i, err := range []error{errA, nil, errC} {
		if err := AddCleanup(th, func() error { order = append(order, i); return err }); err != nil {
			t.Fatal(err)
		}
	}
	err := s.RunCleanups()
	if want := []int{2, 1, 0}; len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Errorf("cleanup order = %v, want %v", order, want)
	}
	if !errors.Is(err, errA) || !errors.Is(err, errC) {
		t.Errorf("RunCleanups error = %v, want both cleanup errors", err)
	}
	order = nil
	if err := s.RunCleanups(); err != nil || len(order) != 0 {
		t.Errorf("second RunCleanups ran %v (err %v), want nothing", order, err)
	}
}
