// Package calendar serves the on-call rotations as iCalendar feeds
// (RFC 5545) that people subscribe to from their calendar app: one event
// per shift, overrides included, for the next 12 weeks. The feed is built
// with github.com/arran4/golang-ical.
package calendar

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// Window is how far ahead a feed reaches.
const Window = 12 * 7 * 24 * time.Hour

// Feed renders a rotation's shifts as an iCalendar document: from the
// start of the shift under way at now to the one under way at now+Window.
func Feed(ctx context.Context, r *oncall.Rotation, now time.Time) (string, error) {
	// From the start of the shift under way, so today's event is whole.
	from := now
	if cur, ok, err := r.At(now); err != nil {
		return "", err
	} else if ok {
		from = cur.HandoffStart
	}
	shifts, err := r.Shifts(from, now.Add(Window))
	if err != nil {
		return "", err
	}
	cal := ics.NewCalendarFor("ritualbot")
	cal.SetMethod(ics.MethodPublish)
	name := fmt.Sprintf("%s on call", r.TeamName())
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRCalDesc(fmt.Sprintf("Shifts of the %s rotation (%s), kept by ritualbot", r.TeamName(), r.Name()))
	cal.SetXWRTimezone(r.Config.Schedule.Location.String())
	// Calendar apps poll; an hour keeps overrides reasonably fresh.
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	names := map[string]string{}
	nameOf := func(u string) string {
		if _, ok := names[u]; !ok {
			names[u] = r.DisplayName(ctx, u)
		}
		return names[u]
	}
	for _, s := range shifts {
		e := cal.AddEvent(EventUID(s))
		e.SetDtStampTime(now)
		e.SetStartAt(s.Start)
		e.SetEndAt(s.End)
		e.SetSummary(fmt.Sprintf("On call: %s (%s)", nameOf(s.Primary), r.TeamName()))
		var desc []string
		desc = append(desc, "Primary: "+nameOf(s.Primary))
		if s.Secondary != "" {
			desc = append(desc, "Secondary: "+nameOf(s.Secondary))
		}
		if s.Exec != "" {
			desc = append(desc, "Exec on call: "+nameOf(s.Exec))
		}
		if s.Override != nil {
			desc = append(desc, "Override, covering "+nameOf(s.Scheduled))
		}
		e.SetDescription(strings.Join(desc, "\n"))
		e.SetTimeTransparency(ics.TransparencyTransparent)
		e.SetProperty(ics.ComponentProperty("X-RITUALBOT-USER"), s.Primary)
	}
	return cal.Serialize(), nil
}

// EventUID identifies a shift across feed refreshes: the same shift keeps
// its UID, a changed one (an override) gets a new one.
func EventUID(s oncall.Shift) string {
	return fmt.Sprintf("%s-%d-%s@ritualbot", s.Ritual, s.Start.Unix(), s.Primary)
}

// Handler serves GET /oncall/{file} with file = RITUAL.ics.
func Handler(rotations *oncall.Rotations, clock rituals.Clock, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		file := req.PathValue("file")
		name, ok := strings.CutSuffix(file, ".ics")
		r := rotations.ByName(name)
		if !ok || r == nil {
			http.Error(w, "no on-call rotation "+file+"; feeds are /oncall/RITUAL.ics", http.StatusNotFound)
			return
		}
		body, err := Feed(req.Context(), r, clock.Now())
		if err != nil {
			log.Error().Err(err).Str("ritual", name).Msg("render calendar feed")
			http.Error(w, "could not read the rotation", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", file))
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(body))
	})
}
