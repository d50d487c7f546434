package units

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxCPUID bounds the CPU numbers ParseCPUSet accepts. It matches the
// kernel's largest NR_CPUS and keeps "0-99999999999" from allocating a huge
// list; whether a CPU exists is for the caller to check.
const maxCPUID = 8191

// ParseCPUSet parses a cpuset list such as "0", "0-1" or "0,2-3" into a
// sorted list of distinct CPU numbers. The empty string means "no cpuset"
// and yields an empty list. Errors read `invalid format: <value>`, as in
// Docker, so the caller can prefix "Invalid value <value> for cpuset cpus: ".
func ParseCPUSet(s string) ([]int, error) {
	if s == "" {
		return []int{}, nil
	}
	invalid := fmt.Errorf("invalid format: %s", s)
	seen := make(map[int]bool)
	for _, part := range strings.Split(s, ",") {
		lowText, highText, isRange := strings.Cut(part, "-")
		low, ok := parseCPUID(lowText)
		if !ok {
			return nil, invalid
		}
		high := low
		if isRange {
			if high, ok = parseCPUID(highText); !ok || high < low {
				return nil, invalid
			}
		}
		for cpu := low; cpu <= high; cpu++ {
			seen[cpu] = true
		}
	}
	cpus := make([]int, 0, len(seen))
	for cpu := range seen {
		cpus = append(cpus, cpu)
	}
	slices.Sort(cpus)
	return cpus, nil
}

func parseCPUID(s string) (int, bool) {
	if !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxCPUID {
		return 0, false
	}
	return n, true
}
