package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/reactorlab/reactorlab/lessons/demos"
	"github.com/reactorlab/reactorlab/visualizer"
)

func init() {
	register(&command{
		name: "demo", args: "[N|NAME] [flags]", rank: 25, files: labFiles,
		summary: "scripted demos for a projector: list them, or play one (needs a terminal)",
		about: `With no argument, list the demos. With one, play it: each step shows a caption in
large text over a few large panes of a real reactor, and runs its actions (the
same IDs as the lesson keys: add-idle 500, backend epoll, stall) and waits for
what it shows to happen (clients 500, refused, stall) — never for a fixed time.

Presenter keys: space or → next step (skips a wait), ← previous step (the
scenario is started afresh and the steps before it replayed, so the screen
shows what a run from the start would), r restart, a auto-play on/off, ?
every key, q quit. Clickers that send page down/page up work too.

A demo is a text file, one keyword per line (docs/DEMO_FORMAT.md):
  title   select's cost grows, then hits the 1024 wall
  lesson  select-and-the-1024-wall      the scenario it runs
  caption Two hundred idle clients: nothing to read, yet every call pays.
  panes   cost counters                 1 to 3 panes for this step and on
  add-idle 200                          an action: a control or an injector
  wait    clients 203 within 30s        a condition, one of:` + condNames() + `
  hold    6s                            how long --auto stays on the step
A mistake is reported with its line; --check finds them without a terminal.

Examples:
  reactorlab demo                        the list
  reactorlab demo 2                      play demo 2 on this terminal
  reactorlab demo select-wall --auto     let it play itself, then quit
  reactorlab demo 3 --auto --loop        a booth: over and over
  reactorlab demo --file my.demo --check check a script of your own
  reactorlab demo 4 --auto --record blocking.rlt   keep what the reactor did, to replay`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &demoFlags{}
			fs.StringVar(&o.file, "file", "", "play the demo script in `FILE` instead of a built-in one")
			fs.BoolVar(&o.auto, "auto", false, "play unattended: each step, a pause to read it, the next; quit after the last")
			fs.BoolVar(&o.loop, "loop", false, "with --auto, start over after the last step instead of quitting (a booth)")
			fs.Float64Var(&o.speed, "speed", 1, "with --auto, make the pauses between steps this many `TIMES` shorter (waits are not shortened)")
			fs.BoolVar(&o.check, "check", false, "read and check the script, print its steps and play nothing (no terminal needed)")
			fs.StringVar(&o.record, "record", "", "record the demo's first run (its trace, Deferred events and every step's actions) to `FILE`; replay it with 'reactorlab replay FILE'")
			return func(ctx context.Context, e *env, args []string) error { return o.run(ctx, e, args) }
		},
	})
}

// demoFlags are the flags of `reactorlab demo`.
type demoFlags struct {
	file, record      string
	auto, loop, check bool
	speed             float64
}

// condNames lists the conditions a wait takes, for the help: lines
// under the wait line's comment, indented to it.
func condNames() string {
	const indent, width = "\n                                        ", 40
	var lines []string
	cur := ""
	for _, doc := range visualizer.CondDocs() {
		name, _, _ := strings.Cut(doc, " — ")
		if cur != "" && len(cur)+2+len(name) > width {
			lines = append(lines, cur+",")
			cur = ""
		}
		if cur != "" {
			cur += ", "
		}
		cur += name
	}
	return indent + strings.Join(append(lines, cur), indent)
}

func (o *demoFlags) run(ctx context.Context, e *env, args []string) error {
	switch {
	case len(args) > 1:
		return usagef("wants one demo number or name, got %q; run 'reactorlab demo' for the list", strings.Join(args, " "))
	case len(args) == 1 && o.file != "":
		return usagef("give a demo's name or --file, not both")
	case o.loop && !o.auto:
		return usagef("--loop plays again after the end of an --auto run; add --auto")
	case o.speed != 1 && !o.auto:
		return usagef("--speed paces --auto's pauses; add --auto")
	case o.speed <= 0 || math.IsNaN(o.speed) || math.IsInf(o.speed, 0) || o.speed > 1000:
		return usagef("--speed %v: want a number above 0, up to 1000 (2 = pauses half as long)", o.speed)
	case len(args) == 0 && o.file == "":
		if o.check || o.auto {
			return usagef("name a demo (or --file) to play or check; run 'reactorlab demo' for the list")
		}
		return demos.WriteList(e.stdout)
	}
	var opt demos.Options
	if o.record != "" {
		if o.check {
			return usagef("--check plays nothing, so there is nothing to --record")
		}
		if err := checkRecordPath(o.record); err != nil {
			return err
		}
		opt.Record = &demos.Recording{Path: o.record, Program: programVersion()}
	}
	var d *visualizer.Demo
	var err error
	if o.file != "" {
		d, err = demos.LoadFile(o.file, opt)
	} else {
		d, err = demos.Load(args[0], opt)
		if errors.Is(err, demos.ErrNoDemo) {
			return usagef("%v", err)
		}
	}
	if err != nil {
		return err
	}
	if o.check {
		return demos.WriteOutline(e.stdout, d)
	}
	if !isTerminal(e.stdout) {
		return errors.New("needs a terminal and stdout is not one; 'reactorlab demo NAME --check' shows its steps without one")
	}
	play := visualizer.DemoPlay{Auto: o.auto, Loop: o.loop, Speed: o.speed}
	report, err := visualizer.RunDemo(ctx, d, play)
	if opt.Record != nil {
		t, rerr := opt.Record.Finish()
		reportRecording(e, o.record, t)
		err = errors.Join(err, rerr)
	}
	if err != nil || !o.auto {
		return err
	}
	return writeDemoReport(e, d, report)
}

// writeDemoReport says how an --auto run went, once the screen is gone:
// the steps played and every wait not met or action refused, by line. A
// run with problems exits with status 1, so a booth script or CI notices.
func writeDemoReport(e *env, d *visualizer.Demo, r visualizer.DemoReport) error {
	fmt.Fprintf(e.stdout, "demo %s: %d of %d steps played\n", d.Name, r.Reached, r.Steps)
	if len(r.Problems) == 0 {
		return nil
	}
	for _, p := range r.Problems {
		fmt.Fprintln(e.stderr, "  "+p)
	}
	return fmt.Errorf("%d problem(s) while playing %s", len(r.Problems), d.Source)
}
