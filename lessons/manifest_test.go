package lessons

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/reactorlab/reactorlab/visualizer"
)

func TestManifest(t *testing.T) {
	ls := Lessons()
	if len(ls) < 2 {
		t.Fatalf("len(Lessons()) = %d; want at least 2", len(ls))
	}
	for i, l := range ls {
		if want := fmt.Sprintf("content/%02d-%s.md", l.Number(), l.Slug()); l.file != want {
			t.Errorf("lesson %d: file %q; want %q (number, then slug)", i+1, l.file, want)
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
		sc := l.scenario
		if len(sc.Panes) == 0 {
			t.Errorf("lesson %d: no panes; want at least one", i+1)
		}
		if sc.Server == "" {
			t.Errorf("lesson %d: Scenario().Server is empty", i+1)
		}
		has := func(id visualizer.ControlID) bool {
			for _, c := range sc.Controls {
				if c == id {
					return true
				}
			}
			return false
		}
		if has(visualizer.CtlStep) && !has(visualizer.CtlPause) {
			t.Errorf("lesson %d: step without pause; want both", i+1)
		}
		if has(visualizer.CtlSlower) != has(visualizer.CtlFaster) {
			t.Errorf("lesson %d: slower and faster come as a pair", i+1)
		}
	}
	// The shell accepts every lesson: injector keys collide with nothing.
	if _, err := visualizer.NewApp(VisualizerLessons(), "", visualizer.WithStateDir("")); err != nil {
		t.Errorf("visualizer.NewApp(the curriculum) = %v; want nil", err)
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

// readLessons takes the order, the number and the slug from the file
// names, lets a number be missing (lessons land apart), and refuses a
// number used twice, a file without a scenario, a scenario without a file,
// and an injector nobody defined.
func TestReadLessons(t *testing.T) {
	page := "# T\n\nSummary.\n\n## P\n\n> **Try this:** x\n"
	sc := Scenario{Server: Echo}
	files := func(names ...string) fstest.MapFS {
		fsys := fstest.MapFS{}
		for _, n := range names {
			fsys["c/"+n] = &fstest.MapFile{Data: []byte(page)}
		}
		return fsys
	}
	ls, err := readLessons(files("04-second.md", "01-first-one.md"), "c", map[string]Scenario{"first-one": sc, "second": sc})
	if err != nil || len(ls) != 2 || ls[0].Slug() != "first-one" || ls[1].Slug() != "second" || ls[0].Summary() != "Summary." {
		t.Fatalf("readLessons = %v, %v; want first-one then second", ls, err)
	}
	if ls[0].Number() != 1 || ls[1].Number() != 4 {
		t.Errorf("numbers %d, %d; want 1 and 4, from the file names", ls[0].Number(), ls[1].Number())
	}
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		scens map[string]Scenario
		want  string
	}{
		{"number twice", files("01-a.md", "01-b.md"), map[string]Scenario{"a": sc, "b": sc}, "want each number once"},
		{"number zero", files("00-a.md"), map[string]Scenario{"a": sc}, "want numbers from 01"},
		{"bad name", files("01_a.md"), map[string]Scenario{"a": sc}, "want a name like 01-some-slug.md"},
		{"no scenario", files("01-a.md"), map[string]Scenario{}, `no scenario for "a"`},
		{"no file", files("01-a.md"), map[string]Scenario{"a": sc, "b": sc}, `scenario "b" has no file`},
		{"unknown injector", files("01-a.md"), map[string]Scenario{"a": {Injectors: []string{"nope"}}}, `injector "nope"`},
	}
	for _, tc := range tests {
		if _, err := readLessons(tc.fsys, "c", tc.scens); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: readLessons error = %v; want %q", tc.name, err, tc.want)
		}
	}
}
