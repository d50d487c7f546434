package backend_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func TestCasesSeeTheirFilesContainers(t *testing.T) {
	sbs := backend.NewSandboxes(fake.New())
	closeAll(t, sbs)
	file := newFile(t, sbs)
	top := mustRun(t, file, named("db", "db"))
	cse, err := sbs.New("f.star::test_x", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"db", "/db", top.ID(), top.ID()[:12]} {
		if c, err := cse.Lookup(ref); err != nil || c != top {
			t.Errorf("case Lookup(%q) = %v, %v", ref, c, err)
		}
	}
	_, err = cse.Create(ctx, named("db", "x"))
	wantErr(t, "a case reusing the file's name", err,
		`Conflict. The container name "/db" is already in use by container "`+top.ID()+`". You have to remove (or rename) that container to be able to reuse that name.`, backend.ErrNameInUse)
	mine := mustRun(t, cse, named("web", "web"))
	if _, err := file.Lookup("web"); !errors.Is(err, backend.ErrNoSuchContainer) {
		t.Errorf("the file sees its case's container: %v", err)
	}
	if got := cse.Containers(); len(got) != 1 || got[0] != mine {
		t.Errorf("case's own containers: %v", got)
	}
	anon := mustRun(t, cse, named("", "x"))
	if !regexp.MustCompile(`^[a-z]+_[a-z]+$`).MatchString(anon.Name()) {
		t.Errorf("random name %q", anon.Name())
	}
	_, err = cse.Lookup("nosuch")
	wantErr(t, "missing", err, "No such container: nosuch", backend.ErrNoSuchContainer)
}

func TestLookupByAmbiguousPrefix(t *testing.T) {
	sbs := backend.NewSandboxes(fake.New())
	closeAll(t, sbs)
	sb := newFile(t, sbs)
	first := map[byte]int{}
	for i := 0; i < 17; i++ { // 17 ids, 16 hex digits: two share a first digit
		first[mustRun(t, sb, named("", "x")).ID()[0]]++
	}
	for digit, n := range first {
		if n > 1 {
			_, err := sb.Lookup(string(digit))
			wantErr(t, "ambiguous prefix", err, "multiple IDs found with provided prefix: "+string(digit), nil)
			return
		}
	}
	t.Fatal("no two ids share a first digit")
}

func TestFactoryTakesItsOwnParentsOnly(t *testing.T) {
	a, b := backend.NewSandboxes(fake.New()), backend.NewSandboxes(fake.New())
	closeAll(t, a)
	closeAll(t, b)
	parent := newFile(t, a)
	_, err := b.New("f.star::test_x", parent)
	wantErr(t, "foreign parent", err, "sandbox f.star::test_x: parent f.star was not made by this factory", nil)
}

func TestCloseOrderCarriesOnPastFailures(t *testing.T) {
	r := newRecorder()
	sbs := backend.NewSandboxes(r)
	sb := newFile(t, sbs)
	for _, n := range []string{"n1", "n2"} {
		if _, err := sb.CreateNetwork(ctx, n, backend.NetworkOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"v1", "v2"} {
		if _, err := sb.CreateVolume(ctx, v, backend.VolumeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"a", "b", "c"} {
		mustRun(t, sb, named(c+"c", "x"))
	}
	r.fail["network n2"], r.fail["container bc"] = true, true
	err := sbs.Close()
	want := []string{"container cc", "container bc", "container ac", "network n2", "network n1", "network bridge", "volume v2", "volume v1"}
	if got := r.removals(); !slices.Equal(got, want) {
		t.Errorf("removals:\n got %q\nwant %q", got, want)
	}
	wantErr(t, "close", err, "injected failure: container bc", nil)
	wantErr(t, "close", err, "injected failure: network n2", nil)
	if err := sb.Close(); err != nil && !strings.Contains(err.Error(), "injected") {
		t.Errorf("closing twice: %v", err)
	}
	// What failed is left (and the bridge, which bc is still on), the
	// rest is gone.
	wantErr(t, "close", err, "network bridge id", backend.ErrActiveEndpoints)
	if got := r.Networks(); len(got) != 2 || !strings.HasSuffix(got[0], "_bridge") || !strings.HasSuffix(got[1], "_n2") {
		t.Errorf("networks left: %v", got)
	}
	if vols, _ := r.ListVolumes(ctx); len(vols) != 0 {
		t.Errorf("volumes left: %v", vols)
	}
	fakeOf(r.Containers()[0]).Exit(0) // let the fake close cleanly
	if err := r.Containers()[0].Remove(ctx, backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxesCloseCasesBeforeTheirFile(t *testing.T) {
	r := newRecorder()
	sbs := backend.NewSandboxes(r)
	file := newFile(t, sbs)
	mustRun(t, file, named("top", "x"))
	for _, name := range []string{"one", "two"} {
		cse, err := sbs.New("f.star::test_"+name, file)
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, cse, named(name, "x"))
	}
	if err := sbs.Close(); err != nil {
		t.Fatal(err)
	}
	got := r.removals()
	if len(got) != 4 || got[2] != "container top" || got[3] != "network bridge" {
		t.Errorf("removals %q: want the cases' containers, then top, then the bridge", got)
	}
	if err := r.Close(); err != nil {
		t.Errorf("left behind: %v", err)
	}
}

func TestAClosedSandboxMakesNothing(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	sb := newFile(t, sbs)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	// Each refusal names what was refused and the sandbox.
	attempts := map[string]func() error{
		"create container": func() error { _, err := sb.Create(ctx, named("x1", "x")); return err },
		`create volume "late"`: func() error {
			_, err := sb.CreateVolume(ctx, "late", backend.VolumeOptions{})
			return err
		},
		`create network "late"`: func() error {
			_, err := sb.CreateNetwork(ctx, "late", backend.NetworkOptions{})
			return err
		},
		"default bridge": func() error { _, err := sb.Network(ctx, backend.NetworkBridge); return err },
	}
	for what, attempt := range attempts {
		wantErr(t, what, attempt(), what+": the sandbox "+sb.Label()+" is closed", backend.ErrClosed)
	}
	vols, _ := b.ListVolumes(ctx)
	if len(vols) != 0 || len(b.Networks()) > 1 {
		t.Errorf("left: volumes %v, networks %v", vols, b.Networks())
	}
}

func TestForegroundRunTimesOut(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	closeAll(t, sbs)
	sb := newFile(t, sbs)
	b.SetProgram("sleep 3600", fake.Program{Runs: true, Stdout: "hello\n"})
	c, err := sb.Run(ctx, named("slow", "sleep", "3600"), backend.RunOptions{Timeout: 1})
	wantErr(t, "timeout", err, "container slow still running after 1ns: killed it\nlast lines:\n  | hello", backend.ErrTimeout)
	if st := c.State(); st.Status != backend.StatusExited || st.ExitCode != 137 {
		t.Errorf("state after the timeout: %+v", st)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	c, err = sb.Run(cctx, named("cut", "sleep", "3600"), backend.RunOptions{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, backend.ErrTimeout) {
		t.Errorf("interrupted run: %v", err)
	}
	if c.State().Status != backend.StatusExited {
		t.Errorf("an interrupted run was not killed: %+v", c.State())
	}
}

// Keep (berth test -work) removes nothing, now or at Sandboxes.Close,
// lists what it keeps, and refuses new work as a closed sandbox does.
func TestKeepRemovesNothing(t *testing.T) {
	r := newRecorder()
	sbs := backend.NewSandboxes(r)
	file := newFile(t, sbs)
	mustRun(t, file, named("top", "x"))
	cse, err := sbs.New("f.star::test_bad", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cse.CreateNetwork(ctx, "n1", backend.NetworkOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cse.CreateVolume(ctx, "v1", backend.VolumeOptions{}); err != nil {
		t.Fatal(err)
	}
	mustRun(t, cse, named("bad", "x"))
	got := cse.Keep() + file.Keep()
	for _, want := range []string{"container bad (", "network n1: stored as sb", "volume v1: berth volume inspect sb", "container top (", "network bridge (the file's default): stored as sb"} {
		if !strings.Contains(got, want) {
			t.Errorf("Keep's list lacks %q:\n%s", want, got)
		}
	}
	_, err = cse.Create(ctx, named("late", "x"))
	wantErr(t, "create after Keep", err, "the sandbox f.star::test_bad is closed", backend.ErrClosed)
	if err := sbs.Close(); err != nil {
		t.Fatal(err)
	}
	if got := r.removals(); len(got) != 0 {
		t.Errorf("removals %q: want none", got)
	}
	if len(r.Containers()) != 2 || len(r.Networks()) != 2 {
		t.Errorf("kept: containers %d, networks %v; want 2 and 2", len(r.Containers()), r.Networks())
	}
	if vols, _ := r.ListVolumes(ctx); len(vols) != 1 {
		t.Errorf("kept volumes %v, want v1", vols)
	}
}
