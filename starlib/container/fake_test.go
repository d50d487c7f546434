package container_test

import (
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	"berth/starlib/internal/faketest"
)

// TestBuiltinsOnTheFake runs testdata/fake/*.star on the fake backend, as
// any user: the builtins' parsing, conversions, errors and value shapes.
func TestBuiltinsOnTheFake(t *testing.T) {
	env := faketest.New(t)
	b := env.Backend
	b.SetProgram("echo hi", fake.Program{Stdout: "hi\n"})
	b.SetProgram("false", fake.Program{ExitCode: 1})
	b.SetProgram("true", fake.Program{})
	b.SetProgram("serve", fake.Program{Runs: true, Stdout: "ready\n", Listens: []int{8080}})
	b.SetExec("cat /etc/hostname", backend.ExecResult{Stdout: "box\n", Output: "box\n"})
	env.PassAll("testdata/fake")
}

// A failing case shows its containers' state and last log lines.
func TestFailureDiagnosticsOnTheFake(t *testing.T) {
	env := faketest.New(t)
	env.Backend.SetProgram("echo hi", fake.Program{Stdout: "hi\n"})
	r := env.FailedCase(`
c = run("busybox", "echo hi", name = "talker")
assert.eq(c.output, "bye\n")
`)
	for _, want := range []string{`"hi\n"`, `"bye\n"`} {
		if !strings.Contains(r.Failure, want) {
			t.Errorf("failure lacks %q:\n%s", want, r.Failure)
		}
	}
	for _, want := range []string{"container talker (", "image busybox): exited, exit code 0", "  | hi"} {
		if !strings.Contains(r.Diagnostics, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, r.Diagnostics)
		}
	}
}
