package exercises

import (
	"context"
	"os"
	"strings"
	"testing"
)

func parseFile(t *testing.T, name string) Result {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ParseTestJSON(f)
}

// A failing run lists the innermost failing tests, without go test's framing.
func TestParseTestJSONFailing(t *testing.T) {
	res := parseFile(t, "fail.json")
	if res.Passed || res.BuildFailed {
		t.Fatalf("Passed, BuildFailed = %v, %v; want false, false", res.Passed, res.BuildFailed)
	}
	if len(res.Failures) == 0 {
		t.Fatal("no failures parsed; want several")
	}
	if got, want := res.Failures[0].Test, "TestDrain/nothing_to_read_yet"; got != want {
		t.Errorf("first failure = %q; want %q (subtest, not its parent)", got, want)
	}
	for _, f := range res.Failures {
		if f.Test == "TestDrain" {
			t.Errorf("parent TestDrain listed although its subtests carry the failures")
		}
		if strings.Contains(f.Output, "=== RUN") || strings.Contains(f.Output, "--- FAIL") {
			t.Errorf("%s output keeps go test framing: %q", f.Test, f.Output)
		}
	}
	if d := res.Details(0); !strings.Contains(d, "not implemented yet") {
		t.Errorf("Details() = %q; want the stub's message", d)
	}
}

// A build failure keeps the compiler's message and drops the "# pkg" header.
func TestParseTestJSONBuildFailure(t *testing.T) {
	res := parseFile(t, "build.json")
	if res.Passed || !res.BuildFailed {
		t.Fatalf("Passed, BuildFailed = %v, %v; want false, true", res.Passed, res.BuildFailed)
	}
	if !strings.Contains(res.Output, "undefined: undefined") || strings.Contains(res.Output, "# github.com") {
		t.Errorf("Output = %q; want the compiler error without the package header", res.Output)
	}
	if h := res.Headline(); !strings.Contains(h, "does not compile") {
		t.Errorf("Headline() = %q; want it to say the code does not compile", h)
	}
}

func TestParseTestJSONPassing(t *testing.T) {
	res := parseFile(t, "pass.json")
	if !res.Passed || res.BuildFailed || len(res.Failures) > 0 {
		t.Fatalf("Passed, BuildFailed, Failures = %v, %v, %v; want true, false, none", res.Passed, res.BuildFailed, res.Failures)
	}
}

func TestDetailsCutsLongOutput(t *testing.T) {
	res := Result{Failures: []TestFailure{{Test: "T", Output: "1\n2\n3\n4\n5"}}}
	if got, want := res.Details(2), "1\n2\n… (3 more lines)"; got != want {
		t.Errorf("Details(2) = %q; want %q", got, want)
	}
}

// Grading the real checkout runs go test in exercises/ and returns a result
// for the right exercise (pass or fail depends on the checkout).
func TestGradeRealCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in a subprocess")
	}
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Grade(context.Background(), root, All[0])
	if err != nil {
		t.Fatalf("Grade: %v", err)
	}
	if res.Exercise != All[0].Name {
		t.Errorf("Exercise = %q; want %q", res.Exercise, All[0].Name)
	}
	if !res.Passed && !res.BuildFailed && len(res.Failures) == 0 {
		t.Errorf("a failing result with no failures and no build error: %+v", res)
	}
}

// After a call hangs, the guard skips every later test: the result says how
// many and why, after the failure that explains it.
func TestParseTestJSONSkippedAfterAHang(t *testing.T) {
	const pkg = `"Package":"x/01_drain"`
	lines := []string{
		`{"Action":"start",` + pkg + `}`,
		`{"Action":"run",` + pkg + `,"Test":"TestA"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestA","Output":"    a_test.go:9: Drain(fd, nil) did not return within 3s: it is spinning\n"}`,
		`{"Action":"fail",` + pkg + `,"Test":"TestA"}`,
		`{"Action":"run",` + pkg + `,"Test":"TestB"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestB","Output":"    a_test.go:20: not run: Drain(fd, nil) never returned in an earlier test\n"}`,
		`{"Action":"skip",` + pkg + `,"Test":"TestB"}`,
		`{"Action":"run",` + pkg + `,"Test":"TestC"}`,
		`{"Action":"skip",` + pkg + `,"Test":"TestC"}`,
		`{"Action":"fail",` + pkg + `}`,
	}
	res := ParseTestJSON(strings.NewReader(strings.Join(lines, "\n")))
	if res.Passed || len(res.Failures) != 1 || len(res.Skipped) != 2 || res.Started != 3 {
		t.Fatalf("Passed, Failures, Skipped, Started = %v, %d, %d, %d; want false, 1, 2, 3", res.Passed, len(res.Failures), len(res.Skipped), res.Started)
	}
	if got, want := res.Headline(), "1 check fails: TestA. 2 more were skipped."; got != want {
		t.Errorf("Headline() = %q; want %q", got, want)
	}
	d := res.Details(0)
	if !strings.HasPrefix(d, "a_test.go:9: Drain(fd, nil) did not return") || !strings.Contains(d, "Skipped 2: TestB, ...: a_test.go:20: not run: Drain(fd, nil) never returned") {
		t.Errorf("Details() = %q; want the failure first, then how many were skipped and why", d)
	}
}

// A test that began and never ended (go test's -timeout, or a stopped run)
// is a failure, listed first, and not a build failure.
func TestParseTestJSONUnfinished(t *testing.T) {
	const pkg = `"Package":"x/01_drain"`
	lines := []string{
		`{"Action":"run",` + pkg + `,"Test":"TestOK"}`,
		`{"Action":"pass",` + pkg + `,"Test":"TestOK"}`,
		`{"Action":"run",` + pkg + `,"Test":"TestHang"}`,
		`{"Action":"run",` + pkg + `,"Test":"TestHang/sub"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestHang/sub","Output":"panic: test timed out after 20s\n"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestHang/sub","Output":"\n"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestHang/sub","Output":"goroutine 7 gp=0x1 m=0 [running]:\n"}`,
		`{"Action":"output",` + pkg + `,"Test":"TestHang/sub","Output":"main.spin()\n"}`,
		`{"Action":"fail",` + pkg + `}`,
	}
	res := ParseTestJSON(strings.NewReader(strings.Join(lines, "\n")))
	if res.Passed || res.BuildFailed || len(res.Failures) != 1 {
		t.Fatalf("Passed, BuildFailed, Failures = %v, %v, %v; want false, false, one", res.Passed, res.BuildFailed, res.Failures)
	}
	f := res.Failures[0]
	if f.Test != "TestHang/sub" || !f.Unfinished || strings.Contains(f.Output, "main.spin") || !strings.Contains(f.Output, "test timed out") {
		t.Errorf("failure = %+v; want TestHang/sub, unfinished, the panic line without the stacks", f)
	}
	if !strings.Contains(res.Log, "main.spin") {
		t.Errorf("Log lost the stacks:\n%s", res.Log)
	}
}
