package main

import (
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantPos []string
		wantErr string // "" = ok, "help" = flag.ErrHelp, else a substring of a usage error
		check   func(*testFlags) bool
	}{
		{"nothing", nil, nil, "", nil},
		{"long flag with value", []string{"--count", "3"}, nil, "", func(f *testFlags) bool { return f.count == 3 }},
		{"equals", []string{"--count=4"}, nil, "", func(f *testFlags) bool { return f.count == 4 }},
		{"single dash", []string{"-count", "5"}, nil, "", func(f *testFlags) bool { return f.count == 5 }},
		{"negative value", []string{"--count", "-1"}, nil, "", func(f *testFlags) bool { return f.count == -1 }},
		{"bool", []string{"-y"}, nil, "", func(f *testFlags) bool { return f.yes }},
		{"bool false", []string{"-y=false"}, nil, "", func(f *testFlags) bool { return !f.yes }},
		{"interspersed", []string{"reset", "1", "--yes"}, []string{"reset", "1"}, "", func(f *testFlags) bool { return f.yes }},
		{"negative number is an argument", []string{"-1"}, []string{"-1"}, "", nil},
		{"dash alone is an argument", []string{"-"}, []string{"-"}, "", nil},
		{"double dash ends flags", []string{"--", "--yes"}, []string{"--yes"}, "", func(f *testFlags) bool { return !f.yes }},
		{"help", []string{"x", "--help"}, nil, "help", nil},
		{"short help", []string{"-h"}, nil, "help", nil},
		{"unknown", []string{"--frob=1"}, nil, "unknown flag --frob", nil},
		{"three dashes", []string{"---count", "1"}, nil, "unknown flag ---count", nil},
		{"missing value", []string{"--count"}, nil, "--count needs a value: N", nil},
		{"not a number", []string{"--count", "abc"}, nil, `--count "abc": want a whole number`, nil},
		{"out of range", []string{"--count", "99999999999999999999"}, nil, "out of range", nil},
		{"not a duration", []string{"--wait", "5"}, nil, "want a duration such as", nil},
		{"not a float", []string{"--ratio", "x"}, nil, "want a number", nil},
		{"not a bool", []string{"--yes=maybe"}, nil, "want true or false", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, f := newTestFlags()
			pos, err := parseArgs(fs, tc.args)
			switch tc.wantErr {
			case "":
				if err != nil {
					t.Fatalf("parseArgs(%q) = %v; want nil", tc.args, err)
				}
			case "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Errorf("parseArgs(%q) = %v; want flag.ErrHelp", tc.args, err)
				}
				return
			default:
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("parseArgs(%q) = %v; want a usage error containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if !slices.Equal(pos, tc.wantPos) {
				t.Errorf("parseArgs(%q) arguments = %q; want %q", tc.args, pos, tc.wantPos)
			}
			if tc.check != nil && !tc.check(f) {
				t.Errorf("parseArgs(%q) set %+v; want otherwise", tc.args, *f)
			}
		})
	}
}

type testFlags struct {
	count int
	yes   bool
	wait  time.Duration
	ratio float64
}

func newTestFlags() (*flag.FlagSet, *testFlags) {
	f := &testFlags{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.IntVar(&f.count, "count", 0, "`N` things")
	fs.BoolVar(&f.yes, "y", false, "yes")
	fs.BoolVar(&f.yes, "yes", false, "yes")
	fs.DurationVar(&f.wait, "wait", 0, "how long")
	fs.Float64Var(&f.ratio, "ratio", 0, "a ratio")
	return fs, f
}

func TestIsFlag(t *testing.T) {
	for arg, want := range map[string]bool{"-x": true, "--x": true, "-": false, "-1": false, "--1": true, "x": false, "": false} {
		if got := isFlag(arg); got != want {
			t.Errorf("isFlag(%q) = %v; want %v", arg, got, want)
		}
	}
}
