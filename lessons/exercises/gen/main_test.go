package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkout writes a minimal reactorlab checkout (one lesson, the exercises
// index, the given exercise files) into a temp dir and returns its root.
func checkout(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	base := map[string]string{
		"lessons/content/01-first-steps.md": "# First steps\n\nSummary.\n",
		"exercises/README.md":               "# Exercises\n\n<!-- BEGIN generated exercise table -->\n<!-- END generated exercise table -->\n\nMore.\n",
		"exercises/01_hello/README.md":      "---\ntitle: Hello\nlesson: first-steps\nfiles: [hello.go]\n---\n\nSay hello.\n",
		"exercises/01_hello/hello.go":       "package hello // TODO: say hello\n",
		"exercises/01_hello/hello_test.go":  "package hello\n",
	}
	for name, content := range files {
		base[name] = content
	}
	for name, content := range base {
		if content == "" {
			continue // "" removes a base file
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// get returns the generated file at path.
func get(t *testing.T, outs []output, path string) string {
	t.Helper()
	for _, o := range outs {
		if o.path == path {
			return string(o.data)
		}
	}
	t.Fatalf("generate wrote no %s", path)
	return ""
}

// Everything that repeats an exercise's facts is derived from its front
// matter and its lesson's title line.
func TestGenerate(t *testing.T) {
	outs, err := generate(os.DirFS(checkout(t, nil)))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for _, tc := range []struct{ path, want string }{
		{"exercises/01_hello/README.md", "# 01 · Hello\n\nFollows lesson 1, **First steps** (`reactorlab lesson 1`)."},
		{"exercises/01_hello/README.md", "cd exercises && go test ./01_hello/"},
		{"exercises/01_hello/lesson_gen_test.go", "package hello\n"},
		{"exercises/01_hello/lesson_gen_test.go", `Revisit: lesson 1, \"First steps\" (reactorlab lesson 1)`},
		{"exercises/README.md", "| 1 | `01_hello` — Hello | lesson 1, First steps | `cd exercises && go test ./01_hello/` |"},
		{"exercises/README.md", "More.\n"},
		{"lessons/exercises/catalog_gen.go", `Lesson: Lesson{Number: 1, Slug: "first-steps", Title: "First steps"}`},
		{"lessons/exercises/pristine/01_hello/hello.go.txt", "package hello // TODO: say hello\n"},
		{"lessons/exercises/pristine/01_hello/task.md", "Say hello.\n"},
	} {
		if got := get(t, outs, tc.path); !strings.Contains(got, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.path, tc.want, got)
		}
	}
	task := get(t, outs, "lessons/exercises/pristine/01_hello/task.md")
	if strings.Contains(task, "---") || strings.Contains(task, "<!--") || !strings.HasPrefix(task, "# 01 · Hello") {
		t.Errorf("task.md keeps front matter or markers, or lacks the heading:\n%s", task)
	}
}

// Generating again from generated files changes nothing.
func TestGenerateIsStable(t *testing.T) {
	root := checkout(t, nil)
	for range 2 {
		outs, err := generate(os.DirFS(root))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(root, outs); err != nil {
			t.Fatal(err)
		}
	}
	outs, _ := generate(os.DirFS(root))
	if differ := compare(os.DirFS(root), outs); len(differ) > 0 {
		t.Errorf("after two runs of gen, compare = %q; want nothing", differ)
	}
}

// A mistake in the facts stops go generate with a message saying where.
func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown lesson", map[string]string{"exercises/01_hello/README.md": "---\ntitle: Hello\nlesson: nope\nfiles: [hello.go]\n---\n"},
			`lesson "nope" is not a lesson; want one of first-steps`},
		{"listed file missing", map[string]string{"exercises/01_hello/README.md": "---\ntitle: Hello\nlesson: first-steps\nfiles: [hello.go, gone.go]\n---\n"},
			"lists gone.go in files, but there is no such file"},
		{"stub not listed", map[string]string{"exercises/01_hello/extra.go": "package hello\n"},
			"extra.go is not listed"},
		{"a gap in the numbers", map[string]string{"exercises/03_skip/README.md": "x"},
			"exercises/03_skip: want number 02 next"},
		{"no tests", map[string]string{"exercises/01_hello/hello_test.go": ""},
			"no tests"},
		{"lesson without a title line", map[string]string{"lessons/content/01-first-steps.md": "First steps\n"},
			"want the lesson's title"},
		{"index without the table markers", map[string]string{"exercises/README.md": "# Exercises\n"},
			"no generated exercise table block"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := generate(os.DirFS(checkout(t, tc.files)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("generate error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSetBlock(t *testing.T) {
	first := func([]byte) int { return 0 }
	doc := []byte("\nIntro.\n")
	once, err := setBlock(doc, "x", "one\n", first)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(once, []byte("\n<!-- BEGIN generated x")) || !bytes.HasSuffix(once, []byte("one\n<!-- END generated x -->\n\nIntro.\n")) {
		t.Errorf("inserted block:\n%s", once)
	}
	twice, _ := setBlock(once, "x", "two\n", first)
	if want := bytes.Replace(once, []byte("one\n"), []byte("two\n"), 1); !bytes.Equal(twice, want) {
		t.Errorf("replaced block:\n%s\nwant:\n%s", twice, want)
	}
	if _, err := setBlock(doc, "x", "one\n", nil); err == nil {
		t.Errorf("setBlock without the block and without a place succeeded; want an error")
	}
}
