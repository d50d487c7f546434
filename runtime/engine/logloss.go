package engine

import "berth/runtime/logdriver"

// logLoss is how a container's log reports what its driver refused: a
// guard that counts it and marks the hole, a channel closed at the first
// loss (wait_for_log gives up then), and a warning printed once.
type logLoss struct {
	guard *logdriver.LossGuard
	lost  chan struct{}
}

func (c *Container) initLogLoss() {
	c.logLoss = logLoss{guard: logdriver.NewLossGuard(c.onLogLoss), lost: make(chan struct{})}
}

// onLogLoss runs in a copier each time a stream starts losing messages.
// It must not take c.mu: start holds it while the copiers run.
func (c *Container) onLogLoss(r logdriver.LossReport) {
	c.logLossOnce.Do(func() {
		close(c.logLoss.lost)
		c.e.warnf("container %s (%s) of %s: its %s log is losing messages: %v (counted in log_errors; a marker will stand where they are missing)",
			c.name, c.id[:12], c.scope.Label(), c.spec.Log.DriverName(), r.Err)
	})
}
