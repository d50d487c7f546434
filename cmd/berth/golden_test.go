package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestHelpGolden pins the help texts users read; go test -update rewrites
// them after a deliberate change.
func TestHelpGolden(t *testing.T) {
	root := filepath.Join(t.TempDir(), "unused")
	tests := []struct {
		golden string
		args   []string
	}{
		{"help.golden", []string{"help"}},
		{"test-help.golden", []string{"test", "-h"}},
		{"run-help.golden", []string{"run", "-h"}},
	}
	for _, tt := range tests {
		out, code := berth(t, root, tt.args...)
		if code != 0 {
			t.Errorf("berth %v: exit %d", tt.args, code)
		}
		path := filepath.Join("testdata", tt.golden)
		if *update {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if d := cmp.Diff(string(want), out); d != "" {
			t.Errorf("berth %v differs from %s (-want +got):\n%s", tt.args, path, d)
		}
	}
}
