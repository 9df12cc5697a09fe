package main

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// lesson is what an exercise needs to know about the lesson it follows.
// The lesson's own file is its home: lessons/content/NN-slug.md, whose
// first line is "# Title".
type lesson struct {
	Number int    // NN
	Slug   string // the file name without NN- and .md
	Title  string // the "# Title" line, without "# "
}

var lessonFileRE = regexp.MustCompile(`^([0-9]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$`)

// readLessons reads the title line of every lesson in dir, by slug. Only the
// first line is read: the rest of the file belongs to the lessons package.
func readLessons(fsys fs.FS, dir string) (map[string]lesson, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	lessons := map[string]lesson{}
	for _, e := range entries {
		m := lessonFileRE.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		title, err := titleLine(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		lessons[m[2]] = lesson{Number: n, Slug: m[2], Title: title}
	}
	if len(lessons) == 0 {
		return nil, fmt.Errorf("no lessons (NN-slug.md files) in %s", dir)
	}
	return lessons, nil
}

// titleLine returns the text of name's first line, which must be "# Title".
func titleLine(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	title, ok := strings.CutPrefix(first, "# ")
	if !ok || strings.TrimSpace(title) == "" {
		return "", fmt.Errorf("%s: first line %q; want the lesson's title as \"# Title\"", name, first)
	}
	return strings.TrimSpace(title), nil
}

// slugs lists the known slugs in lesson order, for error messages.
func slugs(lessons map[string]lesson) string {
	all := slices.SortedFunc(maps.Values(lessons), func(a, b lesson) int { return a.Number - b.Number })
	var out []string
	for _, l := range all {
		out = append(out, l.Slug)
	}
	return strings.Join(out, ", ")
}
