package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "mine.demo")
	bad := filepath.Join(dir, "bad.demo")
	for file, src := range map[string]string{
		good: "title Mine\nlesson 1\ncaption Fifty more.\nadd-active 50\nwait clients 53 within 20s\n",
		bad:  "title Mine\nlesson 1\ncaption One.\nadd-idle lots\n",
	} {
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"demo"}, 0, "1. one-process", ""},
		{[]string{"demo"}, 0, "reactorlab demo --file my.demo", ""},
		{[]string{"demo", "2", "--check"}, 0, "02-select-wall.demo: select's cost grows", ""},
		{[]string{"demo", "--check", "blocking-handler"}, 0, "line 12: stall", ""},
		{[]string{"demo", "--file", good, "--check"}, 0, "line 5: wait clients 53 (gives up after 20s)", ""},
		{[]string{"demo", "--file", bad}, 1, "", "reactorlab: demo: " + bad + `:4: add-idle: want a count from 1 to 10000, got "lots"`},
		{[]string{"demo", "--file", filepath.Join(dir, "none.demo")}, 1, "", "no such file"},
		{[]string{"demo", "nope"}, 2, "", `demo: no such demo "nope"; the demos are 1 (one-process), 2 (select-wall)`},
		{[]string{"demo", "1", "2"}, 2, "", `wants one demo number or name, got "1 2"`},
		{[]string{"demo", "1", "--check", "--record", filepath.Join(dir, "x.rlt")}, 2, "", "--check plays nothing, so there is nothing to --record"},
		{[]string{"demo", "1", "--record", dir}, 2, "", "is a directory; give a file name"},
		{[]string{"demo", "1", "--record", filepath.Join(dir, "no", "x.rlt")}, 2, "", "no directory"},
		{[]string{"demo", "1", "--file", good}, 2, "", "give a demo's name or --file, not both"},
		{[]string{"demo", "1", "--loop"}, 2, "", "--loop plays again after the end of an --auto run; add --auto"},
		{[]string{"demo", "1", "--speed", "3"}, 2, "", "--speed paces --auto's pauses; add --auto"},
		{[]string{"demo", "1", "--auto", "--speed", "0"}, 2, "", "--speed 0: want a number above 0"},
		{[]string{"demo", "1", "--auto", "--speed", "fast"}, 2, "", `--speed "fast": want a number`},
		{[]string{"demo", "--auto"}, 2, "", "name a demo (or --file)"},
		{[]string{"demo", "--frob"}, 2, "", "demo: unknown flag --frob"},
		{[]string{"demo", "1"}, 1, "", "reactorlab: demo: needs a terminal and stdout is not one; 'reactorlab demo NAME --check'"},
		{[]string{"demo", "--help"}, 0, "Presenter keys: space or → next step", ""},
		{[]string{"help", "demo"}, 0, "wait    clients 203 within 30s", ""},
	}
	for _, tc := range tests {
		out, errOut, code := runArgs(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.inStdout) || !strings.Contains(errOut, tc.inStderr) {
			t.Errorf("reactorlab %s: exit %d\nstdout %q\nstderr %q\nwant exit %d, %q in stdout, %q in stderr",
				strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.inStdout, tc.inStderr)
		}
	}
}
