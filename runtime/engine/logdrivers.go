package engine

import "berth/runtime/logdriver/drivers"

// logDrivers are the log drivers containers can use.
var logDrivers = drivers.Registry()
