package main

import (
	"encoding/json"
	"io"
)

// writeJSON prints a command's report for scripts: indented JSON, one
// document. load --json and bench --json use it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
