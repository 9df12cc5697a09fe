package exercises

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSnapshotChangesOnSave(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.go")
	os.WriteFile(p, []byte("a"), 0o644)
	before := snapshot(dir)
	os.WriteFile(p, []byte("ab"), 0o644)
	if after := snapshot(dir); after == before {
		t.Errorf("snapshot did not change after a save that changed the size")
	}
}

// Watch returns only once every grading run has ended, and a run that
// bubbletea starts after that is not admitted.
func TestInflight(t *testing.T) {
	f := newInflight()
	if !f.begin() {
		t.Fatal("begin on a fresh inflight = false; want true")
	}
	waited := make(chan struct{})
	go func() { f.stopAndWait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("stopAndWait returned while a run was in progress")
	default:
	}
	f.end()
	<-waited
	if f.begin() {
		t.Error("begin after stopAndWait = true; want false")
	}
}
