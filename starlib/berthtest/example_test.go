package berthtest_test

import (
	"os"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/starlib/berthtest"
)

// TestSuite runs testdata/suite as subtests: TestSuite/testdata/suite/a.star/test_echo, ...
func TestSuite(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("containers need root")
	}
	root := t.TempDir()
	sum := berthtest.Run(t, "testdata/suite", berthtest.WithBackend(func() (backend.Backend, error) {
		e, err := engine.Open(engine.Options{Root: root})
		if err != nil {
			return nil, err
		}
		return e, nil
	}))
	if sum.Passed != 2 || sum.Skipped != 1 || sum.Failed != 0 {
		t.Errorf("summary = %s, want 2 passed, 0 failed, 1 skipped", sum.Line())
	}
}

// Example shows a project's scenario test: a Go test that runs the
// scenarios/ directory on berth's embedded engine.
func Example() {
	// In scenarios_test.go:
	//
	//	func TestScenarios(t *testing.T) {
	//		berthtest.Use(func() (backend.Backend, error) {
	//			e, err := engine.Open(engine.Options{Root: "/var/tmp/berth-test"})
	//			if err != nil {
	//				return nil, err
	//			}
	//			return e, nil
	//		})
	//		berthtest.Run(t, "scenarios/")
	//	}
	//
	// go test -run TestScenarios -v prints a subtest per file and per case.
	var _ = berthtest.Run
}
