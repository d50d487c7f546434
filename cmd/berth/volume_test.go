package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Kept volumes are managed from the command line between runs.
func TestVolumeCommands(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "keep.star"), `
volume.create("pgdata", keep = True, labels = {"db": "pg"})
volume.create("cache", keep = True)
volume.create("scratch")
run("busybox", "sh -c 'echo row > /data/t'", volumes = ["pgdata:/data"])
`)
	if res := berth(t, root.path, "run", filepath.Join(dir, "keep.star")); res.code != 0 {
		t.Fatalf("run\n%s", res)
	}
	res := berth(t, root.path, "volume", "ls")
	want := "DRIVER   VOLUME NAME   KEPT\nlocal    cache         yes\nlocal    pgdata        yes\n"
	if res.code != 0 || res.stdout != want {
		t.Errorf("volume ls: want\n%s\n%s", want, res)
	}
	res = berth(t, root.path, "volume", "inspect", "pgdata")
	for _, want := range []string{`"Name": "pgdata"`, `"Driver": "local"`, `"db": "pg"`, `"Mountpoint": "` + root.path + `/volumes/pgdata/_data"`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("volume inspect lacks %s\n%s", want, res)
		}
	}
	res = berth(t, root.path, "volume", "rm", "pgdata", "nosuch")
	if res.code != 1 || res.stdout != "pgdata\n" || !strings.Contains(res.stderr, "get nosuch: no such volume") {
		t.Errorf("volume rm pgdata nosuch: want pgdata removed and nosuch reported\n%s", res)
	}
	res = berth(t, root.path, "volume", "prune")
	if res.code != 0 || res.stdout != "Deleted Volumes:\ncache\nRemoved 1 volumes\n" {
		t.Errorf("volume prune\n%s", res)
	}
	if res := berth(t, root.path, "volume", "ls"); res.stdout != "DRIVER   VOLUME NAME   KEPT\n" {
		t.Errorf("volume ls after prune\n%s", res)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"volume", "bogus"}, `volume: unknown command "bogus": want ls, inspect, rm or prune`},
		{[]string{"volume", "rm"}, "volume rm: want NAME..., got no names"},
		{[]string{"volume", "inspect"}, `volume inspect: want NAME, got []`},
		{[]string{"volume", "inspect", "nosuch"}, "get nosuch: no such volume"},
	} {
		if res := berth(t, root.path, tc.args...); res.code == 0 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("berth %v: want an error with %q\n%s", tc.args, tc.want, res)
		}
	}
}
