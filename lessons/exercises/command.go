package exercises

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// usageError is a command-line mistake: the command exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ExitCode is 2 for every usage mistake.
func (e usageError) ExitCode() int { return 2 }

// ErrNotAllPass matches (errors.Is) the error `exercises check` returns when
// some exercise does not pass yet (exit status 1).
var ErrNotAllPass = errors.New("not every exercise passes yet")

// notAllPass says how many graded exercises fail.
type notAllPass struct{ failing, total int }

func (e notAllPass) Error() string {
	return fmt.Sprintf("%d of %d graded exercise(s) do not pass yet", e.failing, e.total)
}

// Is makes errors.Is(err, ErrNotAllPass) true.
func (e notAllPass) Is(target error) bool { return target == ErrNotAllPass }

const usageText = `Usage: reactorlab exercises [list|check|watch|hint|reset] ...

Graded exercises: finish a stub, ` + "`go test`" + ` grades it.

  reactorlab exercises              list the exercises with pending/done and a progress bar
  reactorlab exercises check        grade every exercise and print a summary (no terminal needed);
                                    exits 1 if any does not pass yet
  reactorlab exercises watch [N]    re-run the current (or Nth) exercise's tests whenever you save
                                    (needs a terminal; keys: h hint, n next, l list, r reset, q quit)
  reactorlab exercises hint N [T]   print hint tier T (default 1) of exercise N
  reactorlab exercises reset N -y   put exercise N's stub back as shipped (your edits are lost)

N is a number (1), a name (01_drain) or a topic (drain). Run these inside a reactorlab
checkout. Progress is kept in $XDG_STATE_HOME/reactorlab/exercises.txt
(default ~/.local/state/reactorlab/exercises.txt).
`

// Command is `reactorlab exercises`: list, check, watch, hint and reset.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("exercises", flag.ContinueOnError)
	fs.SetOutput(stderr)
	yes := fs.Bool("y", false, "confirm reset (same as --yes)")
	fs.BoolVar(yes, "yes", false, "confirm reset")
	fs.Usage = func() { fmt.Fprint(fs.Output(), usageText) }
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	r, err := newRunner(stdout, stderr)
	if err != nil {
		return err
	}
	rest := fs.Args()
	sub := "list"
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	switch sub {
	case "list":
		if len(rest) > 0 {
			return usageError{fmt.Sprintf("exercises list takes no arguments, got %q", rest[0])}
		}
		return r.list()
	case "check":
		exs, err := pick(rest, All)
		if err != nil {
			return err
		}
		return r.check(ctx, exs)
	case "watch":
		if len(rest) > 1 {
			return usageError{fmt.Sprintf("exercises watch takes at most one exercise, got %q", strings.Join(rest, " "))}
		}
		return r.watch(ctx, rest)
	case "hint":
		return r.hint(rest)
	case "reset":
		return r.reset(rest, *yes)
	}
	return usageError{fmt.Sprintf("unknown exercises command %q; want list, check, watch, hint or reset (see 'reactorlab exercises --help')", sub)}
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("reset 1 -y" and "-y reset 1").
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return flag.ErrHelp
			}
			return usageError{fmt.Sprintf("exercises: %v (see 'reactorlab exercises --help')", err)}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// pick resolves exercise arguments; none means all of them.
func pick(args []string, all []Exercise) ([]Exercise, error) {
	if len(args) == 0 {
		return all, nil
	}
	var exs []Exercise
	for _, a := range args {
		ex, ok := Find(a)
		if !ok {
			return nil, unknownExercise(a)
		}
		exs = append(exs, ex)
	}
	return exs, nil
}

func unknownExercise(arg string) error {
	var names []string
	for i, ex := range All {
		names = append(names, fmt.Sprintf("%d (%s)", i+1, ex.Name))
	}
	return usageError{fmt.Sprintf("no exercise %q; choose one of %s", arg, strings.Join(names, ", "))}
}

// runner carries what the subcommands share; tests build one with a fake
// grader and a temporary state file.
type runner struct {
	root      string // checkout root; "" if none was found
	rootErr   error  // why root is empty
	statePath string
	grade     Grader
	stdout    io.Writer
	stderr    io.Writer
}

func newRunner(stdout, stderr io.Writer) (*runner, error) {
	path, err := StatePath()
	if err != nil {
		return nil, err
	}
	r := &runner{statePath: path, grade: Grade, stdout: stdout, stderr: stderr}
	if wd, err := os.Getwd(); err != nil {
		r.rootErr = err
	} else {
		r.root, r.rootErr = FindRoot(wd)
	}
	return r, nil
}

func (r *runner) needRoot() error {
	if r.root == "" {
		return r.rootErr
	}
	return nil
}

func (r *runner) loadState() State {
	st, err := LoadState(r.statePath)
	if err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot read progress from %s (%v); starting fresh\n", r.statePath, err)
	}
	return st
}

func (r *runner) saveState(st State) {
	if err := st.Save(r.statePath); err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot save progress to %s: %v\n", r.statePath, err)
	}
}

// list prints every exercise with its status and a progress bar.
func (r *runner) list() error {
	st := r.loadState()
	cur := st.CurrentExercise()
	var b strings.Builder
	b.WriteString("reactorlab exercises\n\n")
	for i, ex := range All {
		mark, status := " ", "pending"
		if ex.Name == cur.Name {
			mark = ">"
		}
		if st.Done[ex.Name] {
			status = "done"
		}
		fmt.Fprintf(&b, "%s %d. %-9s %-16s %s\n     follows %s\n", mark, i+1, "["+status+"]", ex.Name, ex.Title, ex.Lesson)
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

// check grades the given exercises one by one and prints a summary.
func (r *runner) check(ctx context.Context, exs []Exercise) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	st := r.loadState()
	fmt.Fprintf(r.stdout, "Grading %d exercise(s) in %s/exercises ...\n\n", len(exs), r.root)
	failing := 0
	for _, ex := range exs {
		res, err := r.grade(ctx, r.root, ex)
		if err != nil {
			return err
		}
		if res.Exercise == "" {
			res.Exercise = ex.Name
		}
		verdict := "PASS"
		if !res.Passed {
			verdict = "FAIL"
			failing++
		}
		st.Done[ex.Name] = res.Passed
		fmt.Fprintf(r.stdout, "%s  %-16s %s\n", verdict, ex.Name, res.Headline())
		if d := res.Details(8); d != "" {
			fmt.Fprintf(r.stdout, "%s\n", indent(d, "        "))
		}
		if !res.Passed {
			fmt.Fprintf(r.stdout, "        re-run: %s\n", ex.GradeCommand())
		}
	}
	r.saveState(st)
	fmt.Fprintf(r.stdout, "\n%s\n", ProgressBar(st.DoneCount(), len(All), 30))
	if failing > 0 {
		return notAllPass{failing: failing, total: len(exs)}
	}
	fmt.Fprintln(r.stdout, "Every graded exercise passes.")
	return nil
}

// hint prints one hint tier.
func (r *runner) hint(args []string) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	if len(args) == 0 || len(args) > 2 {
		return usageError{"usage: reactorlab exercises hint N [TIER], e.g. 'reactorlab exercises hint 1 2'"}
	}
	ex, ok := Find(args[0])
	if !ok {
		return unknownExercise(args[0])
	}
	tiers, err := Hints(r.root, ex)
	if err != nil {
		return err
	}
	tier := 1
	if len(args) == 2 {
		t, err := strconv.Atoi(args[1])
		if err != nil || t < 1 || t > len(tiers) {
			return usageError{fmt.Sprintf("hint tier %q is not a number between 1 and %d", args[1], len(tiers))}
		}
		tier = t
	}
	fmt.Fprintf(r.stdout, "%s — hint %d of %d\n\n%s\n", ex.Name, tier, len(tiers), tiers[tier-1])
	if tier < len(tiers) {
		fmt.Fprintf(r.stdout, "\nStill stuck? reactorlab exercises hint %d %d\n", index(ex.Name)+1, tier+1)
	}
	return nil
}

// reset restores an exercise's stub after an explicit confirmation flag.
func (r *runner) reset(args []string, yes bool) error {
	if err := r.needRoot(); err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError{"usage: reactorlab exercises reset N --yes (N is the exercise to put back as shipped)"}
	}
	ex, ok := Find(args[0])
	if !ok {
		return unknownExercise(args[0])
	}
	if !yes {
		return usageError{fmt.Sprintf("reset overwrites exercises/%s/%s with the shipped stub and your edits are lost; add --yes to do it", ex.Name, strings.Join(ex.Files, ", "))}
	}
	if err := Reset(r.root, ex); err != nil {
		return err
	}
	st := r.loadState()
	delete(st.Done, ex.Name)
	r.saveState(st)
	fmt.Fprintf(r.stdout, "Reset %s to its shipped stub. Grade it with: %s\n", ex.Name, ex.GradeCommand())
	return nil
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}
