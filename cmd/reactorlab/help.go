package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// One help style for every command, written to stdout (help was asked for):
//
//	Usage: reactorlab PATH ARGS
//
//	ABOUT
//
//	Commands:            (a command with subcommands)
//	  NAME ARGS  SUMMARY
//
//	Flags:
//	  --name VALUE  what it does (default x)
//	  -h, --help    show this help

func init() {
	register(&command{
		name: "help", args: "[COMMAND]", rank: 100,
		summary: "show help for reactorlab or for one command",
		about:   "With no command, print the overview of every command; 'reactorlab help serve'\nis the same as 'reactorlab serve --help'.",
		setup:   func(*flag.FlagSet) runFunc { return runHelp },
	})
}

// runHelp prints the top-level help, or the help of the command named by
// args ("help bench wait").
func runHelp(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return writeUsage(e.stdout)
	}
	c := lookup(args[0])
	if c == nil {
		return unknownCommand(args[0])
	}
	for _, a := range args[1:] {
		s := c.sub(a)
		if s == nil {
			return usagef("%s has no command %q; want %s", c.path(), a, c.subNames())
		}
		c = s
	}
	return writeHelp(e.stdout, c)
}

// writeUsage prints the top-level help: every registered command.
func writeUsage(w io.Writer) error {
	var b strings.Builder
	b.WriteString("reactorlab — watch a real event loop work.\n\nUsage:\n")
	b.WriteString("  reactorlab                  open the lab (on a terminal), or print an overview\n")
	b.WriteString("  reactorlab COMMAND [ARGS]\n\nCommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range registry {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	tw.Flush()
	b.WriteString(`
Flags:
  -h, --help     show this help (also: reactorlab help COMMAND, reactorlab COMMAND --help)
      --version  same as 'reactorlab version'

Environment:
  NO_COLOR          draw without colour (state is never shown by colour alone)
  XDG_STATE_HOME    where exercise progress is kept (default ~/.local/state)
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeHelp prints one command's help.
func writeHelp(w io.Writer, c *command) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: reactorlab %s\n", strings.TrimSpace(c.path()+" "+c.args))
	if c.about != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(c.about, "\n"))
	} else {
		fmt.Fprintf(&b, "\n%s.\n", capitalize(c.summary))
	}
	if len(c.subs) > 0 {
		b.WriteString("\nCommands:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, s := range c.subs {
			fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(s.name+" "+s.args), s.summary)
		}
		tw.Flush()
		fmt.Fprintf(&b, "\nRun 'reactorlab %s COMMAND --help' for the flags of each.\n", c.path())
	} else {
		writeFlags(&b, c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFlags lists a command's flags, in the order of their names.
func writeFlags(b *strings.Builder, c *command) {
	fs := flag.NewFlagSet(c.path(), flag.ContinueOnError)
	c.setup(fs)
	b.WriteString("\nFlags:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		if isBoolFlag(f) {
			value = ""
		}
		if !isZeroDefault(f) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(dashed(f.Name)+" "+value), usage)
	})
	fmt.Fprintf(tw, "  -h, --help\tshow this help\n")
	tw.Flush()
}

// isZeroDefault reports whether a flag's default is not worth printing.
func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "0s":
		return true
	}
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
