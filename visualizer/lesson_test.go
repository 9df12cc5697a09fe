package visualizer

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// openLesson builds an App on lesson start of lessons at w×h, with its
// first page rendered and its scenario started.
func openLesson(t testing.TB, lessons []Lesson, start string, w, h int) *App {
	t.Helper()
	m, err := NewApp(lessons, start, manual, WithStateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	do(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func TestLessonView(t *testing.T) {
	lessons := twoLessons()
	m := openLesson(t, lessons, "one", 100, 30)
	live := lessons[0].(*fakeLesson).live
	s := &synth{}
	s.register(3)
	s.passes(20, 3, "epoll", 5)
	live.src.push(s.take()...)
	m.Update(tickMsg(t0))
	got := m.View().Content
	checkSize(t, got, 100, 30)
	golden(t, got)
}

// A lesson with five panes beside the prose still shows all five at
// 100×30 and at 80×24 (squeezed, not hidden).
func TestLessonFivePanesFit(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{100, 30}, {80, 24}} {
		lessons := twoLessons()
		l := lessons[0].(*fakeLesson)
		l.panes = []PaneID{PaneReadiness, PaneInterest, PaneLoop, PaneStalls, PaneCounters}
		m := openLesson(t, lessons, "one", sz.w, sz.h)
		m.Update(tickMsg(t0))
		got := screenOf(m)
		for _, title := range []string{"Readiness", "Interest set", "Loop", "Stalls", "Counters"} {
			if !strings.Contains(got, title) {
				t.Errorf("%dx%d: pane %q missing:\n%s", sz.w, sz.h, title, got)
			}
		}
		if strings.Contains(got, "hidden") {
			t.Errorf("%dx%d: panes hidden:\n%s", sz.w, sz.h, got)
		}
	}
}

// Only the lesson's controls and injectors answer; the others neither
// match nor show in the footer.
func TestLessonKeysFollowItsControls(t *testing.T) {
	lessons := twoLessons()
	l := lessons[0].(*fakeLesson)
	l.injectors = testInjectors[:1] // the stall, a one-shot
	m := openLesson(t, lessons, "one", 100, 30)
	for _, k := range []string{"c", "b", "n", "k", "k", "P"} {
		do(m, press(k))
	}
	if got, want := l.live.Calls(), []string{"add active 10", "inject stall", "inject stall"}; !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q (b, n and P are not this lesson's)", got, want)
	}
	foot := footerOf(m)
	for _, want := range []string{"space pause/resume", "c +10 active", "k inject stall", "→ next page", "esc back"} {
		if !strings.Contains(foot, want) {
			t.Errorf("footer %q lacks %q", foot, want)
		}
	}
	for _, not := range []string{"next backend", "step one pass", "partial", "prev page"} {
		if strings.Contains(foot, not) {
			t.Errorf("footer %q offers %q, which does nothing here", foot, not)
		}
	}
}

// footerOf is the last line of the App's view.
func footerOf(m *App) string {
	lines := strings.Split(screenOf(m), "\n")
	return lines[len(lines)-1]
}

// ← and → move between pages, and each is offered only where it leads
// somewhere.
func TestLessonPages(t *testing.T) {
	m := openLesson(t, twoLessons(), "one", 100, 30)
	do(m, press("right"))
	if got := screenOf(m); !strings.Contains(got, "page 2/2") || !strings.Contains(got, "Second page") {
		t.Fatalf("after →: not on page 2:\n%s", got)
	}
	do(m, press("right")) // the last page: → is off
	if got := screenOf(m); !strings.Contains(got, "page 2/2") {
		t.Errorf("→ on the last page moved on:\n%s", got)
	}
	if foot := footerOf(m); strings.Contains(foot, "next page") || !strings.Contains(foot, "prev page") {
		t.Errorf("footer on the last page = %q; want prev page and no next page", foot)
	}
	do(m, press("left"))
	if got := screenOf(m); !strings.Contains(got, "page 1/2") {
		t.Errorf("after ←: not on page 1:\n%s", got)
	}
}

// longLesson is a prose-only lesson with one page far taller than a screen.
func longLesson() []Lesson {
	var page strings.Builder
	page.WriteString("# Long page\n")
	for i := range 60 {
		page.WriteString("\nParagraph " + itoa(i) + ".\n")
	}
	return []Lesson{&fakeLesson{slug: "long", title: "Long", pages: []string{page.String()}}}
}

// The prose scrolls in a viewport: ↓ far past the end and then ↑ once,
// with no View in between (keys can arrive faster than frames), moves the
// text up one line; page down jumps a screenful.
func TestLessonProseScrolls(t *testing.T) {
	view := func(keys ...string) string {
		m := openLesson(t, longLesson(), "long", 100, 30)
		for _, k := range keys {
			m.Update(press(k))
		}
		return screenOf(m)
	}
	top := view()
	if !strings.Contains(top, "Long page") || strings.Contains(top, "Paragraph 59") {
		t.Fatalf("the page does not start at its top:\n%s", top)
	}
	down := slices.Repeat([]string{"down"}, 500)
	bottom, oneUp := view(down...), view(append(down, "up")...)
	if !strings.Contains(bottom, "Paragraph 59") {
		t.Fatalf("after many ↓ the last paragraph is not shown:\n%s", bottom)
	}
	if oneUp == bottom {
		t.Errorf("↑ after scrolling past the end: view unchanged; want the text one line higher")
	}
	if paged := view("pgdown"); strings.Contains(paged, "Long page") {
		t.Errorf("pgdn left the page's top on screen:\n%s", paged)
	}
}

// A page that fits offers no scrolling keys under ?.
func TestLessonScrollKeysOnlyWhenLong(t *testing.T) {
	for _, tc := range []struct {
		lessons []Lesson
		start   string
		want    bool
	}{{twoLessons(), "one", false}, {longLesson(), "long", true}} {
		m := openLesson(t, tc.lessons, tc.start, 100, 30)
		m.Update(press("?"))
		if got := strings.Contains(screenOf(m), "scroll down"); got != tc.want {
			t.Errorf("lesson %s: ? lists scrolling = %v; want %v", tc.start, got, tc.want)
		}
	}
}

// PageFit counts what the lesson screen shows: a page it says fits is
// on screen whole, and one it says does not has the header's "more
// below", at the smallest size and a common one. The page grows a line
// at a time (a line of code each), so every size meets its boundary.
func TestPageFit(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {100, 30}} {
		for n := 1; n <= 30; n++ {
			page := "## A page\n\nThe loop, line by line:\n\n```\n" + strings.Repeat("wait()\n", n) +
				"```\n\n> **Try this:** press `c` to add 10 clients and watch rows appear.\n"
			lessons := twoLessons()
			lessons[0].(*fakeLesson).pages = []string{page}
			m := openLesson(t, lessons, "one", sz.w, sz.h)
			lines, rows := PageFit(page, sz.w, sz.h)
			if scrolls := strings.Contains(screenOf(m), "more below"); scrolls != (lines > rows) {
				t.Errorf("%d×%d, %d lines of code: PageFit = %d lines in %d rows; the screen says more below: %v",
					sz.w, sz.h, n, lines, rows, scrolls)
			}
		}
	}
}

// BenchmarkLessonView measures View() of a lesson screen at 120×40: glamour
// prose (ANSI styled) in its viewport beside two live panes.
func BenchmarkLessonView(b *testing.B) {
	lessons := twoLessons()
	m := openLesson(b, lessons, "one", 120, 40)
	s := &synth{}
	s.register(20)
	s.passes(200, 20, "epoll", 22)
	lessons[0].(*fakeLesson).live.src.push(s.take()...)
	m.Update(tickMsg(t0))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func TestAskedKeys(t *testing.T) {
	tests := []struct {
		page string
		want []string
	}{
		{"Press `c`, then `space` and `D`; `epoll_ctl()` and `r|et` are not keys.", []string{"c", "space", "D"}},
		// A fence's backticks are not quotes: they must not pair with
		// the ones of the prose around it (lessons 3 and 10).
		{"Steps:\n\n```\nd.AddCallback(parse)\n```\n\n> **Try this:** press `space`, then `n`.", []string{"space", "n"}},
	}
	for _, tt := range tests {
		if got := askedKeys(tt.page); !slices.Equal(got, tt.want) {
			t.Errorf("askedKeys(%q) = %q; want %q", tt.page, got, tt.want)
		}
	}
}
