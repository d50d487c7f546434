package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/reeflective/readline"
	"golang.org/x/sys/unix"
)

// Prompts: Python's, which Starlark's own REPL uses too.
const (
	Prompt         = ">>> "
	PromptContinue = "... "
)

// HistoryFile is where the terminal keeps past statements, under $HOME.
const HistoryFile = ".berth_history"

// RunTerminal edits statements on the terminal of standard input until
// Ctrl-D, :quit or ctx's end. history is the file of past statements
// ("" keeps them in memory only); it is made, or made again, private to
// the user (mode 0600): statements may hold secrets. A value on
// interrupts (SIGINT: Ctrl-C while a statement runs, when the terminal
// is not in raw mode) cancels the running statement; Ctrl-C at the
// prompt drops the line being typed.
func (s *Session) RunTerminal(ctx context.Context, history string, interrupts <-chan os.Signal) error {
	// Restore the terminal however this ends: the editor puts it in raw
	// mode while it reads.
	if saved, err := unix.IoctlGetTermios(int(os.Stdin.Fd()), unix.TCGETS); err == nil {
		defer unix.IoctlSetTermios(int(os.Stdin.Fd()), unix.TCSETS, saved)
	}
	rl := readline.NewShell()
	rl.Prompt.Primary(func() string { return Prompt })
	rl.Prompt.Secondary(func() string { return PromptContinue })
	rl.AcceptMultiline = func(line []rune) bool { return Complete(string(line)) }
	rl.Completer = s.readlineCompletions
	if history != "" {
		if err := privateFile(history); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "berth repl: history not kept: %v\n", err)
		} else {
			rl.History.AddFromFile("history", history)
		}
	}

	type read struct {
		line string
		err  error
	}
	for !s.quit {
		// The editor cannot be told to stop: it runs beside, so that
		// ctx's end (SIGTERM) still leaves at once.
		got := make(chan read, 1)
		go func() {
			line, err := rl.Readline()
			got <- read{line, err}
		}()
		var r read
		select {
		case r = <-got:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		switch {
		case errors.Is(r.err, readline.ErrInterrupt):
			continue
		case errors.Is(r.err, io.EOF):
			fmt.Fprintln(s.cfg.Stdout)
			return nil
		case r.err != nil:
			return fmt.Errorf("read the terminal: %w", r.err)
		}
		s.run(ctx, r.line, interrupts)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
	}
	return nil
}

// run evaluates one chunk typed at the terminal; a SIGINT meanwhile
// cancels it.
func (s *Session) run(ctx context.Context, text string, interrupts <-chan os.Signal) {
	for len(interrupts) > 0 { // one that came at the prompt is old news
		<-interrupts
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-interrupts:
			cancel()
		case <-done:
		}
	}()
	s.Eval(ctx, Label, text, 1)
}

// readlineCompletions adapts Complete to the editor, which replaces the
// blank-separated word before the cursor: each candidate carries the
// rest of that word ("print(ru" completes to "print(run").
func (s *Session) readlineCompletions(line []rune, cursor int) readline.Completions {
	text := string(line[:min(cursor, len(line))])
	word, cands := s.comp.Complete(text)
	blank := text
	for i := len(text) - 1; i >= 0; i-- {
		if text[i] == ' ' || text[i] == '\t' || text[i] == '\n' {
			blank = text[i+1:]
			break
		}
	}
	head := blank[:len(blank)-len(word)]
	values := make([]readline.Completion, len(cands))
	for i, c := range cands {
		values[i] = readline.Completion{Value: head + c.Value, Display: c.Value, Description: c.Doc}
	}
	comps := readline.CompleteRaw(values)
	comps.PREFIX = blank
	return comps
}

// privateFile makes path exist, readable and writable by its owner only.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chmod(0o600)
}
