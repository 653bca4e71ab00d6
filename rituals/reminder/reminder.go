package reminder

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// ReminderData is what a reminder's text template sees.
type ReminderData struct {
	Team   string // the team's name, "" without a team
	OnCall string // a mention of who is on call for the team now, "" if nobody
	Date   string // the occurrence's date in the ritual's zone, e.g. "Monday 23 November"
	Time   time.Time
}

// Reminder is the reminder ritual: a message in a channel on a schedule.
type Reminder struct {
	Config *rituals.RitualConfig
	Team   *rituals.Team // may be nil
	Outbox rituals.Outbox
	OnCall rituals.OnCallLookup // may be nil
}

// Jobs returns the reminder's one job.
func (r *Reminder) Jobs() []rituals.Job {
	return []rituals.Job{{
		Name:     r.Config.Name,
		Ritual:   r.Config.Name,
		Schedule: r.Config.Schedule,
		Run: func(ctx context.Context, at time.Time) error {
			msg, err := r.Message(at)
			if err != nil {
				return err
			}
			return r.Outbox.Send(ctx, msg)
		},
	}}
}

// Message returns what the reminder says for its occurrence at `at`.
func (r *Reminder) Message(at time.Time) (rituals.Message, error) {
	data := ReminderData{Time: at, Date: at.In(r.Config.Schedule.Location).Format("Monday 2 January")}
	if r.Team != nil {
		// The template is mrkdwn the admin wrote; what it inserts is text.
		data.Team = rituals.Escape(r.Team.Name)
		if r.OnCall != nil {
			if u, ok := r.OnCall(r.Team.ID, at); ok {
				data.OnCall = rituals.Mention(u)
			}
		}
	}
	var buf bytes.Buffer
	if err := SettingsOf(r.Config).Text.Execute(&buf, data); err != nil {
		return rituals.Message{}, fmt.Errorf("reminder %s: render text: %w", r.Config.Name, err)
	}
	text := strings.TrimSpace(buf.String())
	if text == "" {
		return rituals.Message{}, fmt.Errorf("reminder %s: text rendered empty", r.Config.Name)
	}
	return rituals.Message{
		Key:    rituals.OccurrenceKey(r.Config.Name, at),
		To:     r.Channel(),
		Text:   text,
		Blocks: []rituals.Block{rituals.Section(text)},
	}, nil
}

// Channel is where the reminder posts: its own channel, else its team's.
func (r *Reminder) Channel() string {
	if r.Config.Channel != "" || r.Team == nil {
		return r.Config.Channel
	}
	return r.Team.Channel
}

// Settings are what a reminder ritual is configured with.
type Settings struct {
	Text     *template.Template
	TextSpec string
}

// SettingsOf returns rc's reminder settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
