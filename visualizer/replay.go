package visualizer

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor/record"
)

// RunReplay shows a recording on the terminal (`reactorlab replay`) until
// the user quits or ctx is cancelled. Opening reads the recording once.
func RunReplay(ctx context.Context, rec *record.Recording, opts ...Option) error {
	opts = append(opts, withContext(ctx))
	m := NewReplay(rec, opts...)
	defer m.Close()
	return run(ctx, m)
}

// NewReplay builds the replay of a recording: the panes it was recorded
// with, over its frames, with a timeline bar. It reads the recording
// once, keeping checkpoints for jumps, and shows its first pass.
func NewReplay(rec *record.Recording, opts ...Option) *App {
	cfg := newConfig(opts)
	m := newApp(newCommon(cfg, nil, loadProgress("")))
	m.active = newReplayScreen(m.c, rec)
	return m
}

// replaySpeeds are the playing speeds, slowest first.
var replaySpeeds = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100}

const replaySpeed1x = 3 // index of 1× in replaySpeeds

// timelineRows is the timeline bar's height under the panes.
const timelineRows = 3

// replayKeys are the replay's bindings; keyed by the key pressed where one
// binding does two things (s next stall, S previous).
type replayKeys struct {
	play, step, speed, mark, stall, refusal, errs, scrub, ends, percent key.Binding
}

func newReplayKeys() replayKeys {
	return replayKeys{
		play:    bind("play/pause", "space"),
		step:    key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "step a pass")),
		speed:   key.NewBinding(key.WithKeys("-", "_", "+", "="), key.WithHelp("-/+", "speed")),
		mark:    key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[/]", "prev/next mark")),
		stall:   key.NewBinding(key.WithKeys("s", "S"), key.WithHelp("s/S", "next/prev stall")),
		refusal: key.NewBinding(key.WithKeys("r", "R"), key.WithHelp("r/R", "next/prev refusal")),
		errs:    key.NewBinding(key.WithKeys("e", "E"), key.WithHelp("e/E", "next/prev error")),
		scrub:   key.NewBinding(key.WithKeys("pgup", "pgdown", ",", "."), key.WithHelp("pgup/pgdn", "scrub 5%")),
		ends:    key.NewBinding(key.WithKeys("home", "end"), key.WithHelp("home/end", "start/end")),
		percent: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("0-9", "jump to 0-90%")),
	}
}

func (k *replayKeys) list() []key.Binding {
	return []key.Binding{k.play, k.step, k.speed, k.mark, k.stall, k.refusal, k.errs, k.scrub, k.ends, k.percent}
}

// replayScreen is a recording played back through the panes it was
// recorded with.
type replayScreen struct {
	idx     *replayIndex
	lv      *liveView
	feed    *feeder
	keys    KeyMap
	rk      replayKeys
	unknown []string // pane names this build does not have

	playing  bool
	speed    int   // index into replaySpeeds
	clock    int64 // loop clock playing has reached
	lastTick time.Time
	w, h     int
}

func newReplayScreen(c *common, rec *record.Recording) *replayScreen {
	ids, unknown := replayPanes(&rec.Header)
	idx := buildIndex(c.cfg, rec, ids)
	live := newReplayLive(&rec.Header)
	s := &replayScreen{idx: idx, lv: newLiveView(c.cfg, live, ids, nil, nil), keys: DefaultKeyMap(),
		rk: newReplayKeys(), unknown: unknown, speed: replaySpeed1x}
	s.feed = newFeeder(idx, s.lv, live)
	s.keys.only(0)
	s.keys.setControls(nil)
	s.keys.Timeline = s.rk.list()
	s.feed.seek(1)
	return s
}

func (s *replayScreen) keyMap() KeyMap { return s.keys }
func (s *replayScreen) title() string  { return "replay" }
func (s *replayScreen) leave() tea.Cmd { return nil }

func (s *replayScreen) helpNotes() []string {
	notes := []string{
		"Replay: one step is one loop pass; the panes show what the live screen showed at the end of it.",
		"Timeline marks: S stall  R refusal  E error  G gap (the recorder fell behind)",
		"                X unreadable block  a action (what the learner did)",
	}
	if len(s.unknown) > 0 {
		notes = append(notes, "Panes this reactorlab does not have: "+strings.Join(s.unknown, ", "))
	}
	return notes
}

func (s *replayScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	s.lv.SetSize(w, max(0, h-headerRows-timelineRows))
	return nil
}

func (s *replayScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		s.tick(time.Time(msg))
	case tea.KeyPressMsg:
		s.onKey(msg)
	}
	return nil
}

// tick advances playing by the wall time since the last tick, times the
// speed, and shows every pass that ended by then.
func (s *replayScreen) tick(now time.Time) {
	if !s.playing {
		return
	}
	if !s.lastTick.IsZero() {
		s.clock += int64(float64(now.Sub(s.lastTick)) * replaySpeeds[s.speed])
	}
	s.lastTick = now
	fr := s.idx.frames
	pos := s.feed.pos
	for pos < len(fr) && fr[pos].at <= s.clock {
		pos++
	}
	s.feed.seek(pos)
	if pos >= len(fr) {
		s.playing = false
	}
}

// goTo shows position pos and stops playing.
func (s *replayScreen) goTo(pos int) {
	s.playing = false
	s.feed.seek(pos)
}

func (s *replayScreen) onKey(msg tea.KeyPressMsg) {
	k := msg.String()
	pos, n := s.feed.pos, len(s.idx.frames)
	jump := func(kinds ...markKind) {
		if strings.ToUpper(k) == k && k != "[" {
			if m, ok := s.idx.prevMark(pos, kinds...); ok {
				s.goTo(m.pos)
			}
		} else if m, ok := s.idx.nextMark(pos, kinds...); ok {
			s.goTo(m.pos)
		}
	}
	switch {
	case key.Matches(msg, s.rk.play):
		s.playing = !s.playing
		if s.playing {
			if pos >= n {
				s.feed.seek(0)
				pos = 0
			}
			s.clock, s.lastTick = s.atOf(pos), time.Time{}
		}
	case key.Matches(msg, s.rk.step):
		if k == "left" || k == "h" {
			s.goTo(pos - 1)
		} else {
			s.goTo(pos + 1)
		}
	case key.Matches(msg, s.rk.speed):
		if k == "-" || k == "_" {
			s.speed = max(0, s.speed-1)
		} else {
			s.speed = min(len(replaySpeeds)-1, s.speed+1)
		}
	case key.Matches(msg, s.rk.mark):
		if k == "[" {
			if m, ok := s.idx.prevMark(pos, markStall, markRefusal, markError, markGap, markSkip); ok {
				s.goTo(m.pos)
			}
		} else if m, ok := s.idx.nextMark(pos, markStall, markRefusal, markError, markGap, markSkip); ok {
			s.goTo(m.pos)
		}
	case key.Matches(msg, s.rk.stall):
		jump(markStall)
	case key.Matches(msg, s.rk.refusal):
		jump(markRefusal)
	case key.Matches(msg, s.rk.errs):
		jump(markError)
	case key.Matches(msg, s.rk.scrub):
		d := max(1, n/20)
		if k == "pgup" || k == "," {
			d = -d
		}
		s.goTo(pos + d)
	case key.Matches(msg, s.rk.ends):
		if k == "home" {
			s.goTo(0)
		} else {
			s.goTo(n)
		}
	case key.Matches(msg, s.rk.percent):
		s.goTo(n * int(k[0]-'0') / 10)
	}
}

// atOf is the loop clock at position pos: the end of its last pass.
func (s *replayScreen) atOf(pos int) int64 {
	switch {
	case len(s.idx.frames) == 0:
		return 0
	case pos == 0:
		return s.idx.frames[0].at - 1
	}
	return s.idx.frames[min(pos, len(s.idx.frames))-1].at
}

func (s *replayScreen) view() string {
	if s.w <= 0 || s.h <= 0 {
		return ""
	}
	h := &s.idx.rec.Header
	head := styleTitle.Render("replay")
	for _, part := range []string{h.Scenario, h.Title} {
		if part != "" {
			head += " · " + part
		}
	}
	head += " · recorded " + h.Start.UTC().Format("2006-01-02 15:04 MST") + " on " + h.OS + "/" + h.Arch + " by " + h.Program
	body := frameLines(strings.Split(s.lv.View(), "\n"), s.w, max(0, s.h-headerRows-timelineRows))
	return fit(head, s.w) + "\n" + body + "\n" + strings.Join(s.timeline(), "\n")
}

// timeline is the bar under the panes: where the replay is, the marks
// along the recording, and what happens here or next.
func (s *replayScreen) timeline() []string {
	idx, pos, n := s.idx, s.feed.pos, len(s.idx.frames)
	state := "❚❚ paused"
	if s.playing {
		state = "▶ playing"
	}
	first, last := s.atOf(1), s.atOf(n)
	line1 := state + " " + fmtSpeed(replaySpeeds[s.speed]) + " │ pass " + group(pos) + " of " + group(n) +
		" │ " + fmtDur(time.Duration(max(0, s.atOf(pos)-first))) + " of " + fmtDur(time.Duration(max(0, last-first))) +
		" │ " + describe(idx.countMarks(markStall), "stall") + " · " + describe(idx.countMarks(markRefusal), "refusal") +
		" · " + describe(idx.countMarks(markError), "error")
	if g := idx.countMarks(markGap) + idx.countMarks(markSkip); g > 0 {
		line1 += " · " + describe(g, "gap")
	}
	if !idx.rec.Complete {
		line1 += " · file incomplete"
	}
	return []string{fit(line1, s.w), s.bar(), fit(s.context(), s.w)}
}

// bar draws the recording as a line, its marks as letters and the
// position as a dot.
func (s *replayScreen) bar() string {
	w := s.w - 2
	n := len(s.idx.frames)
	if w <= 0 {
		return ""
	}
	cell := func(pos int) int {
		if n <= 1 {
			return 0
		}
		return min(w-1, max(0, (pos-1)*(w-1)/(n-1)))
	}
	cur := cell(s.feed.pos)
	line := make([]rune, w)
	for i := range line {
		line[i] = '─'
		if i < cur {
			line[i] = '━'
		}
	}
	rank := func(r rune) int { return strings.IndexRune("aGXRSE", r) }
	for _, m := range s.idx.marks {
		g := rune(markGlyphs[m.kind])
		if c := cell(m.pos); rank(g) > rank(line[c]) {
			line[c] = g
		}
	}
	line[cur] = '●'
	return "[" + string(line) + "]"
}

// context says what happened at this pass and what comes next (or, when
// nothing happened here, what came last).
func (s *replayScreen) context() string {
	pos := s.feed.pos
	var parts []string
	here := s.idx.marksAt(pos)
	if len(here) > 0 {
		texts := make([]string, len(here))
		for i, m := range here {
			texts[i] = m.text
		}
		parts = append(parts, "at this pass: "+strings.Join(texts, " · "))
	}
	all := []markKind{markStall, markRefusal, markError, markGap, markSkip, markAction}
	if m, ok := s.idx.nextMark(pos, all...); ok {
		parts = append(parts, "next ▸ pass "+group(m.pos)+" (+"+group(m.pos-pos)+"): "+m.text)
	}
	if m, ok := s.idx.prevMark(pos, all...); ok && len(here) == 0 {
		parts = append(parts, "◂ pass "+group(m.pos)+" (-"+group(pos-m.pos)+"): "+m.text)
	}
	if len(parts) == 0 {
		return "no stalls, refusals, errors or actions in this recording"
	}
	return strings.Join(parts, "  │  ")
}

// fmtSpeed writes a speed as "×0.25", "×1", "×100".
func fmtSpeed(v float64) string { return "×" + strconv.FormatFloat(v, 'f', -1, 64) }

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
