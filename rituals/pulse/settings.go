package pulse

import (
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Question is one question of a pulse: a score from 1 to Scale, or free
// text.
type Question struct {
	ID       string
	Text     string
	Scale    int // 2 to 10; 0 for a free-text question
	FreeText bool
}

// Settings are what a pulse ritual is configured with.
type Settings struct {
	Questions []Question
	// CloseAfter is how long a round stays open after its occurrence.
	CloseAfter time.Duration
	// MinResponses is the fewest answers whose results are shown.
	MinResponses int
}

// Defaults and bounds of the settings.
const (
	DefaultCloseAfter   = 48 * time.Hour
	DefaultMinResponses = 3
	MinScale, MaxScale  = 2, 10
	// TrendRounds is how many published rounds a trend spans.
	TrendRounds = 6
	// maxFreeText bounds a free-text answer.
	maxFreeText = 1000
)

// SettingsOf returns rc's pulse settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
