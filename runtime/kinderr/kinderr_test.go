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

// Two kinds joined both match, and the message is still only the text.
func TestErrorfJoinedKinds(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	err := Errorf(errors.Join(a, b), "exec %s: argument list too long", "/bin/x")
	if !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("errors.Is: a %v, b %v; want both", errors.Is(err, a), errors.Is(err, b))
	}
	if errors.Is(err, errors.New("a")) {
		t.Error("matches another sentinel with the same text")
	}
	if err.Error() != "exec /bin/x: argument list too long" {
		t.Errorf("message %q", err)
	}
}
