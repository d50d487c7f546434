package builtins

import (
	"slices"
	"strings"
	"unicode"
)

// Nearest returns the candidate closest to x, or "" when none is within
// half of x's length: go.starlark.net's rule for "did you mean" (its spell
// package is internal), underscores and case ignored. The distance also
// counts a swap of two neighbouring letters as one edit, the commonest
// typo: "rnu" is one edit from "run". Ties go to the earlier candidate.
func Nearest(x string, candidates []string) string {
	fx := fold(x)
	best, bestDist := "", (len(fx)+1)/2 // at most 50% typos
	for _, c := range candidates {
		if d := distance(fx, fold(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// fold drops underscores and lower-cases, so that "logDriver",
// "log_driver" and "LOGDRIVER" are the same word.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// distance is the optimal string alignment distance between two strings,
// by bytes: insertions, deletions, substitutions and swaps of neighbours.
func distance(x, y string) int {
	// Three rows of the table: two back, one back, this one.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			subst := prev[j-1]
			if x[i-1] != y[j-1] {
				subst++
			}
			cur[j] = min(subst, prev[j]+1, cur[j-1]+1)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// Spelling is a keyword argument a Docker user may write for a berth
// parameter: Docker's flag, written as a keyword.
type Spelling struct {
	Keyword string // as written in a call: "publish"
	Param   string // berth's parameter: "ports"
	Flag    string // Docker's flag: "--publish"
}

// DockerSpellings are Docker's flags whose keyword form is not berth's
// parameter name (--memory-swap is memory_swap, so it needs no row). A
// row applies to any builtin that has its Param, so one letter can mean
// different parameters: -d is detach for run, driver for network.create;
// -t is timeout for stop, timestamps for logs. Flags berth does not
// support (--restart, --rm, --privileged) have no row.
var DockerSpellings = []Spelling{
	// docker run and create
	{"d", "detach", "-d"},
	{"e", "env", "-e"},
	{"h", "hostname", "-h"},
	{"w", "workdir", "-w"},
	{"u", "user", "-u"},
	{"i", "stdin", "-i"},
	{"interactive", "stdin", "--interactive"},
	{"net", "network", "--net"},
	{"net_alias", "aliases", "--net-alias"},
	{"network_alias", "aliases", "--network-alias"},
	{"link", "links", "--link"},
	{"p", "ports", "-p"},
	{"publish", "ports", "--publish"},
	{"v", "volumes", "-v"},
	{"volume", "volumes", "--volume"},
	{"mount", "mounts", "--mount"},
	{"m", "memory", "-m"},
	{"c", "cpu_shares", "-c"},
	{"l", "labels", "-l"},
	{"label", "labels", "--label"},
	{"log_opt", "log_opts", "--log-opt"},
	// docker logs, stop, kill, rm
	{"n", "tail", "-n"},
	{"t", "timestamps", "-t"},
	{"t", "timeout", "-t"},
	{"time", "timeout", "--time"},
	{"s", "signal", "-s"},
	{"f", "force", "-f"},
	// docker network create and connect, docker volume create
	{"d", "driver", "-d"},
	{"o", "options", "-o"},
	{"opt", "options", "--opt"},
	{"alias", "aliases", "--alias"},
}

// DockerSpelling returns the row for keyword among a builtin's params.
func DockerSpelling(keyword string, params []string) (Spelling, bool) {
	for _, s := range DockerSpellings {
		if s.Keyword == keyword && slices.Contains(params, s.Param) {
			return s, true
		}
	}
	return Spelling{}, false
}

// Hint is what "did you mean" says for an unknown keyword argument of a
// builtin with the given parameters: Docker's spelling first, else the
// nearest parameter; "" when nothing is close.
func Hint(keyword string, params []string) string {
	if s, ok := DockerSpelling(keyword, params); ok {
		return s.Param + ", Docker's " + s.Flag
	}
	return Nearest(keyword, params)
}
