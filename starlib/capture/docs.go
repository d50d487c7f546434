package capture

import "berth/starlib/builtins"

// Docs describes the capture module and its receivers.
var Docs = []builtins.Entry{
	{Name: "capture", Kind: builtins.Module,
		Doc: "Log receivers for a case, in the berth process on loopback, stopped when the case ends: point a container's log driver at one and read what arrived."},
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
	{Name: "CloudWatchReceiver", Kind: builtins.Type,
		Doc: "What `capture.cloudwatch` returns, of type `capture.cloudwatch`."},
	{Name: "CloudWatchReceiver.endpoint", Kind: builtins.Attribute, Returns: "str", Doc: "`\"http://127.0.0.1:PORT\"`, for `awslogs-endpoint`"},
	messagesEntry("CloudWatchReceiver"),
}

func messagesEntry(typ string) builtins.Entry {
	return builtins.Entry{Name: typ + ".messages", Kind: builtins.Method, Returns: "list",
		Params: []builtins.Param{{Name: "count", Default: "None"}, {Name: "timeout", Default: "\"5s\""}},
		Doc:    "What arrived so far, in arrival order; with `count`, waits until at least `count` messages arrived and fails if `timeout` passes first, saying how many came."}
}
