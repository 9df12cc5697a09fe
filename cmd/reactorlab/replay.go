package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/visualizer"
)

func init() {
	register(&command{
		name: "replay", args: "FILE [flags]", rank: 45,
		summary: "replay a recording (made with --record) pass by pass, or report on it",
		about: `Replay a recording made with 'reactorlab lesson N --record FILE' or
'reactorlab serve --record FILE': the same panes over what the loop did, with
a timeline bar. Play or pause it (space), step one pass forward or back
(→ ←), change the speed from 0.1× to 100× (+ -), jump to the next or
previous stall (s S), refusal (r R), error (e E) or any of them (] [), and
scrub (pgup pgdn, home end, 0-9 for 0-90%). ? lists every key.

Without a terminal, or to read a recording with other tools:
  --summary           a plain report: duration, passes, events by kind, the
                      stalls with the handler blamed, refusals, errors, peak
                      fds, backend switches, what the learner did
  --json              the events as JSON Lines, in the schema of
                      'reactorlab serve --headless'
  --perfetto OUT.json the Trace Event Format: open it in https://ui.perfetto.dev
                      or chrome://tracing (loop and fd tracks, handler slices,
                      flow arrows for Deferred chains)

A file cut short (the recorder was killed) replays up to its last complete
block; a damaged block is skipped, and both are reported on stderr.

Examples:
  reactorlab lesson 1 --record stall.rlt     then press k, then q
  reactorlab replay stall.rlt                then press s, then ←
  reactorlab replay stall.rlt --summary
  reactorlab replay trace.rlt --json | jq 'select(.kind == "stall")'`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &replayFlags{}
			fs.BoolVar(&o.summary, "summary", false, "print a plain report instead of replaying")
			fs.BoolVar(&o.json, "json", false, "write the events to stdout as JSON Lines (the serve --headless schema)")
			fs.StringVar(&o.perfetto, "perfetto", "", "write the recording to `OUT.json` in the Trace Event Format (Perfetto, chrome://tracing)")
			return o.run
		},
	})
}

// replayFlags are the flags of `reactorlab replay`.
type replayFlags struct {
	summary, json bool
	perfetto      string
}

func (o *replayFlags) run(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usagef("wants one recording FILE, got %d arguments", len(args))
	}
	modes := 0
	for _, on := range []bool{o.summary, o.json, o.perfetto != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usagef("--summary, --json and --perfetto are one each: pick one")
	}
	if modes == 0 && !isTerminal(e.stdout) {
		return errors.New("replaying needs a terminal and stdout is not one; add --summary for a plain report, or --json for the events")
	}
	path := args[0]
	rec, err := openRecording(path)
	if err != nil {
		return err
	}
	for _, p := range rec.Problems {
		fmt.Fprintf(e.stderr, "replay: %s: %s\n", path, p)
	}
	switch {
	case o.summary:
		s := record.Summarize(rec)
		fmt.Fprintf(e.stdout, "trace %s\n\n", path)
		_, err = s.WriteTo(e.stdout)
		return err
	case o.json:
		return record.WriteJSON(e.stdout, rec)
	case o.perfetto != "":
		return writePerfetto(e, rec, o.perfetto)
	}
	return visualizer.RunReplay(ctx, rec)
}

// openRecording reads a recording, with an error that says what the file
// is when it is not one this build can replay.
func openRecording(path string) (*record.Recording, error) {
	rec, err := record.Open(path)
	var ve *record.VersionError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such file; make one with 'reactorlab lesson N --record %s'", path, path)
	case errors.As(err, &ve):
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, err
}

// writePerfetto writes the Trace Event Format to path.
func writePerfetto(e *env, rec *record.Recording, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = record.WritePerfetto(f, rec)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(e.stderr, "wrote %s: open it in https://ui.perfetto.dev (or chrome://tracing)\n", path)
	return nil
}

// checkRecordPath refuses a --record FILE that cannot be written before
// anything starts: a directory, or a place with no such directory.
func checkRecordPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("--record %s is a directory; give a file name, e.g. %s/trace.rlt", path, path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("--record %s: no directory %s to write it in", path, filepath.Dir(path))
	}
	return nil
}

// reportRecording says on stderr what a --record wrote and how to see it.
func reportRecording(e *env, path string, t record.RecorderTotals) {
	if t.Records == 0 {
		return
	}
	per := 0.0
	if t.Events > 0 {
		per = float64(t.Bytes) / float64(t.Events)
	}
	lost := ""
	if t.Chains > 0 {
		lost = fmt.Sprintf(", %d of them Deferred events", t.Chains)
	}
	if t.Lost > 0 {
		lost += fmt.Sprintf(", %d lost while the recorder fell behind", t.Lost)
	}
	fmt.Fprintf(e.stderr, "recorded %d events over %d passes to %s (%d bytes, %.1f per event%s); replay it with: reactorlab replay %s\n",
		t.Events, t.Passes, path, t.Bytes, per, lost, path)
}
