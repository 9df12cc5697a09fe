package lessons

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/term"
)

// usageError is a command-line mistake: the command exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ExitCode is 2 for every usage mistake.
func (e usageError) ExitCode() int { return 2 }

// ErrNeedsTerminal is returned by commands that draw the lab when stdout is
// not a terminal.
var ErrNeedsTerminal = errors.New("needs a terminal")

// parseFlags parses args with fs, turning a bad flag into a usage error
// and leaving a request for help alone.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	default:
		return usageError{fmt.Sprintf("%s: %v (see 'reactorlab %s --help')", fs.Name(), err, fs.Name())}
	}
}

// ListCommand is `reactorlab lessons`: it prints the lesson list as plain
// text. It never needs a terminal.
func ListCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lessons", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: reactorlab lessons\n\nList the lessons in order, as plain text (no terminal needed).\n")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("lessons takes no arguments, got %q; to open one run 'reactorlab lesson N'", fs.Arg(0))}
	}
	return WriteList(stdout)
}

// WriteList writes the numbered lesson list.
func WriteList(w io.Writer) error {
	var b strings.Builder
	b.WriteString("reactorlab lessons\n\n")
	for i, l := range load() {
		fmt.Fprintf(&b, "  %d. %s\n     %s\n     reactorlab lesson %s   (%d pages)\n\n",
			i+1, l.title, l.summary, l.slug, len(l.pages))
	}
	b.WriteString("Open a lesson in a terminal with 'reactorlab lesson N' or 'reactorlab lesson NAME'.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// LessonCommand is `reactorlab lesson N|slug`: it opens one lesson on the
// terminal.
func LessonCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lesson", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: reactorlab lesson N|NAME\n\nOpen one lesson with its live panes (needs a terminal).\nLessons: %s\n", validList())
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Sprintf("lesson needs exactly one lesson number or name; valid lessons: %s", validList())}
	}
	i, _, err := Find(fs.Arg(0))
	if err != nil {
		return usageError{err.Error()}
	}
	if !isTerminal(stdout) {
		return fmt.Errorf("reactorlab lesson %w: stdout is not one; run 'reactorlab lessons' for the plain list", ErrNeedsTerminal)
	}
	return runApp(ctx, i)
}

// Home opens the lab's home screen (the lessons, and the exercises when
// opts include visualizer.WithExercises) on the terminal. It is what a
// bare `reactorlab` runs when stdout is a terminal.
func Home(ctx context.Context, stdout, stderr io.Writer, opts ...visualizer.Option) error {
	if !isTerminal(stdout) {
		return fmt.Errorf("the lab %w: stdout is not one; run 'reactorlab lessons' for the plain list", ErrNeedsTerminal)
	}
	return runApp(ctx, -1, opts...)
}

// isTerminal reports whether w is a terminal (a buffer never is).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
