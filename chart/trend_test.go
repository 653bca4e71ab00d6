package chart

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/ritualbot/ritualbot/rituals/digest"
)

func sampleTrend() digest.Trend {
	return digest.Trend{
		Title:         "Payments, Checkout",
		Labels:        []string{"9 Oct", "16 Oct", "23 Oct", "30 Oct", "6 Nov", "13 Nov", "20 Nov", "27 Nov"},
		Deploys:       []float64{4, 6, 5, 9, 0, 7, 11, 12},
		Incidents:     []float64{1, 0, 2, 0, 0, 1, 0, 3},
		Participation: []float64{math.NaN(), 80, 85, 90, math.NaN(), 70, 88, 93},
		HasIncidents:  true,
		HasStandups:   true,
	}
}

func TestTrendPNGIsAPictureOfEveryPanel(t *testing.T) {
	full, err := TrendPNG(sampleTrend())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(full))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() < 600 {
		t.Errorf("image is %dx%d, want 768 wide and three panels tall", b.Dx(), b.Dy())
	}
	if path := os.Getenv("RITUALBOT_CHART_OUT"); path != "" {
		_ = os.WriteFile(path, full, 0o644) // to look at it
	}

	// Without incidents and standups, only the deploys panel: shorter.
	tr := sampleTrend()
	tr.HasIncidents, tr.HasStandups = false, false
	small, err := TrendPNG(tr)
	if err != nil {
		t.Fatal(err)
	}
	simg, err := png.Decode(bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	if simg.Bounds().Dy() >= img.Bounds().Dy()/2 {
		t.Errorf("one panel is %d tall, three are %d: panels without a source should be left out", simg.Bounds().Dy(), img.Bounds().Dy())
	}
}

func TestTrendPNGWithNothingYet(t *testing.T) {
	tr := sampleTrend()
	tr.Deploys = make([]float64, 8)
	tr.Incidents = make([]float64, 8)
	for i := range tr.Participation {
		tr.Participation[i] = math.NaN()
	}
	if _, err := TrendPNG(tr); err != nil {
		t.Fatalf("an empty history should still draw: %v", err)
	}
	if _, err := TrendPNG(digest.Trend{}); err == nil {
		t.Error("no windows: want an error")
	}
}

// A digest with no deploy recorded in any window says so in the deploys
// panel instead of drawing empty axes, which read as a broken chart.
func TestTrendPanelsSayNoDeploysRecorded(t *testing.T) {
	tr := sampleTrend()
	tr.Deploys = []float64{0, 0, math.NaN(), 0, 0, 0, 0, 0}
	panels, err := trendPanels(tr)
	if err != nil {
		t.Fatal(err)
	}
	if p := panels[0]; p.note != "no deploys recorded" || p.bars != nil || len(p.yTicks) != 0 {
		t.Errorf("deploys panel with no deploys: %+v, want only the note", p)
	}
	if _, err := drawPNG(tr, panels); err != nil {
		t.Fatal(err)
	}
	if panels, _ := trendPanels(sampleTrend()); panels[0].note != "" || panels[0].bars == nil {
		t.Errorf("deploys panel with deploys: %+v", panels[0])
	}
}
