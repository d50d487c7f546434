package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpNames: berth help NAME prints the name's signature first, then
// its doc, from the registry; any name of the language works (globals,
// module members, an alias module's members, types and their members).
func TestHelpNames(t *testing.T) {
	root := filepath.Join(t.TempDir(), "unused")
	tests := []struct {
		name      string
		firstLine string
		contains  []string
	}{
		{"run", "run(image, cmd=None, **opts) → Container",
			[]string{"`docker run`: create and start.", "\nOptions:\n", "  ports (Docker: -p, --publish)\n", "  timeout\n"}},
		{"create", "create(image, cmd=None, **opts) → Container", []string{"  memory (Docker: -m, --memory)\n"}},
		{"network.create", `network.create(name, driver="bridge", subnet=None, gateway=None, ip_range=None, options={}, internal=False, labels={}) → Network`,
			[]string{"`docker network create`."}},
		{"Container.exec", "Container.exec(cmd, env=None, user=None, workdir=None, stdin=None) → exec_result", []string{"`docker exec`"}},
		{"container.exec", "Container.exec(cmd, env=None, user=None, workdir=None, stdin=None) → exec_result", nil},
		{"Container.exit_code", "Container.exit_code → int or None", []string{"`None` while running"}},
		{"expect.eq", "expect.eq(a, b, msg=None)", []string{"Fails unless `a == b`."}},
		{"expect", "expect (module)", []string{"Another name of the module assert.", "\nMembers:\n", "  golden "}},
		{"network", "network (module)", []string{"\nMembers:\n", "  create ", "  disconnect "}},
		{"Container", "Container (type)", []string{"  exit_code ", "  wait_for_port "}},
		{"time.second", "time.second → duration", nil},
		{"print", `print(*args, sep=" ")`, []string{"Starlark's own"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := berth(t, root, "help", tt.name)
			first, _, _ := strings.Cut(res.stdout, "\n")
			if res.code != 0 || res.stderr != "" || first != tt.firstLine {
				t.Fatalf("want exit 0 and first line %q\n%s", tt.firstLine, res)
			}
			for _, want := range tt.contains {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("output lacks %q\n%s", want, res.stdout)
				}
			}
		})
	}
}

// TestHelpList: berth help lists every global, module and type, grouped.
func TestHelpList(t *testing.T) {
	res := berth(t, filepath.Join(t.TempDir(), "unused"), "help")
	if res.code != 0 {
		t.Fatalf("berth help: %s", res)
	}
	for _, want := range []string{
		"Usage:\n", "  berth help [NAME] ",
		"\nGlobals:\n  run ", "\n  sleep ",
		"\nModule assert (also expect):\n  assert.eq ",
		"\nModule network:\n  network.create ",
		"\nModule time:\n", "  time.hour ",
		"\nType Container:\n  Container.id ", "  Container.write_file ",
		"\nType exec_result:\n", "\nType Network:\n", "\nType Volume:\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("berth help lacks %q", want)
		}
	}
}
