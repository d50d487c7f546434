package spec

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestVolumeDocInspect(t *testing.T) {
	tests := []struct {
		name string
		doc  VolumeDoc
		want map[string]any
	}{{
		name: "another zone and a fraction of a second: UTC, to the second",
		doc: VolumeDoc{Name: "data", Driver: "local", Mountpoint: "/v/data/_data", Scope: "local",
			CreatedAt: time.Date(2026, 12, 1, 6, 0, 0, 999_999_999, time.FixedZone("CET", 3600)),
			Labels:    map[string]string{"k": "v"}},
		want: map[string]any{"Name": "data", "Driver": "local", "Mountpoint": "/v/data/_data", "Scope": "local",
			"CreatedAt": "2026-12-01T05:00:00Z", "Labels": map[string]any{"k": "v"}, "Options": nil},
	}, {
		name: "no labels, never created",
		doc:  VolumeDoc{Name: "bare", Driver: "local", Scope: "local"},
		want: map[string]any{"Name": "bare", "Driver": "local", "Mountpoint": "", "Scope": "local",
			"CreatedAt": "0001-01-01T00:00:00Z", "Labels": map[string]any{}, "Options": nil},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.doc.Inspect()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Inspect = %v\nwant %v", got, tt.want)
			}
			// Docker prints an empty object for no labels, and null options.
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]json.RawMessage
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			if string(back["Options"]) != "null" || string(back["Labels"])[0] != '{' {
				t.Errorf("JSON %s: want Options null and Labels an object", out)
			}
		})
	}
}
