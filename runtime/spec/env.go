package spec

import "strings"

// MergeEnv is Docker's rule for a container's Config.Env: the user's
// variables over the image's, a user KEY replacing the image's KEY in
// place, new keys following in order.
func MergeEnv(base, overlay []string) []string {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overlay {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}
