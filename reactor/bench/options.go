package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reactorlab/reactorlab/reactor"
)

// checkCommon checks what both experiments take: at least one N, every N
// positive, and backends this system has (nil becomes all of them).
func checkCommon(ns []int, backends *[]string) error {
	if len(ns) == 0 {
		return fmt.Errorf("bench: no N to measure")
	}
	for _, n := range ns {
		if n < 1 {
			return fmt.Errorf("bench: N %d; want at least 1", n)
		}
	}
	avail := reactor.BackendNames()
	if len(*backends) == 0 {
		*backends = avail
	}
	for _, b := range *backends {
		if !slices.Contains(avail, b) {
			return fmt.Errorf("bench: backend %q is not available here; want some of %s", b, strings.Join(avail, ","))
		}
	}
	return nil
}
