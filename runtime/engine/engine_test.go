package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/spec"
)

// testEngine is shared by the tests of this package: one root, one
// busybox image built once. The tests go through the sandboxes over it,
// as the builtins do.
var (
	testEngine    *Engine
	testSandboxes *backend.Sandboxes
)

func TestMain(m *testing.M) {
	code := func() int {
		if os.Geteuid() != 0 {
			return m.Run() // every test skips
		}
		root, err := os.MkdirTemp("", "berth-engine-test-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(root)
		testEngine, err = Open(Options{Root: root, Offline: true}) // tests have no internet
		if err != nil {
			panic(err)
		}
		defer testEngine.Close()
		testSandboxes = backend.NewSandboxes(testEngine)
		defer testSandboxes.Close()
		return m.Run()
	}()
	os.Exit(code)
}

// sandbox returns a sandbox closed when the test ends.
func sandbox(t *testing.T) backend.Sandbox {
	t.Helper()
	if testEngine == nil {
		t.Skip("the engine needs root")
	}
	sb := newSandbox(t.Name(), nil)
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	return sb
}

// newSandbox opens a sandbox over the test engine, for the caller to close.
func newSandbox(label string, parent backend.Sandbox) backend.Sandbox {
	sb, err := testSandboxes.New(label, parent)
	if err != nil {
		panic(err)
	}
	return sb
}

// engineOf is the engine's own container behind c, for the tests that
// look at its insides.
func engineOf(c backend.Container) *Container { return c.(*Container) }

// removeStored removes a store volume by its stored name, as berth volume
// rm does.
func removeStored(t *testing.T, name string) error {
	return testEngine.RemoveVolume(ctx(t), name, name)
}

// foreground is what c's foreground run printed.
func foreground(c backend.Container) backend.Output {
	out, _ := c.ForegroundOutput()
	return out
}

// inspect is c's docker inspect document.
func inspect(t *testing.T, c backend.Container) map[string]any {
	t.Helper()
	doc, err := c.Inspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestForegroundRun(t *testing.T) {
	sb := sandbox(t)
	tests := []struct {
		name       string
		spec       spec.Container
		wantOutput string
		wantCode   int
	}{
		{"echo", spec.Container{Image: "busybox", Cmd: []string{"echo", "hi"}}, "hi\n", 0},
		{"exit code", spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "exit 7"}}, "", 7},
		{"stderr", spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "echo err >&2"}}, "err\n", 0},
		{"env and defaults", spec.Container{Image: "busybox", Hostname: "h1", Env: []string{"A=1"}, Cmd: []string{"sh", "-c", "echo $A $HOSTNAME $PATH"}},
			"1 h1 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", 0},
		{"stdin", spec.Container{Image: "busybox", Stdin: ptr("fed\n"), Cmd: []string{"cat"}}, "fed\n", 0},
		{"workdir created", spec.Container{Image: "busybox", Workdir: "/w/x", Cmd: []string{"pwd"}}, "/w/x\n", 0},
		{"user", spec.Container{Image: "busybox", User: "nobody", Cmd: []string{"id", "-u"}}, "65534\n", 0},
		{"entrypoint", spec.Container{Image: "busybox", EntrypointSet: true, Entrypoint: []string{"echo"}, Cmd: []string{"a", "b"}}, "a b\n", 0},
		{"etc hostname", spec.Container{Image: "busybox", Hostname: "hh", Cmd: []string{"cat", "/etc/hostname"}}, "hh\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := sb.Run(ctx(t), tt.spec, backend.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := foreground(c).Output
			st := c.State()
			if out != tt.wantOutput || st.ExitCode != tt.wantCode || st.Status != backend.StatusExited {
				t.Errorf("got %q exit %d status %s, want %q exit %d exited", out, st.ExitCode, st.Status, tt.wantOutput, tt.wantCode)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDetachedLifecycle(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Name: "wordpressdb", Image: "busybox",
		Env: []string{"MYSQL_ROOT_PASSWORD=password", "MYSQL_DATABASE=wordpress"},
		Cmd: []string{"sh", "-c", "echo ready; exec sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.WaitForLog(ctx(t), c, regexp.MustCompile("^ready$"), 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"sh", "-c", "echo $MYSQL_DATABASE; echo oops >&2; exit 3"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || res.Stdout != "wordpress\n" || res.Stderr != "oops\n" {
		t.Errorf("exec: %+v", res)
	}
	// Names are Docker's: a second "wordpressdb" conflicts.
	_, err = sb.Create(ctx(t), spec.Container{Name: "wordpressdb", Image: "busybox", Cmd: []string{"true"}})
	if !errors.Is(err, backend.ErrNameInUse) || !strings.Contains(err.Error(), `The container name "/wordpressdb" is already in use by container "`+c.ID()+`"`) {
		t.Errorf("duplicate name: %v", err)
	}
	if got, err := sb.Lookup("wordpressdb"); err != nil || got != c {
		t.Errorf("lookup by name: %v", err)
	}
	if got, err := sb.Lookup(c.ID()[:12]); err != nil || got != c {
		t.Errorf("lookup by short id: %v", err)
	}
	doc := inspect(t, c)
	env := doc["Config"].(map[string]any)["Env"].([]any)
	if len(env) != 3 || env[1] != "MYSQL_ROOT_PASSWORD=password" {
		t.Errorf("Config.Env = %v", env)
	}
	if doc["LogPath"] != filepath.Join(testEngine.Root(), "containers", c.ID(), c.ID()+"-json.log") {
		t.Errorf("LogPath = %v", doc["LogPath"])
	}
	if err := c.Remove(ctx(t), backend.RemoveOptions{}); err == nil || !strings.Contains(err.Error(), "You cannot remove a running container") {
		t.Errorf("rm of a running container: %v", err)
	}
	start := time.Now()
	if err := c.Stop(ctx(t), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// sleep as PID 1 has no SIGTERM handler, so the kernel ignores it.
	if st := c.State(); st.ExitCode != 137 || st.Status != backend.StatusExited {
		t.Errorf("after stop: %+v", st)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Errorf("stop returned before the grace period")
	}
	if _, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"true"}}); !errors.Is(err, backend.ErrNotRunning) {
		t.Errorf("exec on an exited container: %v", err)
	}
	if err := c.Remove(ctx(t), backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(testEngine.containerDir(c.ID())); !os.IsNotExist(err) {
		t.Errorf("container dir left after rm: %v", err)
	}
	if _, err := sb.Lookup("wordpressdb"); !errors.Is(err, backend.ErrNoSuchContainer) {
		t.Errorf("lookup after rm: %v", err)
	}
}

func TestMissingExecutableStaysCreated(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"/nonexistent"}}, backend.RunOptions{Detach: true})
	if err == nil || !strings.Contains(err.Error(), `exec: "/nonexistent": stat /nonexistent: no such file or directory`) {
		t.Fatalf("got %v", err)
	}
	if st := c.State(); st.Status != backend.StatusCreated || st.ExitCode != 127 {
		t.Errorf("state %+v, want created with exit code 127", st)
	}
}

func TestRestartAndKill(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "echo start; trap 'exit 5' TERM; while true; do sleep 0.05; done"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.WaitForLog(ctx(t), c, regexp.MustCompile("start"), 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx(t), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := backend.WaitForLog(ctx(t), c, regexp.MustCompile("start"), 2, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(ctx(t), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if st := c.State(); st.ExitCode != 137 {
		t.Errorf("after kill: %+v", st)
	}
	if err := c.Kill(ctx(t), syscall.SIGKILL); !errors.Is(err, backend.ErrNotRunning) {
		t.Errorf("kill of an exited container: %v", err)
	}
}

func TestWaitForLogFailsWhenContainerExits(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "echo last words; exit 2"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = backend.WaitForLog(ctx(t), c, regexp.MustCompile("never"), 1, 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited (code 2)") || !strings.Contains(err.Error(), "last words") {
		t.Errorf("got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("wait_for_log waited for its timeout instead of failing at the exit")
	}
}

func TestReadWriteFile(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteFile(ctx(t), "/data/x.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"cat", "/data/x.txt"}})
	if err != nil || res.Stdout != "hello" {
		t.Errorf("cat: %+v %v", res, err)
	}
	if _, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"ln", "-s", "/etc", "/link"}}); err != nil {
		t.Fatal(err)
	}
	data, err := c.ReadFile(ctx(t), "/link/hostname")
	if err != nil || string(data) != c.Hostname()+"\n" {
		t.Errorf("read through an in-container symlink: %q %v", data, err)
	}
}

func TestValidationLeavesNothing(t *testing.T) {
	sb := sandbox(t)
	before, _ := os.ReadDir(containersDirOf(t))
	tests := []struct {
		spec spec.Container
		want string
	}{
		{spec.Container{Image: "busybox", Name: "-bad"}, "Invalid container name (-bad)"},
		{spec.Container{Image: "nosuch", Pull: spec.PullNever}, "No such image: nosuch:latest"},
		{spec.Container{Image: "nosuch"}, "Unable to find image 'nosuch:latest' locally: pull nosuch: berth is offline"},
		{spec.Container{Image: "busybox", Pull: "sometimes"}, "invalid pull option"},
		{spec.Container{Image: "busybox", Env: []string{"NOEQUALS"}}, `invalid environment variable "NOEQUALS"`},
		{spec.Container{Image: "busybox", Resources: spec.Resources{Memory: 1024}}, "Minimum memory limit allowed is 6MB"},
		{spec.Container{Image: "busybox", Log: spec.LogConfig{Type: "bogus"}}, "bogus"},
	}
	for _, tt := range tests {
		_, err := sb.Create(ctx(t), tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want %q", tt.spec, err, tt.want)
		}
	}
	after, _ := os.ReadDir(containersDirOf(t))
	if len(after) != len(before) {
		t.Errorf("failed creates left %d container dirs", len(after)-len(before))
	}
}

func containersDirOf(t *testing.T) string { return testEngine.dirs.Path() }

// Docker's default hardening: capability bounding set, seccomp filter,
// masked and read-only /proc paths.
func TestDefaultHardening(t *testing.T) {
	sb := sandbox(t)
	script := `grep -E '^(CapBnd|Seccomp):' /proc/self/status; wc -c < /proc/interrupts; (echo x > /proc/sys/kernel/hostname) 2>/dev/null || echo ro`
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", script}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := foreground(c).Output
	// Docker's 14 default capabilities.
	if !strings.Contains(out, "CapBnd:\t00000000a80425fb\n") {
		t.Errorf("capability bounding set: %q", out)
	}
	wantSeccomp := "Seccomp:\t0\n"
	if container.SeccompSupported() {
		wantSeccomp = "Seccomp:\t2\n"
	}
	if !strings.Contains(out, wantSeccomp) {
		t.Errorf("want %q in %q", wantSeccomp, out)
	}
	if !strings.Contains(out, "\n0\n") {
		t.Errorf("/proc/interrupts is not masked: %q", out)
	}
	if !strings.HasSuffix(out, "ro\n") {
		t.Errorf("/proc/sys is writable: %q", out)
	}
}

func TestNetworkModes(t *testing.T) {
	sb := sandbox(t)
	hostLinks, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	// veths and bridges come and go with other tests' containers and
	// networks: compare the rest.
	churn := regexp.MustCompile(`^(veth|berth|br-|bvp)`)
	var want []string
	for _, l := range hostLinks {
		if !churn.MatchString(l.Name()) {
			want = append(want, l.Name())
		}
	}
	hostname, _ := os.Hostname()
	tests := []struct {
		network  string
		hostname string
		links    string
	}{
		{"", "", "eth0 lo"},
		{"bridge", "", "eth0 lo"},
		{"none", "", "lo"},
		{"host", hostname, strings.Join(want, " ")},
	}
	for _, tt := range tests {
		t.Run("network="+tt.network, func(t *testing.T) {
			c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: tt.network, Cmd: []string{"sh", "-c", "hostname; ls /sys/class/net | grep -Ev '^(veth|berth|br-|bvp)' | xargs"}}, backend.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := foreground(c).Output
			wantHost := tt.hostname
			if wantHost == "" {
				wantHost = c.ID()[:12]
			}
			if out != wantHost+"\n"+tt.links+"\n" {
				t.Errorf("got %q, want hostname %q and links %q", out, wantHost, tt.links)
			}
			if got := inspect(t, c)["HostConfig"].(map[string]any)["NetworkMode"]; tt.network != "" && got != tt.network {
				t.Errorf("NetworkMode = %v", got)
			}
		})
	}
}

// Errors read as Docker's texts, with nothing appended, and still match
// their sentinels.
func TestErrorTexts(t *testing.T) {
	sb := sandbox(t)
	_, err := sb.Lookup("nosuch")
	if err == nil || err.Error() != "No such container: nosuch" || !errors.Is(err, backend.ErrNoSuchContainer) {
		t.Errorf("lookup: %v", err)
	}
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Name: "done", Cmd: []string{"true"}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"true"}})
	if err == nil || err.Error() != "Container "+c.ID()+" is not running" || !errors.Is(err, backend.ErrNotRunning) {
		t.Errorf("exec: %v", err)
	}
	_, err = sb.Create(ctx(t), spec.Container{Image: "busybox", Name: "done", Cmd: []string{"true"}})
	if err == nil || !strings.HasSuffix(err.Error(), "to be able to reuse that name.") || !errors.Is(err, backend.ErrNameInUse) {
		t.Errorf("conflict: %v", err)
	}
	if err := c.Remove(ctx(t), backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	// A removed container's files are gone; writing must not recreate
	// its directory on the host.
	if err := c.WriteFile(ctx(t), "/x", []byte("x")); !errors.Is(err, backend.ErrNoSuchContainer) {
		t.Errorf("write to a removed container: %v", err)
	}
	if _, err := os.Stat(testEngine.containerDir(c.ID())); !os.IsNotExist(err) {
		t.Errorf("container dir exists after a write to the removed container: %v", err)
	}
}
