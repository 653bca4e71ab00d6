package main

import (
	"context"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// retentionSchedule is when the store lets go of what the retention no
// longer keeps: daily, at a quiet hour of the config's zone.
const retentionSchedule = "15 4 * * *"

// retentionJob prunes the store daily. It counts back from the
// occurrence's instant, not the clock, so a run again after a crash
// removes exactly what the first would have.
func (m *Main) retentionJob() rituals.Job {
	cfg := m.Loaded.Config
	log := m.component("retention")
	return rituals.Job{
		Name: "ritualbot/retention", Ritual: "ritualbot",
		Schedule: rituals.MustParseSchedule(retentionSchedule, cfg.Timezone),
		Run: func(ctx context.Context, at time.Time) error {
			start := time.Now()
			rep, err := m.DB.Prune(cfg.Retention, at)
			if err != nil {
				return err
			}
			log.Info().Int("removed", rep.Total()).Int("answers", rep.Answers).Int("incidents", rep.Incidents).
				Int("deploys", rep.Deploys).Int("sent", rep.Sent).Int("rotation_additions", rep.RotationAdditions).Dur("took", time.Since(start)).Msg("retention applied")
			return nil
		},
	}
}
