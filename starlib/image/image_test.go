package image_test

import (
	"testing"

	"berth/starlib/enginetest"
)

func TestScenarios(t *testing.T) {
	e := enginetest.Engine(t)
	enginetest.RunTestdata(t, e)
}
