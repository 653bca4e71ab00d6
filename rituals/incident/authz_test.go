package incident

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// memIncidents is an IncidentStore in memory, with the methods the verbs
// use; any other call panics on the nil embedded interface.
type memIncidents struct {
	IncidentStore
	incidents map[int]Incident
	actions   map[string]ActionItem
}

func (m *memIncidents) Incident(n int) (Incident, bool, error) {
	inc, ok := m.incidents[n]
	return inc, ok, nil
}

func (m *memIncidents) PutIncident(inc Incident) error { m.incidents[inc.Number] = inc; return nil }

func (m *memIncidents) SaveIncident(inc Incident, _ time.Time, _ func(Incident) []rituals.Message) (Incident, error) {
	if inc.Number == 0 {
		inc.Number = len(m.incidents) + 1
	}
	m.incidents[inc.Number] = inc
	return inc, nil
}

func (m *memIncidents) PutAction(a ActionItem) error { m.actions[a.ID] = a; return nil }

func (m *memIncidents) DeleteAction(id string) error { delete(m.actions, id); return nil }

func (m *memIncidents) Action(id string) (ActionItem, bool, error) {
	a, ok := m.actions[id]
	return a, ok, nil
}

func (m *memIncidents) ActionItems(string) ([]ActionItem, error) {
	var out []ActionItem
	for _, a := range m.actions {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

type discardOutbox struct{}

func (discardOutbox) Send(context.Context, ...rituals.Message) error { return nil }

// The people of the table: who they are to incident #1 of the payments
// ritual.
var authzPeople = []struct{ id, who string }{
	{"U0OUT", "outsider"},
	{"U0SAM", "lead of another team"},
	{"U0MEM", "member"},
	{"U0ONCALL", "on call"},
	{"U0LEAD", "lead"},
	{"U0ADMIN", "admin"},
	{"U0CMD", "commander"},
	{"U0OWN", "action owner"},
}

type authzState string

const (
	stOpen      authzState = "open"
	stResolved  authzState = "resolved"
	stPublished authzState = "published"
)

// authzFixture is incident #1 (SEV3, whose retro is optional) in state,
// commanded by U0CMD or by nobody, with action item 1.1 owned by U0OWN.
func authzFixture(t *testing.T, state authzState, commander bool) *Incidents {
	t.Helper()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	store := &memIncidents{incidents: map[int]Incident{}, actions: map[string]ActionItem{}}
	x := &Incidents{
		Config:   &rituals.RitualConfig{Name: "incidents", Channel: "C0INC"},
		Settings: &Settings{Teams: []string{"payments"}, Severities: []string{"sev1", "sev2", "sev3"}, Retro: RetroConfig{Required: []string{"sev1"}}},
		Teams: []*rituals.Team{
			{ID: "payments", Name: "Payments", Members: []string{"U0MEM"}, Leads: []string{"U0LEAD"}},
			{ID: "search", Name: "Search", Members: []string{"U0OTHER"}, Leads: []string{"U0SAM"}},
		},
		Outbox: discardOutbox{}, Store: store, Clock: rituals.NewFakeClock(now),
		OnCall: func(team string, _ time.Time) (string, bool) {
			if team == "payments" {
				return "U0ONCALL", true
			}
			return "U0OTHER", true
		},
		IsAdmin: func(u string) bool { return u == "U0ADMIN" },
	}
	inc := Incident{
		Number: 1, Ritual: "incidents", Title: "Checkout slow", Severity: "sev3", Teams: []string{"payments"},
		Status: IncidentOpen, Source: SourceAlertmanager, Opened: now.Add(-2 * time.Hour), ActionSeq: 1,
	}
	if commander {
		inc.Commander = "U0CMD"
	}
	if state != stOpen {
		inc.Status, inc.Resolved = IncidentResolved, now.Add(-time.Hour)
	}
	if state == stPublished {
		inc.Retro.Published, inc.Retro.PublishedBy = now.Add(-time.Minute), "U0ADMIN"
	}
	store.incidents[1] = inc
	store.actions["1.1"] = ActionItem{ID: "1.1", Ritual: "incidents", Incident: 1, Owner: "U0OWN", Text: "Add a pool alert", Teams: []string{"payments"}}
	return x
}

// authzVerbs run each verb on incident #1 as user.
var authzVerbs = []struct {
	verb string
	run  func(ctx context.Context, x *Incidents, user string) error
}{
	{"update", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Update(ctx, 1, u, "taking this")
		return err
	}},
	{"sev", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.SetSeverity(ctx, 1, u, "sev2")
		return err
	}},
	{"resolve", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Resolve(ctx, 1, u, "")
		return err
	}},
	{"pin", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Pin(ctx, 1, u, u, "a log line", "1700000000.000100")
		return err
	}},
	{"action", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.AddAction(ctx, 1, u, "U0MEM", "Raise the pool size", rituals.Date{})
		return err
	}},
	{"retro", func(ctx context.Context, x *Incidents, u string) error {
		errs, err := x.SubmitRetro(ctx, u, "1", map[string]string{"happened": "The pool ran dry"})
		if err == nil && len(errs) > 0 {
			return fmt.Errorf("form errors %v", errs)
		}
		return err
	}},
	{"publish", func(ctx context.Context, x *Incidents, u string) error { _, err := x.Publish(ctx, 1, u); return err }},
	{"skip", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Skip(ctx, 1, u, "Known cause")
		return err
	}},
	{"skip form", func(ctx context.Context, x *Incidents, u string) error { _, err := x.SkipForm(1, u); return err }},
	{"done", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.CloseAction(ctx, "1.1", u)
		return err
	}},
	{"take command", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Command(ctx, 1, u, "")
		return err
	}},
	{"give command", func(ctx context.Context, x *Incidents, u string) error {
		_, err := x.Command(ctx, 1, u, "U0BOB")
		return err
	}},
}

// TestIncidentAuthorization runs every verb on an open, a resolved and a
// published incident, with and without a commander, as each kind of
// person, through the ritual's own methods. Each want has one letter per
// person of authzPeople: y allowed, n refused (EFORBIDDEN), c refused for
// the incident's state (ECONFLICT, whoever asks), - not applicable.
func TestIncidentAuthorization(t *testing.T) {
	const (
		//         out  sam  mem  oc   lead adm  cmd  own
		all      = "yyyyyyyy"
		conflict = "cccccccc"
		stewards = "nnnnyyyn" // the commander, leads of its teams, admins
		closers  = "nnnnyyyy"
		takers   = "nnnnyycn" // leads and admins; the commander has it
	)
	// Publishing and skipping are the commander's, else the leads'.
	publishers := map[bool]string{true: "nnnnnyyn", false: "nnnnyy-n"}
	want := func(state authzState, commander bool, verb string) string {
		switch verb {
		case "publish", "skip":
			if state != stResolved {
				return conflict
			}
			return publishers[commander]
		case "skip form":
			return publishers[commander]
		case "take command":
			if state == stOpen && !commander {
				return "nnyyyy-n" // people of its teams, on call for them, leads, admins
			}
			return takers
		case "give command":
			return stewards
		case "done":
			return closers
		case "action":
			return all
		case "resolve":
			if state != stOpen {
				return conflict
			}
			return all
		case "retro":
			if state != stResolved {
				return conflict
			}
			return all
		}
		// update, sev, pin
		if state == stOpen {
			return all
		}
		return stewards
	}
	for _, state := range []authzState{stOpen, stResolved, stPublished} {
		for _, commander := range []bool{true, false} {
			for _, v := range authzVerbs {
				w := want(state, commander, v.verb)
				for i, p := range authzPeople {
					letter := w[i]
					if p.who == "commander" && !commander || letter == '-' {
						continue
					}
					x := authzFixture(t, state, commander)
					err := v.run(context.Background(), x, p.id)
					got := byte('y')
					switch rituals.ErrorCode(err) {
					case "":
					case rituals.EFORBIDDEN:
						got = 'n'
					case rituals.ECONFLICT:
						got = 'c'
					default:
						t.Errorf("%s %s (commander %v) as %s: %v", v.verb, state, commander, p.who, err)
						continue
					}
					if got != letter {
						t.Errorf("%s on a %s incident (commander %v) as %s: got %c, want %c (%v)", v.verb, state, commander, p.who, got, letter, err)
					}
					after, _, _ := x.Store.Incident(1)
					if before := map[bool]string{true: "U0CMD", false: ""}[commander]; got == 'y' && !strings.HasSuffix(v.verb, "command") && after.Commander != before {
						t.Errorf("%s on a %s incident as %s made %q the commander", v.verb, state, p.who, after.Commander)
					}
				}
			}
		}
	}
}

// TestMayDoIsNoSideDoor: the review's path, step by step: an outsider's
// update of a resolved, commander-less incident is refused and takes no
// command, so the severity change and the skip that followed are refused
// too.
func TestMayDoIsNoSideDoor(t *testing.T) {
	ctx := context.Background()
	x := authzFixture(t, stResolved, false)
	inc, _, _ := x.Store.Incident(1)
	inc.Severity = "sev1"
	_ = x.Store.PutIncident(inc)
	if _, err := x.Update(ctx, 1, "U0OUT", "taking this"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Fatalf("outsider's update of a resolved incident: %v", err)
	}
	if _, err := x.SetSeverity(ctx, 1, "U0OUT", "sev3"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("outsider's sev change: %v", err)
	}
	if _, err := x.Skip(ctx, 1, "U0OUT", "meh"); err == nil {
		t.Error("outsider skipped a required retro")
	}
	if inc, _, _ := x.Store.Incident(1); inc.Commander != "" || len(inc.Timeline) != 0 {
		t.Errorf("after the refusals: commander %q, timeline %+v", inc.Commander, inc.Timeline)
	}
	// On an open incident anyone works it, yet nobody becomes commander
	// by doing so; the on-call engineer takes command explicitly.
	x = authzFixture(t, stOpen, false)
	for _, f := range []func() error{
		func() error { _, err := x.Update(ctx, 1, "U0OUT", "looking"); return err },
		func() error { _, err := x.SetSeverity(ctx, 1, "U0OUT", "sev1"); return err },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if inc, _, _ := x.Store.Incident(1); inc.Commander != "" {
		t.Fatalf("working an open incident made %s its commander", inc.Commander)
	}
	inc, err := x.Command(ctx, 1, "U0ONCALL", "")
	if err != nil || inc.Commander != "U0ONCALL" {
		t.Fatalf("on-call takes command: %q %v", inc.Commander, err)
	}
	if _, err := x.Command(ctx, 1, "U0MEM", ""); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a member took command from the commander: %v", err)
	}
	if inc, err := x.Command(ctx, 1, "U0ONCALL", "U0MEM"); err != nil || inc.Commander != "U0MEM" {
		t.Errorf("the commander hands over: %q %v", inc.Commander, err)
	}
	if got := EventLine(inc.Timeline[len(inc.Timeline)-1]); !strings.Contains(got, "<@U0ONCALL> takes command") {
		t.Errorf("timeline: %s", got)
	}
}
