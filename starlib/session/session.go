// Package session holds the per-thread state of a running scenario: the
// context that cancels it, the file it comes from, whether golden files are
// being rewritten, where print() goes, and the cleanups to run when the case
// ends.
//
// The state lives in a Starlark thread-local behind typed accessors, never in
// package globals, so files and cases running in parallel cannot see each
// other's state.
package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"go.starlark.net/starlark"
)

// ErrNoSession is returned when a thread that was never given a Session is
// asked to own a resource: with nobody to clean it up, it would leak.
var ErrNoSession = errors.New("no session on this thread")

// localKey is the thread-local key, namespaced so that other packages' locals
// cannot collide with it.
const localKey = "berth.session"

// Session is the state of one running case (or of a file's top level).
type Session struct {
	// Ctx is cancelled when the case times out or the run is interrupted.
	// Builtins that block select on Ctx.Done().
	Ctx context.Context
	// File is the absolute path of the running .star file.
	File string
	// SuiteRoot is the directory that load("//...") is relative to.
	SuiteRoot string
	// Update asks assert.golden to rewrite golden files instead of
	// comparing with them (berth test -update).
	Update bool
	// Out is where print() goes.
	Out io.Writer

	mu       sync.Mutex
	cleanups []func() error
}

// Set attaches s to th. Call it before the thread starts executing.
func Set(th *starlark.Thread, s *Session) {
	th.SetLocal(localKey, s)
}

// Get returns the Session of th. It never returns nil: a thread without one
// gets a fresh default with context.Background() and print() to stderr
// (Starlark's own default).
func Get(th *starlark.Thread) *Session {
	if s, ok := th.Local(localKey).(*Session); ok && s != nil {
		return s
	}
	return &Session{Ctx: context.Background(), Out: os.Stderr}
}

// Context returns the context of th's Session, never nil.
func Context(th *starlark.Thread) context.Context {
	if ctx := Get(th).Ctx; ctx != nil {
		return ctx
	}
	return context.Background()
}

// CallerFile returns the .star file of the Starlark code that called the
// running builtin, so that a helper loaded from another directory resolves
// paths next to itself. It falls back to the Session's File.
func CallerFile(th *starlark.Thread) string {
	if th.CallStackDepth() > 1 {
		if f := th.CallFrame(1).Pos.Filename(); f != "" && f != "<builtin>" {
			return f
		}
	}
	return Get(th).File
}

// Print is a starlark.Thread.Print implementation that writes to the
// Session's Out.
func Print(th *starlark.Thread, msg string) {
	out := Get(th).Out
	if out == nil {
		out = os.Stderr
	}
	fmt.Fprintln(out, msg)
}

// AddCleanup registers fn to run when th's case ends. It fails with
// ErrNoSession when th has no Session, since nothing would run fn.
func AddCleanup(th *starlark.Thread, fn func() error) error {
	s, ok := th.Local(localKey).(*Session)
	if !ok || s == nil {
		return ErrNoSession
	}
	s.AddCleanup(fn)
	return nil
}

// AddCleanup registers fn to run when the case ends.
func (s *Session) AddCleanup(fn func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, fn)
}

// RunCleanups runs the registered cleanups, last registered first, and
// forgets them. Every cleanup runs even when an earlier one fails; the
// errors are joined.
func (s *Session) RunCleanups() error {
	s.mu.Lock()
	fns := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()

	var errs []error
	for _, fn := range slices.Backward(fns) {
		if err := fn(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
