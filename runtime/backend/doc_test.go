package backend

import (
	"reflect"
	"testing"
	"time"
)

func TestInspectNetwork(t *testing.T) {
	created := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	n := NetworkInfo{Name: "web", StoredName: "sb01234567_web", ID: "n1", Driver: "bridge",
		Subnet: "10.0.0.0/24", Gateway: "10.0.0.1", IPRange: "10.0.0.128/25", Created: created,
		Labels: map[string]string{"a": "b"}}
	doc := InspectNetwork(n, []EndpointInfo{{ContainerID: "c1", ContainerName: "db", MAC: "02:42:0a:00:00:02", Address: "10.0.0.2/24"}})
	if doc["Name"] != "web" || doc["Id"] != "n1" || doc["Created"] != "2024-05-06T07:08:09.00000001Z" {
		t.Errorf("identity: %v %v %v", doc["Name"], doc["Id"], doc["Created"])
	}
	wantConfig := []any{map[string]any{"Subnet": "10.0.0.0/24", "Gateway": "10.0.0.1", "IPRange": "10.0.0.128/25"}}
	if got := doc["IPAM"].(map[string]any)["Config"]; !reflect.DeepEqual(got, wantConfig) {
		t.Errorf("IPAM.Config = %v, want %v", got, wantConfig)
	}
	ep := doc["Containers"].(map[string]any)["c1"].(map[string]any)
	if ep["Name"] != "db" || ep["IPv4Address"] != "10.0.0.2/24" || ep["EndpointID"] != EndpointID("n1", "c1") {
		t.Errorf("endpoint = %v", ep)
	}
	if !reflect.DeepEqual(doc["Options"], map[string]any{}) || !reflect.DeepEqual(doc["Labels"], map[string]any{"a": "b"}) {
		t.Errorf("Options %v, Labels %v", doc["Options"], doc["Labels"])
	}
	// host and none have no addresses.
	if cfg := InspectNetwork(predefinedNetwork("none"), nil)["IPAM"].(map[string]any)["Config"]; !reflect.DeepEqual(cfg, []any{}) {
		t.Errorf("none's IPAM.Config = %v", cfg)
	}
	if len(EndpointID("n1", "c1")) != 64 || EndpointID("n1", "c1") == EndpointID("n1", "c2") {
		t.Errorf("EndpointID is not a distinct 64-hex id")
	}
}

func TestVolumeInspectIsDockers(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123, time.FixedZone("x", 3600))
	v := VolumeInfo{Name: "data", StoredName: "sb01234567_data", Driver: "local", Scope: "local", Mountpoint: "/m", CreatedAt: at}
	want := map[string]any{"Name": "data", "Driver": "local", "Mountpoint": "/m", "CreatedAt": "2024-05-06T06:08:09Z",
		"Labels": map[string]any{}, "Scope": "local", "Options": nil}
	if got := v.Inspect(); !reflect.DeepEqual(got, want) {
		t.Errorf("Inspect = %v\nwant %v", got, want)
	}
}

func TestImageInspectShowsNullsAsDocker(t *testing.T) {
	img := ImageInfo{ID: "sha256:ab", Created: time.Unix(0, 0), Config: ImageConfig{Cmd: []string{"sh"}, ExposedPorts: []string{"80/tcp"}}}
	doc := img.Inspect()
	cfg := doc["Config"].(map[string]any)
	if cfg["Env"] != nil || cfg["Entrypoint"] != nil || cfg["Labels"] != nil || cfg["Volumes"] != nil {
		t.Errorf("unset fields are not null: %v", cfg)
	}
	if !reflect.DeepEqual(cfg["Cmd"], []any{"sh"}) || !reflect.DeepEqual(cfg["ExposedPorts"], map[string]any{"80/tcp": map[string]any{}}) {
		t.Errorf("Cmd %v, ExposedPorts %v", cfg["Cmd"], cfg["ExposedPorts"])
	}
	if !reflect.DeepEqual(doc["RepoTags"], []any{}) {
		t.Errorf("RepoTags = %#v, want an empty list", doc["RepoTags"])
	}
	if s := img.Summary(); len(s) != 4 || s["Id"] != "sha256:ab" {
		t.Errorf("Summary = %v", s)
	}
}

func TestGCReportString(t *testing.T) {
	got := GCReport{Containers: 1, Mounts: 2, Cgroups: 3, StateDirs: 4, Volumes: 5, Networks: 6, Links: 7, TempDirs: 8}.String()
	if got != "removed 1 containers, 2 mounts, 3 cgroups, 4 state directories, 5 volumes, 6 networks, 7 host links, 8 temporary directories" {
		t.Errorf("String = %q", got)
	}
}
