package builtins

import (
	"slices"
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	params := []string{"run", "name", "network", "memory", "memory_swap", "log_driver", "log_opts", "cpuset_cpus", "ports"}
	tests := []struct{ x, want string }{
		{"memroy", "memory"},
		{"memory_swp", "memory_swap"},
		{"log_drivr", "log_driver"},
		{"logdriver", "log_driver"},  // underscores do not count
		{"LOG_DRIVER", "log_driver"}, // nor does case
		{"cpuset_cpu", "cpuset_cpus"},
		{"nme", "name"},
		{"nmae", "name"}, // a swap is one edit
		{"rnu", "run"},
		{"port", "ports"},
		{"net", ""},  // two edits of three letters: too far
		{"zzzz", ""}, // nothing close
		{"", ""},     // nothing to compare
		{"memor", "memory"},
	}
	for _, tt := range tests {
		if got := Nearest(tt.x, params); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.x, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		x, y string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"flaw", "lawn", 2}, {"same", "same", 0}, {"ab", "ba", 1}, {"rnu", "run", 1},
		{"ca", "abc", 3}, {"abcd", "badc", 2},
	}
	for _, tt := range tests {
		if got := distance(tt.x, tt.y); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	run := []string{"image", "cmd", "detach", "env", "network", "ports", "volumes", "timeout"}
	logs := []string{"tail", "since", "until", "timestamps", "stream"}
	stop := []string{"timeout"}
	netCreate := []string{"name", "driver", "options"}
	tests := []struct {
		keyword string
		params  []string
		want    string
	}{
		{"d", run, "detach, Docker's -d"},
		{"d", netCreate, "driver, Docker's -d"},
		{"t", logs, "timestamps, Docker's -t"},
		{"t", stop, "timeout, Docker's -t"},
		{"n", logs, "tail, Docker's -n"},
		{"opt", netCreate, "options, Docker's --opt"},
		{"publish", run, "ports, Docker's --publish"},
		{"netwrk", run, "network"},
		{"p", logs, ""}, // logs has no ports
	}
	for _, tt := range tests {
		if got := Hint(tt.keyword, tt.params); got != tt.want {
			t.Errorf("Hint(%q, %q) = %q, want %q", tt.keyword, tt.params, got, tt.want)
		}
	}
}

// TestDockerSpellingsWellFormed: each row is a keyword (Docker's flag
// without dashes, "-" as "_") that differs from the parameter it names.
func TestDockerSpellingsWellFormed(t *testing.T) {
	var seen []string
	for _, s := range DockerSpellings {
		if got := strings.ReplaceAll(strings.TrimLeft(s.Flag, "-"), "-", "_"); got != s.Keyword {
			t.Errorf("%+v: the keyword of %s is %q", s, s.Flag, got)
		}
		if s.Keyword == s.Param {
			t.Errorf("%+v: the keyword is the parameter's own name", s)
		}
		key := s.Keyword + "→" + s.Param
		if slices.Contains(seen, key) {
			t.Errorf("%+v: listed twice", s)
		}
		seen = append(seen, key)
	}
}
