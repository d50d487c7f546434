package kinderr

import (
	"errors"
	"testing"
)

func TestErrorf(t *testing.T) {
	kind := errors.New("kind")
	err := Errorf(kind, "remove %s: volume is in use - [%s]", "db", "abc")
	if err.Error() != "remove db: volume is in use - [abc]" {
		t.Errorf("message %q", err)
	}
	if !errors.Is(err, kind) {
		t.Error("errors.Is does not find the kind")
	}
	if errors.Is(err, errors.New("kind")) {
		t.Error("errors.Is matches another sentinel with the same text")
	}
	if wrapped := errors.Join(errors.New("ctx"), err); !errors.Is(wrapped, kind) {
		t.Error("the kind is lost when wrapped")
	}
}
