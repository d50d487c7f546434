package image_test

import (
	"testing"

	"berth/starlib/internal/faketest"
)

// TestBuiltinsOnTheFake runs testdata/fake/*.star on the fake backend, as
// any user.
func TestBuiltinsOnTheFake(t *testing.T) {
	faketest.New(t).PassAll("testdata/fake")
}
