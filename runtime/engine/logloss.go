package engine

import (
	"errors"
	"fmt"

	"berth/runtime/logdriver"
)

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

// closeLog ends a run's logging: the copiers drain the pipes, the holes
// not marked yet are marked if the driver takes it now, and the driver is
// closed. The error is what the loss report does not already say: a failed
// read of the output, or a driver that failed to close.
func (c *Container) closeLog(copiers []*logdriver.Copier, driver logdriver.Driver) error {
	var errs []error
	for _, cp := range copiers {
		errs = append(errs, cp.Wait())
	}
	_ = c.logLoss.guard.Flush() // a hole left unmarked stays counted, for the next run to mark
	c.logLoss.guard.Attach(nil)
	if err := driver.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close %s log: %w", driver.Name(), err))
	}
	return errors.Join(errs...)
}

// stateError is State.Error: the run's own error, then what the log lost
// in the container's life (its log keeps the hole across runs).
func stateError(runErr string, loss logdriver.LossReport) string {
	lost := loss.String()
	switch {
	case lost == "":
		return runErr
	case runErr == "":
		return lost
	}
	return runErr + "; " + lost
}
