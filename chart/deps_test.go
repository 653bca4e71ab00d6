package chart

import (
	"os/exec"
	"strings"
	"testing"

	"gonum.org/v1/plot/font"
)

// gonum.org/v1/plot parses all twelve Liberation fonts into
// font.DefaultCache at init, megabytes of RSS for every ritualbot process.
// The chart keeps its own cache, so the default one stays empty unless
// something imported that package.
func TestDefaultFontCacheStaysEmpty(t *testing.T) {
	if _, err := TrendPNG(sampleTrend()); err != nil {
		t.Fatal(err)
	}
	// An empty cache finds nothing; a filled one falls back to its first
	// typeface, so any variant it has is found.
	for _, variant := range []font.Variant{"Serif", "Sans", "Mono"} {
		if face := font.DefaultCache.Lookup(font.Font{Variant: variant}, 12); face.Face != nil {
			t.Fatalf("font.DefaultCache holds %s: something imports gonum.org/v1/plot, which parses every Liberation font at init", face.Name())
		}
	}
}

// The same for the whole binary: neither the chart nor anything else in
// cmd/ritualbot may bring in gonum.org/v1/plot or its plotter (which
// imports it).
func TestRitualbotDoesNotImportPlot(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to list the dependencies with")
	}
	out, err := exec.Command(goTool, "list", "-deps",
		"github.com/ritualbot/ritualbot/chart", "github.com/ritualbot/ritualbot/cmd/ritualbot").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "gonum.org/v1/plot", "gonum.org/v1/plot/plotter", "gonum.org/v1/plot/font/liberation":
			t.Errorf("ritualbot depends on %s: gonum.org/v1/plot parses every Liberation font at start-up", pkg)
		}
	}
}
