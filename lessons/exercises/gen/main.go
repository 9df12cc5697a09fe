// Command gen copies every exercise stub (the non-test .go files in
// exercises/NN_topic/) into pristine/NN_topic/FILE.txt, the embedded copy
// that `reactorlab exercises reset` restores. Run it through
// `go generate ./lessons/exercises/`; it works from the package directory.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var exerciseDir = regexp.MustCompile(`^[0-9]{2}_[a-z0-9_]+$`)

func main() {
	if err := run("../../exercises", "pristine"); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || !exerciseDir.MatchString(e.Name()) {
			continue
		}
		files, err := filepath.Glob(filepath.Join(src, e.Name(), "*.go"))
		if err != nil {
			return err
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			out := filepath.Join(dst, e.Name(), filepath.Base(f)+".txt")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
