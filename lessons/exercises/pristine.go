package exercises

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
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
