package logdriver

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 120000000, time.UTC)
	tests := []struct {
		name       string
		m          Message
		timestamps bool
		want       string
	}{
		{"line", Message{Line: []byte("hello"), Time: at}, false, "hello\n"},
		{"timestamps keep nine digits", Message{Line: []byte("hello"), Time: at}, true, "2024-01-02T03:04:05.120000000Z hello\n"},
		{"whole second", Message{Line: []byte("x"), Time: at.Truncate(time.Second)}, true, "2024-01-02T03:04:05.000000000Z x\n"},
		{"other zone printed in UTC", Message{Line: []byte("x"), Time: at.In(time.FixedZone("X", 3600))}, true, "2024-01-02T03:04:05.120000000Z x\n"},
		{"empty line", Message{Time: at}, false, "\n"},
		{"partial has no newline", Message{Line: []byte("abc"), Partial: &PartialMeta{Ordinal: 1}}, false, "abc"},
		{"last piece ends the line", Message{Line: []byte("end"), Partial: &PartialMeta{Ordinal: 2, Last: true}}, false, "end\n"},
		{"partial read from a file", Message{Line: []byte("p"), Partial: &PartialMeta{}, Time: at}, true, "2024-01-02T03:04:05.120000000Z p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.m, tt.timestamps); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
