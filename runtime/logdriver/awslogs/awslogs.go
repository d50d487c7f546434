// Package awslogs is the awslogs log driver: a container's output goes to
// an Amazon CloudWatch Logs stream through
// github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs, batched as Docker
// batches it (≤ 10,000 events and ≤ 1,048,576 bytes counting 26 bytes per
// event, ≤ 24 h, sorted; sent every 5 s or when full; events over 256 KiB
// split; lines grouped by awslogs-multiline-pattern or
// awslogs-datetime-format). Credentials come from the SDK's default chain
// (environment, shared files, web identity, container endpoint), never
// from the EC2 instance metadata service. Like Docker, it never calls
// DescribeLogStreams and sends no sequence token.
package awslogs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	smithymiddleware "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"berth/runtime/logdriver"
)

// Name is the driver's name in log_driver.
const Name = "awslogs"

// Factory describes the driver for a logdriver.Registry; the registry
// keeps a local copy for logs().
func Factory() logdriver.Factory {
	return logdriver.Factory{
		Name:     Name,
		Options:  options,
		Check:    func(opts map[string]string) error { _, err := parseConfig(logdriver.Info{Config: opts}); return err },
		New:      New,
		Readback: logdriver.ReadbackLocalCopy,
	}
}

// api is the part of the CloudWatch Logs client the driver uses.
type api interface {
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	CreateLogStream(context.Context, *cloudwatchlogs.CreateLogStreamInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
	PutLogEvents(context.Context, *cloudwatchlogs.PutLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
}

// closeTimeout bounds how long Close spends sending what is buffered.
var closeTimeout = 5 * time.Second

// queued is a copy of one message, owned by the driver.
type queued struct {
	line []byte
	time time.Time
	ends bool // ends a line: counts one newline more of output
}

type driver struct {
	cfg    config
	client api
	drop   func(messages, bytes int64, err error)

	mu     sync.RWMutex // Log holds it for reading while it sends on queue
	closed bool
	stop   chan struct{} // closed by Close: Logs waiting on a full queue give up
	queue  chan queued
	done   chan struct{} // closed when run returns

	closeOnce sync.Once
	closeErr  error

	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
}

// New starts the driver: it makes the client, creates the stream (and the
// group with awslogs-create-group) and starts sending. In blocking mode a
// failure to create fails the start, as in Docker; with mode=non-blocking
// creation is retried in the background.
func New(info logdriver.Info) (logdriver.Driver, error) {
	cfg, err := parseConfig(info)
	if err != nil {
		return nil, err
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return start(cfg, client, dropsOf(info), info.Config["mode"] == "non-blocking")
}

func start(cfg config, client api, drop func(int64, int64, error), background bool) (*driver, error) {
	d := &driver{cfg: cfg, client: client, drop: drop,
		queue: make(chan queued, cfg.maxBufferedEvents), stop: make(chan struct{}), done: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	if !background {
		if err := d.create(d.ctx); err != nil {
			d.cancel()
			return nil, err
		}
		go d.run(nil)
		return d, nil
	}
	created := make(chan struct{})
	go func() {
		defer close(created)
		for wait := time.Second; d.create(d.ctx) != nil; wait = min(2*wait, 32*time.Second) {
			select {
			case <-d.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}()
	go d.run(created)
	return d, nil
}

// newClient makes the SDK client: region and endpoint from the options,
// credentials from the default chain with the instance metadata service
// switched off, and the json/emf header when asked.
func newClient(cfg config) (*cloudwatchlogs.Client, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background(),
		awsconfig.WithRegion(cfg.region),
		awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	if err != nil {
		return nil, fmt.Errorf("could not initialize AWS SDK config: %w", err)
	}
	var opts []func(*cloudwatchlogs.Options)
	if cfg.endpoint != "" {
		opts = append(opts, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(cfg.endpoint) })
	}
	if cfg.emf {
		opts = append(opts, cloudwatchlogs.WithAPIOptions(func(stack *smithymiddleware.Stack) error {
			return stack.Build.Add(smithymiddleware.BuildMiddlewareFunc("awslogsFormat", func(
				ctx context.Context, in smithymiddleware.BuildInput, next smithymiddleware.BuildHandler,
			) (smithymiddleware.BuildOutput, smithymiddleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("x-amzn-logs-format", jsonEMFFormat)
				}
				return next.HandleBuild(ctx, in)
			}), smithymiddleware.Before)
		}))
	}
	return cloudwatchlogs.NewFromConfig(awsCfg, opts...), nil
}

// create makes the stream (unless awslogs-create-stream=false); when the
// group is missing and awslogs-create-group=true, the group first. Either
// existing already is fine.
func (d *driver) create(ctx context.Context) error {
	err := d.createStream(ctx)
	if err == nil {
		return nil
	}
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) && d.cfg.createGroup {
		_, gerr := d.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(d.cfg.group)})
		var exists *types.ResourceAlreadyExistsException
		if gerr != nil && !errors.As(gerr, &exists) {
			return fmt.Errorf("failed to create Cloudwatch log group: %w", gerr)
		}
		if err = d.createStream(ctx); err == nil {
			return nil
		}
	}
	return fmt.Errorf("failed to create Cloudwatch log stream: %w", err)
}

func (d *driver) createStream(ctx context.Context) error {
	if !d.cfg.createStream {
		return nil
	}
	_, err := d.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: aws.String(d.cfg.group), LogStreamName: aws.String(d.cfg.stream)})
	var exists *types.ResourceAlreadyExistsException
	if errors.As(err, &exists) {
		return nil
	}
	return err
}

func (d *driver) Name() string { return Name }

// Log queues a copy of the message; it waits while awslogs-max-buffered-events
// messages are queued (blocking mode: the container waits for CloudWatch).
func (d *driver) Log(m *logdriver.Message) error {
	q := queued{line: append([]byte(nil), m.Line...), time: m.Time, ends: m.EndsLine()}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errClosed
	}
	select {
	case d.queue <- q:
		return nil
	case <-d.stop:
		return errClosed
	}
}

var errClosed = errors.New("awslogs log driver closed")

// Close sends what is buffered, within closeTimeout; what could not be
// sent by then is counted as dropped.
func (d *driver) Close() error {
	d.closeOnce.Do(func() { d.closeErr = d.close() })
	return d.closeErr
}

func (d *driver) close() error {
	close(d.stop) // a Log waiting on a full queue returns and lets go of mu
	d.mu.Lock()
	d.closed = true
	close(d.queue)
	d.mu.Unlock()
	timer := time.NewTimer(closeTimeout)
	defer timer.Stop()
	select {
	case <-d.done:
		d.cancel()
		return nil
	case <-timer.C:
	}
	d.cancel() // requests in flight fail; run counts the rest and returns
	<-d.done
	return fmt.Errorf("awslogs: not all logs were sent within %v of the container's stop", closeTimeout)
}

// run groups messages into events, events into batches, and sends a batch
// when it is full, every flush interval, and at the end.
func (d *driver) run(created <-chan struct{}) {
	defer close(d.done)
	if created != nil {
		<-created
	}
	c := collector{cfg: d.cfg, send: d.send}
	ticker := time.NewTicker(d.cfg.flushInterval)
	defer ticker.Stop()
	for {
		select {
		case now := <-ticker.C:
			c.tick(now)
		case q, ok := <-d.queue:
			if !ok {
				c.finish()
				return
			}
			c.add(q)
		}
	}
}

// send delivers one batch; a failure (or a stream never created) counts
// its messages as dropped: Docker logs the error and loses them.
func (d *driver) send(b *batch) {
	if b.empty() {
		return
	}
	var err error
	if d.ctx.Err() != nil {
		err = fmt.Errorf("not sent within %v of the container's stop", closeTimeout)
	} else {
		_, err = d.client.PutLogEvents(d.ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName:  aws.String(d.cfg.group),
			LogStreamName: aws.String(d.cfg.stream),
			LogEvents:     b.input(),
		})
	}
	if err != nil {
		n, bytes := b.lost()
		d.drop(n, bytes, fmt.Errorf("awslogs PutLogEvents: %w", err))
	}
}
