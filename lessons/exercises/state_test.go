package exercises

import (
	"path/filepath"
	"testing"
)

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "exercises.txt")
	st, err := LoadState(path)
	if err != nil || len(st.Done) != 0 || st.Current != "" {
		t.Fatalf("LoadState(missing) = %+v, %v; want empty state, nil", st, err)
	}
	if got := st.CurrentExercise().Name; got != All[0].Name {
		t.Errorf("fresh CurrentExercise = %q; want %q", got, All[0].Name)
	}
	st.Done[All[0].Name] = true
	st.Current = All[1].Name
	if err := st.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	back, err := LoadState(path)
	if err != nil || !back.Done[All[0].Name] || back.Current != All[1].Name || back.DoneCount() != 1 {
		t.Errorf("LoadState after Save = %+v, %v; want %s done, current %s", back, err, All[0].Name, All[1].Name)
	}
}

func TestStatePath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if got, _ := StatePath(); got != "/x/state/reactorlab/exercises.txt" {
		t.Errorf("StatePath with XDG_STATE_HOME = %q; want /x/state/reactorlab/exercises.txt", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/learner")
	if got, _ := StatePath(); got != "/home/learner/.local/state/reactorlab/exercises.txt" {
		t.Errorf("StatePath fallback = %q; want /home/learner/.local/state/reactorlab/exercises.txt", got)
	}
}

func TestProgressBar(t *testing.T) {
	tests := []struct {
		done, total, width int
		want               string
	}{
		{0, 3, 6, "[------] 0/3 done"},
		{1, 3, 6, "[##----] 1/3 done"},
		{3, 3, 6, "[######] 3/3 done"},
	}
	for _, tc := range tests {
		if got := ProgressBar(tc.done, tc.total, tc.width); got != tc.want {
			t.Errorf("ProgressBar(%d, %d, %d) = %q; want %q", tc.done, tc.total, tc.width, got, tc.want)
		}
	}
}
