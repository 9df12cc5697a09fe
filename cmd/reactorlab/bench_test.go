package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/bench"
)

func TestBenchFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "bench: missing command; want wait or chain"},
		{[]string{"bench", "bogus"}, `bench: unknown command "bogus"`},
		{[]string{"bench", "wait", "-n", "x"}, `bench wait: -n: "x" is not a positive whole number`},
		{[]string{"bench", "wait", "-n", "0"}, `"0" is not a positive whole number`},
		{[]string{"bench", "wait", "-n", ","}, "-n: empty list"},
		{[]string{"bench", "wait", "--backends", "kqueue"}, `unknown --backends "kqueue"`},
		{[]string{"bench", "wait", "--rounds", "0"}, "--rounds 0"},
		{[]string{"bench", "wait", "--batch", "0s"}, "--batch 0s"},
		{[]string{"bench", "wait", "--nope"}, "unknown flag --nope"},
		{[]string{"bench", "chain", "extra"}, `bench chain: unexpected argument "extra"`},
		{[]string{"bench", "chain", "-n", "2", "-a", "5"}, "-a 5 is more than -n 2"},
		{[]string{"bench", "chain", "--runs", "0"}, "--runs 0"},
		{[]string{"bench", "chain", "-w", "-1"}, "-w -1"},
	}
	for _, tc := range tests {
		_, errOut, code := runArgs(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("reactorlab %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
}

func TestBenchRuns(t *testing.T) {
	out, errOut, code := runArgs(t, "bench", "wait", "-n", "4,8", "--rounds", "1", "--batch", "1ms", "--json")
	var rep bench.WaitReport
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Results) != 2*len(reactor.BackendNames()) {
		t.Errorf("bench wait --json: exit %d (%s), %v, %d results; want one per backend and N", code, errOut, err, len(rep.Results))
	}
	out, errOut, code = runArgs(t, "bench", "chain", "-n", "4", "-w", "10", "--runs", "2", "--backends", "poll")
	if code != 0 || !strings.Contains(out, "poll") {
		t.Errorf("bench chain: exit %d (%s); want a table with a poll column:\n%s", code, errOut, out)
	}
}
