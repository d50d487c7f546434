package engine

import (
	"berth/runtime/backend"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/fsroot"
	"berth/runtime/spec"
)

// baitDir makes a host directory holding one file, secret, that no
// container may read, and returns the directory and the file's content.
func baitDir(t *testing.T) (dir, secret string) {
	t.Helper()
	dir = t.TempDir()
	secret = "host secret " + t.Name()
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, secret
}

// checkBait fails the test if anything in the bait directory changed.
func checkBait(t *testing.T, dir, secret string) {
	t.Helper()
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0].Name() != "secret" {
		var got []string
		for _, n := range names {
			got = append(got, n.Name())
		}
		t.Errorf("the host directory outside the container now holds %v, want only [secret]", got)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "secret")); err != nil || string(data) != secret {
		t.Errorf("the host's bait file = %q, %v; want it untouched", data, err)
	}
}

// swapper is a container that keeps replacing /w/sub, a directory, with a
// symlink to a host directory, as fast as it can.
func swapper(t *testing.T, sb backend.Sandbox, hostDir string, mounts ...spec.Mount) backend.Container {
	t.Helper()
	script := `mkdir -p /w; while :; do rm -rf /w/sub; mkdir /w/sub; echo inside > /w/sub/secret; rm -rf /w/sub; ln -s ` + hostDir + ` /w/sub; done`
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", script}, Mounts: mounts}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A container that swaps a directory for a symlink to a host directory
// between berth's resolving a path and opening it must never get berth to
// write into that host directory or read from it: paths are opened
// relative to the container's root, by the kernel. The old code
// (resolve, then open by name) lost this race within ~200 calls.
func TestReadWriteFileRaceWithSymlinkSwap(t *testing.T) {
	sb := sandbox(t)
	tests := []struct {
		name   string
		mounts func(t *testing.T) []spec.Mount
	}{
		{"container root", func(*testing.T) []spec.Mount { return nil }},
		{"volume", func(*testing.T) []spec.Mount {
			return []spec.Mount{{Type: spec.MountVolume, Source: "race", Target: "/w"}}
		}},
		{"bind source", func(t *testing.T) []spec.Mount {
			return []spec.Mount{{Type: spec.MountBind, Source: t.TempDir(), Target: "/w"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bait, secret := baitDir(t)
			c := swapper(t, sb, bait, tt.mounts(t)...)
			reads, writes := 0, 0
			for i := range 1000 {
				if c.WriteFile(ctx(t), "/w/sub/pwned", []byte("x")) == nil {
					writes++
				}
				data, err := c.ReadFile(ctx(t), "/w/sub/secret")
				if err == nil && string(data) == secret {
					t.Fatalf("call %d: ReadFile returned the host's file", i)
				}
				if err == nil {
					reads++
				}
			}
			t.Logf("%d writes and %d reads of 1000 found the container's directory", writes, reads)
			if st := c.State(); st.Status != backend.StatusRunning {
				t.Fatalf("the swapping container is %s, want it running the whole time", st.Status)
			}
			checkBait(t, bait, secret)
		})
	}
}

// Stopped containers are read through their overlay and their volumes'
// host directories: the same race, with the swapping done by a second
// container sharing the volume.
func TestStoppedContainerFilesRaceWithSymlinkSwap(t *testing.T) {
	sb := sandbox(t)
	bait, secret := baitDir(t)
	vol := []spec.Mount{{Type: spec.MountVolume, Source: "shared", Target: "/w"}}
	stopped, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"}, Mounts: vol}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stopped.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	swapper(t, sb, bait, vol...)
	for i := range 1000 {
		_ = stopped.WriteFile(ctx(t), "/w/sub/pwned", []byte("x"))
		data, err := stopped.ReadFile(ctx(t), "/w/sub/secret")
		if err == nil && string(data) == secret {
			t.Fatalf("call %d: ReadFile returned the host's file", i)
		}
	}
	checkBait(t, bait, secret)
}

// Copy-up into a volume that another container is changing must stay in
// the volume: that container swaps the directory the copy has just made
// for a symlink to a host directory.
func TestCopyUpRaceWithSymlinkSwap(t *testing.T) {
	sb := sandbox(t)
	bait, secret := baitDir(t)
	script := `while :; do if mv /v/bin /v/old 2>/dev/null; then ln -s ` + bait + ` /v/bin; rm -rf /v/old; fi; done`
	failed := 0
	for i := range 12 {
		name := fmt.Sprintf("copyup%d", i)
		attacker, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", script},
			Mounts: []spec.Mount{{Type: spec.MountVolume, Source: name, Target: "/v"}}}, backend.RunOptions{Detach: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"},
			Mounts: []spec.Mount{{Type: spec.MountVolume, Source: name, Target: "/usr"}}})
		if err == nil {
			if err := c.Remove(ctx(t), backend.RemoveOptions{}); err != nil {
				t.Fatal(err)
			}
		} else if failed++; failed == 1 {
			t.Logf("a create that caught the swap: %v", err)
		}
		if err := attacker.Remove(ctx(t), backend.RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		if names, _ := os.ReadDir(bait); len(names) != 1 {
			t.Fatalf("attempt %d: the copy-up wrote into the host directory", i)
		}
	}
	t.Logf("%d of 12 creates caught the swap and failed", failed)
	checkBait(t, bait, secret)
}

// read_file and write_file open regular files only: a FIFO would block
// berth, and a device node a container made is the host's device.
func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c",
		"mkfifo /fifo; mknod /disk b 7 0; mkdir /dir; exec sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"sh", "-c", "while [ ! -p /fifo ] || [ ! -b /disk ]; do sleep 0.01; done"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/fifo", "read /fifo from container " + c.Name() + ": not a regular file (a named pipe)"},
		{"/disk", "read /disk from container " + c.Name() + ": not a regular file (a block device)"},
		{"/dev/null", "read /dev/null from container " + c.Name() + ": not a regular file (a character device)"},
		{"/dir", "read /dir from container " + c.Name() + ": not a regular file (a directory)"},
	}
	for _, tt := range tests {
		_, err := c.ReadFile(ctx(t), tt.path)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ReadFile(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
	for _, p := range []string{"/fifo", "/disk", "/dev/null", "/dir"} {
		err := c.WriteFile(ctx(t), p, []byte("x"))
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("WriteFile(%s) = %v, want a refusal", p, err)
		}
	}
}

// read_file returns at most fsroot.MaxReadFile bytes.
func TestReadFileCap(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c",
		"head -c 67108864 /dev/zero > /at-cap; head -c 67108865 /dev/zero > /over-cap; touch /done; exec sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"sh", "-c", "while [ ! -e /done ]; do sleep 0.01; done"}}); err != nil {
		t.Fatal(err)
	}
	if data, err := c.ReadFile(ctx(t), "/at-cap"); err != nil || len(data) != fsroot.MaxReadFile {
		t.Errorf("ReadFile of a file of exactly the cap = %d bytes, %v", len(data), err)
	}
	_, err = c.ReadFile(ctx(t), "/over-cap")
	want := "read /over-cap from container " + c.Name() + ": the file has 67108865 bytes, more than the limit of 67108864 (64 MiB)"
	if err == nil || err.Error() != want {
		t.Errorf("ReadFile over the cap = %v, want %q", err, want)
	}
}

// A stopped container's file bind is read and written on the host file.
func TestStoppedContainerFileBind(t *testing.T) {
	sb := sandbox(t)
	file := filepath.Join(t.TempDir(), "conf.txt")
	if err := os.WriteFile(file, []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"},
		Mounts: []spec.Mount{{Type: spec.MountBind, Source: file, Target: "/etc/conf.txt"}}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReadFile(ctx(t), "/etc/conf.txt"); err != nil || string(got) != "from the host\n" {
		t.Errorf("ReadFile of a stopped container's file bind = %q, %v", got, err)
	}
	if err := c.WriteFile(ctx(t), "/etc/conf.txt", []byte("written\n")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != "written\n" {
		t.Errorf("the bound host file = %q, %v; want the write", got, err)
	}
}
