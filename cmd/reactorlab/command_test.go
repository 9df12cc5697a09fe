package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

// fakeTree is a command with two subcommands that record how they ran.
func fakeTree(got *[]string) *command {
	leaf := func(name string, fail error) *command {
		return &command{name: name, summary: name + " things",
			setup: func(fs *flag.FlagSet) runFunc {
				yes := fs.Bool("yes", false, "confirm")
				return func(_ context.Context, _ *env, args []string) error {
					*got = append(*got, name)
					*got = append(*got, args...)
					if *yes {
						*got = append(*got, "--yes")
					}
					return fail
				}
			}}
	}
	root := &command{name: "fake", deflt: "list", subs: []*command{
		leaf("list", nil), leaf("reset", nil), leaf("boom", errors.New("it broke")), leaf("bad", usagef("wrong")),
	}}
	link(root)
	return root
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		args    []string
		wantRan []string
		wantErr string // the whole error text; "" = nil
		usage   bool   // want a usage error
	}{
		{nil, []string{"list"}, "", false},
		{[]string{"reset", "1", "--yes"}, []string{"reset", "1", "--yes"}, "", false},
		{[]string{"--yes", "reset", "1"}, []string{"reset", "1", "--yes"}, "", false},
		{[]string{"frob"}, nil, `fake: unknown command "frob"; want list, reset, boom or bad`, true},
		{[]string{"boom"}, []string{"boom"}, "fake boom: it broke", false},
		{[]string{"bad"}, []string{"bad"}, "fake bad: wrong", true},
		{[]string{"reset", "--frob"}, nil, "fake reset: unknown flag --frob", true},
	}
	for _, tc := range tests {
		var ran []string
		e, _, _ := testEnv()
		err := fakeTree(&ran).execute(context.Background(), e, tc.args)
		if !slices.Equal(ran, tc.wantRan) {
			t.Errorf("fake %q ran %q; want %q", tc.args, ran, tc.wantRan)
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		var ue *usageError
		if gotErr != tc.wantErr || errors.As(err, &ue) != tc.usage {
			t.Errorf("fake %q = %v (usage error: %v); want %q (usage error: %v)", tc.args, err, errors.As(err, &ue), tc.wantErr, tc.usage)
		}
	}
}

// A usage error's hint names the command it came from.
func TestUsageHint(t *testing.T) {
	var ran []string
	e, _, errOut := testEnv()
	exitCode(fakeTree(&ran).execute(context.Background(), e, []string{"bad"}), errOut)
	if want := "reactorlab: fake bad: wrong\nRun 'reactorlab fake bad --help' for usage.\n"; errOut.String() != want {
		t.Errorf("stderr = %q; want %q", errOut, want)
	}
}

// Help for a parent names its subcommands; a missing one is a usage error
// when there is no default.
func TestDispatchHelpAndMissing(t *testing.T) {
	var ran []string
	root := fakeTree(&ran)
	var out bytes.Buffer
	e, _, _ := testEnv()
	e.stdout = &out
	if err := root.execute(context.Background(), e, []string{"help"}); err != nil || !strings.Contains(out.String(), "  reset") {
		t.Errorf("fake help = %v, %q; want the help listing reset", err, out.String())
	}
	root.deflt = ""
	if err := root.execute(context.Background(), e, nil); err == nil || !strings.Contains(err.Error(), "missing command") {
		t.Errorf("fake with no default and no command = %v; want a missing-command usage error", err)
	}
}

// The registry is in rank order, and every name is unique.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for i, c := range registry {
		if seen[c.name] {
			t.Errorf("command %q registered twice", c.name)
		}
		seen[c.name] = true
		if i > 0 && registry[i-1].rank > c.rank {
			t.Errorf("registry out of rank order: %s (%d) before %s (%d)", registry[i-1].name, registry[i-1].rank, c.name, c.rank)
		}
		if c.summary == "" || (c.setup == nil) == (len(c.subs) == 0) {
			t.Errorf("command %q: want a summary and either setup or subcommands", c.name)
		}
	}
}
