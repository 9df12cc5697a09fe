package lessons

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	"github.com/reactorlab/reactorlab/visualizer"
)

func TestManifest(t *testing.T) {
	ls := Lessons()
	if len(ls) < 2 {
		t.Fatalf("len(Lessons()) = %d; want at least 2", len(ls))
	}
	slugs := map[string]bool{}
	for i, l := range ls {
		if l.Slug() == "" || strings.ContainsAny(l.Slug(), " \t/") {
			t.Errorf("lesson %d: Slug() = %q; want a non-empty word with dashes", i+1, l.Slug())
		}
		if slugs[l.Slug()] {
			t.Errorf("lesson %d: Slug() = %q; want unique, seen before", i+1, l.Slug())
		}
		slugs[l.Slug()] = true
		if !strings.Contains(l.file, l.Slug()) {
			t.Errorf("lesson %d: file %q does not carry its slug %q", i+1, l.file, l.Slug())
		}
		if l.Title() == "" || l.Summary() == "" {
			t.Errorf("lesson %d: Title() = %q, Summary() = %q; want both set", i+1, l.Title(), l.Summary())
		}
		if len(l.Pages()) < 2 {
			t.Errorf("lesson %d: len(Pages()) = %d; want at least 2", i+1, len(l.Pages()))
		}
		for j, p := range l.Pages() {
			if !strings.HasPrefix(p, "## ") {
				t.Errorf("lesson %d page %d starts %q; want a \"## \" heading", i+1, j+1, firstLine(p))
			}
			if tryPrompt(p) == "" {
				t.Errorf("lesson %d page %d (%s) does not end with a %q block", i+1, j+1, firstLine(p), tryMarker)
			}
		}
		if got, want := len(l.Prompts()), len(l.Pages()); got != want {
			t.Errorf("lesson %d: len(Prompts()) = %d; want %d (one per page)", i+1, got, want)
		}
		sc := l.Scenario()
		if len(sc.Panes) == 0 {
			t.Errorf("lesson %d: no panes; want at least one", i+1)
		}
		if sc.Server == "" {
			t.Errorf("lesson %d: Scenario().Server is empty", i+1)
		}
		if sc.Controls.Has(visualizer.CtlStep) && !sc.Controls.Has(visualizer.CtlPause) {
			t.Errorf("lesson %d: step without pause; want both", i+1)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestFind(t *testing.T) {
	tests := []struct {
		arg     string
		want    int
		wantErr bool
	}{
		{"1", 0, false},
		{"2", 1, false},
		{" 2 ", 1, false},
		{"select-and-the-1024-wall", 1, false},
		{"one-process-many-connections", 0, false},
		{"3", 2, false},
		{"deferreds-two-tracks", 2, false},
		{"0", 0, true},
		{"99", 0, true},
		{"nope", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		i, l, err := Find(tt.arg)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "one-process-many-connections") {
				t.Errorf("Find(%q) error = %v; want one naming the valid lessons", tt.arg, err)
			}
			continue
		}
		if err != nil || i != tt.want || l != Lessons()[tt.want] {
			t.Errorf("Find(%q) = %d, %v; want %d, nil", tt.arg, i, err, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		title   string
		pages   int
		wantErr bool
	}{
		{"two pages", "# T\n\n## A\none\n\n## B\ntwo\n", "T", 2, false},
		{"heading in code", "# T\n\n## A\n```\n## not a page\n```\n", "T", 1, false},
		{"no title", "## A\none\n", "", 0, true},
		{"no pages", "# T\n", "", 0, true},
		{"text before first page", "# T\nstray\n## A\n", "", 0, true},
		{"two titles", "# T\n## A\n# U\n", "", 0, true},
	}
	for _, tt := range tests {
		title, pages, err := parse(tt.name, tt.md)
		if (err != nil) != tt.wantErr {
			t.Errorf("parse(%s) error = %v; want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if title != tt.title || len(pages) != tt.pages {
			t.Errorf("parse(%s) = %q, %d pages; want %q, %d", tt.name, title, len(pages), tt.title, tt.pages)
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

// TestPagesFitTheScreen keeps pages short: each must fit, without
// scrolling, the prose column of a 100×30 terminal (about 40 columns by 26
// rows beside the panes), so "Try this" is on screen with the text.
func TestPagesFitTheScreen(t *testing.T) {
	const width, rows = 39, 26
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(styles.DarkStyle), glamour.WithWordWrap(width))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Lessons() {
		for i, p := range l.Pages() {
			out, err := r.Render(p)
			if err != nil {
				t.Fatalf("render %s page %d: %v", l.Slug(), i+1, err)
			}
			if n := len(strings.Split(strings.Trim(out, "\n"), "\n")); n > rows {
				t.Errorf("%s page %d (%s) renders to %d lines at width %d; want at most %d",
					l.Slug(), i+1, firstLine(p), n, width, rows)
			}
		}
	}
}

// TestPromptsUseEnabledKeys checks that every key a "Try this" prompt asks
// for is a control the lesson enables, so the learner is never told to
// press a key the footer does not offer.
func TestPromptsUseEnabledKeys(t *testing.T) {
	keys := map[string]visualizer.Controls{
		"`space`": visualizer.CtlPause, "`n`": visualizer.CtlStep,
		"`+`": visualizer.CtlSlow, "`-`": visualizer.CtlSlow,
		"`b`": visualizer.CtlBackend, "`c`": visualizer.CtlAddActive,
		"`C`": visualizer.CtlAddIdle, "`x`": visualizer.CtlDrop, "`k`": visualizer.CtlStall,
	}
	for _, l := range Lessons() {
		for i, p := range l.Prompts() {
			for k, c := range keys {
				if strings.Contains(p, k) && !l.Controls().Has(c) {
					t.Errorf("%s page %d asks for %s, which the lesson does not enable", l.Slug(), i+1, k)
				}
			}
		}
	}
}
