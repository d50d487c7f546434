package backend_test

import (
	"errors"
	"regexp"
	"slices"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func TestNetworksAreScopedToTheirSandbox(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	closeAll(t, sbs)
	f1, f2 := newFile(t, sbs), newFile(t, sbs)
	n1, err := f1.CreateNetwork(ctx, "web", backend.NetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n2, err := f2.CreateNetwork(ctx, "web", backend.NetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored := regexp.MustCompile(`^sb[0-9a-f]{8}_web$`)
	if n1.Name != "web" || !stored.MatchString(n1.StoredName) || !stored.MatchString(n2.StoredName) || n1.StoredName == n2.StoredName {
		t.Errorf("stored names %q and %q", n1.StoredName, n2.StoredName)
	}
	// The default bridge: made on first use, one per file, the same for
	// the file's cases.
	if len(b.Networks()) != 2 {
		t.Fatalf("networks before any use of bridge: %v", b.Networks())
	}
	cse, _ := sbs.New("f.star::test_x", f1)
	br1, _ := f1.Network(ctx, "bridge")
	brCase, _ := cse.Network(ctx, "bridge")
	br2, _ := f2.Network(ctx, "bridge")
	if br1.ID != brCase.ID || br1.ID == br2.ID || !br1.Default || br1.User() {
		t.Errorf("bridges: file %s, case %s, other file %s", br1.ID, brCase.ID, br2.ID)
	}
	if !regexp.MustCompile(`^sb[0-9a-f]{8}_bridge$`).MatchString(br1.StoredName) {
		t.Errorf("bridge stored as %q", br1.StoredName)
	}
	list, err := cse.Networks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range list {
		names = append(names, n.Name+"/"+n.Driver)
	}
	if want := []string{"bridge/bridge", "host/host", "none/null", "web/bridge"}; !slices.Equal(names, want) {
		t.Errorf("case's networks %q, want %q", names, want)
	}
	doc, err := cse.InspectNetwork(ctx, "web")
	if err != nil || doc["Name"] != "web" || doc["Id"] != n1.ID {
		t.Errorf("inspect: %v %v", doc["Name"], err)
	}
}

func TestNetworkNamesAndIDs(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	closeAll(t, sbs)
	file := newFile(t, sbs)
	n, _ := file.CreateNetwork(ctx, "front", backend.NetworkOptions{})
	cse, _ := sbs.New("f.star::test_x", file)
	for _, tt := range []struct{ name, want string }{
		{"", "network create: want a name"},
		{"a:b", `invalid network name "a:b": want letters, digits, '_', '.' and '-', starting with a letter or digit`},
		{"a/b", `invalid network name "a/b"`},
		{"a b", `invalid network name "a b"`},
		{"container:x", `invalid network name "container:x"`},
	} {
		_, err := cse.CreateNetwork(ctx, tt.name, backend.NetworkOptions{})
		wantErr(t, tt.name, err, tt.want, backend.ErrInvalid)
	}
	for _, name := range []string{"front", "bridge", "host", "none"} {
		_, err := cse.CreateNetwork(ctx, name, backend.NetworkOptions{})
		wantErr(t, name, err, "network with name "+name+" already exists", backend.ErrNetworkExists)
	}
	if got, err := cse.Network(ctx, n.ID[:12]); err != nil || got.Name != "front" {
		t.Errorf("by id prefix: %+v, %v", got, err)
	}
	for _, ref := range []string{n.ID[:11], "nosuch"} {
		_, err := cse.Network(ctx, ref)
		wantErr(t, ref, err, "network "+ref+" not found", backend.ErrNoSuchNetwork)
	}
	for _, name := range []string{"bridge", "host", "none"} {
		wantErr(t, "rm "+name, cse.RemoveNetwork(ctx, name), name+" is a pre-defined network and cannot be removed", backend.ErrInvalid)
	}
	// A case removes its file's network by id; the file forgets it.
	if err := cse.RemoveNetwork(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := file.Network(ctx, "front"); !errors.Is(err, backend.ErrNoSuchNetwork) {
		t.Errorf("the file still has it: %v", err)
	}
	// A record gone from the backend reads as missing.
	gone, _ := file.CreateNetwork(ctx, "gone", backend.NetworkOptions{})
	if err := b.RemoveNetwork(ctx, gone); err != nil {
		t.Fatal(err)
	}
	_, err := file.Network(ctx, "gone")
	wantErr(t, "gone", err, "network gone not found", backend.ErrNoSuchNetwork)
}
