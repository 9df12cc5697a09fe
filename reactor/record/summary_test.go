package record

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// lesson1 is a recording of `reactorlab lesson 1 --record`, the stall
// injector pressed once (k), made with the real binary.
func lesson1(t *testing.T) *Recording {
	return readRecording(t, filepath.Join("testdata", "lesson1-stall.rlt"))
}

// lesson3 is lesson 3 (Deferred chains) recorded for a few seconds.
func lesson3(t *testing.T) *Recording {
	return readRecording(t, filepath.Join("testdata", "lesson3-chains.rlt"))
}

func TestSummary(t *testing.T) {
	s := Summarize(lesson1(t))
	var b strings.Builder
	s.WriteTo(&b)
	out := b.String()
	golden(t, "lesson1-stall.summary", out)
	if len(s.Stalls) != 1 || s.Stalls[0].Label != "blocking handler (sleeps 300ms)" {
		t.Errorf("stalls %+v; want the one the injector caused, blamed on its handler", s.Stalls)
	}
	if len(s.Actions) != 1 || s.Actions[0].Text != "stall" {
		t.Errorf("actions %+v; want the k press (stall)", s.Actions)
	}
	if s.Stalls[0].Pass <= s.Actions[0].Pass {
		t.Errorf("the stall (pass %d) comes before the action that caused it (pass %d)", s.Stalls[0].Pass+1, s.Actions[0].Pass+1)
	}
	for _, want := range []string{"lesson one-process-many-connections", "stalls (1)", "blamed on blocking handler (sleeps 300ms)",
		"refusals (0)", "peak fds", "backend switches (0)", "events by kind", "file      complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary does not say %q", want)
		}
	}
	if s.PeakFds.N < 4 {
		t.Errorf("peak fds %d; want at least the listener and three clients", s.PeakFds.N)
	}
}

// TestSummaryDamaged reports a truncated file as incomplete, with where it
// ends.
func TestSummaryDamaged(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "lesson1-stall.rlt"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(data[:len(data)*2/3])
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(r)
	var b strings.Builder
	s.WriteTo(&b)
	for _, want := range []string{"incomplete", "unreadable parts (1)", "last complete block"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary of a cut file does not say %q:\n%s", want, b.String())
		}
	}
}
