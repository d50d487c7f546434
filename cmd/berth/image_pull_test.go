package main

import (
	"regexp"
	"strings"
	"testing"

	"berth/starlib/registry"
)

// image push, prune -a and pull through a loopback registry: off a
// terminal, pull prints one summary line, -q only the reference; prune
// reports the space it reclaimed.
func TestImagePullPrune(t *testing.T) {
	root, srv := rootAndRegistry(t)
	ref := srv.Address() + "/bb:v1"
	for _, args := range [][]string{{"image", "tag", "busybox", ref}, {"image", "push", ref}} {
		if res := berth(t, root.path, args...); res.code != 0 {
			t.Fatalf("%q\n%s", args, res)
		}
	}
	res := berth(t, root.path, "image", "prune", "-a")
	if res.code != 0 || !regexp.MustCompile(`Removed 1 images\nTotal reclaimed space: [1-9][0-9.]*[kM]B\n$`).MatchString(res.stdout) {
		t.Errorf("image prune -a\n%s", res)
	}
	res = berth(t, root.path, "image", "pull", ref)
	if res.code != 0 || !regexp.MustCompile(`^Pulled `+regexp.QuoteMeta(ref)+`: sha256:[0-9a-f]{64}, 1 layers downloaded \(.* in .*s, .*/s\), 0 already stored\n$`).MatchString(res.stdout) {
		t.Errorf("image pull\n%s", res)
	}
	if res := berth(t, root.path, "image", "pull", "-q", ref); res.code != 0 || res.stdout != ref+"\n" {
		t.Errorf("image pull -q\n%s", res)
	}
	res = berth(t, root.path, "--offline", "image", "pull", "nosuch/thing")
	if res.code != 2 || !strings.Contains(res.stderr, "pull nosuch/thing: berth is offline") {
		t.Errorf("image pull offline\n%s", res)
	}
}

// image push -a sends every stored tag of a repository; a tag with -a,
// or a repository with no tag stored, is refused with Docker's words.
func TestImagePushAllTags(t *testing.T) {
	root, srv := rootAndRegistry(t)
	repo := srv.Address() + "/many"
	for _, args := range [][]string{{"image", "tag", "busybox", repo + ":v1"}, {"image", "tag", "busybox", repo + ":v2"}, {"image", "push", "--all-tags", repo}} {
		if res := berth(t, root.path, args...); res.code != 0 {
			t.Fatalf("%q\n%s", args, res)
		}
	}
	for _, args := range [][]string{{"image", "rm", repo + ":v1"}, {"image", "rm", repo + ":v2"}, {"image", "pull", "-q", repo + ":v1"}, {"image", "pull", "-q", repo + ":v2"}} {
		if res := berth(t, root.path, args...); res.code != 0 {
			t.Fatalf("%q after push --all-tags\n%s", args, res)
		}
	}
	if res := berth(t, root.path, "image", "push", "-a", repo+":v1"); res.code == 0 || !strings.Contains(res.stderr, "tag can't be used with --all-tags/-a") {
		t.Errorf("push -a with a tag\n%s", res)
	}
	if res := berth(t, root.path, "image", "push", "-a", srv.Address()+"/none"); res.code == 0 || !strings.Contains(res.stderr, "An image does not exist locally with the tag: "+srv.Address()+"/none") {
		t.Errorf("push -a of a repository with no tag stored\n%s", res)
	}
}

// rootAndRegistry is a berth root and a registry on loopback, both gone
// when the test ends.
func rootAndRegistry(t *testing.T) (*testRoot, *registry.Server) {
	needRoot(t)
	root := newRoot(t)
	srv, err := registry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return root, srv
}
