package solutions_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// exerciseDir matches exercise directory names such as 01_drain.
var exerciseDir = regexp.MustCompile(`^[0-9]{2}_[a-z0-9_]+$`)

// hintTier matches the heading that starts one hint tier in HINTS.md.
var hintTier = regexp.MustCompile(`(?m)^## Hint [0-9]+\s*$`)

// gate limits how many exercises are graded at once: each `go test` compiles
// and links a test binary, and the machine may have only two cores.
var gate = make(chan struct{}, 2)

// TestExercisesAreHonest checks every exercise: the stub fails, the solution
// passes, and the learner-facing files are there. It grades the SHIPPED stubs
// (the pristine copies embedded in lessons/exercises, which reset restores),
// not the working copy, so a learner who has solved exercises in this
// checkout keeps the root module's `go test ./...` green.
func TestExercisesAreHonest(t *testing.T) {
	root := grading.Root(t)
	names := exerciseNames(t, root)
	if len(names) == 0 {
		t.Fatalf("no exercises found under %s", filepath.Join(root, "exercises"))
	}
	for _, name := range names {
		t.Run(name+"/files", func(t *testing.T) { checkFiles(t, root, name) })
	}
	grading.Skip(t)
	t.Run("guard", func(t *testing.T) {
		t.Parallel()
		gate <- struct{}{}
		defer func() { <-gate }()
		// The guard every grader calls learners' code through has tests of
		// its own, in the exercises module.
		if res, _ := grading.NewTree(t, root).Test(t, "./internal/..."); !res.Passed {
			t.Errorf("exercises/internal/guard's tests fail:\n%s", res.Details(40))
		}
	})
	for _, name := range names {
		t.Run(name+"/grading", func(t *testing.T) {
			t.Parallel()
			gate <- struct{}{}
			defer func() { <-gate }()
			checkGrading(t, root, name)
		})
	}
}

// exerciseNames lists the exercise directories in order.
func exerciseNames(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "exercises"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && exerciseDir.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

// checkFiles asserts the learner-facing files exist and say what they must.
func checkFiles(t *testing.T, root, name string) {
	dir := filepath.Join(root, "exercises", name)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Errorf("%s has no README.md: %v", name, err)
	} else if cmd := "cd exercises && go test ./" + name + "/"; !bytes.Contains(readme, []byte(cmd)) {
		t.Errorf("%s/README.md does not print the grading command %q (run go generate ./...)", name, cmd)
	}
	hints, err := os.ReadFile(filepath.Join(dir, "HINTS.md"))
	if err != nil {
		t.Errorf("%s has no HINTS.md: %v", name, err)
	} else if n := len(hintTier.FindAll(hints, -1)); n < 2 {
		t.Errorf("%s/HINTS.md has %d hint tiers (\"## Hint N\" headings); want at least 2", name, n)
	}
	stubs := grading.ShippedStubs(t, name)
	todo := false
	for f, b := range stubs {
		todo = todo || bytes.Contains(b, []byte("// TODO:"))
		if hasBuildTag(b) {
			t.Errorf("shipped stub %s/%s has a build constraint; learner files must not use build tags", name, f)
		}
		if _, err := os.Stat(filepath.Join(root, "solutions", name, f)); err != nil {
			t.Errorf("%s/%s has no solution at solutions/%s/%s", name, f, name, f)
		}
	}
	if !todo {
		t.Errorf("%s: no \"// TODO:\" in its shipped stubs; a learner needs to see where to start", name)
	}
	if _, err := os.Stat(filepath.Join(root, "solutions", name, "wrong_test.go")); err != nil {
		t.Errorf("%s has no solutions/%s/wrong_test.go: keep the wrong answers learners plausibly write as tests that show the grader fails them", name, name)
	}
	tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	for _, f := range tests {
		if b, _ := os.ReadFile(f); hasBuildTag(b) {
			t.Errorf("%s has a build constraint; learner files must not use build tags", f)
		}
	}
}

// linuxOnly reports whether every stub of exercise name is a _linux.go file
// (an epoll exercise).
func linuxOnly(t *testing.T, name string) bool {
	for f := range grading.ShippedStubs(t, name) {
		if !strings.HasSuffix(f, "_linux.go") {
			return false
		}
	}
	return true
}

// hasBuildTag reports whether Go source carries a build constraint.
func hasBuildTag(src []byte) bool {
	return bytes.Contains(src, []byte("//go:build")) || bytes.Contains(src, []byte("// +build"))
}

// checkGrading grades the exercise twice in a temp tree: as shipped (must
// fail its tests) and with the solution laid over the stub (must pass).
func checkGrading(t *testing.T, root, name string) {
	if runtime.GOOS != "linux" && linuxOnly(t, name) {
		t.Skipf("%s is Linux-only (its stubs are _linux.go files): elsewhere its tests skip, so there is nothing to grade", name)
	}
	tr := grading.NewTree(t, root)
	tr.Shipped(t, name)
	res, raw := tr.Test(t, "./"+name+"/")
	switch {
	case res.Passed:
		t.Errorf("%s passes as shipped; an unsolved exercise must fail: make its stub fail clearly, then run go generate ./...\n%s", name, raw)
	case res.BuildFailed || len(res.Failures) == 0:
		t.Errorf("%s as shipped did not fail its tests — it failed to build or run; a stub must compile and fail clearly.\n%s", name, raw)
	}
	for f := range grading.ShippedStubs(t, name) {
		tr.Put(t, name, f, tr.Solution(t, name, f))
	}
	if res, raw := tr.Test(t, "./"+name+"/"); !res.Passed {
		t.Errorf("%s with solutions/%s laid over the stub fails its tests:\n%s", name, name, raw)
	}
}
