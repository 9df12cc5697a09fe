package visualizer

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Opening lessons for the first time in quick
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
	for i := range lessons {
		cmds = append(cmds, flatten(send(m, openLessonMsg{i}))...)
		m.Update(goHomeMsg{})
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
