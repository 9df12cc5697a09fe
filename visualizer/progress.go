package visualizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// progress remembers which lessons the learner has opened ("visited"),
// in memory and, unless disabled, in a small file under
// $XDG_STATE_HOME/reactorlab (default ~/.local/state/reactorlab).
type progress struct {
	path    string // "" = memory only
	visited map[string]bool
	seq     int // UI goroutine: bumped by every change visit returns

	// Saves run in Cmds, which bubbletea runs concurrently: saveMu keeps
	// two from sharing the temp file, and saved keeps an older list from
	// overwriting a newer one.
	saveMu sync.Mutex
	saved  int // seq of the list on disk
}

// progressPath resolves where progress lives for cfg ("" = memory only).
func progressPath(cfg *config) string {
	if cfg.noState {
		return ""
	}
	if cfg.stateDir != "" {
		return filepath.Join(cfg.stateDir, "progress")
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "reactorlab", "progress")
}

// loadProgress reads the file (one slug per line); a missing or unreadable
// file just means nothing visited yet.
func loadProgress(path string) *progress {
	p := &progress{path: path, visited: map[string]bool{}}
	if path == "" {
		return p
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p
	}
	for _, line := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			p.visited[s] = true
		}
	}
	return p
}

// visit marks slug visited and returns the file contents to save (nil when
// nothing changed or there is no file).
func (p *progress) visit(slug string) []byte {
	if p.visited[slug] {
		return nil
	}
	p.visited[slug] = true
	if p.path == "" {
		return nil
	}
	p.seq++
	slugs := make([]string, 0, len(p.visited))
	for s := range p.visited {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	return []byte(strings.Join(slugs, "\n") + "\n")
}

// save writes data, the list as of change seq, unless a newer list is on
// disk already. Safe from any goroutine.
func (p *progress) save(seq int, data []byte) error {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	if seq <= p.saved {
		return nil
	}
	if err := saveProgress(p.path, data); err != nil {
		return err
	}
	p.saved = seq
	return nil
}

// saveProgress writes data atomically enough for a progress file. Errors are
// returned so the screen can mention them; progress is never essential.
func saveProgress(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
