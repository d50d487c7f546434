package network_test

import (
	"testing"

	"berth/runtime/engine/enginetest"
)

// TestScenarios runs testdata/*.star on a real engine: every case must
// pass and leave nothing behind (networks and their bridges included).
func TestScenarios(t *testing.T) {
	env := enginetest.New(t)
	env.PassTestdata()
}
