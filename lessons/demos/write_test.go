package demos

import (
	"bytes"
	"strings"
	"testing"
)

// The list names every embedded demo, how to play one and how to write
// one; a demo that cannot play here is listed with the reason.
func TestWriteList(t *testing.T) {
	var b bytes.Buffer
	if err := WriteList(&b); err != nil {
		t.Fatal(err)
	}
	es, err := entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if !strings.Contains(b.String(), e.name) {
			t.Errorf("WriteList does not list %s:\n%s", e.name, b.String())
		}
		if why := pending[e.name]; why == "" && strings.Contains(b.String(), e.file+":") {
			t.Errorf("WriteList says %s cannot play:\n%s", e.name, b.String())
		}
	}
	for _, want := range []string{"1. one-process", "6 steps · scenario: lesson one-process-many-connections",
		"'reactorlab demo N'", "docs/DEMO_FORMAT.md", "--check"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteList lacks %q:\n%s", want, b.String())
		}
	}
}

// The outline shows every step with its line, panes, hold, and every op
// with its line, a wait with the time it gives up after.
func TestWriteOutline(t *testing.T) {
	d, err := Parse("mine.demo", "title Mine\nlesson 1\ncaption First.\npanes loop\nhold 3s\nadd-idle 20\nwait clients 23 within 20s\nwait stall\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteOutline(&b, d); err != nil {
		t.Fatal(err)
	}
	want := `mine.demo: Mine — 1 step, all checked

1. First.
   line 3 · panes loop · hold 3s
   line 6: add-idle 20
   line 7: wait clients 23 (gives up after 20s)
   line 8: wait stall (gives up after 15s)
`
	if b.String() != want {
		t.Errorf("WriteOutline:\n%s\nwant:\n%s", b.String(), want)
	}
}
