package lessons

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func exitCode(err error) int {
	var c interface{ ExitCode() int }
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &c):
		return c.ExitCode()
	}
	return 1
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name    string
		run     func(args []string, out, errw *bytes.Buffer) error
		args    []string
		code    int
		inOut   string // expected in stdout
		inError string // expected in the error (or stderr for help)
	}{
		{"list", listCmd, nil, 0, "1. One process, many connections", ""},
		{"list shows how to open", listCmd, nil, 0, "reactorlab lesson select-and-the-1024-wall", ""},
		{"list help", listCmd, []string{"--help"}, 0, "", "Usage: reactorlab lessons"},
		{"list bad flag", listCmd, []string{"--nope"}, 2, "", "flag provided but not defined"},
		{"list stray arg", listCmd, []string{"2"}, 2, "", "reactorlab lesson N"},
		{"lesson unknown", lessonCmd, []string{"nope"}, 2, "", "valid lessons: 1 (one-process-many-connections), 2 (select-and-the-1024-wall)"},
		{"lesson out of range", lessonCmd, []string{"9"}, 2, "", "valid lessons"},
		{"lesson missing", lessonCmd, nil, 2, "", "exactly one lesson"},
		{"lesson help", lessonCmd, []string{"-h"}, 0, "", "Usage: reactorlab lesson N|NAME"},
		{"lesson no terminal", lessonCmd, []string{"2"}, 1, "", "run 'reactorlab lessons'"},
		{"home no terminal", homeCmd, nil, 1, "", "run 'reactorlab lessons'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := tt.run(tt.args, &out, &errw)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit code = %d (err %v); want %d", got, err, tt.code)
			}
			if !strings.Contains(out.String(), tt.inOut) {
				t.Errorf("stdout = %q; want it to contain %q", out.String(), tt.inOut)
			}
			msg := errw.String()
			if err != nil {
				msg += err.Error()
			}
			if !strings.Contains(msg, tt.inError) {
				t.Errorf("error/stderr = %q; want it to contain %q", msg, tt.inError)
			}
			if tt.code == 1 && !errors.Is(err, ErrNeedsTerminal) {
				t.Errorf("err = %v; want ErrNeedsTerminal", err)
			}
		})
	}
}

func listCmd(args []string, out, errw *bytes.Buffer) error {
	return ListCommand(context.Background(), args, out, errw)
}

func lessonCmd(args []string, out, errw *bytes.Buffer) error {
	return LessonCommand(context.Background(), args, out, errw)
}

func homeCmd(_ []string, out, errw *bytes.Buffer) error {
	return Home(context.Background(), out, errw)
}
