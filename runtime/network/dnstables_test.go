package network

import "testing"

// A file's table is shared by its containers, kept while one holds it, and
// never shared with another file's.
func TestDNSTables(t *testing.T) {
	var tables DNSTables
	a1, a2, b := tables.Hold("a"), tables.Hold("a"), tables.Hold("b")
	if a1.Table() != a2.Table() {
		t.Fatal("two holds of one file got different tables")
	}
	if a1.Table() == b.Table() {
		t.Fatal("two files share a table")
	}
	tables.Release(a1)
	if got := tables.Hold("a"); got.Table() != a2.Table() {
		t.Fatal("a table still held was dropped")
	} else {
		tables.Release(got)
	}
	tables.Release(a2)
	if got := tables.Hold("a"); got.Table() == a2.Table() {
		t.Fatal("a table no longer held was kept")
	}
	if len(tables.tables) != 2 {
		t.Fatalf("%d tables kept, want 2 (a's new one and b's)", len(tables.tables))
	}
}
