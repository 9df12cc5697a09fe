package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseFront(t *testing.T) {
	good := "---\ntitle: Drain until EAGAIN\nlesson: one-process-many-connections\nfiles: [drain.go, more.go]\n---\n\nThe task.\n"
	f, body, err := parseFront([]byte(good))
	if err != nil {
		t.Fatalf("parseFront(good) error: %v", err)
	}
	want := front{Title: "Drain until EAGAIN", Lesson: "one-process-many-connections", Files: []string{"drain.go", "more.go"}}
	if f.Title != want.Title || f.Lesson != want.Lesson || !slices.Equal(f.Files, want.Files) {
		t.Errorf("parseFront(good) = %+v; want %+v", f, want)
	}
	if string(body) != "\nThe task.\n" {
		t.Errorf("body = %q; want %q", body, "\nThe task.\n")
	}
	if f, _, err := parseFront([]byte("---\ntitle: \"A: quoted\"\nlesson: x\nfiles: [x.go]\n---\n")); err != nil || f.Title != "A: quoted" {
		t.Errorf("quoted title = %q, %v; want %q, nil", f.Title, err, "A: quoted")
	}

	bad := []struct{ name, md, want string }{
		{"no front matter", "# Title\n", "line 1"},
		{"not closed", "---\ntitle: T\n", "no closing"},
		{"missing lesson", "---\ntitle: T\nfiles: [a.go]\n---\n", "no lesson"},
		{"typo in a key", "---\ntitel: T\n---\n", `unknown key "titel"`},
		{"twice", "---\ntitle: T\ntitle: U\n---\n", "title given twice"},
		{"not a slug", "---\ntitle: T\nlesson: Lesson 1\nfiles: [a.go]\n---\n", "not a lesson slug"},
		{"files not a list", "---\ntitle: T\nlesson: x\nfiles: a.go\n---\n", "want a list"},
		{"files empty", "---\ntitle: T\nlesson: x\nfiles: []\n---\n", "files is empty"},
		{"a test file", "---\ntitle: T\nlesson: x\nfiles: [a_test.go]\n---\n", "is a test"},
		{"a path", "---\ntitle: T\nlesson: x\nfiles: [sub/a.go]\n---\n", "not a .go file name"},
		{"empty title", "---\ntitle:\nlesson: x\nfiles: [a.go]\n---\n", "title is empty"},
	}
	for _, tc := range bad {
		_, _, err := parseFront([]byte(tc.md))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parseFront error = %v; want one containing %q", tc.name, err, tc.want)
		}
	}
}
