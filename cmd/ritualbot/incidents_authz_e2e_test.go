package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// commanderlessConfig is the workspace without its on-call rotation, so
// an incident Alertmanager opens has no commander.
func commanderlessConfig(t *testing.T) string {
	t.Helper()
	cfg := workspaceConfig
	rotation := "  - name: payments-oncall\n    kind: oncall\n    team: payments\n    handoff: \"0 10 * * MON\"\n    start: 2026-11-02\n"
	if !strings.Contains(cfg, rotation) {
		t.Fatal("the workspace config changed: no payments-oncall ritual to drop")
	}
	return strings.Replace(cfg, rotation, "", 1)
}

var incidentNumberRE = regexp.MustCompile(`#([0-9]+)`)

// TestResolvedIncidentCannotBeTakenOver replays the review's path through
// the real bot: an outsider's update of a resolved, commander-less SEV1
// that Alertmanager opened is refused and takes no command, so the
// severity change and the skip of its required retro that followed are
// refused too.
func TestResolvedIncidentCannotBeTakenOver(t *testing.T) {
	h := newWorkspaceHarness(t, commanderlessConfig(t), at(t, "2026-11-24 14:00", berlin), slackfake.Options{})
	h.startHTTP()
	n := h.alertIncident(t, "review", "sev1")
	// The announcement says how command is taken; working it does not.
	announce := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), fmt.Sprintf("Incident #%d", n), "#incidents"))
	wantIn(t, "announcement", announce, fmt.Sprintf("`/incident command #%d` to take it", n))
	h.incidentCmd(t, "U0ADMIN", "resolve #%d", n)
	before := h.export()
	for _, c := range []struct{ cmd, reason string }{
		{"update #%d taking this", "is resolved: only a lead of its teams or an admin can add to its timeline"},
		{"sev #%d sev3", "is resolved: only a lead of its teams or an admin can change its severity"},
		{"skip #%d Not needed", "SEV1 incidents need a retro"},
		{"publish #%d", "Only a lead of its teams or an admin can publish the postmortem"},
		{"command #%d", "only a lead of its teams or an admin can name its commander"},
	} {
		if got := ackText(t, h.command("U0OUT", "C0INCIDENTS", "/incident", fmt.Sprintf(c.cmd, n))); !strings.Contains(got, c.reason) {
			t.Errorf("Otto: /incident %s: %q, want %q", fmt.Sprintf(c.cmd, n), got, c.reason)
		}
	}
	if after := h.export(); after != before {
		t.Errorf("the refusals stored something:\n%s", firstDiff(before, after))
	}
	if inc, _, _ := h.m.DB.Incident(n); inc.Commander != "" {
		t.Errorf("#%d has commander %s", n, inc.Commander)
	}
}

// TestIncidentVerbsByRole runs every incident verb a person types or
// clicks on an open, a resolved and a published incident, with and
// without a commander, as an outsider, a lead of another team, a member
// of the incident's team, its lead, an admin and its commander (and, for
// Done, the action item's owner): a refused one says who may and stores
// nothing; an allowed one stores something. The same rules are tested,
// with answering the retro and pinning, in rituals/incident_authz_test.go.
func TestIncidentVerbsByRole(t *testing.T) {
	h := newWorkspaceHarness(t, commanderlessConfig(t), at(t, "2026-11-24 14:00", berlin), slackfake.Options{})
	h.startHTTP()

	type fixture struct {
		n    int
		done slackfake.Message // Dan's action item DM, with its Done button
	}
	// fresh makes an incident in state: declared by Alice (its commander)
	// or opened by Alertmanager (no commander), SEV3 (retro optional),
	// with an action item owned by Dan; resolved and published by Adam.
	seq := 0
	fresh := func(state string, commander bool) fixture {
		var n int
		if commander {
			ack := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev3 Checkout slow"))
			m := incidentNumberRE.FindStringSubmatch(ack)
			if m == nil {
				t.Fatalf("declare: %s", ack)
			}
			n, _ = strconv.Atoi(m[1])
		} else {
			seq++
			n = h.alertIncident(t, fmt.Sprintf("group-%d", seq), "sev3")
		}
		h.incidentCmd(t, "U0ADMIN", "action #%d <@U0DAN|dan> Add a pool alert", n)
		dm, ok := lastWith(h.fake.DMs("U0DAN"), "incident:done")
		if !ok {
			t.Fatal("Dan got no action item DM")
		}
		if state != "open" {
			h.incidentCmd(t, "U0ADMIN", "resolve #%d", n)
		}
		if state == "published" {
			h.incidentCmd(t, "U0ADMIN", "publish #%d", n)
		}
		return fixture{n, dm}
	}
	// record is what a refusal must leave alone: the incident and its
	// action items.
	record := func(n int) string {
		inc, _, err := h.m.DB.Incident(n)
		if err != nil {
			t.Fatal(err)
		}
		items, err := h.m.DB.ActionItems("")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(inc)
		out := string(b)
		for _, a := range items {
			if a.Incident == n {
				b, _ := json.Marshal(a)
				out += "\n" + string(b)
			}
		}
		return out
	}

	people := []struct{ id, who string }{
		{"U0OUT", "Otto (no team)"}, {"U0SAM", "Sam (lead of search)"}, {"U0BOB", "Bob (member)"},
		{"U0LEAD", "Lena (lead)"}, {"U0ADMIN", "Adam (admin)"}, {"U0ALICE", "Alice (commander)"}, {"U0DAN", "Dan (owns the action item)"},
	}
	verbs := []struct {
		name string
		act  func(user string, f fixture) string
	}{
		{"update", func(u string, f fixture) string { return h.incidentAck(t, u, "update #%d taking this", f.n) }},
		{"sev", func(u string, f fixture) string { return h.incidentAck(t, u, "sev #%d sev2", f.n) }},
		{"resolve", func(u string, f fixture) string { return h.incidentAck(t, u, "resolve #%d Rolled back", f.n) }},
		{"action", func(u string, f fixture) string {
			return h.incidentAck(t, u, "action #%d <@U0BOB|bob> Raise the pool", f.n)
		}},
		{"publish", func(u string, f fixture) string { return h.incidentAck(t, u, "publish #%d", f.n) }},
		{"skip", func(u string, f fixture) string { return h.incidentAck(t, u, "skip #%d Known cause", f.n) }},
		{"done", func(u string, f fixture) string { return h.forgeClick(u, f.done, "incident:done") }},
		{"take command", func(u string, f fixture) string { return h.incidentAck(t, u, "command #%d", f.n) }},
		{"give command", func(u string, f fixture) string {
			return h.incidentAck(t, u, "command #%d <@U0CAROL|carol>", f.n)
		}},
	}
	// want: y allowed, n refused (who may is named), c refused for the
	// incident's state whoever asks; one letter per person above.
	want := func(state string, commander bool, verb string) string {
		const (
			//         out sam bob lena adam alice dan
			all      = "yyyyyyy"
			conflict = "ccccccc"
			stewards = "nnnyyyn" // the commander, leads of its teams, admins
		)
		switch verb {
		case "publish", "skip":
			switch {
			case state != "resolved":
				return conflict
			case commander:
				return "nnnnyyn"
			}
			return "nnnyy-n"
		case "take command":
			if state == "open" && !commander {
				return "nnyyy-n"
			}
			return "nnnyycn"
		case "give command":
			return stewards
		case "done":
			return "nnnyyyy"
		case "action":
			return all
		case "resolve":
			if state != "open" {
				return conflict
			}
			return all
		}
		if state == "open" { // update, sev
			return all
		}
		return stewards
	}

	fixtures := map[string]fixture{}
	for _, state := range []string{"open", "resolved", "published"} {
		for _, commander := range []bool{true, false} {
			key := fmt.Sprintf("%s/%v", state, commander)
			for _, v := range verbs {
				w := want(state, commander, v.name)
				for i, p := range people {
					if w[i] == '-' || p.id == "U0ALICE" && !commander {
						continue
					}
					f, ok := fixtures[key]
					if !ok {
						f = fresh(state, commander)
						fixtures[key] = f
					}
					before := record(f.n)
					shown := v.act(p.id, f)
					after := record(f.n)
					what := fmt.Sprintf("%s: %s on a %s incident (commander: %v)", p.who, v.name, state, commander)
					switch w[i] {
					case 'y':
						if before == after {
							t.Errorf("%s: allowed, but nothing was stored; they were told %q", what, shown)
						}
						if v.name != "update" && v.name != "action" {
							delete(fixtures, key) // the next row needs the state back
						}
					case 'n':
						if !strings.Contains(strings.ToLower(shown), "only ") {
							t.Errorf("%s: refused; they were told %q, want who may", what, shown)
						}
					case 'c':
						if strings.Contains(strings.ToLower(shown), "only ") {
							t.Errorf("%s: refused for its state, but they were told %q", what, shown)
						}
					}
					if w[i] != 'y' && before != after {
						t.Errorf("%s: refused (%q), yet the incident changed:\n%s", what, shown, firstDiff(before, after))
					}
				}
			}
		}
	}
}

// alertIncident has Alertmanager open an incident for groupKey and an
// admin set its severity; it returns the incident's number.
func (h *harness) alertIncident(t *testing.T, groupKey, sev string) int {
	t.Helper()
	body := amPayload("firing", groupKey, amAlert("firing", "web-1", "critical", "2026-11-24T12:55:00Z", zeroTime, "fp-"+groupKey))
	code, answer := h.post("/hooks/alertmanager", body, map[string]string{"Authorization": "Bearer " + wsWebhookToken})
	var res struct{ Incident int }
	if err := json.Unmarshal([]byte(answer), &res); code != http.StatusOK || err != nil || res.Incident == 0 {
		t.Fatalf("alert for %s: %d %s", groupKey, code, answer)
	}
	if inc, _, _ := h.m.DB.Incident(res.Incident); inc.Commander != "" {
		t.Fatalf("#%d opened with commander %s", res.Incident, inc.Commander)
	}
	if inc, _, _ := h.m.DB.Incident(res.Incident); inc.Severity != sev {
		h.incidentCmd(t, "U0ADMIN", "sev #%d "+sev, res.Incident)
	}
	return res.Incident
}

// incidentCmd runs an /incident command that must succeed.
func (h *harness) incidentCmd(t *testing.T, user, format string, args ...any) {
	t.Helper()
	text := fmt.Sprintf(format, args...)
	if ack := ackText(t, h.command(user, "C0INCIDENTS", "/incident", text)); strings.Contains(ack, "Sorry") || strings.Contains(ack, "Usage") || strings.Contains(ack, "nly ") {
		t.Fatalf("/incident %s as %s: %s", text, user, ack)
	}
}

// incidentAck runs an /incident command and returns what the person saw.
func (h *harness) incidentAck(t *testing.T, user, format string, args ...any) string {
	t.Helper()
	return ackText(t, h.command(user, "C0INCIDENTS", "/incident", fmt.Sprintf(format, args...)))
}
