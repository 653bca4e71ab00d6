package showandtell

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

// memStore is a Store in memory for the rules' tests.
type memStore struct {
	signUps []SignUp
	recs    []Recording
}

func (m *memStore) PutSignUp(s SignUp) error {
	m.signUps = slices.DeleteFunc(m.signUps, func(o SignUp) bool { return o.DemoAt.Equal(s.DemoAt) && o.User == s.User })
	m.signUps = append(m.signUps, s)
	return nil
}

func (m *memStore) SignUps(ritual string, from, to time.Time) ([]SignUp, error) {
	var out []SignUp
	for _, s := range m.signUps {
		if !s.DemoAt.Before(from) && !s.DemoAt.After(to) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memStore) RemoveSignUp(ritual string, demoAt time.Time, user string) (bool, error) {
	n := len(m.signUps)
	m.signUps = slices.DeleteFunc(m.signUps, func(o SignUp) bool { return o.DemoAt.Equal(demoAt) && o.User == user })
	return n != len(m.signUps), nil
}

func (m *memStore) PutRecording(r Recording) error { m.recs = append(m.recs, r); return nil }

func (m *memStore) Recording(ritual string, demoAt time.Time) (Recording, bool, error) {
	for _, r := range m.recs {
		if r.DemoAt.Equal(demoAt) {
			return r, true, nil
		}
	}
	return Recording{}, false, nil
}

func newShowAndTell(t *testing.T, spec string, closeBefore time.Duration) *ShowAndTell {
	t.Helper()
	payments := &rituals.Team{ID: "payments", Name: "Payments", Members: []string{"U0ALICE"}, Leads: []string{"U0BOB"}, Services: []string{"checkout"}}
	return &ShowAndTell{
		Config:   &rituals.RitualConfig{Name: "demo", Channel: "C0DEMO", Schedule: rituals.MustParseSchedule(spec, berlin)},
		Settings: &Settings{Teams: []string{"payments"}, AskAfterRelease: true, SignupClose: closeBefore},
		Teams:    []*rituals.Team{payments}, Owners: map[string]*rituals.Team{"checkout": payments}, Store: &memStore{},
	}
}

func TestOneAskPerPersonPerWeek(t *testing.T) {
	s := newShowAndTell(t, "0 15 * * FRI", 2*time.Hour)
	deploy := func(deployer, env string, failed bool) rituals.Deploy {
		status := rituals.DeploySucceeded
		if failed {
			status = rituals.DeployFailed
		}
		return rituals.Deploy{Service: "Checkout", Environment: env, Version: "v1", Deployer: deployer, Status: status}
	}
	cases := []struct {
		name string
		d    rituals.Deploy
		now  string
		to   string // "" for no ask
		day  string // the demo day asked for
	}{
		{"deployer is asked", deploy("U0ALICE", "production", false), "2026-11-23 10:00", "U0ALICE", "2026-11-27 15:00"},
		{"same week, same ask", deploy("U0ALICE", "production", false), "2026-11-26 18:00", "U0ALICE", "2026-11-27 15:00"},
		{"up to the close", deploy("U0ALICE", "production", false), "2026-11-27 12:59", "U0ALICE", "2026-11-27 15:00"},
		{"after the close, next week", deploy("U0ALICE", "production", false), "2026-11-27 13:00", "U0ALICE", "2026-12-04 15:00"},
		{"unknown deployer: the lead", deploy("ci-bot", "production", false), "2026-11-23 10:00", "U0BOB", "2026-11-27 15:00"},
		{"staging asks nobody", deploy("U0ALICE", "staging", false), "2026-11-23 10:00", "", ""},
		{"a failed deploy asks nobody", deploy("U0ALICE", "production", true), "2026-11-23 10:00", "", ""},
		{"a deploy of last week asks nobody", rituals.Deploy{Status: rituals.DeploySucceeded, Service: "checkout", Environment: "production", Deployer: "U0ALICE", Finished: at("2026-11-20 10:00")}, "2026-11-23 10:00", "", ""},
		{"a deploy dated ahead asks nobody", rituals.Deploy{Status: rituals.DeploySucceeded, Service: "checkout", Environment: "production", Deployer: "U0ALICE", Finished: at("2026-11-24 10:00")}, "2026-11-23 10:00", "", ""},
		{"a deploy of this morning", rituals.Deploy{Status: rituals.DeploySucceeded, Service: "checkout", Environment: "production", Deployer: "U0ALICE", Finished: at("2026-11-23 09:00")}, "2026-11-23 10:00", "U0ALICE", "2026-11-27 15:00"},
		{"another team's service", rituals.Deploy{Status: rituals.DeploySucceeded, Service: "search", Environment: "production", Deployer: "U0DAN"}, "2026-11-23 10:00", "", ""},
	}
	keys := map[string]string{}
	for _, c := range cases {
		msgs, err := s.Ask(c.d, at(c.now))
		if err != nil {
			t.Fatal(err)
		}
		if c.to == "" {
			if len(msgs) != 0 {
				t.Errorf("%s: asked %+v", c.name, msgs)
			}
			continue
		}
		if len(msgs) != 1 || msgs[0].To != c.to || msgs[0].Key != s.AskKey(c.to, at(c.day)) {
			t.Errorf("%s: got %+v; want one ask to %s for %s", c.name, msgs, c.to, c.day)
			continue
		}
		keys[c.name] = msgs[0].Key
	}
	// The outbox posts a key once: one DM per person per demo day.
	if keys["deployer is asked"] != keys["same week, same ask"] || keys["deployer is asked"] == keys["after the close, next week"] {
		t.Fatalf("ask keys %v: want one per person per week", keys)
	}
	// Signed up already: not asked again.
	if _, err := s.SignUpFor("U0ALICE", "payments", "x", at("2026-11-27 15:00"), at("2026-11-23 11:00")); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := s.Ask(deploy("U0ALICE", "production", false), at("2026-11-24 10:00")); len(msgs) != 0 {
		t.Fatalf("asked someone on the agenda: %+v", msgs)
	}
	s.Settings.AskAfterRelease = false
	if msgs, _ := s.Ask(deploy("U0BOB", "production", false), at("2026-11-24 10:00")); len(msgs) != 0 {
		t.Fatal("asked with ask_after_release off")
	}
}

func TestSignUpCloseAndSlotOrder(t *testing.T) {
	s := newShowAndTell(t, "0 15 * * FRI", 90*time.Minute)
	day := at("2026-11-27 15:00")
	if got := s.Closes(day); !got.Equal(at("2026-11-27 13:30")) {
		t.Fatalf("closes %v", got)
	}
	steps := []struct {
		user, topic, now string
		err              bool
	}{
		{"U0CAROL", "first", "2026-11-23 09:00", false},
		{"U0ALICE", "second", "2026-11-24 09:00", false},
		{"U0BOB", "third", "2026-11-24 09:00", false}, // same instant as Alice: by ID
		{"U0CAROL", "first, retitled", "2026-11-26 09:00", false},
		{"U0DAN", "too late", "2026-11-27 13:30", true},
	}
	for _, st := range steps {
		_, err := s.SignUpFor(st.user, "", st.topic, day, at(st.now))
		if (err != nil) != st.err {
			t.Fatalf("%s at %s: err %v", st.user, st.now, err)
		}
	}
	msg, err := s.Agenda(day)
	if err != nil {
		t.Fatal(err)
	}
	want := "1. <@U0CAROL> — first, retitled\n2. <@U0ALICE> — second\n3. <@U0BOB> — third"
	if !strings.Contains(msg.Text, want) {
		t.Fatalf("agenda:\n%s\nwant slots:\n%s", msg.Text, want)
	}
	// The agenda job fires at the close; the recording is asked at 17:00.
	jobs := s.Jobs()
	if got := jobs[0].Schedule.Next(at("2026-11-23 00:00")); !got.Equal(at("2026-11-27 13:30")) {
		t.Fatalf("agenda job at %v", got)
	}
	if got := jobs[1].Schedule.Next(at("2026-11-23 00:00")); !got.Equal(at("2026-11-27 17:00")) {
		t.Fatalf("recording ask at %v", got)
	}
	late := newShowAndTell(t, "0 17 * * FRI", time.Hour)
	if got := late.RecordingAfter(); got != time.Hour {
		t.Fatalf("a 17:00 demo's recording is asked %v after; want 1h", got)
	}
}

func TestKeepRecordingWantsALink(t *testing.T) {
	s := newShowAndTell(t, "0 15 * * FRI", time.Hour)
	day := at("2026-11-27 15:00")
	for _, bad := range []string{"", "not a link", "javascript:alert(1)", "ftp://x"} {
		if _, err := s.KeepRecording(day, bad, "U0BOB", day); rituals.ErrorCode(err) != rituals.EINVALID {
			t.Errorf("%q: err %v", bad, err)
		}
	}
	msgs, err := s.KeepRecording(day, " https://video.example.com/1 ", "U0BOB", day)
	if err != nil || len(msgs) != 2 || !msgs[0].Update || msgs[1].ThreadKey != s.AgendaKey(day) {
		t.Fatalf("%+v, %v", msgs, err)
	}
	if !strings.Contains(msgs[0].Text, "https://video.example.com/1") {
		t.Fatalf("agenda without the recording: %s", msgs[0].Text)
	}
}
