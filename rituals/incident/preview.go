package incident

import "github.com/ritualbot/ritualbot/rituals"

// Preview is what `ritualbot preview` shows of the ritual: the postmortem
// of the latest incident; before there is any (a first config, no store
// yet), the announcement a declaration would post now, so a person sees
// the channel, severities and on-call the config gives.
func (x *Incidents) Preview() (rituals.Message, error) {
	msg, err := x.LatestPostmortem()
	if err == nil || rituals.ErrorCode(err) != rituals.ENOTFOUND {
		return msg, err
	}
	now := x.Clock.Now()
	inc := Incident{
		Number: 1, Ritual: x.Config.Name, Title: "Checkout returns 500s (an example declaration)", Severity: x.defaultSeverity(),
		Teams: append([]string(nil), x.Settings.Teams...), Status: IncidentOpen, Source: SourceSlack, Opened: now,
	}
	x.addOnCall(&inc, now)
	return x.announcement(inc, false), nil
}
