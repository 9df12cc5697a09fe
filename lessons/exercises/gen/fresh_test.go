package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The generated files in this checkout are what go generate writes now: the
// catalog, the embedded stubs and tasks, the README sections and tables, and
// each exercise's revisit line. A learner's edits (a solved stub) do not
// count; a maintainer's forgotten `go generate ./...` does (see checkFresh).
func TestGeneratedFilesAreFresh(t *testing.T) {
	problems, skip := checkFresh(filepath.Join("..", "..", ".."))
	for _, p := range problems {
		t.Error(p)
	}
	if skip != "" {
		t.Skip("cannot check the generated files: " + skip)
	}
}

// checkFresh tells a learner's edit from a maintainer's forgotten
// go generate, in a throwaway git repository.
func TestCheckFreshUsesGitHistory(t *testing.T) {
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("git not installed: %v", err)
	}
	root := checkout(t, nil)
	outs, err := generate(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	if err := write(root, outs); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "generated")
	edit := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, wantProblem string) {
		t.Helper()
		problems, skip := checkFresh(root)
		got := strings.Join(problems, "\n")
		switch {
		case skip != "":
			t.Errorf("%s: checkFresh skipped: %s", when, skip)
		case wantProblem == "" && got != "":
			t.Errorf("%s: checkFresh = %q; want no problem", when, got)
		case wantProblem != "" && !strings.Contains(got, wantProblem):
			t.Errorf("%s: checkFresh = %q; want a problem naming %q", when, got, wantProblem)
		}
	}

	check("clean checkout", "")
	edit("exercises/01_hello/hello.go", "package hello // solved\n")
	edit("exercises/01_hello/notes.go", "package hello // a learner's helper\n")
	check("a learner solved the stub and added a file", "")
	edit("exercises/01_hello/README.md", "---\ntitle: Hello, world\nlesson: first-steps\nfiles: [hello.go]\n---\n\nSay hello.\n")
	git("add", "exercises/01_hello/README.md")
	git("commit", "-q", "-m", "retitled without go generate")
	check("a maintainer committed a new title without go generate", "lessons/exercises/catalog_gen.go is stale (as committed)")
}
