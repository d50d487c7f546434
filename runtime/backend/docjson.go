package backend

import "time"

// The helpers below build inspect documents from plain values only
// (string, int64, bool, nil, []any, map[string]any), which every layer
// can convert: the Starlark builtins, the CLI's JSON.

// DockerTime formats a time as Docker's inspect does: RFC 3339 with
// nanoseconds in UTC, and Go's zero time for "never".
func DockerTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// StringList converts to []any; nil stays nil (Docker's null).
func StringList(list []string) []any {
	if list == nil {
		return nil
	}
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// StringMap converts to map[string]any; nil becomes an empty map.
func StringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
