package exercises

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Result is what grading one exercise found.
type Result struct {
	Exercise    string
	Passed      bool
	BuildFailed bool          // the code does not compile (or go vet rejected it)
	Failures    []TestFailure // failing tests, innermost subtests only, in order
	Output      string        // compiler/vet output, or raw output when nothing structured was seen
	Elapsed     time.Duration
}

// TestFailure is one failing test and what it printed.
type TestFailure struct {
	Test   string
	Output string // the test's messages, without go test's === RUN / --- FAIL framing
}

// Grader grades one exercise in the checkout at root.
type Grader func(ctx context.Context, root string, ex Exercise) (Result, error)

// Grade runs `go test -json -count=1 ./NN_topic/` in root/exercises and reads
// the result. An error means grading itself could not run (no go command,
// cancelled); failing tests are a Result with Passed false.
func Grade(ctx context.Context, root string, ex Exercise) (Result, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return Result{}, fmt.Errorf("grading needs the go command in PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, goBin, "test", "-json", "-count=1", "./"+ex.Name+"/")
	cmd.Dir = root + "/exercises"
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("grading %s: %w", ex.Name, ctx.Err())
	}
	res := ParseTestJSON(bytes.NewReader(out))
	res.Exercise = ex.Name
	res.Elapsed = time.Since(start)
	if runErr == nil {
		res.Passed = true // go test exits 0 only when the package passed
	} else {
		res.Passed = false
		if len(res.Failures) == 0 && res.Output == "" {
			res.BuildFailed = true
		}
	}
	if s := strings.TrimSpace(stderr.String()); s != "" && !res.Passed {
		res.Output = strings.TrimSpace(res.Output + "\n" + s)
	}
	return res, nil
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
	var res Result
	outputs := map[string]*strings.Builder{}
	var failed []string
	var raw, build strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev testEvent
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			raw.Write(line)
			raw.WriteByte('\n')
			continue
		}
		switch {
		case ev.Action == "build-output":
			if !strings.HasPrefix(ev.Output, "# ") { // "# package [package.test]" header
				build.WriteString(ev.Output)
			}
		case ev.Action == "build-fail" || ev.FailedBuild != "":
			res.BuildFailed = true
		case ev.Action == "output" && ev.Test != "":
			if keepLine(ev.Output) {
				b := outputs[ev.Test]
				if b == nil {
					b = &strings.Builder{}
					outputs[ev.Test] = b
				}
				b.WriteString(ev.Output)
			}
		case ev.Action == "output":
			raw.WriteString(ev.Output)
		case ev.Action == "fail" && ev.Test != "":
			failed = append(failed, ev.Test)
		case ev.Action == "pass" && ev.Test == "":
			res.Passed = true
		}
	}
	for _, name := range failed {
		if hasFailedChild(name, failed) {
			continue // the parent only repeats its subtests' failures
		}
		out := ""
		if b := outputs[name]; b != nil {
			out = strings.TrimRight(b.String(), "\n")
		}
		res.Failures = append(res.Failures, TestFailure{Test: name, Output: out})
	}
	switch {
	case build.Len() > 0:
		res.BuildFailed = true
		res.Output = strings.TrimSpace(build.String())
	case len(res.Failures) == 0 && !res.Passed:
		res.Output = strings.TrimSpace(dropFraming(raw.String()))
	}
	if res.BuildFailed || len(res.Failures) > 0 {
		res.Passed = false
	}
	return res
}

func hasFailedChild(name string, failed []string) bool {
	for _, f := range failed {
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
	switch {
	case r.Passed:
		return "passes: every test is green."
	case r.BuildFailed:
		return "does not compile yet: fix the errors below, then it will be graded."
	case len(r.Failures) == 1:
		return fmt.Sprintf("1 check fails: %s.", r.Failures[0].Test)
	case len(r.Failures) > 1:
		return fmt.Sprintf("%d checks fail; the first is %s.", len(r.Failures), r.Failures[0].Test)
	}
	return "does not pass yet."
}

// Details returns what to read next: the compiler errors or the first
// failing test's message, cut to at most maxLines lines (0 = no limit).
func (r Result) Details(maxLines int) string {
	var s string
	switch {
	case r.Passed:
		return ""
	case r.BuildFailed || len(r.Failures) == 0:
		s = r.Output
	default:
		s = r.Failures[0].Output
	}
	s = strings.TrimSpace(dedent(s))
	if maxLines > 0 {
		lines := strings.Split(s, "\n")
		if len(lines) > maxLines {
			s = strings.Join(lines[:maxLines], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-maxLines)
		}
	}
	return s
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
