package solutions_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/lessons/exercises"
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
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	names := exerciseNames(t, root)
	if len(names) == 0 {
		t.Fatalf("no exercises found under %s", filepath.Join(root, "exercises"))
	}
	for _, name := range names {
		t.Run(name+"/files", func(t *testing.T) { checkFiles(t, root, name) })
	}
	if testing.Short() {
		t.Skip("skipping the stub-fails/solution-passes check under -short: it runs `go test` on every exercise twice")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found in PATH: %v", err)
	}
	for _, name := range names {
		t.Run(name+"/grading", func(t *testing.T) {
			t.Parallel()
			gate <- struct{}{}
			defer func() { <-gate }()
			checkGrading(t, goBin, root, name)
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

// shippedStubs returns the exercise's stubs as shipped: the pristine copies
// embedded in lessons/exercises, keyed by file name. These are what a learner
// edits, what reset restores and what the solution replaces.
func shippedStubs(t *testing.T, name string) map[string][]byte {
	t.Helper()
	stubs, err := exercises.PristineStubs(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return stubs
}

// checkFiles asserts the learner-facing files exist and say what they must.
func checkFiles(t *testing.T, root, name string) {
	dir := filepath.Join(root, "exercises", name)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Errorf("%s has no README.md: %v", name, err)
	} else if cmd := "cd exercises && go test ./" + name + "/"; !bytes.Contains(readme, []byte(cmd)) {
		t.Errorf("%s/README.md does not print the grading command %q", name, cmd)
	}
	hints, err := os.ReadFile(filepath.Join(dir, "HINTS.md"))
	if err != nil {
		t.Errorf("%s has no HINTS.md: %v", name, err)
	} else if n := len(hintTier.FindAll(hints, -1)); n < 2 {
		t.Errorf("%s/HINTS.md has %d hint tiers (\"## Hint N\" headings); want at least 2", name, n)
	}
	stubs := shippedStubs(t, name)
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
	tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	for _, f := range tests {
		if b, _ := os.ReadFile(f); hasBuildTag(b) {
			t.Errorf("%s has a build constraint; learner files must not use build tags", f)
		}
	}
}

// hasBuildTag reports whether Go source carries a build constraint.
func hasBuildTag(src []byte) bool {
	return bytes.Contains(src, []byte("//go:build")) || bytes.Contains(src, []byte("// +build"))
}

// checkGrading builds a temp tree holding the shipped exercise and runs its
// tests twice: as shipped (must fail) and with the solution laid over the
// stub (must pass).
func checkGrading(t *testing.T, goBin, root, name string) {
	tmp := shippedTree(t, filepath.Join(root, "exercises"), root, name)
	out, err := goTest(t, goBin, tmp, name)
	switch {
	case err == nil:
		t.Errorf("%s passes as shipped; an unsolved exercise must fail: make its stub fail clearly, then run go generate ./lessons/exercises/.\n%s", name, out)
	case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")) || !bytes.Contains(out, []byte("--- FAIL:")):
		t.Errorf("%s as shipped did not fail its tests — it failed to build or run; a stub must compile and fail clearly.\n%s", name, out)
	}

	for f := range shippedStubs(t, name) {
		sol, err := os.ReadFile(filepath.Join(root, "solutions", name, f))
		if err != nil {
			t.Fatalf("solution for %s/%s: %v", name, f, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name, f), sol, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := goTest(t, goBin, tmp, name); err != nil {
		t.Errorf("%s with solutions/%s laid over the stub fails its tests: %v\n%s", name, name, err, out)
	}
}

// shippedTree copies the exercises module at src into a temp dir, points its
// replace directive at the root module modRoot, and puts exercise name back
// as shipped: the learner's stub files (every non-test .go file) are replaced
// by the embedded pristine stubs. Tests, READMEs and the other exercises are
// taken as they are in src.
func shippedTree(t *testing.T, src, modRoot, name string) string {
	t.Helper()
	dst := copyExercises(t, src, modRoot)
	dir := filepath.Join(dst, name)
	learner, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range learner {
		if !strings.HasSuffix(f, "_test.go") {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for f, b := range shippedStubs(t, name) {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// copyExercises copies the exercises module at src into a temp dir and
// points its replace directive at the root module modRoot.
func copyExercises(t *testing.T, src, modRoot string) string {
	t.Helper()
	dst := t.TempDir()
	copyDir(t, src, dst)
	gomod := filepath.Join(dst, "go.mod")
	b, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	const rel = "=> ../\n"
	if !bytes.Contains(b, []byte(rel)) {
		t.Fatalf("exercises/go.mod has no %q replace directive to rewrite", strings.TrimSpace(rel))
	}
	b = bytes.Replace(b, []byte(rel), []byte("=> "+modRoot+"\n"), 1)
	if err := os.WriteFile(gomod, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyDir copies the regular files and directories under src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// goTest runs `go test -count=1 ./name/` in dir, offline-friendly: modules
// come from the normal module cache and go.mod/go.sum may be updated in the
// temp copy.
func goTest(t *testing.T, goBin, dir, name string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "./"+name+"/")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOWORK=off")
	return cmd.CombinedOutput()
}
