package visualizer

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNewDemoRefuses(t *testing.T) {
	start := func(context.Context) (Live, error) { return newFakeLive(), nil }
	for _, tc := range []struct {
		d    *Demo
		want string
	}{
		{nil, "no demo"},
		{&Demo{Name: "a", Steps: []DemoStep{{}}}, "no way to start"},
		{&Demo{Name: "a", Start: start}, "no steps"},
		{&Demo{Name: "a", Start: start, Steps: []DemoStep{{Line: 4, Panes: []PaneID{PaneCost}}}}, "line 4 shows pane cost"},
	} {
		if _, err := NewDemo(tc.d, DemoPlay{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewDemo(%+v) = %v; want an error containing %q", tc.d, err, tc.want)
		}
	}
}

// Auto-play leaves a caption up long enough to read it aloud: longer for
// more words, within bounds.
func TestReadingTime(t *testing.T) {
	short, long := readingTime("Pause."), readingTime(strings.Repeat("word ", 20))
	if short != 4*time.Second || long <= short || long > 12*time.Second {
		t.Errorf("readingTime: %v for one word, %v for twenty; want 4s, then more, at most 12s", short, long)
	}
	if got := readingTime(strings.Repeat("word ", 200)); got != 12*time.Second {
		t.Errorf("readingTime of 200 words = %v; want the 12s cap", got)
	}
}

// The report of an App that is no demo is empty, and a demo's is a copy.
func TestDemoReport(t *testing.T) {
	m, err := NewApp(twoLessons(), "", WithStateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	if r := m.DemoReport(); r.Steps != 0 || r.Problems != nil {
		t.Errorf("DemoReport of the lesson shell = %+v; want zero", r)
	}
	var lives []*demoLive
	d := testDemo(&lives)
	d.Steps[0].Ops = append(d.Steps[0].Ops, act(9, "backend kqueue"))
	dm := newDemoApp(t, d, DemoPlay{}, 100, 30)
	r := dm.DemoReport()
	if r.Steps != 4 || r.Reached != 1 || len(r.Problems) != 1 {
		t.Fatalf("report = %+v; want 4 steps, 1 reached, 1 problem", r)
	}
	r.Problems[0] = "changed"
	if dm.DemoReport().Problems[0] == "changed" {
		t.Error("DemoReport shares its Problems with the player")
	}
}
