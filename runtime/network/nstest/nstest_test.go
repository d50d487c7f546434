package nstest

import (
	"net"
	"os"
	"testing"
)

func TestNewIsolatesInterfaces(t *testing.T) {
	path := New(t)
	var names []string
	err := Do(path, func() error {
		ifs, err := net.Interfaces()
		for _, i := range ifs {
			names = append(names, i.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "lo" {
		t.Fatalf("interfaces in a new namespace = %v, want only lo", names)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("namespace file: %v", err)
	}
}
