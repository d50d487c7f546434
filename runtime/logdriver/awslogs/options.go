package awslogs

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"berth/runtime/logdriver"
)

// Docker's option keys (daemon/logger/awslogs).
const (
	regionKey             = "awslogs-region"
	endpointKey           = "awslogs-endpoint"
	groupKey              = "awslogs-group"
	streamKey             = "awslogs-stream"
	createGroupKey        = "awslogs-create-group"
	createStreamKey       = "awslogs-create-stream"
	datetimeFormatKey     = "awslogs-datetime-format"
	multilinePatternKey   = "awslogs-multiline-pattern"
	forceFlushIntervalKey = "awslogs-force-flush-interval-seconds"
	maxBufferedEventsKey  = "awslogs-max-buffered-events"
	formatKey             = "awslogs-format"

	regionEnv = "AWS_REGION"

	defaultFlushInterval     = 5 * time.Second
	defaultMaxBufferedEvents = 4096
	jsonEMFFormat            = "json/emf"
)

var options = []string{
	"tag", regionKey, endpointKey, groupKey, streamKey, createGroupKey, createStreamKey,
	datetimeFormatKey, multilinePatternKey, forceFlushIntervalKey, maxBufferedEventsKey, formatKey,
}

// config is what the options say.
type config struct {
	region, endpoint  string
	group, stream     string
	createGroup       bool
	createStream      bool
	multiline         *regexp.Regexp // nil: one event per message
	flushInterval     time.Duration
	maxBufferedEvents int
	emf               bool // awslogs-format=json/emf: send x-amzn-logs-format
}

// parseConfig reads and checks every option, with Docker's texts. The
// region comes from awslogs-region, else AWS_REGION; Docker would then ask
// the EC2 instance metadata service, which berth never contacts.
func parseConfig(info logdriver.Info) (config, error) {
	opts := info.Config
	c := config{
		region:            os.Getenv(regionEnv),
		endpoint:          opts[endpointKey],
		group:             opts[groupKey],
		createStream:      true,
		flushInterval:     defaultFlushInterval,
		maxBufferedEvents: defaultMaxBufferedEvents,
	}
	if c.group == "" {
		return c, fmt.Errorf("must specify a value for log opt '%s'", groupKey)
	}
	if v := opts[regionKey]; v != "" {
		c.region = v
	}
	if c.region == "" {
		return c, fmt.Errorf("cannot determine region for awslogs driver: set log opt '%s' or %s (berth does not ask the EC2 instance metadata service)", regionKey, regionEnv)
	}
	if v := c.endpoint; v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("invalid log opt '%s': '%s': want an http:// or https:// URL", endpointKey, v)
		}
	}
	var err error
	if c.createGroup, err = parseBool(opts, createGroupKey, false); err != nil {
		return c, err
	}
	if c.createStream, err = parseBool(opts, createStreamKey, true); err != nil {
		return c, err
	}
	if v := opts[forceFlushIntervalKey]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("must specify a positive integer for log opt '%s': %v", forceFlushIntervalKey, v)
		}
		c.flushInterval = time.Duration(n) * time.Second
	}
	if v := opts[maxBufferedEventsKey]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("must specify a positive integer for log opt '%s': %v", maxBufferedEventsKey, v)
		}
		c.maxBufferedEvents = n
	}
	_, hasDatetime := opts[datetimeFormatKey]
	_, hasMultiline := opts[multilinePatternKey]
	if hasDatetime && hasMultiline {
		return c, fmt.Errorf("you cannot configure log opt '%s' and '%s' at the same time", datetimeFormatKey, multilinePatternKey)
	}
	if v := opts[formatKey]; v != "" {
		if v != jsonEMFFormat {
			return c, fmt.Errorf("unsupported log format '%s'", v)
		}
		if hasDatetime || hasMultiline {
			return c, fmt.Errorf("you cannot configure log opt '%s' or '%s' when log opt '%s' is set to '%s'", datetimeFormatKey, multilinePatternKey, formatKey, jsonEMFFormat)
		}
		c.emf = true
	}
	pattern := opts[multilinePatternKey]
	if f := opts[datetimeFormatKey]; f != "" {
		pattern = strftimeToRegexp(f)
	}
	if pattern != "" {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return c, fmt.Errorf("awslogs could not parse multiline pattern key %q: %w", pattern, err)
		}
		c.multiline = re
	}
	c.stream = opts[streamKey]
	if c.stream == "" {
		// Docker's default stream is the tag template {{.FullID}}: a tag
		// option names the stream too.
		if c.stream, err = info.Tag("{{.FullID}}"); err != nil {
			return c, err
		}
	}
	return c, nil
}

func parseBool(opts map[string]string, key string, def bool) (bool, error) {
	v, ok := opts[key]
	if !ok || v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("must specify valid value for log opt '%s': %v", key, err)
	}
	return b, nil
}

// strftimeSequences is how each strftime sequence of
// awslogs-datetime-format reads as a regular expression (Docker's table).
var strftimeSequences = map[byte]string{
	'a': `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)`,
	'A': `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`,
	'w': `[0-6]`,
	'd': `(?:0[1-9]|[1,2][0-9]|3[0,1])`,
	'b': `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`,
	'B': `(?:January|February|March|April|May|June|July|August|September|October|November|December)`,
	'm': `(?:0[1-9]|1[0-2])`,
	'Y': `\d{4}`,
	'y': `\d{2}`,
	'H': `(?:[0,1][0-9]|2[0-3])`,
	'I': `(?:0[0-9]|1[0-2])`,
	'p': `[A,P]M`,
	'M': `[0-5][0-9]`,
	'S': `[0-5][0-9]`,
	'f': `\d{6}`,
	'z': `[+-]\d{4}`,
	'Z': `[A-Z]{1,4}T`,
	'j': `(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])`,
	'L': `\.\d{3}`,
}

// strftimeToRegexp turns a datetime format into the pattern that starts a
// new event. Text between sequences is kept as is (as in Docker, it is
// regexp syntax); an unknown sequence matches nothing in its place.
func strftimeToRegexp(format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			b.WriteString(strftimeSequences[format[i+1]])
			i++
			continue
		}
		b.WriteByte(format[i])
	}
	return b.String()
}
