package capture

import "berth/starlib/builtins"

// Docs describes the capture module and its receivers.
var Docs = []builtins.Entry{
	{Name: "capture", Kind: builtins.Module,
		Doc: "Log receivers for the case, on loopback or a socket of their own, so a scenario can check what a container's log driver sends. Each is stopped, and its socket removed, when the case ends."},
	{Name: "capture.syslog", Kind: builtins.Function, Returns: "Receiver",
		Params: []builtins.Param{{Name: "proto", Default: `"udp"`}, {Name: "format", Default: "None"}},
		Doc:    "Starts a syslog receiver: `proto=\"udp\"` (default) or `\"tcp\"` on `127.0.0.1` at a free port, `\"unix\"` a datagram socket in a directory of its own. `format=None` parses RFC 3164 (with or without a hostname, as Docker's default format) and RFC 5424 alike; `\"rfc3164\"` or `\"rfc5424\"` parses only that. TCP takes newline and octet-counted framing."},
	{Name: "Receiver", Kind: builtins.Type,
		Doc: "What `capture.syslog` returns, of type `capture.syslog`; `str(r)` is `<capture.syslog ADDRESS>`."},
	{Name: "Receiver.address", Kind: builtins.Attribute, Returns: "str",
		Doc: "the driver's address: `\"udp://127.0.0.1:PORT\"`, `\"tcp://127.0.0.1:PORT\"` or `\"unixgram:///PATH\"`, for `log_opts={\"syslog-address\": r.address}`"},
	{Name: "Receiver.messages", Kind: builtins.Method, Returns: "list",
		Params: []builtins.Param{{Name: "count", Default: "None"}, {Name: "timeout", Default: `"5s"`}},
		Doc:    "Waits until `count` messages arrived and returns them in arrival order, failing with how many came when fewer arrive within `timeout`; `count=None` returns what arrived so far, at once. syslog: dicts with `facility`, `severity` (names: `\"daemon\"`, `\"info\"`), `tag`, `hostname` (`\"\"` when the format has none), `text`, `format` (`\"rfc3164\"`, `\"rfc5424\"` or `\"unknown\"`), `raw`, and `timestamp`, `pid` (and for RFC 5424 `msgid`)."},
	droppedEntry("Receiver", "past its bounds (64 MiB or 1,000,000 messages kept), or, over UDP, dropped by the kernel because the socket's buffer was full: UDP has no acknowledgement, so the sender cannot know and the receiver counts them. `len(r.messages()) + r.dropped` is what was sent."),
	{Name: "capture.fluentd", Kind: builtins.Function, Returns: "FluentdReceiver",
		Doc: "Starts a fluentd Forward-protocol receiver on `127.0.0.1` at a free port: give its `address` to `fluentd-address`. " +
			"It decodes the Message, Forward and PackedForward modes (gzip-compressed too), integer and EventTime times, and acks `fluentd-request-ack` chunks. " +
			"`messages()` gives dicts `{\"tag\", \"time\" (float seconds), \"record\" (dict)}`."},
	{Name: "capture.cloudwatch", Kind: builtins.Function, Returns: "CloudWatchReceiver",
		Doc: "Starts a CloudWatch Logs stand-in (its JSON protocol: CreateLogGroup, CreateLogStream, PutLogEvents) on `127.0.0.1` at a free port: give its `endpoint` to `awslogs-endpoint`. " +
			"It requires a SigV4 signature (any key: it knows no secrets) and refuses what the service refuses: a missing group or stream, " +
			"batches over 10,000 events or 1,048,576 bytes (26 bytes an event counted), unsorted or over 24 hours. " +
			"`messages()` gives dicts `{\"group\", \"stream\", \"timestamp\" (ms), \"message\"}`, and fails if a request was refused for breaking a limit."},
	{Name: "FluentdReceiver", Kind: builtins.Type,
		Doc: "What `capture.fluentd` returns, of type `capture.fluentd`."},
	{Name: "FluentdReceiver.address", Kind: builtins.Attribute, Returns: "str", Doc: "`\"tcp://127.0.0.1:PORT\"`, for `fluentd-address`"},
	messagesEntry("FluentdReceiver"),
	droppedEntry("FluentdReceiver", "past its bound of events kept."),
	{Name: "CloudWatchReceiver", Kind: builtins.Type,
		Doc: "What `capture.cloudwatch` returns, of type `capture.cloudwatch`."},
	{Name: "CloudWatchReceiver.endpoint", Kind: builtins.Attribute, Returns: "str", Doc: "`\"http://127.0.0.1:PORT\"`, for `awslogs-endpoint`"},
	messagesEntry("CloudWatchReceiver"),
	droppedEntry("CloudWatchReceiver", "past its bound of events kept."),
}

func droppedEntry(typ, why string) builtins.Entry {
	return builtins.Entry{Name: typ + ".dropped", Kind: builtins.Attribute, Returns: "int",
		Doc: "How many messages that reached the receiver it does not keep: " + why}
}

func messagesEntry(typ string) builtins.Entry {
	return builtins.Entry{Name: typ + ".messages", Kind: builtins.Method, Returns: "list",
		Params: []builtins.Param{{Name: "count", Default: "None"}, {Name: "timeout", Default: "\"5s\""}},
		Doc:    "What arrived so far, in arrival order; with `count`, waits until at least `count` messages arrived and fails if `timeout` passes first, saying how many came."}
}
