package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// load() reads only files under the suite root: whatever the module path
// or a symlink in the suite says, a file outside is neither run nor shown.
func TestLoadIsConfinedToTheSuite(t *testing.T) {
	// outside.star, if it were ever run, would fail with its content in
	// the report.
	const secret = "SECRET_CONTENT"
	outside := "fail(\"" + secret + "\")\n"
	tests := []struct {
		name  string
		files map[string]string
		links map[string]string // symlink → target, in the tree
		path  string            // what berth test is given
		want  string
	}{
		{
			name:  "absolute path",
			files: map[string]string{"s/a.star": `load("/etc/passwd", "x")`},
			path:  "s",
			want:  "cannot load /etc/passwd: /etc/passwd is outside the suite root s: load() reads only files under it",
		},
		{
			name:  "dot-dot past the root",
			files: map[string]string{"s/sub/a.star": `load("../../outside.star", "x")`, "outside.star": outside},
			path:  "s",
			want:  "cannot load ../../outside.star: outside.star is outside the suite root s: load() reads only files under it",
		},
		{
			name:  "root-relative dot-dot",
			files: map[string]string{"s/a.star": `load("//../outside.star", "x")`, "outside.star": outside},
			path:  "s",
			want:  "cannot load //../outside.star: outside.star is outside the suite root s: load() reads only files under it",
		},
		{
			name:  "a named file's root is its directory",
			files: map[string]string{"s/sub/a.star": `load("../x.star", "x")`, "s/x.star": outside},
			path:  "s/sub/a.star",
			want:  "cannot load ../x.star: s/x.star is outside the suite root s/sub: load() reads only files under it",
		},
		{
			name:  "symlink to a file outside",
			files: map[string]string{"s/a.star": `load("_link.star", "x")`, "outside.star": outside},
			links: map[string]string{"s/_link.star": "../outside.star"},
			path:  "s",
			want:  "cannot load _link.star: s/_link.star leads outside the suite root s through a symlink: load() reads only files under it",
		},
		{
			name:  "symlinked directory outside",
			files: map[string]string{"s/a.star": `load("//lib/x.star", "x")`, "elsewhere/x.star": outside},
			links: map[string]string{"s/lib": "../elsewhere"},
			path:  "s",
			want:  "cannot load //lib/x.star: s/lib/x.star leads outside the suite root s through a symlink: load() reads only files under it",
		},
		{
			name:  "absolute symlink",
			files: map[string]string{"s/a.star": `load("_passwd.star", "x")`},
			links: map[string]string{"s/_passwd.star": "/etc/passwd"},
			path:  "s",
			want:  "cannot load _passwd.star: s/_passwd.star leads outside the suite root s through a symlink",
		},
		{
			name:  "a FIFO is not read",
			files: map[string]string{"s/a.star": `load("_fifo.star", "x")`},
			path:  "s",
			want:  "cannot load _fifo.star: s/_fifo.star: not a regular file (a named pipe)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			for link, target := range tt.links {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Contains(tt.name, "FIFO") {
				if err := mkfifo(filepath.Join(dir, "s", "_fifo.star")); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			e := newFakeEngine()
			opts := e.options(nil)
			var out strings.Builder
			opts.Paths, opts.Stdout = []string{tt.path}, &out
			sum, err := Test(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			e.checkAllClosedOnce(t)
			if sum.Failed != 1 || len(sum.Cases) != 1 {
				t.Fatalf("want one failed case, got:\n%s", out.String())
			}
			failure := sum.Cases[0].Failure
			if !strings.Contains(failure, tt.want) {
				t.Errorf("failure lacks %q:\n%s", tt.want, failure)
			}
			if strings.Contains(out.String(), secret) || strings.Contains(out.String(), "root:") {
				t.Errorf("the report shows the outside file's content:\n%s", out.String())
			}
		})
	}
}

func mkfifo(path string) error { return unix.Mkfifo(path, 0o644) }
