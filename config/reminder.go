package config

import (
	"strings"
	"text/template"
	"time"

	"github.com/ritualbot/ritualbot/rituals/reminder"
)

// parseReminder reads a reminder: a text template posted on a schedule.
func parseReminder(r *ritualReader) {
	r.needChannel()
	spec := r.required("text", "write what the reminder says; it may use {{.Team}}, {{.OnCall}} and {{.Date}}")
	if spec == "" {
		return
	}
	tmpl, err := template.New(r.rc.Name).Option("missingkey=error").Parse(spec)
	if err != nil {
		r.errorf("text", "bad template: %s", strings.TrimPrefix(err.Error(), "template: "))
		return
	}
	// Run it once on sample data, so that {{.Typo}} fails here, not at
	// 9 a.m. on Monday.
	sample := reminder.ReminderData{Team: "Team", OnCall: "<@U0SAMPLE>", Date: "Monday 23 November", Time: time.Now()}
	var b strings.Builder
	if err := tmpl.Execute(&b, sample); err != nil {
		r.errorf("text", "bad template: %s (it may use {{.Team}}, {{.OnCall}}, {{.Date}} and {{.Time}})", strings.TrimPrefix(err.Error(), "template: "))
		return
	}
	r.rc.Settings = &reminder.Settings{Text: tmpl, TextSpec: spec}
}
