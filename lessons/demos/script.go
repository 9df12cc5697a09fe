package demos

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The text form of a demo (docs/DEMO_FORMAT.md is its documentation):
//
//	# a comment: a whole line starting with #
//	title  select's cost grows, then hits the 1024 wall
//	lesson select-and-the-1024-wall       # not here: only whole-line comments
//
//	caption Three clients on select: every wait scans every fd it watches.
//	panes   cost counters
//	wait    clients 3
//
//	caption Five hundred idle clients: nothing to read, yet every call pays.
//	add-idle 500
//	wait    clients 503 within 30s
//	hold    6s
//
// One keyword per line. Before the first step: title and lesson (the
// scenario the demo runs), and panes (the default for the steps). A
// caption line starts a step ("step" is the action that runs loop
// passes). In a step: panes, hold, wait, and actions, by the IDs of the
// live controls and of the lesson's injectors. Everything is checked when the script is
// read, and every mistake is reported with its line.

// maxCaption is the longest caption: four rows at 80 columns, read from
// the back of a room.
const maxCaption = 280

// maxPanes is the most panes a step shows: a projector needs few, large.
const maxPanes = 3

// maxHold and maxWithin bound the durations a script gives.
const (
	maxHold   = 10 * time.Minute
	maxWithin = 10 * time.Minute
)

// genericPanes are fed by the trace alone, so every scenario can show
// them; the others need the scenario's help (cost probes, a chain source)
// and only its lesson's own panes are allowed.
var genericPanes = []visualizer.PaneID{visualizer.PaneReadiness, visualizer.PaneLoop,
	visualizer.PaneStalls, visualizer.PaneInterest, visualizer.PaneCounters}

// ScriptError is a mistake in a demo script, at a line (0 = the script as
// a whole).
type ScriptError struct {
	File string
	Line int
	Err  error
}

func (e *ScriptError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Err.Error()
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ScriptError) Unwrap() error { return e.Err }

// script is what parse reads: the demo without its Start, and the lesson
// it runs.
type script struct {
	demo   *visualizer.Demo
	lesson *lessons.Lesson
	index  int // the lesson's index, for lessons.CappedLessons
	// clients is the most clients the demo's adds ask for at once (drops
	// start again from none): what the open-file limit is checked against.
	clients int
}

// parser holds the state of one read.
type parser struct {
	file  string
	line  int
	s     script
	panes []visualizer.PaneID // the panes the next step shows
	step  *visualizer.DemoStep
	alive int // clients the adds so far ask for
}

// parse reads a demo script. file names it in errors.
func parse(file, src string) (*script, error) {
	p := &parser{file: file, s: script{demo: &visualizer.Demo{Source: file}}}
	for i, raw := range strings.Split(src, "\n") {
		p.line = i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := p.parseLine(line); err != nil {
			return nil, &ScriptError{File: file, Line: p.line, Err: err}
		}
	}
	p.line = 0
	d := p.s.demo
	switch {
	case d.Title == "":
		return nil, p.errorf("no title: start the script with 'title WHAT THE DEMO SHOWS'")
	case p.s.lesson == nil:
		return nil, p.errorf("no lesson: say which lesson's scenario it runs, e.g. 'lesson 1'")
	case len(d.Steps) == 0:
		return nil, p.errorf("no steps: each 'caption TEXT' line starts one")
	}
	d.Injectors = p.s.lesson.Injectors()
	for i := range d.Steps {
		st := &d.Steps[i]
		if st.Panes == nil { // none named yet: the lesson's first two
			st.Panes = p.s.lesson.Panes()[:min(2, len(p.s.lesson.Panes()))]
		}
		for _, id := range st.Panes {
			if !slices.Contains(d.Panes, id) {
				d.Panes = append(d.Panes, id)
			}
		}
	}
	return &p.s, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &ScriptError{File: p.file, Line: p.line, Err: fmt.Errorf(format, args...)}
}

// parseLine reads one line that is not blank or a comment.
func (p *parser) parseLine(line string) error {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	d := p.s.demo
	switch word {
	case "title":
		switch {
		case p.step != nil:
			return fmt.Errorf("the title goes before the first step")
		case d.Title != "":
			return fmt.Errorf("a second title; a demo has one")
		case rest == "":
			return fmt.Errorf("title needs the words: what the demo shows")
		}
		d.Title = rest
	case "lesson":
		switch {
		case p.step != nil:
			return fmt.Errorf("the lesson goes before the first step")
		case p.s.lesson != nil:
			return fmt.Errorf("a second lesson; a demo runs one scenario")
		}
		i, l, err := lessons.Find(rest)
		if err != nil {
			return err
		}
		p.s.lesson, p.s.index = l, i
	case "caption":
		return p.startStep(rest)
	case "panes":
		return p.setPanes(rest)
	case "hold":
		if p.step == nil {
			return fmt.Errorf("hold belongs to a step: start one with 'caption TEXT'")
		}
		h, err := duration(rest, maxHold)
		if err != nil {
			return fmt.Errorf("hold: %w", err)
		}
		p.step.Hold = h
	case "wait":
		return p.addWait(rest)
	default:
		return p.addAction(line)
	}
	return nil
}

// startStep begins a step with its caption.
func (p *parser) startStep(caption string) error {
	switch {
	case p.s.lesson == nil:
		return fmt.Errorf("the lesson comes before the first caption: 'lesson N' or 'lesson SLUG' names the scenario")
	case caption == "":
		return fmt.Errorf("caption needs its text: the sentence the room reads")
	case len([]rune(caption)) > maxCaption:
		return fmt.Errorf("the caption is %d characters; keep it to %d, so it reads from the back of a room",
			len([]rune(caption)), maxCaption)
	}
	d := p.s.demo
	d.Steps = append(d.Steps, visualizer.DemoStep{Line: p.line, Caption: caption, Panes: p.panes})
	p.step = &d.Steps[len(d.Steps)-1]
	return nil
}

// setPanes reads a panes line: for the current step, and the ones after.
func (p *parser) setPanes(rest string) error {
	if p.s.lesson == nil {
		return fmt.Errorf("the lesson comes before panes: which panes there are depends on its scenario")
	}
	names := strings.Fields(rest)
	if len(names) == 0 || len(names) > maxPanes {
		return fmt.Errorf("panes: name 1 to %d panes (a projector needs few, large ones), got %d", maxPanes, len(names))
	}
	fed := p.fedPanes()
	var ids []visualizer.PaneID
	for _, n := range names {
		id, ok := visualizer.PaneByName(n)
		if !ok {
			return fmt.Errorf("panes: no pane %q; want one of %s", n, paneList(visualizer.AllPanes()))
		}
		if !slices.Contains(fed, id) {
			return fmt.Errorf("panes: lesson %s's scenario does not feed the %s pane; it can show %s",
				p.s.lesson.Slug(), n, paneList(fed))
		}
		if slices.Contains(ids, id) {
			return fmt.Errorf("panes: %s twice", n)
		}
		ids = append(ids, id)
	}
	p.panes = ids
	if p.step != nil {
		p.step.Panes = ids
	}
	return nil
}

// fedPanes are the panes the lesson's scenario can show.
func (p *parser) fedPanes() []visualizer.PaneID {
	fed := slices.Clone(genericPanes)
	for _, id := range p.s.lesson.Panes() {
		if !slices.Contains(fed, id) {
			fed = append(fed, id)
		}
	}
	return fed
}

func paneList(ids []visualizer.PaneID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.String()
	}
	return strings.Join(names, ", ")
}

// addWait reads "wait COND [within DURATION]".
func (p *parser) addWait(rest string) error {
	if p.step == nil {
		return fmt.Errorf("wait belongs to a step: start one with 'caption TEXT'")
	}
	var within time.Duration
	if f := strings.Fields(rest); len(f) >= 2 && f[len(f)-2] == "within" {
		d, err := duration(f[len(f)-1], maxWithin)
		if err != nil {
			return fmt.Errorf("wait ... within: %w", err)
		}
		within = d
		rest = strings.Join(f[:len(f)-2], " ")
	}
	c, err := visualizer.ParseCond(rest)
	if err != nil {
		return fmt.Errorf("wait: %w", err)
	}
	p.step.Ops = append(p.step.Ops, visualizer.DemoOp{Line: p.line, Wait: c, Within: within})
	return nil
}

// addAction reads an action line: a control's or an injector's ID and
// its argument, checked as a key press would be.
func (p *parser) addAction(line string) error {
	if p.step == nil {
		word, _, _ := strings.Cut(line, " ")
		return fmt.Errorf("%q before the first step: actions belong to a step ('caption TEXT' starts one); the keywords are title, lesson, caption, panes, hold and wait", word)
	}
	a, err := visualizer.ParseAction(line)
	if err != nil {
		if word, _, _ := strings.Cut(line, " "); word == string(visualizer.CtlStep) {
			return fmt.Errorf("%w; step is the action that runs N loop passes (a new step of the demo starts with 'caption TEXT')", err)
		}
		return err
	}
	if err := visualizer.CheckAction(a, p.s.lesson.Injectors()); err != nil {
		return err
	}
	p.countClients(a)
	p.step.Ops = append(p.step.Ops, visualizer.DemoOp{Line: p.line, Action: a})
	return nil
}

// countClients follows how many clients the demo asks for at once.
func (p *parser) countClients(a visualizer.Action) {
	added, drops := visualizer.ActionClients(a)
	if drops {
		p.alive = 0
	}
	p.alive += added
	p.s.clients = max(p.s.clients, p.alive)
}

// duration reads a positive duration up to most.
func duration(s string, most time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > most {
		return 0, fmt.Errorf("want a duration from 1ms to %v such as 5s or 500ms, got %q", most, s)
	}
	return d, nil
}
