package exercises

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// State is a learner's progress in one checkout: which exercises passed and
// which one they are on. Progress belongs to the checkout: a fresh clone
// starts at zero however far the learner got in another one. An exercise
// counts as done only while its files are as they were when it passed (see
// Fingerprint), so a reset, a re-clone in the same place or a pulled grader
// needs a new grade before it is claimed again.
//
// The progress file holds one block per checkout:
//
//	# reactorlab exercise progress: one block per checkout
//	checkout /home/ann/reactorlab
//	current 02_select_loop
//	done 01_drain 3f2a9c0d1e2b4a5c
//
// where the last field of a done line is the exercise's Fingerprint when it
// passed. Lines before the first checkout line (the file of an older
// version, which kept one progress for every checkout) are ignored.
type State struct {
	Root    string          // the checkout this progress belongs to; "" for none
	Current string          // exercise name; "" means the first pending one
	Done    map[string]bool // exercises that passed when last graded, files unchanged since
	sums    map[string]string
}

// stateHeader opens the progress file.
const stateHeader = "# reactorlab exercise progress: one block per checkout"

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

// stateKey is how a checkout is named in the progress file: its absolute
// path with symbolic links resolved, so two ways to the same checkout share
// one progress.
func stateKey(root string) string {
	if root == "" {
		return ""
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	return root
}

// stateBlock is one checkout's lines of the progress file.
type stateBlock struct {
	key   string
	lines []string // without the checkout line
}

// readBlocks reads the progress file's blocks in order. A missing file has
// none.
func readBlocks(path string) ([]stateBlock, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var blocks []stateBlock
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if key, ok := strings.CutPrefix(line, "checkout "); ok {
			blocks = append(blocks, stateBlock{key: strings.TrimSpace(key)})
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") || len(blocks) == 0 {
			continue // blank, a comment, or the old format's global lines
		}
		blocks[len(blocks)-1].lines = append(blocks[len(blocks)-1].lines, line)
	}
	return blocks, sc.Err()
}

// LoadState reads the progress of the checkout at root from path. A missing
// file, or a checkout it does not know, is a fresh start. Unknown lines are
// ignored so older and newer versions can share a file.
func LoadState(path, root string) (State, error) {
	st := State{Root: root, Done: map[string]bool{}, sums: map[string]string{}}
	if root == "" {
		return st, nil
	}
	blocks, err := readBlocks(path)
	key := stateKey(root)
	for _, blk := range blocks {
		if blk.key != key {
			continue
		}
		for _, line := range blk.lines {
			f := strings.Fields(line)
			switch {
			case len(f) == 2 && f[0] == "current":
				st.Current = f[1]
			case len(f) == 3 && f[0] == "done":
				if i := index(f[1]); i >= 0 && f[2] == Fingerprint(root, All[i]) {
					st.Done[f[1]], st.sums[f[1]] = true, f[2]
				}
			}
		}
	}
	return st, err
}

// Record notes the result of grading ex: done if it passed (with the
// fingerprint of the files graded), not done otherwise.
func (st *State) Record(ex Exercise, res Result) {
	if st.Done == nil {
		st.Done = map[string]bool{}
	}
	if st.sums == nil {
		st.sums = map[string]string{}
	}
	if !res.Passed {
		st.Forget(ex)
		return
	}
	st.Done[ex.Name] = true
	st.sums[ex.Name] = cmp.Or(res.Sum, Fingerprint(st.Root, ex))
}

// Forget marks ex as not done.
func (st *State) Forget(ex Exercise) {
	delete(st.Done, ex.Name)
	delete(st.sums, ex.Name)
}

// Save writes this checkout's progress to path, leaving other checkouts'
// blocks as they are, atomically (a temp file renamed over it). Progress
// without a checkout is not saved.
func (st State) Save(path string) error {
	if st.Root == "" {
		return nil
	}
	blocks, err := readBlocks(path)
	if err != nil {
		return err
	}
	var mine []string
	if st.Current != "" {
		mine = append(mine, "current "+st.Current)
	}
	for _, ex := range All {
		if !st.Done[ex.Name] {
			continue
		}
		sum := st.sums[ex.Name]
		if sum == "" {
			sum = Fingerprint(st.Root, ex)
		}
		if sum != "" {
			mine = append(mine, fmt.Sprintf("done %s %s", ex.Name, sum))
		}
	}
	key, found := stateKey(st.Root), false
	for i := range blocks {
		if blocks[i].key == key {
			blocks[i].lines, found = mine, true
		}
	}
	if !found {
		blocks = append(blocks, stateBlock{key: key, lines: mine})
	}
	var b strings.Builder
	b.WriteString(stateHeader + "\n")
	for _, blk := range blocks {
		fmt.Fprintf(&b, "\ncheckout %s\n", blk.key)
		for _, line := range blk.lines {
			b.WriteString(line + "\n")
		}
	}
	return writeAtomic(path, b.String())
}

// writeAtomic replaces the file at path with s through a temp file renamed
// over it, so a crash never leaves half a file.
func writeAtomic(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exercises-*.txt")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(s); err != nil {
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
