package lessons

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// WriteList numbers every lesson with its title, summary and how to open it.
func TestWriteList(t *testing.T) {
	var out bytes.Buffer
	if err := WriteList(&out); err != nil {
		t.Fatalf("WriteList = %v; want nil", err)
	}
	got := out.String()
	for _, l := range Lessons() {
		for _, want := range []string{
			strconv.Itoa(l.Number()) + ". " + l.Title(),
			l.Summary(),
			"reactorlab lesson " + l.Slug(),
		} {
			if !strings.Contains(got, want) {
				t.Errorf("WriteList output lacks %q:\n%s", want, got)
			}
		}
	}
}
