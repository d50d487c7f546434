package fluentd

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/fluent/fluent-logger-golang/fluent"
)

// Docker's option keys and defaults (daemon/logger/fluentd).
const (
	addressKey            = "fluentd-address"
	asyncKey              = "fluentd-async"
	bufferLimitKey        = "fluentd-buffer-limit"
	maxRetriesKey         = "fluentd-max-retries"
	requestAckKey         = "fluentd-request-ack"
	retryWaitKey          = "fluentd-retry-wait"
	subSecondPrecisionKey = "fluentd-sub-second-precision"
	writeTimeoutKey       = "fluentd-write-timeout"

	defaultHost = "127.0.0.1"
	defaultPort = 24224
	// fluentd-buffer-limit counts messages, not bytes.
	defaultBufferLimit = 1024 * 1024
	// Docker retries 2**31-1 times, a second apart growing by 1.5 each time
	// up to a minute: a receiver that is down holds a blocking container.
	defaultMaxRetries = math.MaxInt32
	defaultRetryWait  = 1000 // ms
)

// options are the log_opts the fluentd driver accepts besides the common
// ones (Docker's ValidateLogOpt list).
var options = []string{
	"env", "env-regex", "labels", "labels-regex", "tag",
	addressKey, asyncKey, bufferLimitKey, maxRetriesKey, requestAckKey,
	retryWaitKey, subSecondPrecisionKey, writeTimeoutKey,
}

// parseConfig turns log_opts into the client's configuration, with
// Docker's error texts.
func parseConfig(cfg map[string]string) (fluent.Config, error) {
	var config fluent.Config
	loc, err := parseAddress(cfg[addressKey])
	if err != nil {
		return config, fmt.Errorf("invalid fluentd-address (%s): %w", cfg[addressKey], err)
	}
	bufferLimit := defaultBufferLimit
	if v := cfg[bufferLimitKey]; v != "" {
		n, err := units.RAMInBytes(v)
		if err != nil {
			return config, fmt.Errorf("invalid %s '%s': %w", bufferLimitKey, v, err)
		}
		if n <= 0 || n > math.MaxInt32 {
			return config, fmt.Errorf("invalid %s '%s': want a number of messages from 1 to %d", bufferLimitKey, v, math.MaxInt32)
		}
		bufferLimit = int(n)
	}
	retryWait := defaultRetryWait
	if v := cfg[retryWaitKey]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return config, fmt.Errorf("invalid %s '%s': %w", retryWaitKey, v, err)
		}
		if d <= 0 {
			return config, fmt.Errorf("invalid %s '%s': want a positive duration such as \"1s\"", retryWaitKey, v)
		}
		retryWait = max(int(d.Milliseconds()), 1)
	}
	maxRetries := defaultMaxRetries
	if v := cfg[maxRetriesKey]; v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return config, fmt.Errorf("invalid %s '%s': %w", maxRetriesKey, v, err)
		}
		if n > math.MaxInt32 {
			return config, errors.New("invalid fluentd-max-retries: value out of range")
		}
		if n == 0 {
			// The client reads 0 as its own default (13): say so rather
			// than retry when asked not to.
			return config, fmt.Errorf("invalid %s '%s': want at least 1 (the first attempt counts)", maxRetriesKey, v)
		}
		maxRetries = int(n)
	}
	async, err := parseBool(cfg, asyncKey)
	if err != nil {
		return config, err
	}
	subSecond, err := parseBool(cfg, subSecondPrecisionKey)
	if err != nil {
		return config, err
	}
	requestAck, err := parseBool(cfg, requestAckKey)
	if err != nil {
		return config, err
	}
	var writeTimeout time.Duration
	if v := cfg[writeTimeoutKey]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return config, fmt.Errorf("invalid value for %s: value must be a duration: %w", writeTimeoutKey, err)
		}
		if d < 0 {
			return config, fmt.Errorf("invalid value for %s: value must be a duration that is non-negative", writeTimeoutKey)
		}
		writeTimeout = d
	}
	return fluent.Config{
		FluentPort:         loc.port,
		FluentHost:         loc.host,
		FluentNetwork:      loc.protocol,
		FluentSocketPath:   loc.path,
		BufferLimit:        bufferLimit,
		RetryWait:          retryWait,
		MaxRetry:           maxRetries,
		Async:              async,
		SubSecondPrecision: subSecond,
		RequestAck:         requestAck,
		ForceStopAsyncSend: async,
		WriteTimeout:       writeTimeout,
	}, nil
}

func parseBool(cfg map[string]string, key string) (bool, error) {
	v := cfg[key]
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("invalid %s '%s': want true or false", key, v)
	}
	return b, nil
}

type location struct {
	protocol string // tcp, tls or unix
	host     string
	port     int
	path     string
}

// parseAddress reads fluentd-address as Docker does: "host:port",
// "tcp://host:port", "tls://host:port" or "unix:///path"; missing parts
// default to 127.0.0.1:24224.
func parseAddress(address string) (location, error) {
	if address == "" {
		return location{protocol: "tcp", host: defaultHost, port: defaultPort}, nil
	}
	if !strings.Contains(address, "://") {
		address = "tcp://" + address
	}
	addr, err := url.Parse(address)
	if err != nil {
		return location{}, err
	}
	switch addr.Scheme {
	case "unix":
		if strings.TrimLeft(addr.Path, "/") == "" {
			return location{}, errors.New("path is empty")
		}
		return location{protocol: "unix", path: addr.Path}, nil
	case "tcp", "tls":
	default:
		return location{}, fmt.Errorf("unsupported scheme: '%s'", addr.Scheme)
	}
	if addr.Path != "" {
		return location{}, errors.New("should not contain a path element")
	}
	loc := location{protocol: addr.Scheme, host: defaultHost, port: defaultPort}
	if h := addr.Hostname(); h != "" {
		loc.host = h
	}
	if p := addr.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return location{}, fmt.Errorf("invalid port: %w", err)
		}
		loc.port = int(n)
	}
	return loc, nil
}
