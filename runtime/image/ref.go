package image

import (
	"strings"

	"berth/runtime/spec"
)

// NormalizeRef turns an image reference into the name:tag form Docker
// shows in RepoTags; the rule lives in runtime/spec (NormalizeImageRef).
func NormalizeRef(ref string) (string, error) { return spec.NormalizeImageRef(ref) }

// idHex returns the hex part of a full or abbreviated image ID
// ("sha256:ab12..." or "ab12...") and whether s has that shape.
func idHex(s string) (string, bool) {
	s = strings.TrimPrefix(s, "sha256:")
	if s == "" || len(s) > 64 {
		return "", false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return "", false
		}
	}
	return s, true
}
