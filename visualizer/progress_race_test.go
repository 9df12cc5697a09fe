package visualizer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// flatten runs cmd and returns the Cmds it batches (cmd itself if it does
// not batch), without running those.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	var out []tea.Cmd
	msg := cmd()
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		for i := 0; i < v.Len(); i++ {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

// TestProgressSavesDoNotRace: opening lessons for the first time in quick
// succession starts one save Cmd per lesson, and bubbletea runs Cmds
// concurrently. They must neither fail (two writers sharing one temp file:
// the second rename finds it gone) nor leave an older list on disk.
func TestProgressSavesDoNotRace(t *testing.T) {
	dir := t.TempDir()
	var lessons []Lesson
	for i := range 24 {
		lessons = append(lessons, &fakeLesson{slug: "l" + itoa(i), title: "L", pages: []string{"# p\n\nx"}})
	}
	m, err := NewApp(lessons, "", manual, WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	var cmds []tea.Cmd
	for range lessons {
		cmds = append(cmds, flatten(m.Update2(press("enter")))...)
		m.Update(press("esc"))
		m.Update(press("down"))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for _, c := range cmds {
		wg.Go(func() {
			if e, ok := c().(cmdErrMsg); ok {
				mu.Lock()
				errs = append(errs, e.err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("saving progress failed %d times, e.g. %s; want no errors", len(errs), errs[0])
	}
	b, err := os.ReadFile(filepath.Join(dir, "progress"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(strings.Fields(string(b))); got != len(lessons) {
		t.Errorf("progress file lists %d lessons; want all %d", got, len(lessons))
	}
}
