package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// front is an exercise's facts, as its README.md states them once at the top:
//
//	---
//	title: Drain until EAGAIN
//	lesson: one-process-many-connections
//	files: [drain.go]
//	---
//
// It is YAML-ish, not YAML: one "key: value" per line, a value may be
// double-quoted (Go syntax), and files is a bracketed, comma-separated list.
type front struct {
	Title  string   // one line for lists and the README heading
	Lesson string   // slug of the lesson it follows (lessons/content/NN-slug.md)
	Files  []string // the stub files a learner edits and reset restores
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	fileRE = regexp.MustCompile(`^[A-Za-z0-9_]+\.go$`)
)

// parseFront splits a README into its front matter and the body after it.
// Errors name the line and say what is expected.
func parseFront(md []byte) (front, []byte, error) {
	var f front
	lines := bytes.SplitAfter(md, []byte("\n"))
	if len(lines) == 0 || strings.TrimSpace(string(lines[0])) != "---" {
		return f, nil, fmt.Errorf("line 1: want the front matter's opening \"---\" (then title:, lesson:, files: and a closing \"---\")")
	}
	seen := map[string]bool{}
	for i := 1; i < len(lines); i++ {
		line := strings.TrimSpace(string(lines[i]))
		if line == "---" {
			for _, k := range []string{"title", "lesson", "files"} {
				if !seen[k] {
					return f, nil, fmt.Errorf("front matter has no %s: line (want title, lesson and files)", k)
				}
			}
			return f, bytes.Join(lines[i+1:], nil), nil
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return f, nil, fmt.Errorf("line %d: %q is not \"key: value\"", i+1, line)
		}
		if seen[key] {
			return f, nil, fmt.Errorf("line %d: %s given twice", i+1, key)
		}
		seen[key] = true
		if strings.HasPrefix(val, `"`) {
			uq, err := strconv.Unquote(val)
			if err != nil {
				return f, nil, fmt.Errorf("line %d: %s: bad quoted string %s: %v", i+1, key, val, err)
			}
			val = uq
		}
		var err error
		switch key {
		case "title":
			if val == "" {
				err = fmt.Errorf("title is empty")
			}
			f.Title = val
		case "lesson":
			if !slugRE.MatchString(val) {
				err = fmt.Errorf("lesson %q is not a lesson slug (lowercase words joined by '-', the lesson file's name without NN- and .md)", val)
			}
			f.Lesson = val
		case "files":
			f.Files, err = parseList(val)
		default:
			err = fmt.Errorf("unknown key %q; want title, lesson or files", key)
		}
		if err != nil {
			return f, nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return f, nil, fmt.Errorf("front matter has no closing \"---\"")
}

// parseList reads "[a.go, b.go]": at least one Go file name, no test files,
// no directories, no repeats.
func parseList(val string) ([]string, error) {
	inner, open := strings.CutPrefix(val, "[")
	inner, closed := strings.CutSuffix(inner, "]")
	if !open || !closed {
		return nil, fmt.Errorf("files %q: want a list such as [drain.go] or [a.go, b.go]", val)
	}
	if strings.TrimSpace(inner) == "" {
		return nil, fmt.Errorf("files is empty; list the stub files a learner edits")
	}
	var files []string
	for f := range strings.SplitSeq(inner, ",") {
		f = strings.TrimSpace(f)
		switch {
		case !fileRE.MatchString(f):
			return nil, fmt.Errorf("files: %q is not a .go file name in the exercise's folder", f)
		case strings.HasSuffix(f, "_test.go"):
			return nil, fmt.Errorf("files: %q is a test; list the stub files a learner edits", f)
		}
		for _, g := range files {
			if g == f {
				return nil, fmt.Errorf("files: %q listed twice", f)
			}
		}
		files = append(files, f)
	}
	return files, nil
}
