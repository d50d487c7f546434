package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file under
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("differs from %s (-want +got):\n%s", path, d)
	}
}

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
		{"gc-help.golden", []string{"gc", "-h"}},
		{"image-help.golden", []string{"image", "-h"}},
		{"repl-help.golden", []string{"repl", "-h"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			res := berth(t, root, tt.args...)
			if res.code != 0 {
				t.Errorf("berth %q: %s", tt.args, res)
			}
			golden(t, tt.golden, res.stdout+res.stderr)
		})
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("help created the root: %v", err)
	}
}
