package backend_test

import (
	"context"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

// EnsureImage follows docker run --pull: what is stored, what the
// registry has, and what each policy does with them.
func TestEnsureImage(t *testing.T) {
	tests := []struct {
		ref, policy, platform string
		want                  string // "" for success; else a part of the error
		pulled                bool   // whether the registry's image is stored after
	}{
		{"redis:7", "", "", "", true},
		{"redis:7", "missing", "", "", true},
		{"redis:7", "never", "", "No such image: redis:7", false},
		{"redis:7", "always", "", "", true},
		{"busybox", "never", "", "", false},
		{"nosuch", "", "", "Unable to find image 'nosuch:latest' locally: ", false},
		{"busybox", "sometimes", "", `invalid pull option: 'sometimes': must be one of "always", "missing" or "never"`, false},
		{"busybox", "", "linux", `invalid platform "linux"`, false},
		{"busybox", "never", "plan9/mips", "not plan9/mips", false},
	}
	for _, tt := range tests {
		b := fake.New()
		im := b.Images().(*fake.Images)
		if err := im.SetRegistryImage("redis:7", backend.ImageInfo{ID: "sha256:" + strings.Repeat("7", 64), OS: "linux", Architecture: "amd64"}); err != nil {
			t.Fatal(err)
		}
		err := backend.EnsureImage(context.Background(), im, tt.ref, tt.policy, tt.platform)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s pull=%q platform=%q: error %v, want %q", tt.ref, tt.policy, tt.platform, err, tt.want)
		}
		_, gerr := im.Get(context.Background(), "redis:7")
		if (gerr == nil) != tt.pulled {
			t.Errorf("%s pull=%q: redis:7 stored=%v, want %v", tt.ref, tt.policy, gerr == nil, tt.pulled)
		}
	}
}
