package exercises

import (
	"context"
	"errors"
)

// watch is filled in by watch mode; see watchui.go.
func (r *runner) watch(ctx context.Context, args []string) error {
	return errors.New("watch mode is not available yet")
}
