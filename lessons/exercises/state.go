package exercises

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// State is a learner's progress: which exercises passed and which one they
// are on. It is stored as a few lines of text:
//
//	# reactorlab exercise progress
//	current 02_select_loop
//	done 01_drain
type State struct {
	Current string          // exercise name; "" means the first pending one
	Done    map[string]bool // exercises whose tests passed when last graded
}

// StatePath returns the progress file's path: $XDG_STATE_HOME/reactorlab/
// exercises.txt, or ~/.local/state/reactorlab/exercises.txt when
// XDG_STATE_HOME is unset (as the XDG base directory spec says).
func StatePath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find where to keep progress: set XDG_STATE_HOME or HOME: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "reactorlab", "exercises.txt"), nil
}

// LoadState reads progress from path. A missing file is a fresh start.
// Unknown lines are ignored so older and newer versions can share a file.
func LoadState(path string) (State, error) {
	st := State{Done: map[string]bool{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		val = strings.TrimSpace(val)
		switch key {
		case "current":
			st.Current = val
		case "done":
			st.Done[val] = true
		}
	}
	return st, sc.Err()
}

// Save writes progress to path atomically (a temp file renamed over it).
func (st State) Save(path string) error {
	var b strings.Builder
	b.WriteString("# reactorlab exercise progress\n")
	if st.Current != "" {
		fmt.Fprintf(&b, "current %s\n", st.Current)
	}
	for _, ex := range All {
		if st.Done[ex.Name] {
			fmt.Fprintf(&b, "done %s\n", ex.Name)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exercises-*.txt")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CurrentExercise returns the exercise the learner is on: the saved current
// one if it still exists, else the first one not done, else the last.
func (st State) CurrentExercise() Exercise {
	if i := index(st.Current); i >= 0 {
		return All[i]
	}
	for _, ex := range All {
		if !st.Done[ex.Name] {
			return ex
		}
	}
	return All[len(All)-1]
}

// DoneCount returns how many exercises in All are done.
func (st State) DoneCount() int {
	n := 0
	for _, ex := range All {
		if st.Done[ex.Name] {
			n++
		}
	}
	return n
}

// ProgressBar draws a plain-text bar such as "[######--------] 1/3 done".
func ProgressBar(done, total, width int) string {
	if total <= 0 {
		total = 1
	}
	filled := done * width / total
	return fmt.Sprintf("[%s%s] %d/%d done", strings.Repeat("#", filled), strings.Repeat("-", width-filled), done, total)
}
