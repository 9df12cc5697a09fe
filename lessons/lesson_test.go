package lessons

import (
	"context"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		title   string
		summary string
		pages   int
		wantErr string
	}{
		{"two pages", "# T\n\nSum up.\n\n## A\none\n\n## B\ntwo\n", "T", "Sum up.", 2, ""},
		{"heading in code", "# T\nS\n## A\n```\n## not a page\n```\n", "T", "S", 1, ""},
		{"no title", "## A\none\n", "", "", 0, "no \"# \" title"},
		{"title not first", "S\n# T\n## A\n", "", "", 0, "the title must be the first line"},
		{"no summary", "# T\n\n## A\none\n", "", "", 0, "no summary"},
		{"summary of two lines", "# T\nOne\ntwo.\n## A\n", "", "", 0, "the summary is one line"},
		{"two paragraphs", "# T\nOne.\n\nTwo.\n## A\n", "", "", 0, "the summary is one line"},
		{"no pages", "# T\nS\n", "", "", 0, "no pages"},
		{"two titles", "# T\nS\n## A\n# U\n", "", "", 0, "only one"},
	}
	for _, tt := range tests {
		title, summary, pages, err := parse(tt.name, tt.md)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse(%s) error = %v; want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || title != tt.title || summary != tt.summary || len(pages) != tt.pages {
			t.Errorf("parse(%s) = %q, %q, %d pages, %v; want %q, %q, %d", tt.name, title, summary, len(pages), err, tt.title, tt.summary, tt.pages)
		}
	}
}

func TestTryPrompt(t *testing.T) {
	tests := []struct{ page, want string }{
		{"## A\ntext\n\n> **Try this:** press `c`.\n", "press `c`."},
		{"## A\n\n> **Try this:** press\n> `c` now.\n\n", "press `c` now."},
		{"## A\n\n> **Try this:** press `c`.\n\nMore prose.\n", ""},
		{"## A\nno prompt\n", ""},
	}
	for _, tt := range tests {
		if got := tryPrompt(tt.page); got != tt.want {
			t.Errorf("tryPrompt(%q) = %q; want %q", tt.page, got, tt.want)
		}
	}
}

// TestPagesFitTheScreen keeps pages short: every page of every lesson
// fits, without scrolling, the prose column of a 100×30 terminal and of an
// 80×24 one, the smallest the lab runs in, so "Try this" is on screen
// with the text. The page is rendered as the lesson screen renders it.
func TestPagesFitTheScreen(t *testing.T) {
	sizes := []struct{ w, h int }{{100, 30}, {80, 24}}
	for _, sz := range sizes {
		for _, l := range Lessons() {
			for i, p := range l.Pages() {
				if lines, rows := visualizer.PageFit(p, sz.w, sz.h); lines > rows {
					t.Errorf("%s page %d (%s) renders to %d lines; want at most %d to fit %d×%d",
						l.Slug(), i+1, firstLine(p), lines, rows, sz.w, sz.h)
				}
			}
		}
	}
}

// Every key a "Try this" prompt asks for is one the lesson offers (an
// enabled control or one of its injectors), so the learner is never told
// to press a key the footer does not show.
func TestPromptsUseEnabledKeys(t *testing.T) {
	// Injector keys are per lesson (lesson 8's `S` is not lesson 6's `s`,
	// and two lessons may use one key for different things), so a
	// backticked word is a key if any control or injector has it, and the
	// lesson must offer that key itself.
	def := visualizer.DefaultKeyMap()
	controlKeys := map[visualizer.ControlID][]string{}
	isKey := map[string]bool{}
	for i, id := range visualizer.AllControls() {
		controlKeys[id] = def.Controls[i].Keys()
		for _, k := range def.Controls[i].Keys() {
			isKey[k] = true
		}
	}
	for _, inj := range injectorTable {
		isKey[inj.Key] = true
	}
	backticked := regexp.MustCompile("`([^`]+)`")
	for _, l := range Lessons() {
		offered := map[string]bool{}
		for _, id := range l.Controls() {
			for _, k := range controlKeys[id] {
				offered[k] = true
			}
		}
		for _, inj := range l.Injectors() {
			offered[inj.Key] = true
		}
		for i, p := range l.prompts() {
			for _, m := range backticked.FindAllStringSubmatch(p, -1) {
				if isKey[m[1]] && !offered[m[1]] {
					t.Errorf("%s page %d asks for `%s`, a key the lesson does not offer", l.Slug(), i+1, m[1])
				}
			}
		}
	}
}

// A lesson offers exactly the injectors its scenario names, and its Live
// runs them; an injector it does not name is refused.
func TestLessonInjectors(t *testing.T) {
	checkNoLeaks(t)
	_, l, err := Find("one-process-many-connections")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Injectors(); len(got) != 1 || got[0].ID != injStall || got[0].Key != "k" {
		t.Fatalf("Injectors() = %+v; want the stall on k", got)
	}
	live, err := l.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	inj, ok := live.(visualizer.Injectable)
	if !ok {
		t.Fatalf("lesson 1's Live is a %T; want a visualizer.Injectable", live)
	}
	if err := inj.Inject("partial-read", true); err == nil {
		t.Errorf("Inject(partial-read) on lesson 1 = nil; want an error (not its injector)")
	}
	if inj.InjectorOn(injStall) {
		t.Errorf("InjectorOn(stall) = true; want false for a one-shot")
	}
}

// TestLessonScenarios starts every lesson's own scenario the way the
// shell does and checks it comes up as the lesson promises.
func TestLessonScenarios(t *testing.T) {
	checkNoLeaks(t)
	for _, l := range Lessons() {
		t.Run(l.Slug(), func(t *testing.T) {
			live, err := l.Start(context.Background())
			if b, ok := reactor.LookupBackend(l.scenario.Backend); ok && !b.Available {
				// An epoll lesson elsewhere: it says so, and why.
				if err == nil || !strings.Contains(err.Error(), "only Linux has") {
					t.Errorf("Start() on a system without %s = %v; want an error saying it needs Linux", b.Name, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start() error = %v", err)
			}
			defer live.Close()
			sc := l.scenario
			if want := sc.Backend; want != "" && live.Backend() != want {
				t.Errorf("Backend() = %q; want %q", live.Backend(), want)
			}
			d := driverOf(t, live)
			if _, ok := live.(visualizer.ChainSource); ok != slices.Contains(sc.Panes, visualizer.PaneChain) {
				t.Errorf("Live is a ChainSource: %v; want %v (it shows the chain pane)", ok, !ok)
			}
			if _, ok := live.(visualizer.PoolSource); ok != slices.Contains(sc.Panes, visualizer.PanePool) {
				t.Errorf("Live is a PoolSource: %v; want %v (it shows the pool pane)", ok, !ok)
			}
			if _, port, _ := net.SplitHostPort(d.addr); !strings.Contains(live.Info(), "nc 127.0.0.1 "+port) {
				t.Errorf("Info() = %q; want the nc command for port %s", live.Info(), port)
			}
			want := 1 + sc.ActiveClients + sc.IdleClients // the listener and one fd per client
			for _, g := range sc.Clients {
				want += g.Count
			}
			if sc.Server == Compare {
				want = 0 // its servers are child processes: the lab's loop watches nothing
			}
			waitFor(t, "the scenario's clients", func() bool { return live.Stats().Watched == want })
		})
	}
}
