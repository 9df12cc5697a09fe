package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

func TestCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		help bool // want flag.ErrHelp; otherwise a usage error (exit 2)
	}{
		{"no experiment", nil, false},
		{"unknown experiment", []string{"bogus"}, false},
		{"bench help", []string{"--help"}, true},
		{"wait help", []string{"wait", "--help"}, true},
		{"chain help", []string{"chain", "-h"}, true},
		{"bad n", []string{"wait", "--n", "x"}, false},
		{"zero n", []string{"wait", "--n", "0"}, false},
		{"bad backend", []string{"wait", "--backends", "kqueue"}, false},
		{"unknown flag", []string{"wait", "--nope"}, false},
		{"stray argument", []string{"chain", "extra"}, false},
		{"more active than pipes", []string{"chain", "-n", "2", "-a", "5"}, false},
		{"zero runs", []string{"chain", "--runs", "0"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Command(context.Background(), tc.args, io.Discard, io.Discard)
			if tc.help {
				if !errors.Is(err, flag.ErrHelp) {
					t.Errorf("Command(%q) = %v; want flag.ErrHelp", tc.args, err)
				}
				return
			}
			var ue interface{ ExitCode() int }
			if !errors.As(err, &ue) || ue.ExitCode() != 2 {
				t.Errorf("Command(%q) = %v; want a usage error with exit code 2", tc.args, err)
			}
		})
	}
}

func TestWaitTinyJSON(t *testing.T) {
	var out bytes.Buffer
	err := Command(context.Background(), []string{"wait", "--n", "4,8", "--rounds", "1", "--batch", "1ms", "--json"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("bench wait = %v; want nil", err)
	}
	var rep WaitReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if want := 2 * len(reactor.BackendNames()); len(rep.Results) != want {
		t.Fatalf("results = %d; want %d", len(rep.Results), want)
	}
	for _, r := range rep.Results {
		if r.MedianNs <= 0 || r.Refused != "" {
			t.Errorf("%s N=%d: median %v refused %q; want a positive number", r.Backend, r.N, r.MedianNs, r.Refused)
		}
	}
}

func TestChainTinyText(t *testing.T) {
	var out bytes.Buffer
	err := Command(context.Background(), []string{"chain", "-n", "4", "-w", "10", "--runs", "2"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("bench chain = %v; want nil", err)
	}
	for _, b := range reactor.BackendNames() {
		if !strings.Contains(out.String(), b) {
			t.Errorf("output has no %s column:\n%s", b, out.String())
		}
	}
}

func TestWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Command(ctx, []string{"wait", "--n", "4"}, io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("bench wait with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestPrintWaitRefusal(t *testing.T) {
	rep := &WaitReport{Rounds: 1, Results: []WaitResult{
		{Backend: "select", N: 2000, Refused: "fd 1024: " + reactor.ErrFDSetSize.Error()},
		{Backend: "poll", N: 2000, MedianNs: 100000},
		{Backend: "epoll", N: 2000, MedianNs: 1000},
	}}
	var out bytes.Buffer
	printWait(&out, rep, []string{"select", "poll", "epoll"})
	for _, want := range []string{"refused", "FD_SETSIZE (1024)", "100.0×"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table does not contain %q:\n%s", want, out.String())
		}
	}
}
