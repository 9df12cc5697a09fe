package syscount

import "testing"

func TestCountsSub(t *testing.T) {
	before := Counts{{Name: "read", Calls: 10, EAGAIN: 2}, {Name: "write", Calls: 5}}
	after := Counts{{Name: "read", Calls: 14, EAGAIN: 3}, {Name: "write", Calls: 5}, {Name: "futex", Calls: 6}}
	got := after.Sub(before)
	want := "futex 6, read 4 (EAGAIN 1)"
	if got.String() != want {
		t.Errorf("Sub = %q; want %q (unchanged calls left out, most first)", got, want)
	}
	if got.Total() != 10 {
		t.Errorf("Total() = %d; want 10", got.Total())
	}
	if s := got.Get("write"); s.Calls != 0 || s.Name != "write" {
		t.Errorf("Get(write) = %+v; want a zero stat named write", s)
	}
}
