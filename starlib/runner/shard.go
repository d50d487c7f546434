package runner

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
)

// Shard is one part of a suite split over several machines: -shard I/N.
type Shard struct {
	Index, Total int // 1 <= Index <= Total
}

// ParseShard reads "I/N", 1 <= I <= N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	total, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q: want I/N, such as 1/4", s)
	}
	if total < 1 {
		return Shard{}, fmt.Errorf("%q: want N of at least 1, got %d", s, total)
	}
	if index < 1 || index > total {
		return Shard{}, fmt.Errorf("%q: want I from 1 to %d, got %d", s, total, index)
	}
	return Shard{Index: index, Total: total}, nil
}

// ShardOf is the shard (1..total) of a file: an FNV-1a hash of its path
// relative to the suite root, with / separators, so that every machine
// agrees whatever directory it runs in.
func ShardOf(rel string, total int) int {
	h := fnv.New32a()
	h.Write([]byte(filepath.ToSlash(filepath.Clean(rel))))
	return int(h.Sum32()%uint32(total)) + 1
}

// has reports whether f belongs to the shard (always, without one).
func (s Shard) has(f scenarioFile) bool {
	if s.Total <= 0 {
		return true
	}
	rel, err := filepath.Rel(f.root, f.path)
	if err != nil {
		rel = f.path
	}
	return ShardOf(rel, s.Total) == s.Index
}
