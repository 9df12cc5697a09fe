package main

import (
	"errors"
	"strings"
	"testing"
)

func TestNeedFiles(t *testing.T) {
	tests := []struct {
		soft, hard uint64
		err        error
		want       string // "" = no error
	}{
		{1024, 1024, nil, ""},
		{64, 64, nil, ""},
		{8, 8, nil, "may open only 8 (ulimit -n); the hard limit is 8 too"},
		{8, 4096, nil, "run 'ulimit -n 1024'"},
		{0, 0, errors.New("getrlimit: no"), ""}, // cannot tell: let it try
	}
	for _, tc := range tests {
		e := &env{fileLimit: func() (uint64, uint64, error) { return tc.soft, tc.hard, tc.err }}
		err := e.needFiles(64)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("needFiles(64) with limit %d/%d = %v; want nil", tc.soft, tc.hard, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "at least 64")):
			t.Errorf("needFiles(64) with limit %d/%d = %v; want an error naming 64 and %q", tc.soft, tc.hard, err, tc.want)
		}
	}
}

// The check runs before the command: with a tiny limit a reactor command
// fails at once, a plain one runs.
func TestFileLimitCheckedFirst(t *testing.T) {
	e, out, errOut := testEnv()
	e.fileLimit = func() (uint64, uint64, error) { return 8, 8, nil }
	if code := exitCode(run(t.Context(), []string{"serve", "--headless", "--listen", "127.0.0.1:0"}, e), errOut); code != 1 ||
		!strings.Contains(errOut.String(), "serve: needs at least 64 open files") {
		t.Errorf("serve with a limit of 8: exit %d, stderr %q; want 1 and the limit named", code, errOut)
	}
	errOut.Reset()
	if code := exitCode(run(t.Context(), []string{"lessons"}, e), errOut); code != 0 || out.Len() == 0 {
		t.Errorf("lessons with a limit of 8: exit %d, stderr %q; want the list", code, errOut)
	}
}
