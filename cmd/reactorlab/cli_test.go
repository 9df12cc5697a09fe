package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// runArgs runs the command line against buffers and returns what it printed
// and the exit status main would use.
func runArgs(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	code = 0
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		code = 1
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			code = coded.ExitCode()
		}
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), code
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string // substring of stdout
		wantErrOut string // substring of stderr
	}{
		{"bare without a terminal prints the overview", nil, 0, "Stdout is not a terminal", ""},
		{"help", []string{"--help"}, 0, "Commands:", ""},
		{"short help", []string{"-h"}, 0, "Usage:", ""},
		{"help word", []string{"help"}, 0, "Usage:", ""},
		{"version", []string{"version"}, 0, "reactorlab ", ""},
		{"version flag", []string{"--version"}, 0, "go1.", ""},
		{"unknown command", []string{"nosuch"}, 2, "", `unknown command "nosuch"`},
		{"unknown flag", []string{"--bogus"}, 2, "", `unknown flag "--bogus"`},
		{"bad subcommand flag", []string{"version", "--bogus"}, 2, "", "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runArgs(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("reactorlab %v: exit %d; want %d (stderr %q)", tc.args, code, tc.wantCode, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("reactorlab %v: stdout = %q; want it to contain %q", tc.args, out, tc.wantOut)
			}
			if !strings.Contains(errOut, tc.wantErrOut) {
				t.Errorf("reactorlab %v: stderr = %q; want it to contain %q", tc.args, errOut, tc.wantErrOut)
			}
		})
	}
}

// TestHelpListsOnlyWorkingCommands keeps --help honest: every command it
// names must be dispatchable.
func TestHelpListsOnlyWorkingCommands(t *testing.T) {
	out, _, _ := runArgs(t, "--help")
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name) {
			t.Errorf("--help does not list %q", c.name)
		}
		if _, ok := findCommand(c.name); !ok {
			t.Errorf("--help lists %q but it cannot be found", c.name)
		}
	}
}
