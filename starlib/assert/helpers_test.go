package assert_test

import (
	"context"
	"testing"

	"berth/starlib/runner"
)

// runScript runs one file and returns its summary line.
func runScript(t *testing.T, path string, opts runner.Options) string {
	t.Helper()
	opts.Paths = []string{path}
	sum, err := runner.Test(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum.Line()
}
