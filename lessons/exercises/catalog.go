package exercises

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// Exercise describes one graded exercise in the repository's exercises/
// directory. Its facts live once, in the front matter of its README.md; the
// catalog All (catalog_gen.go) is generated from them by
// `go generate ./lessons/exercises/`.
type Exercise struct {
	Name   string   // directory under exercises/, e.g. "01_drain"
	Title  string   // one line for lists
	Lesson Lesson   // the lesson it follows
	Files  []string // the stub files a learner edits (and reset restores)
}

// Lesson is the lesson an exercise follows, as its file names it:
// lessons/content/NN-slug.md, whose first line is "# Title".
type Lesson struct {
	Number int    // NN: `reactorlab lesson N` opens it
	Slug   string // the file name without NN- and .md
	Title  string
}

// String reads `lesson 1, "One process, many connections"`.
func (l Lesson) String() string { return fmt.Sprintf("lesson %d, %q", l.Number, l.Title) }

// Dir returns the exercise's directory in the checkout at root.
func (ex Exercise) Dir(root string) string { return filepath.Join(root, "exercises", ex.Name) }

// GradeCommand is the plain command that grades the exercise, as printed in
// its README.
func (ex Exercise) GradeCommand() string { return "cd exercises && go test ./" + ex.Name + "/" }

// Find looks an exercise up by its full name ("01_drain"), its number ("1"
// or "01") or its topic ("drain").
func Find(arg string) (Exercise, bool) {
	if n, err := strconv.Atoi(arg); err == nil {
		if n >= 1 && n <= len(All) {
			return All[n-1], true
		}
		return Exercise{}, false
	}
	for _, ex := range All {
		if ex.Name == arg || ex.Name[3:] == arg {
			return ex, true
		}
	}
	return Exercise{}, false
}

// index returns the position of the named exercise in All, or -1.
func index(name string) int {
	for i, ex := range All {
		if ex.Name == name {
			return i
		}
	}
	return -1
}

// ErrNoCheckout is returned when no reactorlab checkout contains the working
// directory.
var ErrNoCheckout = errors.New("no exercises/go.mod found here or in any parent directory: run this inside a reactorlab checkout (git clone the repository, then cd into it)")

// FindRoot walks up from dir to the first directory that holds
// exercises/go.mod: the root of a reactorlab checkout.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "exercises", "go.mod")); err == nil && st.Mode().IsRegular() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoCheckout
		}
		dir = parent
	}
}

// hintHeading starts one tier in HINTS.md.
var hintHeading = regexp.MustCompile(`(?m)^## Hint [0-9]+\s*$`)

// ParseHints splits a HINTS.md into its tiers, mildest first. Each tier
// starts at a "## Hint N" heading; text before the first heading is an
// introduction and is dropped.
func ParseHints(md []byte) []string {
	locs := hintHeading.FindAllIndex(md, -1)
	var tiers []string
	for i, loc := range locs {
		end := len(md)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		tiers = append(tiers, string(bytes.TrimSpace(md[loc[1]:end])))
	}
	return tiers
}

// Hints reads the exercise's hint tiers from the checkout at root.
func Hints(root string, ex Exercise) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(ex.Dir(root), "HINTS.md"))
	if err != nil {
		return nil, err
	}
	tiers := ParseHints(b)
	if len(tiers) == 0 {
		return nil, fmt.Errorf("%s/HINTS.md has no \"## Hint N\" sections", ex.Name)
	}
	return tiers, nil
}
