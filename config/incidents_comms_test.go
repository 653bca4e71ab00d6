package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

func TestIncidentsCommsKeys(t *testing.T) {
	l, err := config.Parse("c.yaml", []byte(incidentsBase+`    updates: {sev1: 30m, sev2: 1h}
    broadcast: {sev1: [C0EXEC, C0SUPPORT], sev2: [C0SUPPORT]}
    page_exec: [sev1]
    channel_per_incident: [sev1]
    archive_after: 3d
`), incidentsKind)
	if err != nil {
		t.Fatal(err)
	}
	c := incident.SettingsOf(l.Config.Ritual("incidents")).Comms
	if c.Updates["sev1"] != 30*time.Minute || c.Updates["sev2"] != time.Hour || strings.Join(c.Broadcast["sev1"], ",") != "C0EXEC,C0SUPPORT" ||
		strings.Join(c.PageExec, ",") != "sev1" || strings.Join(c.ChannelPerIncident, ",") != "sev1" || c.ArchiveAfter != 72*time.Hour {
		t.Errorf("comms: %+v", c)
	}
	l, err = config.Parse("c.yaml", []byte(incidentsBase+"    channel_per_incident: true\n"), incidentsKind)
	if err != nil {
		t.Fatal(err)
	}
	c = incident.SettingsOf(l.Config.Ritual("incidents")).Comms
	if strings.Join(c.ChannelPerIncident, ",") != "sev1,sev2,sev3" || c.ArchiveAfter != incident.DefaultArchiveAfter {
		t.Errorf("channel_per_incident true: %+v", c)
	}
}

func TestIncidentsCommsErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"    updates: {sev9: 30m}\n", `c.yaml:9: rituals[0].updates.sev9: "sev9" is not one of the severities`},
		{"    updates: {sev1: 1m}\n", `c.yaml:9: rituals[0].updates.sev1: want an interval from 5m to 24h`},
		{"    broadcast: {sev1: [exec-status]}\n", `c.yaml:9: rituals[0].broadcast.sev1[0]: "exec-status": write a channel name with its #`},
		{"    page_exec: [sev4]\n", `c.yaml:9: rituals[0].page_exec: "sev4" is not one of the severities`},
		{"    channel_per_incident: [sevX]\n", `c.yaml:9: rituals[0].channel_per_incident: "sevX" is not one of the severities`},
		{"    archive_after: 2d\n", `c.yaml:9: rituals[0].archive_after: archive_after is for the channels of channel_per_incident`},
	} {
		_, err := config.Parse("c.yaml", []byte(incidentsBase+tc.yaml), incidentsKind)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
