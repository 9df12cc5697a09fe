package exercises

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStateRoundTrip(t *testing.T) {
	root := tempCheckout(t)
	path := filepath.Join(t.TempDir(), "sub", "exercises.txt")
	st, err := LoadState(path, root)
	if err != nil || len(st.Done) != 0 || st.Current != "" {
		t.Fatalf("LoadState(missing) = %+v, %v; want empty state, nil", st, err)
	}
	if got := st.CurrentExercise().Name; got != All[0].Name {
		t.Errorf("fresh CurrentExercise = %q; want %q", got, All[0].Name)
	}
	st.Record(All[0], Result{Passed: true})
	st.Current = All[1].Name
	if err := st.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	back, err := LoadState(path, root)
	if err != nil || !back.Done[All[0].Name] || back.Current != All[1].Name || back.DoneCount() != 1 {
		t.Errorf("LoadState after Save = %+v, %v; want %s done, current %s", back, err, All[0].Name, All[1].Name)
	}
	back.Record(All[0], Result{Passed: false})
	back.Save(path)
	if again, _ := LoadState(path, root); again.Done[All[0].Name] {
		t.Errorf("after a failing grade was recorded, %s still counts as done", All[0].Name)
	}
}

// Progress belongs to its checkout: a fresh clone shows nothing done however
// far the learner got in another, and saving one keeps the other's.
func TestStateIsPerCheckout(t *testing.T) {
	old, fresh := tempCheckout(t), tempCheckout(t)
	path := filepath.Join(t.TempDir(), "exercises.txt")
	st, _ := LoadState(path, old)
	for _, ex := range All {
		st.Record(ex, Result{Passed: true})
	}
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	other, _ := LoadState(path, fresh)
	if n := other.DoneCount(); n != 0 {
		t.Errorf("a fresh checkout shows %d/%d done from another checkout's progress; want 0", n, len(All))
	}
	other.Current = All[2].Name
	if err := other.Save(path); err != nil {
		t.Fatal(err)
	}
	if back, _ := LoadState(path, old); back.DoneCount() != len(All) {
		t.Errorf("saving the fresh checkout's progress lost the old one's: %d/%d done; want all", back.DoneCount(), len(All))
	}
}

// An exercise whose files changed since it passed (reset, a re-clone in the
// same place, new tests) is not claimed as done until graded again.
func TestStateForgetsChangedFiles(t *testing.T) {
	root := tempCheckout(t)
	path := filepath.Join(t.TempDir(), "exercises.txt")
	ex := All[0]
	st, _ := LoadState(path, root)
	st.Record(ex, Result{Passed: true, Sum: Fingerprint(root, ex)})
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(ex.Dir(root), ex.Files[0])
	if err := os.WriteFile(file, []byte("package drain // started over\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if back, _ := LoadState(path, root); back.Done[ex.Name] {
		t.Errorf("%s still counts as done after its file changed", ex.Name)
	}
}

// The older format kept one progress for every checkout; it is not trusted
// for any of them.
func TestStateIgnoresTheOldGlobalFormat(t *testing.T) {
	root := tempCheckout(t)
	path := filepath.Join(t.TempDir(), "exercises.txt")
	old := "# reactorlab exercise progress\ncurrent 02_select_loop\ndone 01_drain\ndone 02_select_loop\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := LoadState(path, root)
	if err != nil || st.DoneCount() != 0 || st.Current != "" {
		t.Errorf("LoadState(old format) = %+v, %v; want a fresh start", st, err)
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
