package home

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// The Home tab caps its lists of blockers and says how many more there are.
func TestHomeBlockersAreCapped(t *testing.T) {
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var blockers []rituals.Blocker
	for i := 0; i < maxHomeItems+2; i++ {
		blockers = append(blockers, rituals.Blocker{User: "U1", Text: "waiting", Opened: monday.Add(time.Duration(i) * time.Hour)})
	}
	if got := blockersText(blockers, monday.Add(48*time.Hour)); strings.Count(got, "• ") != maxHomeItems || !strings.HasSuffix(got, "\n… and 2 more") {
		t.Errorf("Home blockers:\n%s", got)
	}
}
