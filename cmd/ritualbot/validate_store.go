package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/store"
)

// storedNotes are what `ritualbot validate` shows under each ritual of
// what the store adds to the config: each rotation's members added from
// Slack. It reads the store when there is one (the stopped store's file,
// read-only, or a snapshot from the running bot); nil when there is none,
// as where a config is checked before it is deployed.
func storedNotes(ctx context.Context, l *config.Loaded) (map[string][]string, error) {
	var rotations []*rituals.RitualConfig
	for _, rc := range l.Config.Rituals {
		if oncall.SettingsOf(rc) != nil {
			rotations = append(rotations, rc)
		}
	}
	path := l.Config.Store.Path
	if len(rotations) == 0 || path == "" {
		return nil, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	notes := map[string][]string{}
	read := func(db *store.DB) error {
		for _, rc := range rotations {
			adds, err := db.Additions(rc.Name)
			if err != nil {
				return err
			}
			notes[rc.Name] = additionNotes(rc, adds)
		}
		return nil
	}
	err := withStore(path, read)
	if store.IsLocked(err) {
		err = readStore(ctx, l, read)
	}
	if err != nil {
		return nil, fmt.Errorf("read the rotations' stored additions from %s: %w", path, err)
	}
	return notes, nil
}

// additionNotes describes a rotation's stored additions: whom the config
// lists already are the config's (the bot drops their additions at start);
// those taken out say until when they take shifts.
func additionNotes(rc *rituals.RitualConfig, adds []oncall.Addition) []string {
	listed := oncall.SettingsOf(rc).Rotation
	// A member added again has their earlier additions in their record.
	var all []oncall.Addition
	for _, a := range adds {
		all = append(append(all, a.Earlier...), a)
	}
	adds = all
	slices.SortStableFunc(adds, func(a, b oncall.Addition) int { return a.Added.Compare(b.Added) })
	loc := rc.Schedule.Location
	var lines, members []string
	for _, a := range adds {
		if slices.Contains(listed, a.User) {
			continue
		}
		if a.Until.IsZero() {
			members = append(members, a.User)
			lines = append(lines, fmt.Sprintf("stored addition: %s takes shifts from the handoff of %s (added %s by %s)",
				a.User, a.From.In(loc).Format("Mon 2006-01-02 15:04 MST"), a.Added.In(loc).Format("2006-01-02"), a.By))
			continue
		}
		// Taken out: kept so that the shifts they had stay as they were.
		lines = append(lines, fmt.Sprintf("stored addition, taken out: %s takes shifts from the handoff of %s until the handoff of %s (added %s by %s, taken out %s by %s)",
			a.User, a.From.In(loc).Format("Mon 2006-01-02 15:04 MST"), a.Until.In(loc).Format("Mon 2006-01-02 15:04 MST"),
			a.Added.In(loc).Format("2006-01-02"), a.By, a.Removed.In(loc).Format("2006-01-02"), a.RemovedBy))
	}
	switch {
	case len(lines) == 0:
		return []string{"stored additions: none (the rotation is the config's)"}
	case len(members) == 0:
		return append([]string{"rotation with the stored additions: the config's (the members added from Slack were taken out)"}, lines...)
	}
	return append([]string{fmt.Sprintf("rotation with the stored additions: %s, then %s", strings.Join(listed, ", "), strings.Join(members, ", "))}, lines...)
}
