package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// incidentsKind: the kinds the configs here use (the bot passes its one table).
var incidentsKind = config.Kinds{rituals.KindIncidents: config.Incidents}

const incidentsBase = `timezone: Europe/Berlin
teams:
  - {id: payments, channel: C0PAYMENTS, members: [U0ALICE]}
  - {id: platform, channel: C0PLATFORM, members: [U0BOB]}
rituals:
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
`

func TestIncidentsDefaultsAndKeys(t *testing.T) {
	l, err := config.Parse("c.yaml", []byte(incidentsBase+`    team: payments
`), incidentsKind)
	if err != nil {
		t.Fatal(err)
	}
	s := incident.SettingsOf(l.Config.Ritual("incidents"))
	if strings.Join(s.Severities, ",") != "sev1,sev2,sev3" || strings.Join(s.Retro.Required, ",") != "sev1,sev2" ||
		s.Retro.MinDelay != 12*time.Hour || s.Retro.Schedule.Spec != "0 10 * * MON-FRI" || s.ActionsRemind.Spec != "0 10 * * MON" ||
		s.Alertmanager != nil || s.Storm != nil || strings.Join(s.Teams, ",") != "payments" || l.Config.Ritual("incidents").Schedule != nil {
		t.Errorf("defaults: %+v %+v", s, s.Retro)
	}

	l, err = config.Parse("c.yaml", []byte(incidentsBase+`    teams: [payments, platform]
    severities: [P1, P2]
    retro:
      schedule: "30 14 * * TUE,THU"
      min_delay: 1d
      required: [p1]
      questions: ["What happened?", {id: learned, text: "What did we learn?", optional: true}]
    actions_remind: "0 9 * * MON-FRI"
    alertmanager:
      open_when: {severity: critical, team: [payments, platform]}
      severity: P2
    pagerduty: {services: [PF9KMXH]}
    storm: {max_new: 5, window: 10m}
    actions: {github: {repo: acme/payments, labels: [postmortem]}}
`), incidentsKind)
	if err != nil {
		t.Fatal(err)
	}
	s = incident.SettingsOf(l.Config.Ritual("incidents"))
	if strings.Join(s.Teams, ",") != "payments,platform" || strings.Join(s.Retro.Required, ",") != "p1" || s.Retro.MinDelay != 24*time.Hour ||
		len(s.Retro.Questions) != 2 || s.Retro.Questions[1].ID != "learned" || !s.Retro.Questions[1].Optional ||
		s.Alertmanager.Severity != "P2" || strings.Join(s.Alertmanager.OpenWhen["team"], ",") != "payments,platform" ||
		!s.Alertmanager.Matches(map[string]string{"severity": "critical", "team": "platform", "x": "y"}) ||
		s.Alertmanager.Matches(map[string]string{"severity": "warning", "team": "platform"}) || s.PagerDuty.Services[0] != "PF9KMXH" ||
		s.Storm == nil || s.Storm.MaxNew != 5 || s.Storm.Window != 10*time.Minute || s.GitHub == nil || s.GitHub.Repo != "acme/payments" || s.GitHub.Labels[0] != "postmortem" {
		t.Errorf("keys: %+v %+v %+v", s, s.Retro, s.Alertmanager)
	}
}

func TestIncidentsErrorsNameLineAndKey(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"    retro: {schedule: \"0 3 * * *\"}\n", `c.yaml:9: rituals[0].retro.schedule: "0 3 * * *" fires at 03:00; retro prompts go to people`},
		{"    actions_remind: \"@every 1h\"\n", "c.yaml:9: rituals[0].actions_remind: action item reminders go to people"},
		{"    retro: {required: [sev9]}\n", `c.yaml:9: rituals[0].retro.required: "sev9" is not one of the severities (sev1, sev2, sev3)`},
		{"    alertmanager: {severity: critical}\n", `rituals[0].alertmanager.severity: "critical" is not one of the severities`},
		{"    alertmanager: {open_whenn: {a: b}}\n", `rituals[0].alertmanager.open_whenn: unknown key (did you mean "open_when"?)`},
		{"    severities: [sev1, SEV1]\n", `"SEV1" is listed twice`},
		{"    schedule: \"0 9 * * *\"\n", "rituals[0].schedule: unknown key"},
		{"    teams: [nope]\n", `rituals[0].teams[0]: no team with id "nope"`},
		{"    retro: {questions: [{id: action1, text: x}]}\n", `ids starting with "action" are the form's action items`},
		{"    storm: {window: 10m}\n", "c.yaml:9: rituals[0].storm.max_new: give how many incidents"},
		{"    storm: {max_new: 0, window: 10m}\n", `c.yaml:9: rituals[0].storm.max_new: want a whole number from 1 to 1000, got "0"`},
		{"    storm: {max_new: 5}\n", "c.yaml:9: rituals[0].storm.window: give the window"},
		{"    storm:\n      max_new: 5\n      window: 30s\n", "c.yaml:11: rituals[0].storm.window: want from 1m to 24h, got 30s"},
		{"    storm: {max_new: 5, window: 10m, groups: 3}\n", "rituals[0].storm.groups: unknown key"},
		{"    actions: {github: {repo: payments}}\n", "c.yaml:9: rituals[0].actions.github.repo: give the repository as owner/name"},
		{"    actions: {jira: {}}\n", "rituals[0].actions.jira: unknown key"},
		{"    actions: {github: {repo: acme/pay, lables: [x]}}\n", "rituals[0].actions.github.lables: unknown key"},
	} {
		_, err := config.Parse("c.yaml", []byte(incidentsBase+tc.yaml), incidentsKind)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
