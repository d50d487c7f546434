package netdev

import (
	"slices"
	"testing"
)

func TestAliasedLinks(t *testing.T) {
	_, h := newHost(t)
	if _, err := EnsureBridge(h, "br-marked", mustPrefix("10.210.0.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureBridge(h, "br-plain", mustPrefix("10.210.1.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	addVethPair(t, h, "va", "vb")
	if err := SetAlias(h, "br-marked", "berth owner=1:2"); err != nil {
		t.Fatal(err)
	}
	if err := SetAlias(h, "vb", "peer b"); err != nil {
		t.Fatal(err)
	}
	got, err := AliasedLinks(h)
	want := []AliasedLink{{"br-marked", "bridge", "berth owner=1:2"}, {"vb", "veth", "peer b"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("AliasedLinks = %+v, %v; want %+v", got, err, want)
	}
	if err := SetAlias(h, "nosuch", "x"); err == nil {
		t.Error("SetAlias of a missing link succeeded")
	}
}
