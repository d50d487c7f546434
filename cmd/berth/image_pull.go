package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"

	"berth/runtime/backend"
)

// cmdImagePull is berth image pull [--platform P] [-q] REF: docker pull,
// with a progress bar per layer on a terminal and one summary line
// otherwise; -q prints only the reference.
func cmdImagePull(g globalOptions, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("image pull", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", "", "os/arch[/variant] to pull (default: this machine's)")
	quiet := fs.Bool("q", false, "print only the image's reference")
	insecure := fs.Bool("insecure", false, "plain HTTP to a registry not on loopback")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("image pull: want REF, got %q", fs.Args())
	}
	ref := fs.Arg(0)
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	p := &pullProgress{out: stdout, tty: writerIsTerminal(stdout) && !*quiet, start: time.Now(), layers: map[string]*backend.LayerProgress{}}
	opts := backend.PullOptions{Platform: *platform, Insecure: *insecure}
	if !*quiet {
		opts.Progress = p.update
	}
	img, err := e.Images().Pull(context.Background(), ref, opts)
	if err != nil {
		return err
	}
	if *quiet {
		fmt.Fprintln(stdout, ref)
		return nil
	}
	p.summary(ref, img)
	return nil
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// pullProgress draws one line per layer on a terminal (bytes, percentage)
// and the overall rate, redrawn at most every 100 ms; off a terminal it
// only counts, for the summary.
type pullProgress struct {
	mu     sync.Mutex
	out    io.Writer
	tty    bool
	start  time.Time
	drawn  int // lines drawn last time
	last   time.Time
	layers map[string]*backend.LayerProgress
}

func (p *pullProgress) update(u backend.LayerProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.layers[u.Layer]
	if l == nil {
		l = &backend.LayerProgress{Layer: u.Layer}
		p.layers[u.Layer] = l
	}
	l.Total = max(l.Total, u.Total)
	l.Done = max(l.Done, u.Done)
	l.Stored = l.Stored || u.Stored
	l.Finish = l.Finish || u.Finish
	if p.tty && (u.Finish || time.Since(p.last) >= 100*time.Millisecond) {
		p.draw()
	}
}

func (p *pullProgress) downloaded() (bytes int64, fetched, stored int) {
	for _, l := range p.layers {
		if l.Stored {
			stored++
			continue
		}
		fetched++
		bytes += l.Done
	}
	return bytes, fetched, stored
}

// draw rewrites the lines drawn before (the caller holds mu).
func (p *pullProgress) draw() {
	p.last = time.Now()
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	keys := make([]string, 0, len(p.layers))
	for k := range p.layers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l := p.layers[k]
		short := strings.TrimPrefix(k, "sha256:")[:12]
		switch {
		case l.Stored:
			fmt.Fprintf(&b, "\x1b[2K%s: Already exists\n", short)
		case l.Finish:
			fmt.Fprintf(&b, "\x1b[2K%s: Pull complete %s\n", short, units.HumanSize(float64(l.Done)))
		default:
			fmt.Fprintf(&b, "\x1b[2K%s: Downloading %s %s/%s\n", short, bar(l.Done, l.Total), units.HumanSize(float64(l.Done)), units.HumanSize(float64(l.Total)))
		}
	}
	bytes, _, _ := p.downloaded()
	fmt.Fprintf(&b, "\x1b[2K%s at %s/s\n", units.HumanSize(float64(bytes)), units.HumanSize(rate(bytes, time.Since(p.start))))
	p.drawn = len(keys) + 1
	io.WriteString(p.out, b.String())
}

func bar(done, total int64) string {
	const width = 30
	n := 0
	if total > 0 {
		n = int(min(done, total) * width / total)
	}
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

func rate(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / d.Seconds()
}

// summary is the last line: what was fetched, how fast, and the image.
func (p *pullProgress) summary(ref string, img backend.ImageInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && len(p.layers) > 0 {
		p.draw()
	}
	bytes, fetched, stored := p.downloaded()
	took := time.Since(p.start)
	if fetched == 0 && stored == 0 {
		fmt.Fprintf(p.out, "Pulled %s: %s (image is up to date)\n", ref, img.ID)
		return
	}
	fmt.Fprintf(p.out, "Pulled %s: %s, %d layers downloaded (%s in %.1fs, %s/s), %d already stored\n",
		ref, img.ID, fetched, units.HumanSize(float64(bytes)), took.Seconds(), units.HumanSize(rate(bytes, took)), stored)
}

// cmdImagePrune is berth image prune [-a]: docker image prune.
func cmdImagePrune(g globalOptions, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("image prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := fs.Bool("a", false, "remove every image no container uses, not only those without a name")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("image prune: want no arguments, got %q", fs.Args())
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	report, err := e.Images().Prune(context.Background(), backend.PruneOptions{All: *all})
	removed := report.Deleted
	if len(removed) > 0 {
		fmt.Fprintf(stdout, "Deleted Images:\n%s\n", strings.Join(removed, "\n"))
	}
	fmt.Fprintf(stdout, "Removed %d images\nTotal reclaimed space: %s\n", len(removed), units.HumanSize(float64(report.SpaceReclaimed)))
	return err
}

func cmdImagePush(g globalOptions, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("image push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var allTags bool
	fs.BoolVar(&allTags, "a", false, "push every stored tag of the repository REF names")
	fs.BoolVar(&allTags, "all-tags", false, "the same as -a")
	insecure := fs.Bool("insecure", false, "plain HTTP to a registry that is not on loopback")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("image push: want REF, got %q", fs.Args())
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	ref := fs.Arg(0)
	if err := e.Images().Push(context.Background(), ref, backend.PushOptions{AllTags: allTags, Insecure: *insecure}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Pushed %s\n", ref)
	return nil
}
