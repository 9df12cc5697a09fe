package visualizer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// demoScreen plays a Demo in the projector layout: a band at the top with
// the demo's title, the step number and the caption in bold reverse video
// (readable on any projector, colour or not), one status line (what the
// step waits for, what went wrong, what this machine allows), then the
// step's few panes, large, and a footer with only the next key.
//
// It is a small machine over the steps. step is the step whose ops run,
// op the next of them; a wait holds op until its condition is met or its
// time is up. target is the step to show: going back (or restarting)
// starts a fresh scenario with step 0 and target k, and the ops of the
// steps before k run as fast as their waits allow before step k runs as
// it would going forward.
type demoScreen struct {
	c    *common
	d    *Demo
	play DemoPlay
	keys KeyMap
	// the presenter's keys
	next, back, restart, auto key.Binding

	live     *liveView
	gen      int // bumped by every start: an older scenario arriving late is closed
	starting bool
	startErr error

	step   int        // the step whose ops run (during a rebuild, the one replayed)
	target int        // the step to show; > step while a rebuild replays
	op     int        // step's next op
	wait   *condWatch // the wait in progress, if any
	doneAt time.Time  // when step's ops finished; zero while they run
	notes  []string   // problems since the presenter last moved, newest last
	ended  bool       // past the last step (presenter mode)
	autoOn bool       // auto-play (starts as play.Auto; a toggles it)

	now    time.Time // the last frame's time
	w, h   int
	capW   int // width capRows was computed for
	capRow int // caption rows at capW: the longest caption's, so panes never jump
	report DemoReport
}

// demoStartedMsg carries a started scenario (or why it did not start).
type demoStartedMsg struct {
	gen  int
	live Live
	err  error
}

func newDemoScreen(c *common, d *Demo, play DemoPlay) *demoScreen {
	s := &demoScreen{c: c, d: d, play: play, autoOn: play.Auto, keys: DefaultKeyMap(),
		next:    key.NewBinding(key.WithKeys("space", "right", "pgdown", "enter"), key.WithHelp("space/→", "next step (skips a wait)")),
		back:    key.NewBinding(key.WithKeys("left", "pgup", "backspace"), key.WithHelp("←", "previous step (rebuilt from the start)")),
		restart: key.NewBinding(key.WithKeys("r", "home"), key.WithHelp("r", "restart from step 1")),
		auto:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-play on/off")),
	}
	s.report.Steps = len(d.Steps)
	s.keys.only(0)
	s.keys.setControls(nil)
	s.keys.Demo = []key.Binding{s.next, s.back, s.restart, s.auto}
	return s
}

// clock is the time for work done outside a frame (a key, a start): the
// last frame's, so every deadline runs on one clock.
func (s *demoScreen) clock() time.Time {
	if s.now.IsZero() {
		return time.Now()
	}
	return s.now
}

// open starts the scenario for step 1.
func (s *demoScreen) open() tea.Cmd { return s.rebuild(0) }

// rebuild closes the scenario, starts a fresh one and aims at step k: the
// steps before it are replayed when it is up. While a start is on its way
// it only moves the aim.
func (s *demoScreen) rebuild(k int) tea.Cmd {
	s.target, s.ended, s.notes, s.wait = k, false, nil, nil
	if s.starting {
		return nil
	}
	s.starting, s.startErr = true, nil
	s.gen++
	var old Live
	if s.live != nil {
		s.live.src.Close()
		old = s.live.live
		s.live = nil
	}
	gen, start, ctx, starts := s.gen, s.d.Start, s.c.cfg.ctx, &s.c.starts
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = demoStartedMsg{gen: gen, err: fmt.Errorf("panic: %v", r)}
			}
		}()
		if old != nil {
			_ = old.Close() // first, so its fds are free for the new one
		}
		live, err := start(ctx)
		if live != nil && !starts.track(live) {
			_ = live.Close() // the program is gone
			return nil
		}
		return demoStartedMsg{gen: gen, live: live, err: err}
	}
}

// started adopts a fresh scenario and replays up to the target step.
func (s *demoScreen) started(msg demoStartedMsg) tea.Cmd {
	if msg.live != nil {
		s.c.starts.untrack(msg.live)
	}
	if msg.gen != s.gen || !s.starting {
		if live := msg.live; live != nil {
			return safeCmd(func() tea.Msg { _ = live.Close(); return nil })
		}
		return nil
	}
	s.starting = false
	if msg.err != nil || msg.live == nil {
		s.startErr = msg.err
		if s.startErr == nil {
			s.startErr = fmt.Errorf("the scenario did not start")
		}
		return nil
	}
	s.live = newLiveView(s.c.cfg, msg.live, s.d.Panes, AllControls(), s.d.Injectors)
	s.enter(0)
	s.run(s.clock())
	return nil
}

// enter makes k the step whose ops run next, and shows the target's panes.
func (s *demoScreen) enter(k int) {
	s.step, s.op, s.wait, s.doneAt = k, 0, nil, time.Time{}
	if k == s.target {
		s.report.Reached = max(s.report.Reached, k+1)
	}
	if s.live != nil {
		s.live.setShown(s.d.Steps[s.target].Panes)
		s.layout()
	}
}

// rebuilding reports whether the steps before the target are being
// replayed (or the scenario for them is starting).
func (s *demoScreen) rebuilding() bool {
	return s.target > 0 && (s.starting || s.step < s.target)
}

// run runs ops until one must wait, the target step's ops are done, or
// the demo has ended. A wait whose time is up is reported and passed.
func (s *demoScreen) run(now time.Time) {
	for s.live != nil && !s.ended {
		st := &s.d.Steps[s.step]
		for s.op < len(st.Ops) {
			op := &st.Ops[s.op]
			if op.IsWait() {
				if s.wait == nil {
					s.wait = newCondWatch(op.Wait, s.live, now)
				}
				met, fail := s.wait.check(s.live)
				switch {
				case fail != "":
					s.problem(op.Line, "wait %s: %s", op.Wait, fail)
				case met:
				case now.Sub(s.wait.since) < op.Timeout():
					return // still waiting: the next frame looks again
				default:
					s.problem(op.Line, "waited %s for %s; %s", fmtDur(op.Timeout()), op.Wait.goal(), s.wait.now)
				}
				s.wait = nil
			} else if err := s.live.act(op.Action); err != nil {
				s.problem(op.Line, "%v", err)
			}
			s.op++
		}
		if s.doneAt.IsZero() {
			s.doneAt = now
		}
		if s.step >= s.target {
			return
		}
		s.enter(s.step + 1)
	}
}

// problem records a wait not met or an action refused, by script line.
func (s *demoScreen) problem(line int, format string, args ...any) {
	msg := "line " + strconv.Itoa(line) + ": " + fmt.Sprintf(format, args...)
	s.notes = append(s.notes, msg)
	src := s.d.Source
	if src == "" {
		src = s.d.Name
	}
	s.report.Problems = append(s.report.Problems, src+":"+strings.TrimPrefix(msg, "line "))
}

// finishStep runs what is left of the step's actions at once; its waits
// are skipped (the presenter moved on).
func (s *demoScreen) finishStep(now time.Time) {
	st := &s.d.Steps[s.step]
	for ; s.op < len(st.Ops); s.op++ {
		if op := &st.Ops[s.op]; !op.IsWait() {
			if err := s.live.act(op.Action); err != nil {
				s.problem(op.Line, "%v", err)
			}
		}
	}
	s.wait = nil
	if s.doneAt.IsZero() {
		s.doneAt = now
	}
}

// forward is space/→: the next step, or the end after the last.
func (s *demoScreen) forward(now time.Time) tea.Cmd {
	last := len(s.d.Steps) - 1
	switch {
	case s.ended:
		return nil
	case s.live == nil || s.step < s.target:
		// starting or replaying: aim one step further
		s.target = min(s.target+1, last)
		return nil
	}
	s.finishStep(now)
	if s.step == last {
		return s.end()
	}
	s.notes = nil
	s.target = s.step + 1
	s.enter(s.target)
	s.run(now)
	return nil
}

// end is what follows the last step: play again (a booth), end the
// program (auto-play), or stay on the last step saying so.
func (s *demoScreen) end() tea.Cmd {
	s.report.Finished = true
	switch {
	case s.autoOn && s.play.Loop:
		return s.rebuild(0)
	case s.autoOn && s.play.Auto:
		return tea.Sequence(s.leave(), tea.Quit)
	}
	s.ended = true
	return nil
}

// backward is ←: the previous step, rebuilt.
func (s *demoScreen) backward() tea.Cmd {
	if s.target == 0 {
		return nil
	}
	return s.rebuild(s.target - 1)
}

// hold is how long auto-play leaves the current step up once it is done.
func (s *demoScreen) hold() time.Duration {
	st := &s.d.Steps[s.step]
	h := st.Hold
	if h <= 0 {
		h = readingTime(st.Caption)
	}
	if s.play.Speed > 0 {
		h = time.Duration(float64(h) / s.play.Speed)
	}
	return h
}

// holdLeft is how long until auto-play moves on; false when it will not
// (off, or the step is not done).
func (s *demoScreen) holdLeft(now time.Time) (time.Duration, bool) {
	if !s.autoOn || s.ended || s.live == nil || s.step < s.target || s.doneAt.IsZero() {
		return 0, false
	}
	return s.hold() - now.Sub(s.doneAt), true
}

func (s *demoScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		now := time.Time(msg)
		s.now = now
		if s.live == nil {
			return nil
		}
		cmd := s.live.sample(now)
		if s.wait != nil {
			s.wait.fold(s.live)
		}
		s.run(now)
		if left, ok := s.holdLeft(now); ok && left <= 0 {
			return tea.Batch(cmd, s.forward(now))
		}
		return cmd
	case demoStartedMsg:
		return s.started(msg)
	case watchedMsg, cmdErrMsg:
		if s.live != nil {
			s.live.Update(msg)
		}
	case ActionMsg:
		if s.live != nil {
			s.live.do(Action(msg))
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.next):
			return s.forward(s.clock())
		case key.Matches(msg, s.back):
			return s.backward()
		case key.Matches(msg, s.restart):
			return s.rebuild(0)
		case key.Matches(msg, s.auto):
			s.autoOn = !s.autoOn
			if s.autoOn && !s.doneAt.IsZero() {
				s.doneAt = s.clock() // a full hold from now
			}
		}
	}
	return nil
}

func (s *demoScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	s.layout()
	return nil
}

// layout gives the panes what the band and the status line leave.
func (s *demoScreen) layout() {
	if s.live != nil && s.w > 0 && s.h > 0 {
		s.live.SetSize(s.w, max(0, s.h-s.bandRows()-1))
	}
}

// captionWidth is the width captions are wrapped to: a margin each side.
func (s *demoScreen) captionWidth() int { return max(10, s.w-6) }

// bandRows is the band's height: the title row, the caption rows of the
// longest caption (so the panes keep their place from step to step, at
// most 4) and a blank row.
func (s *demoScreen) bandRows() int {
	if s.capW != s.w {
		s.capW, s.capRow = s.w, 1
		for _, st := range s.d.Steps {
			s.capRow = max(s.capRow, len(wrapCaption(st.Caption, s.captionWidth())))
		}
		s.capRow = min(s.capRow, maxCaptionRows)
	}
	return s.capRow + 2
}

// maxCaptionRows caps the caption: a longer one is cut (the script parser
// refuses captions that long at 80 columns).
const maxCaptionRows = 4

// wrapCaption wraps a caption at word boundaries to w cells.
func wrapCaption(caption string, w int) []string {
	return strings.Split(lipgloss.Wrap(caption, w, ""), "\n")
}

// Projector styles: reverse video reads on any projector and any
// terminal theme, and survives NO_COLOR; bold makes the caption the
// largest text a terminal has.
var (
	styleBand    = lipgloss.NewStyle().Reverse(true)
	styleCaption = lipgloss.NewStyle().Reverse(true).Bold(true)
)

func (s *demoScreen) view() string {
	if s.w <= 0 || s.h <= 0 {
		return ""
	}
	lines := s.band()
	lines = append(lines, s.statusLine())
	var body []string
	switch {
	case s.live != nil:
		body = strings.Split(s.live.View(), "\n")
	case s.startErr != nil:
		body = []string{styleError.Render("✗ could not start the scenario: " + s.startErr.Error())}
	}
	rest := max(0, s.h-len(lines))
	return strings.Join(lines, "\n") + "\n" + frameLines(body, s.w, rest)
}

// band is the title row, the caption (centred) and a blank row, in
// reverse video across the whole width.
func (s *demoScreen) band() []string {
	n := len(s.d.Steps)
	k := s.target
	right := "  step " + strconv.Itoa(k+1) + " of " + strconv.Itoa(n) + "  " + progressDots(k, n) + " "
	left := " " + s.d.Title
	title := fit(left, max(0, s.w-width(right))) + right
	if width(right) >= s.w {
		title = fit(left, s.w)
	}
	out := []string{styleBand.Render(fit(title, s.w))}
	caption := wrapCaption(s.d.Steps[k].Caption, s.captionWidth())
	rows := s.bandRows() - 2
	for i := range rows {
		line := ""
		if i < len(caption) {
			line = caption[i]
		}
		if i == rows-1 && len(caption) > rows {
			line = fit(line, width(line)+1) // cut: say so
			line = strings.TrimRight(line, " ") + "…"
		}
		pad := max(0, (s.w-width(line))/2)
		out = append(out, styleCaption.Render(fit(strings.Repeat(" ", pad)+line, s.w)))
	}
	return append(out, styleBand.Render(fit("", s.w)))
}

// progressDots draws k+1 of n steps as ●●●○○ (up to 20 steps).
func progressDots(k, n int) string {
	if n > 20 {
		return ""
	}
	return strings.Repeat("●", k+1) + strings.Repeat("○", n-k-1)
}

// statusLine is the line under the band: the most urgent of a start that
// failed, a rebuild, a wait, a problem, the end, and the demo's notice.
func (s *demoScreen) statusLine() string {
	var text string
	style := lipgloss.NewStyle()
	switch {
	case s.startErr != nil:
		text, style = "✗ could not start the scenario: "+s.startErr.Error(), styleError
	case s.rebuilding():
		steps := "step 1"
		if s.target > 1 {
			steps = "steps 1–" + strconv.Itoa(s.target)
		}
		text = "⟲ rebuilding step " + strconv.Itoa(s.target+1) + " on a fresh scenario: replaying " + steps +
			" (now " + strconv.Itoa(s.step+1)
		if s.wait != nil && s.wait.now != "" {
			text += ": " + s.wait.now
		}
		text += ")"
		if s.starting {
			text = "⟲ rebuilding step " + strconv.Itoa(s.target+1) + ": starting a fresh scenario…"
		}
	case s.starting:
		text = "starting the scenario…"
	case s.wait != nil:
		text = "… waiting for " + s.wait.cond.goal()
		if s.wait.now != "" {
			text += ": " + s.wait.now
		}
	case len(s.notes) > 0:
		text, style = "✗ "+s.notes[len(s.notes)-1], styleError
	case s.ended:
		text = "■ end of the demo"
	case s.d.Notice != "":
		text, style = "ⓘ "+s.d.Notice, styleWarn
	}
	return style.Render(fit(" "+text, s.w))
}

// footer is the one key that matters now, and where the others are.
func (s *demoScreen) footer(h help.Model, w int) string {
	right := h.ShortHelpView([]key.Binding{hintBinding("?", "keys")})
	var hint key.Binding
	switch left, auto := s.holdLeft(s.clock()); {
	case s.ended:
		hint = hintBinding("r", "start again")
	case s.starting, s.live == nil:
		hint = hintBinding("", "")
	case s.step < s.target:
		hint = hintBinding("space/→", "aim one step further")
	case s.wait != nil:
		hint = hintBinding("space/→", "skip the wait")
	case auto:
		hint = hintBinding("space/→", "next now (auto in "+strconv.Itoa(int(max(0, left).Seconds()+0.99))+"s)")
	case s.step == len(s.d.Steps)-1:
		hint = hintBinding("space/→", "finish")
	default:
		hint = hintBinding("space/→", "next step")
	}
	left := ""
	if hint.Help().Key != "" {
		left = h.ShortHelpView([]key.Binding{hint})
	}
	gap := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
	return fit(left+strings.Repeat(" ", gap)+right, w)
}

// hintBinding is a binding shown, never matched.
func hintBinding(k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc))
}

func (s *demoScreen) keyMap() KeyMap { return s.keys }
func (s *demoScreen) title() string  { return "demo: " + s.d.Title }

// helpNotes are the ? screen's lines under the keys: the demo and its
// steps, this one marked, so a presenter can see where they are going.
func (s *demoScreen) helpNotes() []string {
	src := ""
	if s.d.Source != "" {
		src = " (" + s.d.Source + ")"
	}
	out := []string{styleHeader.Render("Demo: ") + s.d.Title + src}
	if s.d.Notice != "" {
		out = append(out, "  "+s.d.Notice)
	}
	for i, st := range s.d.Steps {
		mark := "   "
		if i == s.target {
			mark = " ▶ "
		}
		out = append(out, mark+strconv.Itoa(i+1)+". "+st.Caption)
	}
	return out
}

// leave closes the scenario off the UI goroutine; a start still on its
// way is closed when it arrives (or by the App's Close).
func (s *demoScreen) leave() tea.Cmd {
	s.starting = false
	s.gen++
	if s.live == nil {
		return nil
	}
	cmd := s.live.close()
	s.live = nil
	return cmd
}

// closeNow closes the scenario on the spot (the program has ended).
func (s *demoScreen) closeNow() {
	if s.live != nil {
		s.live.closeNow()
		s.live = nil
	}
}
