package assert_test

import (
	"context"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"berth/starlib/assert"
	"berth/starlib/session"
)

// A cancelled case must stop assert.eventually at once (with a timeout of
// an hour, a wait that ignored cancellation would hang the test), and
// assert.fails must not swallow the cancellation as the expected error.
func TestCancellation(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"eventually", `assert.eventually(lambda: False, timeout="1h")`, "assert.eventually: context canceled"},
		{"fails", `assert.fails(lambda: fail("cancel me"), "cancel")`, "fail: cancel me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			th := &starlark.Thread{}
			session.Set(th, &session.Session{Ctx: ctx})
			_, err := starlark.ExecFileOptions(&syntax.FileOptions{}, th, "cancel.star", tt.src, starlark.StringDict{"assert": assert.Module})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
