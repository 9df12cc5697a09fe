package main

import (
	"strings"
	"testing"
)

func TestLesson(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"lesson"}, 2, "lesson: wants one lesson number or name, got nothing"},
		{[]string{"lesson", "1", "2"}, 2, `got "1 2"`},
		{[]string{"lesson", "nope"}, 2, `no lesson "nope"; valid lessons: 1 (one-process-many-connections), 2 (select-and-the-1024-wall)`},
		{[]string{"lesson", "99"}, 2, "valid lessons"},
		{[]string{"lesson", "-1"}, 2, `no lesson "-1"`},
		{[]string{"lesson", "--x"}, 2, "lesson: unknown flag --x"},
		{[]string{"lesson", "2"}, 1, "reactorlab: lesson: needs a terminal and stdout is not one; run 'reactorlab lessons'"},
		{[]string{"lesson", "select-and-the-1024-wall"}, 1, "needs a terminal"},
	}
	for _, tc := range tests {
		_, errOut, code := runArgs(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("reactorlab %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
	}
}
