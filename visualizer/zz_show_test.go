package visualizer

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestZZShowProse(t *testing.T) {
	b, _ := os.ReadFile(os.Getenv("MDFILE"))
	pages := strings.Split(string(b), "\n## ")
	for i, p := range pages[1:] {
		if os.Getenv("PAGE") != "" && os.Getenv("PAGE") != fmt.Sprint(i+1) {
			continue
		}
		fmt.Println(ansi.Strip(renderProse("## "+p, 35, true)))
		fmt.Println("-----")
	}
}
