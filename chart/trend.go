// Package chart draws the digest's trend chart as a PNG: up to three
// panels over the same windows (deploys, incidents, standup
// participation), so a reader sees at a glance where things are heading.
//
// It draws with gonum/plot's vector layer (vg, vg/draw, vg/vgimg) and not
// with gonum.org/v1/plot itself: that package parses all twelve Liberation
// fonts in an init function, a cost of several megabytes of RSS for every
// ritualbot process, even one that never draws a chart. Here only the two
// faces the chart uses are parsed, on the first chart drawn.
// It imports rituals only, for the Trend it draws.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Size of the image: readable in Slack's preview, small to upload. Each
// panel is a third of seven inches tall; the chart's title takes the extra
// half inch.
const (
	width       = 8 * vg.Inch
	panelHeight = 7 * vg.Inch / 3
	titleBand   = vg.Inch / 2
	dpi         = 96
)

// Spacing, in points.
var (
	padTop, padBottom = vg.Points(6), vg.Points(6)
	padLeft, padRight = vg.Points(6), vg.Points(12)
	panelGap          = vg.Points(12) // between one panel's labels and the next panel's title
	titleGap          = vg.Points(6)  // below a panel's title
	chartTitleGap     = vg.Points(10) // below the chart's title, to set it apart from the first panel's
	tickLength        = vg.Points(4)
	tickGap           = vg.Points(3) // between a tick and its label
	barWidth          = vg.Points(28)
	labelSpacing      = vg.Points(6) // at least this between two X labels
)

// Colours: blue for delivery, red for incidents, green for people; grey
// for the scaffolding, light enough not to compete with the data.
var (
	deployColour   = color.RGBA{R: 0x1d, G: 0x6f, B: 0xb8, A: 0xff}
	incidentColour = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	peopleColour   = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	gridColour     = color.Gray{Y: 0xd8}
	axisColour     = color.Gray{Y: 0x40}
	textColour     = color.Gray{Y: 0x20}
)

// The faces the chart uses, under one typeface name in a cache of their
// own (font.DefaultCache stays empty).
var (
	sans        = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold    = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	fontsOnce   sync.Once
	fonts       *font.Cache
	fontsFailed error
)

// loadFonts parses the two faces once, when the first chart is drawn.
func loadFonts() (*font.Cache, error) {
	fontsOnce.Do(func() {
		var coll font.Collection
		for _, f := range []struct {
			font font.Font
			ttf  []byte
		}{{sans, liberationsansregular.TTF}, {sansBold, liberationsansbold.TTF}} {
			parsed, err := opentype.Parse(f.ttf)
			if err != nil {
				fontsFailed = fmt.Errorf("chart: parse font %s: %w", f.font.Name(), err)
				return
			}
			coll = append(coll, font.Face{Font: f.font, Face: parsed})
		}
		fonts = font.NewCache(coll)
	})
	return fonts, fontsFailed
}

// styles are the chart's text styles, all on one font cache.
type styles struct {
	title, panelTitle, tick text.Style
}

func newStyles(cache *font.Cache) styles {
	plain := text.Plain{Fonts: cache}
	style := func(f font.Font, size vg.Length) text.Style {
		return text.Style{Color: textColour, Font: font.From(f, size), Handler: plain}
	}
	return styles{
		title:      style(sansBold, vg.Points(13)),
		panelTitle: style(sansBold, vg.Points(11)),
		tick:       style(sans, vg.Points(10)),
	}
}

// tick is a labelled value on an axis.
type tick struct {
	value float64
	label string
}

// panel is one chart over the windows: bars or a line, on its own Y scale.
type panel struct {
	title      string
	yMax       float64
	yTicks     []tick
	bars       []float64 // one per window, or nil
	barColour  color.Color
	line       []float64 // one per window, NaN where there is no value; or nil
	lineColour color.Color
	// note, if set, is all the panel says: an empty chart reads as a
	// broken one.
	note string
}

// TrendPNG draws t. A panel whose source is missing (no incidents or no
// standups configured) is left out; with no deploy in any window the
// deploys panel says "no deploys recorded" instead of drawing empty axes.
func TrendPNG(t digest.Trend) ([]byte, error) {
	panels, err := trendPanels(t)
	if err != nil {
		return nil, err
	}
	return drawPNG(t, panels)
}

// trendPanels are the panels TrendPNG draws for t, top to bottom.
func trendPanels(t digest.Trend) ([]panel, error) {
	if len(t.Labels) == 0 || len(t.Deploys) != len(t.Labels) {
		return nil, fmt.Errorf("chart: %d labels for %d deploy values", len(t.Labels), len(t.Deploys))
	}
	deploys, err := barPanel("Deploys to production", t.Deploys, deployColour)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(deploys.bars, func(v float64) bool { return v > 0 }) {
		deploys = panel{title: deploys.title, note: "no deploys recorded"}
	}
	panels := []panel{deploys}
	if t.HasIncidents {
		p, err := barPanel("Incidents", t.Incidents, incidentColour)
		if err != nil {
			return nil, err
		}
		panels = append(panels, p)
	}
	if t.HasStandups {
		p, err := participationPanel(t.Participation)
		if err != nil {
			return nil, err
		}
		panels = append(panels, p)
	}
	return panels, nil
}

// drawPNG draws the panels one below the other under t's title.
func drawPNG(t digest.Trend, panels []panel) ([]byte, error) {
	cache, err := loadFonts()
	if err != nil {
		return nil, err
	}

	img := vgimg.NewWith(vgimg.UseWH(width, vg.Length(len(panels))*panelHeight+titleBand),
		vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	c := draw.New(img)
	st := newStyles(cache)
	area := vg.Rectangle{
		Min: vg.Point{X: c.Min.X + padLeft, Y: c.Min.Y + padBottom},
		Max: vg.Point{X: c.Max.X - padRight, Y: c.Max.Y - padTop},
	}
	st.title.XAlign, st.title.YAlign = draw.XCenter, draw.YTop
	c.FillText(st.title, vg.Point{X: (area.Min.X + area.Max.X) / 2, Y: area.Max.Y}, "Trends · "+t.Title)
	area.Max.Y -= st.title.Height(t.Title) + chartTitleGap

	// Every panel's plotting area starts at the same X, right of the widest
	// Y label of any panel, so the windows line up from panel to panel.
	var yLabelWidth vg.Length
	for _, p := range panels {
		for _, tk := range p.yTicks {
			yLabelWidth = max(yLabelWidth, st.tick.Width(tk.label))
		}
	}
	left := area.Min.X + yLabelWidth + tickGap + tickLength

	each := (area.Max.Y - area.Min.Y - vg.Length(len(panels)-1)*panelGap) / vg.Length(len(panels))
	for i, p := range panels {
		top := area.Max.Y - vg.Length(i)*(each+panelGap)
		p.draw(&c, st, t.Labels, vg.Rectangle{
			Min: vg.Point{X: left, Y: top - each},
			Max: vg.Point{X: area.Max.X, Y: top},
		})
	}

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// barPanel is a panel of one count per window. A NaN count is drawn as
// none.
func barPanel(title string, values []float64, c color.Color) (panel, error) {
	bars := make([]float64, len(values))
	top := 1.0 // an axis up to 1 even when nothing happened
	for i, v := range values {
		switch {
		case math.IsNaN(v):
			v = 0
		case math.IsInf(v, 0):
			return panel{}, fmt.Errorf("chart: %s: value %d is infinite", title, i)
		}
		bars[i] = v
		top = math.Max(top, v)
	}
	yMax := math.Ceil(top * 1.15) // headroom above the tallest bar
	return panel{title: title, yMax: yMax, yTicks: integerTicks(0, yMax), bars: bars, barColour: c}, nil
}

// participationPanel is the share of standups answered per window, a line
// broken where no standup was held (NaN).
func participationPanel(values []float64) (panel, error) {
	line := make([]float64, len(values))
	for i, v := range values {
		if math.IsInf(v, 0) {
			return panel{}, fmt.Errorf("chart: participation: value %d is infinite", i)
		}
		line[i] = math.Min(100, math.Max(0, v)) // a share; NaN stays NaN
	}
	var ticks []tick
	for v := 0; v <= 100; v += 25 {
		ticks = append(ticks, tick{value: float64(v), label: strconv.Itoa(v)})
	}
	return panel{title: "Standups answered (%)", yMax: 100, yTicks: ticks, line: line, lineColour: peopleColour}, nil
}

// integerTicks marks whole numbers only, about five of them: counts have
// no halves.
func integerTicks(min, max float64) []tick {
	step := math.Max(1, math.Ceil((max-min)/5))
	var out []tick
	for v := math.Ceil(min); v <= max; v += step {
		out = append(out, tick{value: v, label: strconv.Itoa(int(v))})
	}
	return out
}

// draw draws p into r: its title above, Y labels to the left of r, the
// window labels below. r is the whole panel; the plotting area is what
// the title and the window labels leave of it.
func (p panel) draw(c *draw.Canvas, st styles, labels []string, r vg.Rectangle) {
	titleStyle := st.panelTitle
	titleStyle.XAlign, titleStyle.YAlign = draw.XCenter, draw.YTop
	c.FillText(titleStyle, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Max.Y}, p.title)
	if p.note != "" {
		noteStyle := st.tick
		noteStyle.XAlign, noteStyle.YAlign = draw.XCenter, draw.YCenter
		c.FillText(noteStyle, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}, p.note)
		return
	}

	plotArea := r
	plotArea.Max.Y -= titleStyle.Height(p.title) + titleGap
	plotArea.Min.Y += tickLength + tickGap + st.tick.Height("0")
	slot := (plotArea.Max.X - plotArea.Min.X) / vg.Length(len(labels))
	x := func(i int) vg.Length { return plotArea.Min.X + (vg.Length(i)+0.5)*slot }
	y := func(v float64) vg.Length {
		return plotArea.Min.Y + vg.Length(v/p.yMax)*(plotArea.Max.Y-plotArea.Min.Y)
	}

	grid := draw.LineStyle{Color: gridColour, Width: vg.Points(0.5)}
	for _, tk := range p.yTicks {
		c.StrokeLine2(grid, plotArea.Min.X, y(tk.value), plotArea.Max.X, y(tk.value))
	}
	for i := range labels {
		c.StrokeLine2(grid, x(i), plotArea.Min.Y, x(i), plotArea.Max.Y)
	}

	if p.bars != nil {
		half := min(barWidth, slot*0.7) / 2
		for i, v := range p.bars[:min(len(p.bars), len(labels))] {
			if v <= 0 {
				continue
			}
			c.FillPolygon(p.barColour, []vg.Point{
				{X: x(i) - half, Y: y(0)}, {X: x(i) + half, Y: y(0)},
				{X: x(i) + half, Y: y(v)}, {X: x(i) - half, Y: y(v)},
			})
		}
	}
	if p.line != nil {
		var runs [][]vg.Point
		var run []vg.Point
		for i, v := range p.line[:min(len(p.line), len(labels))] {
			if math.IsNaN(v) {
				if run != nil {
					runs, run = append(runs, run), nil
				}
				continue
			}
			run = append(run, vg.Point{X: x(i), Y: y(v)})
		}
		if run != nil {
			runs = append(runs, run)
		}
		c.StrokeLines(draw.LineStyle{Color: p.lineColour, Width: vg.Points(2)}, runs...)
		dot := draw.GlyphStyle{Color: p.lineColour, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		for _, run := range runs {
			for _, pt := range run {
				c.DrawGlyphNoClip(dot, pt)
			}
		}
	}

	// Axes over the data, so a bar's foot does not hide the baseline.
	axis := draw.LineStyle{Color: axisColour, Width: vg.Points(0.75)}
	c.StrokeLine2(axis, plotArea.Min.X, plotArea.Min.Y, plotArea.Min.X, plotArea.Max.Y)
	c.StrokeLine2(axis, plotArea.Min.X, plotArea.Min.Y, plotArea.Max.X, plotArea.Min.Y)

	yLabel := st.tick
	yLabel.XAlign, yLabel.YAlign = draw.XRight, draw.YCenter
	for _, tk := range p.yTicks {
		c.StrokeLine2(axis, plotArea.Min.X-tickLength, y(tk.value), plotArea.Min.X, y(tk.value))
		c.FillText(yLabel, vg.Point{X: plotArea.Min.X - tickLength - tickGap, Y: y(tk.value)}, tk.label)
	}

	// Label every window if the labels fit side by side, else every
	// second, third...: always the latest window, which the digest is about.
	xLabel := st.tick
	xLabel.XAlign, xLabel.YAlign = draw.XCenter, draw.YTop
	var widest vg.Length
	for _, l := range labels {
		widest = max(widest, xLabel.Width(l))
	}
	every := max(1, int(math.Ceil(float64((widest+labelSpacing)/slot))))
	for i, l := range labels {
		c.StrokeLine2(axis, x(i), plotArea.Min.Y, x(i), plotArea.Min.Y-tickLength)
		if (len(labels)-1-i)%every == 0 {
			c.FillText(xLabel, vg.Point{X: x(i), Y: plotArea.Min.Y - tickLength - tickGap}, l)
		}
	}
}
