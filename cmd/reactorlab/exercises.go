package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/reactorlab/reactorlab/lessons/exercises"
)

func init() {
	register(&command{
		name: "exercises", args: "[COMMAND]", rank: 30,
		summary: "graded exercises: your progress, grading, watch mode, hints, reset",
		about: `Graded exercises: finish a stub, ` + "`go test`" + ` grades it. Run these inside a reactorlab
checkout. N is a number (1), a name (01_drain) or a topic (drain).

Progress is kept in $XDG_STATE_HOME/reactorlab/exercises.txt (default
~/.local/state/reactorlab/exercises.txt); with neither XDG_STATE_HOME nor HOME
set it lasts for one run only.`,
		deflt: "list",
		subs: []*command{
			{name: "list", summary: "list the exercises with pending/done and a progress bar (the default)",
				setup: func(*flag.FlagSet) runFunc { return runExercisesList }},
			{name: "check", args: "[N...]", files: labFiles,
				summary: "grade every exercise (or the ones named) and print a summary; exits 1 if one does not pass yet",
				setup:   func(*flag.FlagSet) runFunc { return runExercisesCheck }},
			{name: "watch", args: "[N]", files: labFiles,
				summary: "re-grade the current (or Nth) exercise whenever you save (needs a terminal)",
				about: `Re-run the current (or Nth) exercise's tests whenever you save one of its files,
and show what they found. Needs a terminal. The keys:

` + exercises.KeyHelp() + `

The solution unlocks once the exercise passes; reset asks before it overwrites
your code; c grades every exercise, as 'reactorlab exercises check' does.`,
				setup: func(*flag.FlagSet) runFunc { return runExercisesWatch }},
			{name: "hint", args: "N [TIER]",
				summary: "print hint tier TIER (default 1, the mildest) of exercise N",
				setup:   func(*flag.FlagSet) runFunc { return runExercisesHint }},
			{name: "reset", args: "N --yes",
				summary: "put exercise N's stub back as shipped (your edits are lost)",
				setup: func(fs *flag.FlagSet) runFunc {
					yes := fs.Bool("yes", false, "confirm: overwrite the stub and lose your edits")
					fs.BoolVar(yes, "y", false, "same as --yes")
					return func(ctx context.Context, e *env, args []string) error {
						return runExercisesReset(ctx, e, args, *yes)
					}
				}},
		},
	})
}

// runner is the exercises runner for e. Without HOME or XDG_STATE_HOME
// there is nowhere to keep progress: the runner works anyway, keeping it
// for this run only, and says so once.
func runner(e *env) *exercises.Runner {
	path, err := exercises.StatePath()
	if err != nil {
		fmt.Fprintf(e.stderr, "note: %v; progress lasts for this run only\n", err)
		path = ""
	}
	return exercises.NewRunner(path, e.stdout, e.stderr)
}

// findExercise resolves an exercise argument or says which ones exist.
func findExercise(arg string) (exercises.Exercise, error) {
	if ex, ok := exercises.Find(arg); ok {
		return ex, nil
	}
	var names []string
	for i, ex := range exercises.All {
		names = append(names, fmt.Sprintf("%d (%s)", i+1, ex.Name))
	}
	return exercises.Exercise{}, usagef("no exercise %q; choose one of %s", arg, strings.Join(names, ", "))
}

func runExercisesList(_ context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	return runner(e).List()
}

func runExercisesCheck(ctx context.Context, e *env, args []string) error {
	exs := exercises.All
	if len(args) > 0 {
		exs = nil
		for _, a := range args {
			ex, err := findExercise(a)
			if err != nil {
				return err
			}
			exs = append(exs, ex)
		}
	}
	return runner(e).Check(ctx, exs)
}

func runExercisesWatch(ctx context.Context, e *env, args []string) error {
	var ex exercises.Exercise // the zero Exercise: the current one
	switch len(args) {
	case 0:
	case 1:
		var err error
		if ex, err = findExercise(args[0]); err != nil {
			return err
		}
	default:
		return usagef("takes at most one exercise, got %q", strings.Join(args, " "))
	}
	if !isTerminal(e.stdout) {
		return errors.New("needs a terminal and stdout is not one; run 'reactorlab exercises check' for a plain summary, or grade one exercise with 'cd exercises && go test ./NN_topic/'")
	}
	return runner(e).Watch(ctx, ex)
}

func runExercisesHint(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return usagef("wants an exercise and optionally a tier, e.g. 'reactorlab exercises hint 1 2'")
	}
	ex, err := findExercise(args[0])
	if err != nil {
		return err
	}
	tier := 1
	if len(args) == 2 {
		if tier, err = strconv.Atoi(args[1]); err != nil {
			return usagef("hint tier %q is not a number", args[1])
		}
	}
	err = runner(e).Hint(ex, tier)
	if errors.Is(err, exercises.ErrNoHintTier) {
		return usagef("%v", err)
	}
	return err
}

func runExercisesReset(_ context.Context, e *env, args []string, yes bool) error {
	if len(args) != 1 {
		return usagef("wants one exercise, e.g. 'reactorlab exercises reset 1 --yes'")
	}
	ex, err := findExercise(args[0])
	if err != nil {
		return err
	}
	if !yes {
		return usagef("overwrites exercises/%s/%s with the shipped stub and your edits are lost; add --yes to do it", ex.Name, strings.Join(ex.Files, ", "))
	}
	return runner(e).Reset(ex)
}
