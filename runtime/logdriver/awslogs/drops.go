package awslogs

import "berth/runtime/logdriver"

// dropsOf is where the driver counts what it gives up on: the container's
// log_drops (a nil Drops counts nothing).
func dropsOf(info logdriver.Info) func(messages, bytes int64, err error) {
	return info.Drops.Add
}
