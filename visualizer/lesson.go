package visualizer

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// lessonScreen is one open lesson: its prose, a page at a time, in a
// pager on the left and its live panes on the right. The scenario starts
// in a Cmd when the lesson opens and is closed when the learner leaves.
type lessonScreen struct {
	c     *common
	i     int // index into c.lessons
	l     Lesson
	gen   int // c.gen when it opened: tells its Start result from an older one
	keys  KeyMap
	page  int
	pager pager
	live  *liveView

	starting bool
	startErr error
	w, h     int
}

const headerRows = 1

func newLessonScreen(c *common, i int) *lessonScreen {
	c.gen++
	s := &lessonScreen{c: c, i: i, l: c.lessons[i], gen: c.gen, keys: DefaultKeyMap(), pager: newPager()}
	s.updateKeys()
	return s
}

// liveStartedMsg carries the result of Lesson.Start.
type liveStartedMsg struct {
	gen  int
	live Live
	err  error
}

// open marks the lesson visited (saving progress in a Cmd) and starts its
// scenario in another.
func (s *lessonScreen) open() tea.Cmd {
	var cmds []tea.Cmd
	if data := s.c.prog.visit(s.l.Slug()); data != nil {
		prog, seq := s.c.prog, s.c.prog.seq
		cmds = append(cmds, safeCmd(func() tea.Msg {
			if err := prog.save(seq, data); err != nil {
				return cmdErrMsg{fmt.Errorf("saving progress: %w", err)}
			}
			return nil
		}))
	}
	if len(s.l.Panes()) > 0 {
		s.starting = true
		l, gen, ctx, starts := s.l, s.gen, s.c.cfg.ctx, &s.c.starts
		cmds = append(cmds, safeCmd(func() tea.Msg {
			live, err := l.Start(ctx)
			if live != nil && !starts.track(live) {
				_ = live.Close() // the program is gone
				return nil
			}
			return liveStartedMsg{gen: gen, live: live, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

// started adopts the scenario (or its error).
func (s *lessonScreen) started(msg liveStartedMsg) tea.Cmd {
	s.starting = false
	if msg.err != nil || msg.live == nil {
		s.startErr = msg.err
		if s.startErr == nil {
			s.startErr = errors.New("scenario returned no Live")
		}
		return nil
	}
	s.live = newLiveView(s.c.cfg, msg.live, s.l.Panes(), s.l.Controls(), s.l.Injectors())
	s.setSize(s.w, s.h)
	s.updateKeys()
	return nil
}

// updateKeys enables what works now, as bubbles' list does: pages that
// exist, scrolling when the page overflows, the live view's controls and
// injectors once the scenario runs.
func (s *lessonScreen) updateKeys() {
	k := &s.keys
	k.only(keysPages | keysScroll | keysBack)
	k.PrevPage.SetEnabled(s.page > 0)
	k.NextPage.SetEnabled(s.page < len(s.l.Pages())-1)
	for _, b := range []*key.Binding{&k.ScrollUp, &k.ScrollDown, &k.PageUp, &k.PageDown} {
		b.SetEnabled(s.pager.overflows())
	}
	if s.live != nil {
		s.live.bindKeys(k)
	} else {
		k.setControls(nil)
	}
}

func (s *lessonScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		if s.live != nil {
			return s.live.sample(time.Time(msg))
		}
	case proseMsg:
		s.pager.rendered(msg)
		s.updateKeys() // the page may overflow now
	case watchedMsg, cmdErrMsg:
		if s.live != nil {
			s.live.Update(msg)
		}
	case ActionMsg:
		if s.live != nil {
			s.live.do(Action(msg))
		}
	case tea.KeyPressMsg:
		cmd := s.onKey(msg)
		s.updateKeys()
		return cmd
	}
	return nil
}

func (s *lessonScreen) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	switch {
	case key.Matches(msg, k.Back):
		return navCmd(goHomeMsg{})
	case key.Matches(msg, k.NextPage):
		s.page++
		return s.showPage()
	case key.Matches(msg, k.PrevPage):
		s.page--
		return s.showPage()
	case s.pager.scroll(k, msg):
	case s.live != nil:
		s.live.handleKey(msg, k)
	}
	return nil
}

// showPage puts the current page in the pager.
func (s *lessonScreen) showPage() tea.Cmd {
	pages := s.l.Pages()
	if len(pages) == 0 || s.proseWidth() == 0 {
		s.pager.vp.SetContent("(this lesson has no text)")
		return nil
	}
	s.page = max(0, min(s.page, len(pages)-1))
	s.keys.Asked = askedKeys(pages[s.page])
	return s.pager.show(s.c, s.l.Slug()+"#"+strconv.Itoa(s.page), pages[s.page])
}

// askedKeys are the keys a page names in backticks ("press `c`"), for the
// footer to show first. Fenced code is left out: its backticks would pair
// with the prose's.
func askedKeys(page string) []string {
	var prose strings.Builder
	inCode := false
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			prose.WriteString(line + "\n")
		}
	}
	var keys []string
	for _, m := range backticked.FindAllStringSubmatch(prose.String(), -1) {
		k := m[1]
		if k == "space" || utf8.RuneCountInString(k) == 1 {
			keys = append(keys, k)
		}
	}
	return keys
}

var backticked = regexp.MustCompile("`([^`]+)`")

// proseWidth is the prose column's width: all of it for a prose-only
// lesson, else proseColumn beside the panes.
func (s *lessonScreen) proseWidth() int {
	if len(s.l.Panes()) == 0 {
		return s.w
	}
	return proseColumn(s.w)
}

// proseColumn is the width of the prose column beside the panes on a
// terminal w cells wide: two fifths, 36 to 72 cells.
func proseColumn(w int) int { return max(36, min(72, w*2/5)) }

// PageFit says how one page of lesson prose (Markdown) sits in the prose
// column beside a lesson's panes on a w×h terminal: the rows it renders
// to, and the rows the column shows without scrolling. The lessons'
// content test uses it to keep every page, "Try this" included, on one
// screen.
func PageFit(md string, w, h int) (lines, rows int) {
	text := renderProse(md, proseColumn(w)-1, true) // the pager renders one cell narrower (show)
	return len(strings.Split(text, "\n")), max(0, h-footerRows-headerRows)
}

func (s *lessonScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	if w <= 0 || h <= 0 {
		return nil
	}
	pw := s.proseWidth()
	s.pager.setSize(pw, max(0, h-headerRows))
	if s.live != nil {
		s.live.SetSize(max(0, w-pw-1), max(0, h-headerRows))
	}
	cmd := s.showPage()
	s.updateKeys()
	return cmd
}

func (s *lessonScreen) keyMap() KeyMap { return s.keys }
func (s *lessonScreen) title() string  { return s.l.Title() }

// legendPanes are the panes whose glyphs ? explains: the lesson's own.
func (s *lessonScreen) legendPanes() []PaneID { return s.l.Panes() }

func (s *lessonScreen) helpNotes() []string {
	notes := injectorNotes(s.live)
	if s.live != nil && len(s.live.controls) < len(controlTable) {
		notes = append(notes, "Live controls not listed are not used in this lesson.")
	}
	return notes
}

// leave detaches from the trace and closes the scenario off the UI
// goroutine; a Start still running is closed when it returns (the App
// hands its result only to the screen that asked).
func (s *lessonScreen) leave() tea.Cmd {
	s.starting = false
	if s.live == nil {
		return nil
	}
	cmd := s.live.close()
	s.live = nil
	return cmd
}

// closeNow closes the scenario on the spot (the program has ended).
func (s *lessonScreen) closeNow() {
	if s.live != nil {
		s.live.closeNow()
		s.live = nil
	}
}

func (s *lessonScreen) view() string {
	bodyH := s.h - headerRows
	header := styleTitle.Render(strconv.Itoa(lessonNumber(s.c.lessons, s.l))+". "+s.l.Title()) +
		"  page " + strconv.Itoa(s.page+1) + "/" + strconv.Itoa(max(1, len(s.l.Pages()))) + s.pager.more()
	pw := s.proseWidth()
	left := s.pager.lines()
	var right []string
	switch {
	case pw >= s.w:
	case s.live != nil:
		right = strings.Split(s.live.View(), "\n")
	case s.startErr != nil:
		right = []string{styleError.Render("✗ could not start the scenario:"), s.startErr.Error()}
	case s.starting:
		right = []string{"starting the scenario…"}
	}
	var b strings.Builder
	b.WriteString(fit(header, s.w))
	rw := s.w - pw - 1
	for y := 0; y < bodyH; y++ {
		b.WriteByte('\n')
		b.WriteString(fit(lineAt(left, y), pw))
		if rw > 0 {
			b.WriteString("│" + fit(lineAt(right, y), rw))
		}
	}
	return b.String()
}
