// Package chart draws the digest's trend chart as a PNG with gonum/plot:
// three panels over the same windows (deploys, incidents, standup
// participation), so a reader sees at a glance where things are heading.
// It imports rituals only, for the Trend it draws.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ritualbot/ritualbot/rituals"
)

// Size of the image: readable in Slack's preview, small to upload.
const (
	width  = 8 * vg.Inch
	height = 7 * vg.Inch
	dpi    = 96
)

// Colours: blue for delivery, red for incidents, green for people.
var (
	deployColour   = color.RGBA{R: 0x1d, G: 0x6f, B: 0xb8, A: 0xff}
	incidentColour = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	peopleColour   = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
)

// TrendPNG draws t. A panel whose source is missing (no incidents or no
// standups configured) is left out.
func TrendPNG(t rituals.Trend) ([]byte, error) {
	if len(t.Labels) == 0 || len(t.Deploys) != len(t.Labels) {
		return nil, fmt.Errorf("chart: %d labels for %d deploy values", len(t.Labels), len(t.Deploys))
	}
	var plots []*plot.Plot
	deploys, err := bars("Deploys to production", t.Labels, t.Deploys, deployColour)
	if err != nil {
		return nil, err
	}
	deploys.Title.Text = "Trends · " + t.Title + "\n\nDeploys to production"
	plots = append(plots, deploys)
	if t.HasIncidents {
		p, err := bars("Incidents", t.Labels, t.Incidents, incidentColour)
		if err != nil {
			return nil, err
		}
		plots = append(plots, p)
	}
	if t.HasStandups {
		p, err := participation(t.Labels, t.Participation)
		if err != nil {
			return nil, err
		}
		plots = append(plots, p)
	}
	rows := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		rows[i] = []*plot.Plot{p}
	}
	img := vgimg.NewWith(vgimg.UseWH(width, vg.Length(len(plots))*height/3+vg.Inch/2), vgimg.UseDPI(dpi))
	img.SetColor(color.White)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(12)}
	canvases := plot.Align(rows, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// bars is a panel of one count per window.
func bars(title string, labels []string, values []float64, c color.Color) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	vs := make(plotter.Values, len(values))
	top := 1.0
	for i, v := range values {
		if math.IsNaN(v) {
			v = 0
		}
		vs[i] = v
		top = math.Max(top, v)
	}
	b, err := plotter.NewBarChart(vs, vg.Points(28))
	if err != nil {
		return nil, fmt.Errorf("chart: %s: %w", title, err)
	}
	b.Color = c
	b.LineStyle.Width = 0
	p.Add(b, plotter.NewGrid())
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	p.Y.Min, p.Y.Max = 0, math.Ceil(top*1.15)
	p.Y.Tick.Marker = integerTicks{}
	return p, nil
}

// participation is the share of standups answered per window, a line
// broken where no standup was held.
func participation(labels []string, values []float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Standups answered (%)"
	p.Add(plotter.NewGrid())
	var run plotter.XYs
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		line, points, err := plotter.NewLinePoints(run)
		if err != nil {
			return fmt.Errorf("chart: participation: %w", err)
		}
		line.Color, points.Color = peopleColour, peopleColour
		line.Width = vg.Points(2)
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		run = nil
		return nil
	}
	for i, v := range values {
		if math.IsNaN(v) {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		run = append(run, plotter.XY{X: float64(i), Y: v})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	p.Y.Min, p.Y.Max = 0, 100
	return p, nil
}

// integerTicks marks whole numbers only: counts have no halves.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := math.Max(1, math.Ceil((max-min)/5))
	var out []plot.Tick
	for v := math.Ceil(min); v <= max; v += step {
		out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf("%d", int(v))})
	}
	return out
}
