package engine

import (
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// foregroundOK runs cs in the foreground in sb and returns what it printed,
// failing the test unless it exits 0.
func foregroundOK(t *testing.T, sb backend.Sandbox, cs spec.Container) string {
	t.Helper()
	c, err := sb.Run(ctx(t), cs, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := foreground(c).Output
	if code := c.State().ExitCode; code != 0 {
		t.Fatalf("%v exited %d: %q", cs.Cmd, code, out)
	}
	return out
}

// An image imported from a temporary directory (0700) runs as a non-root
// user: its root directory is 0755, not the source directory's mode.
func TestImportedImageRunsAsNobody(t *testing.T) {
	sb := sandbox(t)
	bb, err := testEngine.images.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.MkdirTemp("", "berth-import-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(src) })
	if out, err := exec.Command("cp", "-a", busyboxRoot(t, bb)+"/.", src).CombinedOutput(); err != nil {
		t.Fatalf("copy busybox: %v: %s", err, out)
	}
	if err := os.Chmod(src, 0o700); err != nil { // cp -a copied busybox's 0755
		t.Fatal(err)
	}
	if _, err := testEngine.images.ImportRootfs(src, "fixture-nobody"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testEngine.images.Remove("fixture-nobody") })
	out := foregroundOK(t, sb, spec.Container{Image: "fixture-nobody", User: "nobody", Cmd: []string{"sh", "-c", "id -u && cat /etc/hostname >/dev/null && echo ok"}})
	if out != "65534\nok\n" {
		t.Errorf("got %q, want 65534 and ok", out)
	}
}

// configImage is an image whose config sets every field berth honours.
func configImage(t *testing.T) {
	loadFixture(t, "fixture-config", fixtureConfig{
		Env:          []string{"PATH=/usr/bin:/bin", "FROM_IMAGE=img", "SHARED=img"},
		Entrypoint:   []string{"/bin/sh", "-c"},
		Cmd:          []string{"echo default cmd"},
		WorkingDir:   "/srv/app",
		User:         "nobody",
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}},
		Volumes:      map[string]struct{}{"/data": {}},
		Labels:       map[string]string{"from": "image", "shared": "image"},
		StopSignal:   "SIGUSR1",
		Healthcheck:  map[string]any{"Test": []string{"CMD-SHELL", "true"}, "Interval": int64(time.Second), "Retries": 3},
	}, map[string]string{"data/seed.txt": "seeded\n"})
}

// A run honours the image's Env, Entrypoint, Cmd, WorkingDir and User,
// and the spec's values win over them.
func TestImageConfigHonoured(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	tests := []struct {
		name string
		cs   spec.Container
		want string
	}{
		{"cmd and entrypoint", spec.Container{}, "default cmd\n"},
		{"env", spec.Container{Env: []string{"SHARED=ctr"}, Cmd: []string{"echo $FROM_IMAGE $SHARED $PATH"}}, "img ctr /usr/bin:/bin\n"},
		{"workdir", spec.Container{Cmd: []string{"pwd"}}, "/srv/app\n"},
		{"workdir given", spec.Container{Workdir: "/tmp", Cmd: []string{"pwd"}}, "/tmp\n"},
		{"user", spec.Container{Cmd: []string{"id -u; id -g"}}, "65534\n65534\n"},
		{"user given", spec.Container{User: "root", Cmd: []string{"id -u"}}, "0\n"},
		{"entrypoint given", spec.Container{EntrypointSet: true, Entrypoint: []string{"echo"}}, "\n"},
		{"volume copied up", spec.Container{Cmd: []string{"cat /data/seed.txt && grep -c ' /data ' /proc/self/mountinfo"}}, "seeded\n1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := tt.cs
			cs.Image = "fixture-config"
			if got := foregroundOK(t, sb, cs); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// exec runs as the image's user, in its working directory.
func TestImageConfigExec(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "fixture-config", Cmd: []string{"sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"sh", "-c", "id -u; pwd"}})
	if err != nil || res.Output != "65534\n/srv/app\n" {
		t.Errorf("exec: %q, %v; want the image's user and workdir", res.Output, err)
	}
}

// stop() sends the image's STOPSIGNAL first.
func TestImageConfigStopSignal(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "fixture-config", User: "root",
		Cmd: []string{"trap 'echo got usr1; exit 3' USR1; echo ready; while :; do sleep 1; done"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.WaitForLog(ctx(t), c, regexp.MustCompile("^ready$"), 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx(t), 20*time.Second); err != nil {
		t.Fatal(err)
	}
	logs, _ := c.Logs(ctx(t), backend.LogOptions{Tail: -1, Stdout: true, Stderr: true})
	if code := c.State().ExitCode; code != 3 || !strings.Contains(logs, "got usr1") {
		t.Errorf("exit %d, logs %q; want 3 after SIGUSR1", code, logs)
	}
}

// inspect shows the merged config as Docker does, and the image's volume
// among the mounts.
func TestImageConfigInspect(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	c, err := sb.Create(ctx(t), spec.Container{Image: "fixture-config", Labels: map[string]string{"shared": "ctr"}, Ports: []string{"8080"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := inspect(t, c)
	cfg := doc["Config"].(map[string]any)
	want := map[string]any{
		"User": "nobody", "WorkingDir": "/srv/app", "StopSignal": "SIGUSR1",
		"Entrypoint":   []any{"/bin/sh", "-c"},
		"Cmd":          []any{"echo default cmd"},
		"Env":          []any{"PATH=/usr/bin:/bin", "FROM_IMAGE=img", "SHARED=img"},
		"Labels":       map[string]any{"from": "image", "shared": "ctr"},
		"ExposedPorts": map[string]any{"53/udp": map[string]any{}, "80/tcp": map[string]any{}, "8080/tcp": map[string]any{}},
		"Volumes":      map[string]any{"/data": map[string]any{}},
		"Healthcheck":  map[string]any{"Test": []any{"CMD-SHELL", "true"}, "Interval": int64(time.Second), "Retries": int64(3)},
	}
	for k, v := range want {
		if !reflect.DeepEqual(cfg[k], v) {
			t.Errorf("Config.%s = %#v, want %#v", k, cfg[k], v)
		}
	}
	mounts := doc["Mounts"].([]any)
	if len(mounts) != 1 || mounts[0].(map[string]any)["Destination"] != "/data" || mounts[0].(map[string]any)["Type"] != "volume" {
		t.Errorf("Mounts = %v, want the anonymous volume at /data", mounts)
	}
	ports := doc["NetworkSettings"].(map[string]any)["Ports"].(map[string]any)
	if v, ok := ports["80/tcp"]; !ok || v != nil {
		t.Errorf("NetworkSettings.Ports = %v, want 80/tcp: null", ports)
	}
}

// A mount at the image's VOLUME path replaces the anonymous volume.
func TestImageVolumeCoveredByMount(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	c, err := sb.Create(ctx(t), spec.Container{Image: "fixture-config", Mounts: []spec.Mount{{Type: spec.MountTmpfs, Target: "/data/"}}})
	if err != nil {
		t.Fatal(err)
	}
	mounts := inspect(t, c)["Mounts"].([]any)
	if len(mounts) != 1 || mounts[0].(map[string]any)["Type"] != "tmpfs" {
		t.Errorf("Mounts = %v, want only the tmpfs", mounts)
	}
}

// A --link shows the target image's exposed ports as ALIAS_PORT_*.
func TestImageExposedPortsInLinkEnv(t *testing.T) {
	sb := sandbox(t)
	configImage(t)
	if _, err := sb.Run(ctx(t), spec.Container{Name: "web", Image: "fixture-config", User: "root", Cmd: []string{"sleep 1000"}}, backend.RunOptions{Detach: true}); err != nil {
		t.Fatal(err)
	}
	out := foregroundOK(t, sb, spec.Container{Image: "busybox", Links: []string{"web:w"}, Cmd: []string{"sh", "-c", "echo $W_PORT_80_TCP_PORT $W_PORT_53_UDP_PROTO ${W_PORT%%:*}"}})
	if out != "80 udp udp\n" {
		t.Errorf("got %q, want the link's variables for 53/udp and 80/tcp", out)
	}
}
