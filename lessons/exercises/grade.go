package exercises

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Result is what grading one exercise found.
type Result struct {
	Exercise    string
	Passed      bool
	BuildFailed bool          // the code does not compile (or go vet rejected it)
	Failures    []TestFailure // failing tests, innermost subtests only: first any that never finished, then the others in order
	Skipped     []TestFailure // tests that did not run, with why (after a call hangs, the guard skips the rest)
	Started     int           // how many tests began running
	Stopped     string        // why the runner stopped the run before go test finished ("" if it did not)
	Output      string        // compiler/vet output, or the package's own output when no test failed
	Log         string        // everything go test printed, as a plain `go test -v` shows it, for reading in full
	Sum         string        // the exercise's files as graded (Fingerprint): progress is valid while they stay so
	Elapsed     time.Duration
}

// TestFailure is one failing test and what it printed.
type TestFailure struct {
	Test       string
	Output     string // the test's messages, without go test's === RUN / --- FAIL framing
	Unfinished bool   // it never finished: go test's -timeout or the runner stopped it
}

// Grader grades one exercise in the checkout at root.
type Grader func(ctx context.Context, root string, ex Exercise) (Result, error)

// Grade runs the exercise's tests (`go test -json ./NN_topic/` in
// root/exercises, see TestRun) and reads the result. An error means grading
// itself could not run (no go command) or was cancelled; failing, hanging or
// uncompilable code is a Result with Passed false.
func Grade(ctx context.Context, root string, ex Exercise) (Result, error) {
	sum := Fingerprint(root, ex) // before the run: what is graded is what was saved then
	res, err := TestRun{Dir: filepath.Join(root, "exercises"), Pkg: "./" + ex.Name + "/"}.Run(ctx)
	res.Exercise, res.Sum = ex.Name, sum
	return res, err
}

// testEvent is one line of `go test -json` (see `go doc test2json`).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	FailedBuild string
}

// ParseTestJSON reads `go test -json` output. Lines that are not JSON (a
// build error printed before the tests could run) are kept as raw output.
func ParseTestJSON(r io.Reader) Result {
	s := newTestStream()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		s.line(sc.Bytes())
	}
	return s.result(true, "")
}

// Bounds on what a run keeps: a test that prints in a loop until it is
// stopped must not fill the learner's memory.
const (
	maxTestOutput = 64 << 10 // one test's messages
	maxLog        = 1 << 20  // the whole run
)

// testStream reads `go test -json` one line at a time, so a run that is
// stopped halfway keeps what it printed.
type testStream struct {
	outputs     map[string]*cappedBuffer // each test's messages
	started     []string                 // tests in the order they began
	ended       map[string]bool
	failed      []string
	skipped     []string
	passed      bool // the package passed
	buildFailed bool
	raw, build  cappedBuffer // package-level output; compiler and vet output
	log         cappedBuffer // everything, as plain go test -v prints it
}

func newTestStream() *testStream {
	return &testStream{
		outputs: map[string]*cappedBuffer{},
		ended:   map[string]bool{},
		raw:     cappedBuffer{limit: maxTestOutput},
		build:   cappedBuffer{limit: maxTestOutput},
		log:     cappedBuffer{limit: maxLog},
	}
}

// line reads one line of output and returns its action ("" for a line
// that is not a test event).
func (s *testStream) line(line []byte) string {
	var ev testEvent
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
		for _, b := range []*cappedBuffer{&s.raw, &s.log} {
			_, _ = b.Write(line)
			b.WriteString("\n")
		}
		return ""
	}
	switch {
	case ev.Action == "build-output":
		s.log.WriteString(ev.Output)
		if !strings.HasPrefix(ev.Output, "# ") { // "# package [package.test]" header
			s.build.WriteString(ev.Output)
		}
	case ev.Action == "build-fail" || ev.FailedBuild != "":
		s.buildFailed = true
	case ev.Action == "run" && ev.Test != "":
		s.started = append(s.started, ev.Test)
	case ev.Action == "output":
		s.log.WriteString(ev.Output)
		switch {
		case ev.Test == "":
			s.raw.WriteString(ev.Output)
		case keepLine(ev.Output):
			b := s.outputs[ev.Test]
			if b == nil {
				b = &cappedBuffer{limit: maxTestOutput}
				s.outputs[ev.Test] = b
			}
			b.WriteString(ev.Output)
		}
	case ev.Test != "" && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
		s.ended[ev.Test] = true
		switch ev.Action {
		case "fail":
			s.failed = append(s.failed, ev.Test)
		case "skip":
			s.skipped = append(s.skipped, ev.Test)
		}
	case ev.Action == "pass" && ev.Test == "":
		s.passed = true
	}
	return ev.Action
}

// output returns a test's messages.
func (s *testStream) output(test string) string {
	if b := s.outputs[test]; b != nil {
		return strings.TrimRight(b.String(), "\n")
	}
	return ""
}

// result sums the stream up. exitOK says go test exited with status 0;
// stderr is what the go command printed there.
func (s *testStream) result(exitOK bool, stderr string) Result {
	res := Result{Started: len(s.started), Log: s.log.String()}
	if stderr != "" {
		res.Log = strings.TrimRight(res.Log, "\n") + "\n" + stderr + "\n"
	}
	if !s.passed {
		// Tests that began and never ended: go test's -timeout panicked,
		// or the run was stopped. They come first: nothing after them ran.
		var unfinished []string
		for _, name := range s.started {
			if !s.ended[name] {
				unfinished = append(unfinished, name)
			}
		}
		for _, name := range unfinished {
			if !hasChild(name, unfinished) {
				res.Failures = append(res.Failures, TestFailure{Test: name, Output: cutStacks(s.output(name)), Unfinished: true})
			}
		}
	}
	for _, name := range s.failed {
		if !hasChild(name, s.failed) { // the parent only repeats its subtests' failures
			res.Failures = append(res.Failures, TestFailure{Test: name, Output: s.output(name)})
		}
	}
	for _, name := range s.skipped {
		if !hasChild(name, s.skipped) {
			res.Skipped = append(res.Skipped, TestFailure{Test: name, Output: s.output(name)})
		}
	}
	switch {
	case s.build.Len() > 0:
		s.buildFailed = true
		res.Output = strings.TrimSpace(s.build.String())
	case len(res.Failures) == 0 && !s.passed:
		res.Output = strings.TrimSpace(cutStacks(dropFraming(s.raw.String())) + "\n" + stderr)
	}
	res.BuildFailed = s.buildFailed
	res.Passed = exitOK && s.passed && !s.buildFailed && len(res.Failures) == 0
	return res
}

// hasChild reports whether names holds a subtest of name.
func hasChild(name string, names []string) bool {
	for _, f := range names {
		if strings.HasPrefix(f, name+"/") {
			return true
		}
	}
	return false
}

// keepLine drops go test's own framing lines from a test's output.
func keepLine(s string) bool {
	t := strings.TrimSpace(s)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- FAIL", "--- PASS", "--- SKIP"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	return true
}

func dropFraming(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "FAIL" || t == "PASS" || strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "ok  \t") || !keepLine(line) {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// Headline says in one line how the exercise did (without its name).
func (r Result) Headline() string {
	var h string
	switch {
	case r.Passed:
		return "passes: every test is green."
	case r.BuildFailed:
		return "does not compile yet: fix the errors below, then it will be graded."
	case len(r.Failures) == 0 && r.Stopped != "":
		h = "did not finish: the tests were stopped."
	case len(r.Failures) == 0:
		h = "go test failed before any test could report."
	case r.Failures[0].Unfinished:
		h = fmt.Sprintf("%s never finished: the tests were stopped.", r.Failures[0].Test)
	case len(r.Failures) == 1:
		h = fmt.Sprintf("1 check fails: %s.", r.Failures[0].Test)
	default:
		h = fmt.Sprintf("%d checks fail; the first is %s.", len(r.Failures), r.Failures[0].Test)
	}
	if n := len(r.Skipped); n > 0 {
		h += fmt.Sprintf(" %d more %s skipped.", n, plural(n, "was", "were"))
	}
	return h
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Details returns what to read next: why the run was stopped, if it was;
// the compiler errors or the first failing test's message; and why tests
// were skipped. It is cut to at most maxLines lines (0 = no limit).
func (r Result) Details(maxLines int) string {
	if r.Passed {
		return ""
	}
	var parts []string
	if r.Stopped != "" {
		why := "The runner stopped this run: " + r.Stopped + "."
		if r.Started == 0 && !r.BuildFailed {
			why += " No test had started: code that runs while the package loads (an init function, or a package-level variable set by a call) never returned. go test's -timeout only starts counting with the first test."
		}
		parts = append(parts, why)
	}
	body := r.Output
	if !r.BuildFailed && len(r.Failures) > 0 {
		body = r.Failures[0].Output
		if r.Failures[0].Unfinished && strings.TrimSpace(body) == "" {
			body = r.Failures[0].Test + " printed nothing before it was stopped."
		}
	}
	if body = strings.TrimSpace(dedent(body)); body != "" {
		parts = append(parts, body)
	}
	if len(r.Skipped) > 0 {
		first := r.Skipped[0]
		why := strings.TrimSpace(dedent(first.Output))
		if why == "" {
			why = "(no reason given)"
		}
		parts = append(parts, fmt.Sprintf("Skipped %d: %s, ...: %s", len(r.Skipped), first.Test, why))
	}
	s := strings.Join(parts, "\n")
	if maxLines > 0 {
		lines := strings.Split(s, "\n")
		if len(lines) > maxLines {
			s = strings.Join(lines[:maxLines], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-maxLines)
		}
	}
	return s
}

// cutStacks cuts a goroutine dump (what a test that hit go test's
// -timeout prints after "panic: test timed out") from s: the panic line and
// the list of running tests say enough here, and Result.Log keeps it all.
func cutStacks(s string) string {
	i := stackStart.FindStringIndex(s)
	if i == nil {
		return s
	}
	return strings.TrimRight(s[:i[0]], "\n") + "\n(every goroutine's stack follows in the full output)"
}

// stackStart matches the first line of a goroutine dump.
var stackStart = regexp.MustCompile(`(?m)^goroutine [0-9]+ .*\[`)

// Fingerprint identifies the state of an exercise's Go files (the stubs a
// learner edits and the tests that grade them) in the checkout at root: a
// hash of their names and contents. Progress records it when an exercise
// passes, and counts the exercise as done only while the files still
// match, so a reset, a fresh clone or a pulled grader needs a new grade.
// It is "" when the files cannot be read.
func Fingerprint(root string, ex Exercise) string {
	files, err := filepath.Glob(filepath.Join(ex.Dir(root), "*.go"))
	if err != nil || len(files) == 0 {
		return ""
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// dedent removes the indentation `go test` adds to t.Log/t.Error lines
// (four spaces, and "    \t" more on continuation lines).
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimPrefix(l, "    ")
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, "\t") {
			l = "  " + strings.TrimPrefix(t, "\t")
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
