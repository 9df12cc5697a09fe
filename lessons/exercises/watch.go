package exercises

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"
)

// PollInterval is how often watch mode looks at the exercise's files. It
// polls modification times rather than relying on change notification,
// which fails on some filesystems (WSL2 mounts, containers, network drives).
const PollInterval = 500 * time.Millisecond

// watch opens the watch-mode screen on the current (or named) exercise.
func (r *runner) watch(ctx context.Context, args []string) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	if !isTerminal(r.stdout) {
		return fmt.Errorf("exercises watch needs a terminal and stdout is not one; run 'reactorlab exercises check' for a plain summary, or grade one exercise with 'cd exercises && go test ./NN_topic/'")
	}
	st := r.loadState()
	ex := st.CurrentExercise()
	if len(args) == 1 {
		var ok bool
		if ex, ok = Find(args[0]); !ok {
			return unknownExercise(args[0])
		}
	}
	m := newWatchModel(ctx, r, st, index(ex.Name))
	_, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithOutput(r.stdout)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // the caller cancelled: a normal way to leave
	}
	return err
}

// isTerminal reports whether w is a terminal (a buffer never is).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// snapshot identifies the state of an exercise's files: name, size and
// modification time of every file in its directory. Two different snapshots
// mean something was saved.
func snapshot(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d %d", e.Name(), info.Size(), info.ModTime().UnixNano()))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// Messages of the watch screen.
type (
	// gradedMsg carries a finished grading run. gen tells stale results
	// (for an exercise the learner already left) from current ones.
	gradedMsg struct {
		gen int
		res Result
		err error
	}
	// polledMsg carries the exercise directory's snapshot for gen.
	polledMsg struct {
		gen  int
		snap string
	}
)

// pollCmd looks at the files after PollInterval; the stat calls run in the
// command's goroutine, not in Update.
func pollCmd(gen int, dir string) tea.Cmd {
	return tea.Tick(PollInterval, func(time.Time) tea.Msg {
		return polledMsg{gen: gen, snap: snapshot(dir)}
	})
}

// gradeCmd grades ex in a goroutine.
func gradeCmd(ctx context.Context, grade Grader, root string, ex Exercise, gen int) tea.Cmd {
	return func() tea.Msg {
		res, err := grade(ctx, root, ex)
		return gradedMsg{gen: gen, res: res, err: err}
	}
}

// saveProgress writes st, reporting a failure as the screen's note.
func saveProgress(path string, st State) string {
	if path == "" {
		return ""
	}
	if err := st.Save(path); err != nil {
		return "could not save progress: " + err.Error()
	}
	return ""
}

// filesOf names an exercise's stub files for the screen.
func filesOf(ex Exercise) string {
	var fs []string
	for _, f := range ex.Files {
		fs = append(fs, filepath.Join("exercises", ex.Name, f))
	}
	return strings.Join(fs, ", ")
}
