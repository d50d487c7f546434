// Package nldump retries netlink dumps that the kernel reports as
// interrupted.
//
// A dump (every link, address or route) is read in several messages; when
// the table changes in between, the kernel flags the dump and netlink
// returns ErrDumpInterrupted with a result that may be incomplete. While
// other containers start and stop, links come and go many times a second,
// so a few immediate retries are not enough (CI saw five in a row fail
// while parallel cases created veths): Retry backs off between attempts
// so the burst of changes can pass.
package nldump

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vishvananda/netlink"
)

// Attempts bounds the dumps Retry makes; with the backoff below they span
// about 1.5 s, far longer than a burst of link changes lasts.
const Attempts = 40

// maxBackoff caps the pause between two attempts.
const maxBackoff = 50 * time.Millisecond

// sleep is replaced by tests.
var sleep = time.Sleep

// Retry calls dump until it returns a result that is not flagged as
// interrupted, and returns that result or its error. After Attempts
// interrupted dumps it gives up with an error that says so; what names
// the table, as in "list links".
func Retry[T any](what string, dump func() ([]T, error)) ([]T, error) {
	var err error
	for i := range Attempts {
		var res []T
		res, err = dump()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			return res, nil
		}
		if i < Attempts-1 {
			sleep(backoff(i))
		}
	}
	return nil, fmt.Errorf("%s: the table changed during each of %d dumps: %w", what, Attempts, err)
}

// backoff is the pause after the i-th interrupted dump: doubling from
// 250 µs up to maxBackoff, with jitter so that parallel callers, which
// were interrupted by the same change, do not retry in lockstep.
func backoff(i int) time.Duration {
	d := 250 * time.Microsecond << min(i, 10)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}
