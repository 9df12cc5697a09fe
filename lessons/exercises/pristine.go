package exercises

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:generate go run ./gen

// pristineFS holds the shipped stubs as pristine/NN_topic/FILE.go.txt.
//
//go:embed pristine
var pristineFS embed.FS

// Pristine returns the shipped content of one stub file of an exercise.
func Pristine(ex Exercise, file string) ([]byte, error) {
	b, err := pristineFS.ReadFile("pristine/" + ex.Name + "/" + file + ".txt")
	if err != nil {
		return nil, fmt.Errorf("no shipped copy of %s/%s in this binary: %w", ex.Name, file, err)
	}
	return b, nil
}

// PristineStubs returns every shipped stub of the exercise directory name
// (e.g. "01_drain"), keyed by file name ("drain.go"). It reads the embedded
// copy directly, not the catalog, so the honesty check in solutions/ grades
// exactly what reset restores, whatever a learner did to the working copy.
func PristineStubs(name string) (map[string][]byte, error) {
	entries, err := fs.ReadDir(pristineFS, "pristine/"+name)
	if err != nil {
		return nil, fmt.Errorf("no shipped stubs for %s in this binary (run go generate ./lessons/exercises/): %w", name, err)
	}
	stubs := make(map[string][]byte)
	for _, e := range entries {
		file, ok := strings.CutSuffix(e.Name(), ".txt")
		if e.IsDir() || !ok {
			continue
		}
		b, err := pristineFS.ReadFile("pristine/" + name + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		stubs[file] = b
	}
	if len(stubs) == 0 {
		return nil, fmt.Errorf("no shipped stubs for %s in this binary (run go generate ./lessons/exercises/)", name)
	}
	return stubs, nil
}

// Reset overwrites an exercise's stub files in the checkout at root with
// their shipped versions. Tests, README and hints are left alone.
func Reset(root string, ex Exercise) error {
	for _, f := range ex.Files {
		b, err := Pristine(ex, f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, "exercises", ex.Name, f), b, 0o644); err != nil {
			return fmt.Errorf("reset %s: %w", ex.Name, err)
		}
	}
	return nil
}
