package visualizer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Demo is a scripted walk through one live scenario, for a teacher in
// front of a class or a booth that plays itself. Each step shows a caption
// in large clear text and a few large panes, and runs its ops on the
// scenario in order: actions (by the same IDs as keys and injectors) and
// waits for a condition read from the trace and the stats.
//
// The presenter moves on with space or →. ← goes back one step, and that
// step is rebuilt, not remembered: the scenario is closed, started afresh
// and every op of the steps before it is replayed (waits included, holds
// skipped), so what is on screen is what a run from the start would show.
// r does the same from step 1.
//
// lessons/demos reads demos from their text form and supplies Start.
type Demo struct {
	Name   string // "select-wall"
	Title  string // the claim it shows: "select's cost grows, then hits the 1024 wall"
	Source string // where the script came from, for messages ("02-select-wall.demo", a path)
	// Notice is shown under the caption when nothing more urgent is: what
	// this machine allows, when it is less than the demo wants.
	Notice string
	// Panes are every pane any step shows, in the order they are laid
	// out. All are fed from the start, so a pane shown late has history.
	Panes []PaneID
	// Injectors are the scenario's injectors; its Live implements
	// Injectable when there are any.
	Injectors []Injector
	// Start starts the scenario afresh: at the beginning, on ← and on r.
	// It is called from a tea.Cmd, after the previous Live is closed.
	Start func(ctx context.Context) (Live, error)
	Steps []DemoStep
}

// DemoStep is one step of a demo.
type DemoStep struct {
	Line    int      // the script line that starts it
	Caption string   // shown at the top in large clear text
	Panes   []PaneID // the panes shown during the step (a subset of Demo.Panes)
	// Hold is how long auto-play stays on the step once its ops are done
	// (divided by the play speed); 0 = long enough to read the caption.
	Hold time.Duration
	Ops  []DemoOp
}

// DemoOp is an action or a wait.
type DemoOp struct {
	Line   int           // its script line, named in every message about it
	Action Action        // the action, when Wait is the zero Cond
	Wait   Cond          // the condition waited for
	Within time.Duration // how long to wait before saying it was not met; 0 = DefaultWithin
}

// IsWait reports whether the op is a wait.
func (o DemoOp) IsWait() bool { return o.Wait.Kind != 0 }

// Timeout is how long the wait lasts before it is reported as not met.
func (o DemoOp) Timeout() time.Duration {
	if o.Within > 0 {
		return o.Within
	}
	return DefaultWithin
}

// DefaultWithin is how long a wait lasts when its script does not say.
const DefaultWithin = 15 * time.Second

// DemoPlay says how a demo is played.
type DemoPlay struct {
	// Auto plays unattended: each step stays for its hold once its ops
	// are done, then the next one starts; after the last the program
	// ends. The presenter's keys still work.
	Auto bool
	// Loop, with Auto, starts over after the last step instead of
	// ending (a booth).
	Loop bool
	// Speed divides every hold (2 = twice as fast); 0 = 1. Waits are not
	// shortened: they wait for the scenario, not for the clock.
	Speed float64
}

// DemoReport is what a played demo did: what the command line prints
// after --auto, and what tests check.
type DemoReport struct {
	Steps    int      // steps in the demo
	Reached  int      // the furthest step shown, from 1 (0 = none)
	Finished bool     // the last step's ops ran and the presenter moved past it
	Problems []string // waits not met and actions refused: "FILE:LINE: what happened"
}

// checkDemo refuses a demo the player cannot play.
func checkDemo(d *Demo) error {
	switch {
	case d == nil:
		return errors.New("no demo")
	case d.Start == nil:
		return fmt.Errorf("demo %s: no way to start its scenario", d.Name)
	case len(d.Steps) == 0:
		return fmt.Errorf("demo %s: no steps", d.Name)
	}
	for _, st := range d.Steps {
		for _, id := range st.Panes {
			if !containsPane(d.Panes, id) {
				return fmt.Errorf("demo %s: line %d shows pane %s, which Demo.Panes does not list", d.Name, st.Line, id)
			}
		}
	}
	return nil
}

func containsPane(ids []PaneID, id PaneID) bool {
	for _, p := range ids {
		if p == id {
			return true
		}
	}
	return false
}

// NewDemo builds the demo player: the App with the demo's screen, the
// scenario starting when the program starts (Init).
func NewDemo(d *Demo, play DemoPlay, opts ...Option) (*App, error) {
	if err := checkDemo(d); err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	m := newApp(newCommon(cfg, nil, loadProgress("")))
	m.active = newDemoScreen(m.c, d, play)
	return m, nil
}

// RunDemo plays d on the real terminal until the presenter quits, ctx is
// cancelled or (Auto without Loop) the last step is done. The scenario is
// closed on the way out, whatever the reason.
func RunDemo(ctx context.Context, d *Demo, play DemoPlay, opts ...Option) (DemoReport, error) {
	opts = append(opts, withContext(ctx))
	m, err := NewDemo(d, play, opts...)
	if err != nil {
		return DemoReport{}, err
	}
	defer m.Close()
	err = run(ctx, m)
	return m.DemoReport(), err
}

// DemoReport is what the demo player has done so far (zero for an App
// that is not one).
func (m *App) DemoReport() DemoReport {
	if s, ok := m.active.(*demoScreen); ok {
		r := s.report
		r.Problems = append([]string(nil), r.Problems...)
		return r
	}
	return DemoReport{}
}

// readingTime is how long auto-play leaves a caption up by default: time
// to read it aloud from the back of the room, and to watch the panes.
func readingTime(caption string) time.Duration {
	words := len(strings.Fields(caption))
	return min(12*time.Second, max(4*time.Second, 2*time.Second+time.Duration(words)*300*time.Millisecond))
}
