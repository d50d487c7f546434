package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTestExitStatusAndReport(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.star"), `
def test_echo():
    assert.eq(run("busybox", "echo hi").output, "hi\n")

def test_other():
    pass
`)
	res := berth(t, root.path, "test", dir)
	if res.code != 0 || res.lastLine() != "2 passed, 0 failed" || res.stderr != "" {
		t.Errorf("passing suite: want exit 0 and the summary last\n%s", res)
	}
	res = berth(t, root.path, "test", "-run", "test_echo", dir)
	if res.code != 0 || res.lastLine() != "1 passed, 0 failed, 1 skipped" {
		t.Errorf("-run test_echo\n%s", res)
	}

	bad := writeFile(t, filepath.Join(dir, "bad.star"), `
def check(c):
    assert.eq(c.status, "exited")

def test_fails():
    c = run("busybox", "sh -c 'echo the last words; exec sleep 3600'", detach = True, name = "web")
    c.wait_for_log("last words")
    check(c)
`)
	res = berth(t, root.path, "test", dir)
	for _, want := range []string{
		"FAIL " + bad + "::test_fails",
		// The backtrace, every frame with file:line:col.
		"bad.star:8:10: in test_fails",
		"bad.star:3:14: in check",
		// The diagnostics: each container's state and last log lines.
		"container web (",
		"image busybox): running",
		"| the last words",
		"PASS " + filepath.Join(dir, "ok.star") + "::test_echo",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("failing suite: report lacks %q\n%s", want, res)
		}
	}
	if res.code != 1 || res.lastLine() != "2 passed, 1 failed" {
		t.Errorf("failing suite: want exit 1 and the summary last\n%s", res)
	}
	// -run matches "file.star::test_name", so it selects by file too.
	res = berth(t, root.path, "test", "-run", `bad\.star`, dir)
	if res.code != 1 || res.lastLine() != "0 passed, 1 failed, 2 skipped" || strings.Contains(res.stdout, "PASS") {
		t.Errorf("-run bad.star\n%s", res)
	}
	// berth run streams the scenario's print output.
	res = berth(t, root.path, "run", writeFile(t, filepath.Join(t.TempDir(), "p.star"), `print("hello from " + run("busybox", "hostname", hostname = "h1").output.strip())`))
	if res.code != 0 || !strings.HasPrefix(res.stdout, "hello from h1\n") || res.lastLine() != "1 passed, 0 failed" {
		t.Errorf("berth run of a passing file\n%s", res)
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after the runs: %s", l)
	}
}

// Invocations that cannot work fail before anything is created under the
// root, with an error naming the bad value and what is allowed. Their
// output is pinned in testdata/errors.golden.
func TestBadInvocationsGolden(t *testing.T) {
	root := filepath.Join(t.TempDir(), "never-created")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x.txt"), "")
	writeFile(t, filepath.Join(dir, "a.star"), "")
	tests := [][]string{
		{"bogus"},
		{"--bogus", "run", "$DIR/a.star"},
		{},
		{"run"},
		{"run", "$DIR/a.star", "$DIR/a.star"},
		{"run", "/no/such.star"},
		{"run", "$DIR"},
		{"run", "$DIR/x.txt"},
		{"run", "-bogus", "$DIR/a.star"},
		{"test", "-bogus"},
		{"test", "-run", "(", "$DIR"},
		{"test", "-parallel", "many", "$DIR"},
		{"test", "-parallel", "0", "$DIR"},
		{"test", "-parallel", "-5", "$DIR"},
		{"test", "-timeout", "-1s", "$DIR"},
		{"run", "-timeout", "-1s", "$DIR/a.star"},
		{"--root", "", "run", "$DIR/a.star"},
		{"--backend", "docker", "run", "$DIR/a.star"},
		{"--backend", "", "gc"},
		{"test", "/no/such"},
		{"test", "-failfst", "$DIR"},
		{"test", "-shard", "0/4", "$DIR"},
		{"test", "-shard", "5/4", "$DIR"},
		{"test", "-shard", "half", "$DIR"},
		{"test", "-count", "0", "$DIR"},
		{"test", "-json", "-tap", "$DIR"},
		{"test", "-junit", "/no/such/dir/j.xml", "$DIR"},
		{"test", "$DIR", "-parallel", "0"},
		{"gc", "extra"},
		{"gc", "-x"},
		{"image"},
		{"image", "frobnicate"},
		{"image", "rm"},
		{"image", "ls", "extra"},
		{"image", "import", "$DIR"},
		{"image", "save", "busybox"},
		{"help", "rnu"},
		{"help", "Container.exce"},
		{"help", "run", "create"},
		{"repl", "extra"},
		{"repl", "-bogus"},
		{"repl", "-timeout", "-1s"},
	}
	var report strings.Builder
	for _, args := range tests {
		real := make([]string, len(args))
		for i, a := range args {
			real[i] = strings.ReplaceAll(a, "$DIR", dir)
		}
		res := berth(t, root, real...)
		if res.code != 2 {
			t.Errorf("berth %q: want exit 2\n%s", args, res)
		}
		out := strings.ReplaceAll(res.stdout+res.stderr, dir, "$DIR")
		fmt.Fprintf(&report, "$ berth %s\n%s(exit %d)\n\n", strings.Join(args, " "), out, res.code)
	}
	golden(t, "errors.golden", report.String())
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("a failed invocation created the root: %v", err)
	}
}

func TestImageCommands(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	res := berth(t, root.path, "image", "ls")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "REPOSITORY:TAG ") || !strings.Contains(res.stdout, "\nbusybox:latest ") {
		t.Fatalf("image ls\n%s", res)
	}
	rootfs := t.TempDir()
	writeFile(t, filepath.Join(rootfs, "etc", "motd"), "hi\n")
	res = berth(t, root.path, "image", "import", rootfs, "mine:v1")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "sha256:") {
		t.Fatalf("image import\n%s", res)
	}
	id := strings.TrimPrefix(strings.TrimSpace(res.stdout), "sha256:")[:12]
	if res := berth(t, root.path, "image", "ls"); !strings.Contains(res.stdout, "\nmine:v1 ") || !strings.Contains(res.stdout, " "+id+" ") {
		t.Errorf("imported image %s not listed\n%s", id, res)
	}
	if res := berth(t, root.path, "image", "inspect", "mine:v1"); res.code != 0 || !strings.Contains(res.stdout, `"mine:v1"`) {
		t.Errorf("image inspect\n%s", res)
	}
	if res := berth(t, root.path, "image", "tag", "mine:v1", "mine:v2"); res.code != 0 {
		t.Errorf("image tag\n%s", res)
	}
	for _, ref := range []string{"mine:v1", "mine:v2"} {
		if res := berth(t, root.path, "image", "rm", ref); res.code != 0 || res.stdout != "Untagged: "+ref+"\n" {
			t.Errorf("image rm %s\n%s", ref, res)
		}
	}
	if res := berth(t, root.path, "image", "ls"); strings.Contains(res.stdout, "mine:") || !strings.Contains(res.stdout, "busybox:latest") {
		t.Errorf("after image rm\n%s", res)
	}
	res = berth(t, root.path, "image", "rm", "mine:v1")
	if res.code != 2 || !strings.Contains(res.stderr, "mine:v1") {
		t.Errorf("image rm of a removed image: want exit 2 and an error naming it\n%s", res)
	}
	saved := filepath.Join(t.TempDir(), "busybox.tar")
	if res := berth(t, root.path, "image", "save", "-o", saved, "busybox"); res.code != 0 {
		t.Errorf("image save\n%s", res)
	}
	if res := berth(t, root.path, "image", "load", saved); res.code != 0 || res.stdout != "Loaded image: busybox:latest\n" {
		t.Errorf("image load of the saved archive\n%s", res)
	}
	res = berth(t, root.path, "image", "inspect", "nosuch")
	if res.code != 2 || !strings.Contains(res.stderr, "No such image: nosuch:latest") {
		t.Errorf("image inspect of a missing image\n%s", res)
	}
}

func TestGCCleanRoot(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	res := berth(t, root.path, "gc")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("gc on a clean root\n%s", res)
	}
	golden(t, "gc-clean.golden", gcReport(res.stdout))
}
