package exercises

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrNotAllPass matches (errors.Is) the error Check returns when some
// exercise does not pass yet.
var ErrNotAllPass = errors.New("not every exercise passes yet")

// notAllPass says how many graded exercises fail.
type notAllPass struct{ failing, total int }

func (e notAllPass) Error() string {
	return fmt.Sprintf("%d of %d graded exercise(s) do not pass yet", e.failing, e.total)
}

// Is makes errors.Is(err, ErrNotAllPass) true.
func (e notAllPass) Is(target error) bool { return target == ErrNotAllPass }

// Runner carries out what a learner asks of the exercises: list them,
// grade them (Check), show a hint, reset a stub, and watch one (watch.go).
// It works in the reactorlab checkout around the working directory and
// keeps progress in a small state file. Tests build one with a fake grader
// and a temporary state file.
type Runner struct {
	root      string // checkout root; "" if none was found
	rootErr   error  // why root is empty
	statePath string // progress file; "" keeps progress for this run only
	grade     Grader
	stdout    io.Writer
	stderr    io.Writer
}

// NewRunner returns a runner over the checkout around the working
// directory, writing to stdout and stderr. statePath is the progress file
// (usually StatePath()); "" keeps progress in memory for this run only.
// A missing checkout is reported by the methods that need one; List works
// without it.
func NewRunner(statePath string, stdout, stderr io.Writer) *Runner {
	r := &Runner{statePath: statePath, grade: Grade, stdout: stdout, stderr: stderr}
	if wd, err := os.Getwd(); err != nil {
		r.rootErr = err
	} else {
		r.root, r.rootErr = FindRoot(wd)
	}
	return r
}

func (r *Runner) needRoot() error {
	if r.root == "" {
		return r.rootErr
	}
	return nil
}

func (r *Runner) loadState() State {
	if r.statePath == "" {
		return State{Root: r.root, Done: map[string]bool{}}
	}
	st, err := LoadState(r.statePath, r.root)
	if err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot read progress from %s (%v); starting fresh\n", r.statePath, err)
	}
	return st
}

func (r *Runner) saveState(st State) {
	if r.statePath == "" {
		return
	}
	if err := st.Save(r.statePath); err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot save progress to %s: %v\n", r.statePath, err)
	}
}

// List prints every exercise with its status and a progress bar.
func (r *Runner) List() error {
	st := r.loadState()
	cur := st.CurrentExercise()
	var b strings.Builder
	b.WriteString("reactorlab exercises\n\n")
	numW, nameW := len(strconv.Itoa(len(All))), 0 // columns line up past 9 and for a long name
	for _, ex := range All {
		nameW = max(nameW, len(ex.Name))
	}
	for i, ex := range All {
		mark, status := " ", "pending"
		if ex.Name == cur.Name {
			mark = ">"
		}
		if st.Done[ex.Name] {
			status = "done"
		}
		fmt.Fprintf(&b, "%s %*d. %-9s %-*s %s\n%*s follows %s\n", mark, numW, i+1, "["+status+"]", nameW, ex.Name, ex.Title,
			numW+3, "", ex.Lesson)
	}
	fmt.Fprintf(&b, "\n%s\n\n", ProgressBar(st.DoneCount(), len(All), 30))
	fmt.Fprintf(&b, "Current: %s. Grade it with: %s\n", cur.Name, cur.GradeCommand())
	b.WriteString("Watch it: reactorlab exercises watch    Grade all: reactorlab exercises check\n")
	if r.root == "" {
		fmt.Fprintf(&b, "\nNote: %v\n", r.rootErr)
	}
	_, err := io.WriteString(r.stdout, b.String())
	return err
}

// Check grades exs one by one, records the results as progress and prints
// a summary. An exercise that fails, hangs or does not compile never stops
// the others from being graded. It returns an error matching ErrNotAllPass
// when one fails; when ctx ends (Ctrl-C) it stops at once, killing the run
// in progress, and says how many were not graded.
func (r *Runner) Check(ctx context.Context, exs []Exercise) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	st := r.loadState()
	fmt.Fprintf(r.stdout, "Grading %d exercise(s) in %s/exercises ...\n\n", len(exs), r.root)
	failing := 0
	var skipped []string // "01_drain (6)": checks the guard skipped after a hang
	for i, ex := range exs {
		res, err := r.grade(ctx, r.root, ex)
		if ctx.Err() != nil {
			r.saveState(st)
			fmt.Fprintf(r.stdout, "STOP  %-16s interrupted; the tests in progress were stopped.\n", ex.Name)
			return fmt.Errorf("grading interrupted: %d of %d exercise(s) not graded", len(exs)-i, len(exs))
		}
		if err != nil {
			failing++
			fmt.Fprintf(r.stdout, "ERROR %-16s could not grade it: %v\n", ex.Name, err)
			continue
		}
		if res.Exercise == "" {
			res.Exercise = ex.Name
		}
		verdict := "PASS"
		if !res.Passed {
			verdict = "FAIL"
			failing++
		}
		st.Record(ex, res)
		fmt.Fprintf(r.stdout, "%s  %-16s %s\n", verdict, ex.Name, res.Headline())
		if d := res.Details(8); d != "" {
			fmt.Fprintf(r.stdout, "%s\n", indent(d, "        "))
		}
		if !res.Passed {
			fmt.Fprintf(r.stdout, "        re-run: %s\n", ex.GradeCommand())
		}
		if n := len(res.Skipped); n > 0 && !res.Passed {
			skipped = append(skipped, fmt.Sprintf("%s (%d)", ex.Name, n))
		}
	}
	r.saveState(st)
	fmt.Fprintf(r.stdout, "\n%s\n", ProgressBar(st.DoneCount(), len(All), 30))
	if len(skipped) > 0 {
		fmt.Fprintf(r.stdout, "Checks were skipped in %s: after a call hangs, the rest of its tests do not run. Fix the first failure, then check again.\n", strings.Join(skipped, ", "))
	}
	if failing > 0 {
		return notAllPass{failing: failing, total: len(exs)}
	}
	fmt.Fprintln(r.stdout, "Every graded exercise passes.")
	return nil
}

// ErrNoHintTier matches (errors.Is) the error Hint returns for a tier the
// exercise does not have.
var ErrNoHintTier = errors.New("no such hint tier")

// Hint prints hint tier (1 = the mildest) of ex and how to get the next.
func (r *Runner) Hint(ex Exercise, tier int) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	tiers, err := Hints(r.root, ex)
	if err != nil {
		return err
	}
	if tier < 1 || tier > len(tiers) {
		return fmt.Errorf("%w: %s has hint tiers 1 to %d, not %d", ErrNoHintTier, ex.Name, len(tiers), tier)
	}
	// Rendered as the watch screen does, without colours (this may be a
	// pipe): `code` and **emphasis** lose their Markdown marks.
	fmt.Fprintf(r.stdout, "%s — hint %d of %d\n\n%s\n", ex.Name, tier, len(tiers), renderMarkdown(tiers[tier-1], 78, styleNoTTY))
	if tier < len(tiers) {
		fmt.Fprintf(r.stdout, "\nStill stuck? reactorlab exercises hint %d %d\n", index(ex.Name)+1, tier+1)
	}
	return nil
}

// Reset puts ex's stub back as shipped (the learner's edits are lost: ask
// first) and forgets that it passed.
func (r *Runner) Reset(ex Exercise) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	if err := Reset(r.root, ex); err != nil {
		return err
	}
	st := r.loadState()
	st.Forget(ex)
	r.saveState(st)
	fmt.Fprintf(r.stdout, "Reset %s to its shipped stub. Grade it with: %s\n", ex.Name, ex.GradeCommand())
	return nil
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}
