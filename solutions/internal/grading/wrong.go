package grading

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Wrong is a wrong solution a learner plausibly writes, kept as a test: the
// reference solution with a few edits.
type Wrong struct {
	Name  string // short, for the test's name: "closes-fd-at-eof"
	Why   string // the mistake in one line
	Edits []Edit // applied to the solution file, in order
	// Want are phrases the grader's FIRST failure (the one `reactorlab
	// exercises` shows) must contain: it names the mistake.
	Want []string
}

// Edit replaces Old, which must occur exactly once in the solution (so a
// variant that no longer applies fails loudly instead of testing nothing),
// with New.
type Edit struct{ Old, New string }

// Apply returns src with w's edits applied.
func (w Wrong) Apply(src []byte) ([]byte, error) {
	if len(w.Edits) == 0 {
		return nil, fmt.Errorf("%s has no edits: it would be the reference solution", w.Name)
	}
	for _, e := range w.Edits {
		if n := bytes.Count(src, []byte(e.Old)); n != 1 {
			return nil, fmt.Errorf("%s: the text to replace occurs %d times in the solution (want exactly once); the solution changed, so update the variant:\n%s", w.Name, n, e.Old)
		}
		src = bytes.Replace(src, []byte(e.Old), []byte(e.New), 1)
	}
	return src, nil
}

// CheckWrong grades each wrong solution of exercise name (its solution file
// is file, in the test's working directory solutions/NN_topic/) and fails
// unless the grader fails it — compiling, and with a first failure that
// names the mistake (every phrase in Want), within Timeout.
func CheckWrong(t *testing.T, name, file string, wrongs []Wrong) {
	Skip(t)
	sol, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTree(t, Root(t))
	for _, w := range wrongs {
		t.Run(w.Name, func(t *testing.T) {
			src, err := w.Apply(sol)
			if err != nil {
				t.Fatal(err)
			}
			tr.Put(t, name, file, src)
			res, raw := tr.Test(t, "./"+name+"/")
			switch {
			case res.Passed:
				t.Fatalf("the grader of %s passes this wrong solution (%s); it must fail it, naming the mistake.", name, w.Why)
			case res.BuildFailed:
				t.Fatalf("this wrong solution (%s) does not compile, so it tests nothing:\n%s", w.Why, res.Output)
			case strings.Contains(raw, "panic: test timed out"):
				t.Fatalf("the grader of %s hung on this wrong solution (%s) until go test's -timeout=%v; every call into the learner's code must go through the 3-second guard.\n%s", name, w.Why, Timeout, res.Details(30))
			case len(res.Failures) == 0:
				t.Fatalf("the grader of %s failed this wrong solution (%s) without a failing test:\n%s", name, w.Why, res.Output)
			}
			first := res.Failures[0]
			for _, want := range w.Want {
				if !strings.Contains(first.Output, want) {
					t.Errorf("the grader's first failure (%s) for this wrong solution (%s) lacks %q; it must name the mistake. It says:\n%s", first.Test, w.Why, want, first.Output)
				}
			}
		})
	}
}
