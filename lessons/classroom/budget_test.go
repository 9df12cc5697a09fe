package classroom

import (
	"strings"
	"testing"
)

func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       Budget
		clients int
		need    uint64
		err     string // "" = fine
	}{
		{"default share", Budget{FileLimit: 1 << 20, SessionFiles: DefaultSessionFiles, MaxStudents: 30}, 632, 80 + 32*1280, ""},
		{"exactly fits", Budget{FileLimit: 80 + 4*100, SessionFiles: 100, MaxStudents: 2}, 42, 480, ""},
		{"one short", Budget{FileLimit: 80 + 4*100 - 1, SessionFiles: 100, MaxStudents: 2}, 42, 480, "allow at most 1 students"},
		{"unknown limit", Budget{SessionFiles: 100, MaxStudents: 500}, 42, 80 + 502*100, ""},
		{"share too small", Budget{SessionFiles: 20, MaxStudents: 1}, 2, 80 + 3*20, "at least 32 open files"},
		{"no seats", Budget{SessionFiles: 64, MaxStudents: 0}, 24, 80 + 2*64, "at least one student seat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.Clients(); got != tc.clients {
				t.Errorf("Clients() = %d; want %d", got, tc.clients)
			}
			if got := tc.b.Need(); got != tc.need {
				t.Errorf("Need() = %d; want %d", got, tc.need)
			}
			err := tc.b.Check()
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Check() = %v; want nil", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Check() = %v; want an error containing %q", err, tc.err)
			}
		})
	}
}

func TestMaxStudentsFor(t *testing.T) {
	for _, tc := range []struct {
		limit uint64
		share int
		want  int
	}{
		{20000, 1280, 13},    // (20000-80)/1280 = 15 seats, 2 for teachers
		{1 << 20, 1280, 817}, // a common hard limit
		{1024, 1280, 0},      // not one lab at the default share
		{1024, 64, 12},       // (1024-80)/64 = 14 seats
		{50, 64, 0},          // less than the server's own reserve
		{1000, 0, 0},
	} {
		if got := MaxStudentsFor(tc.limit, tc.share); got != tc.want {
			t.Errorf("MaxStudentsFor(%d, %d) = %d; want %d", tc.limit, tc.share, got, tc.want)
		}
		if n := MaxStudentsFor(tc.limit, tc.share); n > 0 {
			if err := (Budget{FileLimit: tc.limit, SessionFiles: tc.share, MaxStudents: n}).Check(); err != nil {
				t.Errorf("the default for limit %d share %d does not pass Check: %v", tc.limit, tc.share, err)
			}
		}
	}
}
