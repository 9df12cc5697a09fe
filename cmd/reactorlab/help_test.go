package main

import (
	"strings"
	"testing"
)

// Every command and subcommand prints its help, in the one style, on
// stdout with exit 0, both as CMD --help and as help CMD; the top-level
// help lists exactly the registered commands.
func TestHelp(t *testing.T) {
	top, _, _ := runArgs(t, "--help")
	var walk func(c *command)
	walk = func(c *command) {
		words := strings.Fields(c.path())
		for _, args := range [][]string{append(words, "--help"), append([]string{"help"}, words...)} {
			out, errOut, code := runArgs(t, args...)
			if code != 0 || errOut != "" {
				t.Errorf("reactorlab %s: exit %d, stderr %q; want 0 and nothing", strings.Join(args, " "), code, errOut)
			}
			if !strings.HasPrefix(out, "Usage: reactorlab "+c.path()) {
				t.Errorf("reactorlab %s: help starts %q; want the usage line", strings.Join(args, " "), firstLine(out))
			}
			if len(c.subs) == 0 && !strings.Contains(out, "\nFlags:\n") {
				t.Errorf("reactorlab %s: help has no Flags section:\n%s", strings.Join(args, " "), out)
			}
		}
		for _, s := range c.subs {
			walk(s)
		}
	}
	for _, c := range registry {
		if !strings.Contains(top, "\n  "+c.name) {
			t.Errorf("--help does not list %q:\n%s", c.name, top)
		}
		walk(c)
	}
}

// A parent's help lists its subcommands.
func TestHelpListsSubcommands(t *testing.T) {
	for _, c := range registry {
		if len(c.subs) == 0 {
			continue
		}
		out, _, _ := runArgs(t, c.name, "--help")
		for _, s := range c.subs {
			if !strings.Contains(out, "\n  "+s.name) {
				t.Errorf("reactorlab %s --help does not list %q:\n%s", c.name, s.name, out)
			}
		}
	}
}

// Flags are spelled as they are typed: --long, -s; defaults shown.
func TestHelpFlags(t *testing.T) {
	out, _, _ := runArgs(t, "bench", "chain", "--help")
	for _, want := range []string{"\n  -a A ", "\n  --runs N ", "(default 25)", "\n  -h, --help "} {
		if !strings.Contains(out, want) {
			t.Errorf("bench chain --help lacks %q:\n%s", want, out)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
