package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"berth/runtime/units"
)

// parallelFlag is -parallel: how many files run at once. Left out, it is 0,
// which the runner reads as one per CPU; given, it must be at least 1.
type parallelFlag int

func (p *parallelFlag) String() string { return strconv.Itoa(int(*p)) }

func (p *parallelFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number of files, at least 1")
	}
	if n < 1 {
		return fmt.Errorf("want at least 1, got %d", n)
	}
	*p = parallelFlag(n)
	return nil
}

// durationFlag is a duration flag read by units.ParseDuration, the rule
// every duration of berth follows: "10m", "1m30s" or seconds ("90"),
// never negative. 0 means no limit.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := units.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = durationFlag(v)
	return nil
}

// countFlag is -count: how many times each file runs, at least 1.
type countFlag int

func (c *countFlag) String() string { return strconv.Itoa(int(*c)) }

func (c *countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number of runs, at least 1")
	}
	if n < 1 {
		return fmt.Errorf("want at least 1, got %d", n)
	}
	*c = countFlag(n)
	return nil
}
