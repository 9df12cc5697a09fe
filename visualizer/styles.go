package visualizer

import "charm.land/lipgloss/v2"

// Styles. Colour only ever reinforces text or glyphs that already carry
// the meaning, so NO_COLOR (bubbletea downsamples) loses nothing.
var (
	styleTitle  = lipgloss.NewStyle().Bold(true)
	styleHeader = lipgloss.NewStyle().Bold(true)
	styleError  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9"))
	styleWarn   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11"))
	styleCursor = lipgloss.NewStyle().Bold(true).Reverse(true)
)
