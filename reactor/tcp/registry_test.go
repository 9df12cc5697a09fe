package tcp

import "testing"

func TestNewFactory(t *testing.T) {
	for _, name := range Protocols() {
		if f, err := NewFactory(name, ProtocolOptions{}); err != nil || f == nil {
			t.Errorf("NewFactory(%q) = %v, %v; want a factory", name, f, err)
		}
	}
	if _, err := NewFactory("gopher", ProtocolOptions{}); err == nil {
		t.Errorf("NewFactory(gopher) = nil error; want unknown protocol")
	}
}
