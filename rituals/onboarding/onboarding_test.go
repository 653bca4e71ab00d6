package onboarding_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// memStore is an onboarding.Store in memory.
type memStore struct {
	records  map[string]onboarding.Onboarding
	feedback []onboarding.Feedback
}

func (s *memStore) PutOnboarding(o onboarding.Onboarding) error {
	s.records[o.Ritual+"|"+o.Newcomer] = o
	return nil
}
func (s *memStore) Onboarding(ritual, newcomer string) (onboarding.Onboarding, bool, error) {
	o, ok := s.records[ritual+"|"+newcomer]
	return o, ok, nil
}
func (s *memStore) Onboardings(ritual string) ([]onboarding.Onboarding, error) {
	var out []onboarding.Onboarding
	for _, o := range s.records {
		if o.Ritual == ritual {
			out = append(out, o)
		}
	}
	return out, nil
}
func (s *memStore) UpdateOnboarding(ritual, newcomer string, f func(*onboarding.Onboarding) error) (onboarding.Onboarding, error) {
	o := s.records[ritual+"|"+newcomer]
	if err := f(&o); err != nil {
		return onboarding.Onboarding{}, err
	}
	if o.Ritual != "" {
		s.records[ritual+"|"+newcomer] = o
	}
	return o, nil
}
func (s *memStore) PutOnboardingFeedback(f onboarding.Feedback) error {
	s.feedback = append(s.feedback, f)
	return nil
}
func (s *memStore) OnboardingFeedback(string) ([]onboarding.Feedback, error) { return s.feedback, nil }

// outbox keeps what is sent, once per key, as the durable outbox does.
type outbox struct {
	sent  []rituals.Message
	keys  map[string]bool
	clock rituals.Clock
	times map[string]time.Time // when each key was sent
}

func (o *outbox) Send(_ context.Context, msgs ...rituals.Message) error {
	for _, m := range msgs {
		if !o.keys[m.Key] {
			o.keys[m.Key] = true
			o.sent = append(o.sent, m)
			if o.clock != nil {
				o.times[m.Key] = o.clock.Now()
			}
		}
	}
	return nil
}

func (o *outbox) to(user, substr string) []rituals.Message {
	var out []rituals.Message
	for _, m := range o.sent {
		if m.To == user && strings.Contains(m.Text, substr) {
			out = append(out, m)
		}
	}
	return out
}

// people is a workspace of members by ID.
type people map[string]rituals.UserInfo

func (p people) Member(_ context.Context, user string) (rituals.UserInfo, bool, error) {
	u, ok := p[user]
	return u, ok, nil
}

// joiner is a rotation of the members listed.
type joiner struct {
	in     map[string]bool
	joined []string
}

func (j *joiner) RotationOf(_, user string) (string, bool) { return "pay-oncall", j.in[user] }
func (j *joiner) JoinRotation(_ context.Context, _, user, _ string, at time.Time) (rituals.RotationJoin, error) {
	if j.in[user] {
		return rituals.RotationJoin{}, rituals.Errorf(rituals.ECONFLICT, "in already")
	}
	j.in[user] = true
	j.joined = append(j.joined, user)
	return rituals.RotationJoin{From: at.Add(24 * time.Hour), Told: []string{"U0BOB", user}}, nil
}

var (
	berlin = mustZone("Europe/Berlin")
	tokyo  = mustZone("Asia/Tokyo")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

type fixture struct {
	r      *onboarding.Ritual
	clock  *rituals.FakeClock
	out    *outbox
	store  *memStore
	joiner *joiner
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	clock := rituals.NewFakeClock(start)
	f := &fixture{clock: clock, out: &outbox{keys: map[string]bool{}, clock: clock, times: map[string]time.Time{}},
		store: &memStore{records: map[string]onboarding.Onboarding{}}, joiner: &joiner{in: map[string]bool{"U0BOB": true}}}
	f.r = &onboarding.Ritual{
		Config: &rituals.RitualConfig{Name: "o", Kind: rituals.KindOnboarding, Team: "pay"},
		Settings: &onboarding.Settings{Buddy: onboarding.BuddyRoundRobin, ShadowWeeks: 2, JoinRotationAfterDays: 42, FeedbackAfterDays: 28,
			Steps: []onboarding.Step{
				{AfterDays: 0, Text: "Laptop", Owner: onboarding.Newcomer},
				{AfterDays: 2, Text: "Ship <!channel>", Owner: onboarding.Newcomer},
				{AfterDays: 2, Text: "Pair", Owner: onboarding.Buddy},
				{AfterDays: 7, Text: "Check in", Owner: onboarding.Lead},
			}},
		Team:  &rituals.Team{ID: "pay", Name: "Payments", Channel: "C0PAY", Members: []string{"U0ANNA", "U0BOB"}, Leads: []string{"U0LEAD"}},
		Store: f.store, Outbox: f.out, Clock: f.clock, Zone: berlin,
		People: people{"U0NEW": {ID: "U0NEW", TZ: "Asia/Tokyo"}, "U0ANNA": {ID: "U0ANNA", TZ: "Europe/Berlin"}, "U0LEAD": {ID: "U0LEAD", TZ: "Europe/Berlin"},
			"U0BOB": {ID: "U0BOB"}, "U0BOT": {ID: "U0BOT", Bot: true}, "U0GONE": {ID: "U0GONE", Deleted: true}},
		IsAdmin:  func(u string) bool { return u == "U0ADMIN" },
		Rotation: func() rituals.RotationJoiner { return f.joiner },
	}
	return f
}

func TestStartRefusesWithReasons(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	ctx := context.Background()
	for _, tt := range []struct {
		by, newcomer, code, want string
	}{
		{"U0ANNA", "U0NEW", rituals.EFORBIDDEN, "Only the leads of Payments (<@U0LEAD>) and the admins"},
		{"U0LEAD", "U0NOBODY", rituals.ENOTFOUND, "no member `U0NOBODY` in this workspace"},
		{"U0LEAD", "U0BOT", rituals.EINVALID, "is a bot"},
		{"U0LEAD", "U0GONE", rituals.EINVALID, "deactivated"},
		{"U0LEAD", "U0BOB", rituals.ECONFLICT, "already in the Payments on-call rotation (`pay-oncall`)"},
	} {
		_, err := f.r.Start(ctx, tt.by, tt.newcomer)
		if rituals.ErrorCode(err) != tt.code || !strings.Contains(rituals.ErrorMessage(err), tt.want) {
			t.Errorf("Start(%s, %s) = %v, want %s %q", tt.by, tt.newcomer, err, tt.code, tt.want)
		}
	}
	if _, err := f.r.Start(ctx, "U0ADMIN", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.Start(ctx, "U0LEAD", "U0NEW"); rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(err.Error(), "already being onboarded") {
		t.Errorf("a second start: %v", err)
	}
	if n := len(f.out.to("U0NEW", "Welcome")); n != 1 {
		t.Errorf("%d welcomes", n)
	}
}

// The steps go on their day at 10:00 in each reader's zone: the newcomer
// in Tokyo, the buddy and the lead in Berlin; mrkdwn in a step is inert.
func TestStepsOnTheirDayInTheReadersZone(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin)) // 19:00 in Tokyo
	ctx := context.Background()
	o, err := f.r.Start(ctx, "U0LEAD", "U0NEW")
	if err != nil {
		t.Fatal(err)
	}
	if o.Buddy != "U0ANNA" || o.Lead != "U0LEAD" || o.Start != (rituals.Date{Year: 2026, Month: 11, Day: 30}) || o.Zones[onboarding.Newcomer] != "Asia/Tokyo" {
		t.Fatalf("started %+v", o)
	}
	welcome := f.out.to("U0NEW", "Welcome")[0]
	if !strings.Contains(welcome.Blocks[1].Text, "Laptop") || welcome.Blocks[1].Buttons[0].ActionID != "onboarding:done:0" {
		t.Errorf("welcome's first step: %+v", welcome.Blocks)
	}
	jobs := map[string]rituals.Job{}
	for _, j := range f.r.Jobs() {
		jobs[j.Name] = j
	}
	if len(jobs) != 2 || jobs["o/day@Asia/Tokyo"].Name == "" || jobs["o/day@Europe/Berlin"].Name == "" {
		t.Fatalf("jobs %v", jobs)
	}
	for _, tt := range []struct {
		zone      *time.Location
		day       int
		to, wants string
	}{
		{tokyo, 1, "", ""},
		{tokyo, 2, "U0NEW", "Ship &lt;!channel&gt;"},
		{berlin, 2, "U0ANNA", "Pair"},
		{tokyo, 7, "U0NEW", "Week 1 of your onboarding"},
		{berlin, 7, "U0LEAD", "Check in"},
	} {
		at := time.Date(2026, 11, 30+tt.day, 10, 0, 0, 0, tt.zone)
		f.clock.Set(at)
		before := len(f.out.sent)
		if err := jobs["o/day@"+tt.zone.String()].Run(ctx, at); err != nil {
			t.Fatal(err)
		}
		got := f.out.sent[before:]
		if tt.to == "" {
			if len(got) != 0 {
				t.Errorf("day %d in %s sent %v", tt.day, tt.zone, got)
			}
			continue
		}
		found := false
		for _, m := range got {
			found = found || m.To == tt.to && strings.Contains(m.Text, tt.wants)
		}
		if !found {
			t.Errorf("day %d in %s sent %+v, want %q to %s", tt.day, tt.zone, got, tt.wants, tt.to)
		}
		// A re-run of the same occurrence sends nothing more.
		if err := jobs["o/day@"+tt.zone.String()].Run(ctx, at); err != nil || len(f.out.sent) != before+len(got) {
			t.Errorf("a re-run of day %d sent again", tt.day)
		}
	}
}

func TestDoneShadowsJoinAndFeedback(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	ctx := context.Background()
	o, err := f.r.Start(ctx, "U0LEAD", "U0NEW")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.r.MarkDone("U0ANNA", "U0NEW", 0); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("the buddy marked the newcomer's step: %v", err)
	}
	if _, already, err := f.r.MarkDone("U0NEW", "U0NEW", 0); err != nil || already {
		t.Fatalf("done: %v %v", already, err)
	}
	if _, already, err := f.r.MarkDone("U0LEAD", "U0NEW", 0); err != nil || !already {
		t.Errorf("a second click: already %v, %v", already, err)
	}
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r}, Clock: f.clock}
	end := o.ShadowEnd(2)
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{{o.Started.Add(-time.Minute), false}, {o.Started, true}, {end.Add(-time.Second), true}, {end, false}} {
		if got := len(set.Shadows("pay", tt.at)) == 1; got != tt.want {
			t.Errorf("shadowing at %s: %v, want %v", tt.at, got, tt.want)
		}
	}
	if _, err := f.r.Join(ctx, "U0ANNA", "U0NEW"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a member's Add: %v", err)
	}
	said, err := f.r.Postpone("U0LEAD", "U0NEW", 2)
	if err != nil || !strings.Contains(said, "Mon 14 Dec") {
		t.Errorf("postpone: %q %v", said, err)
	}
	said, err = f.r.Join(ctx, "U0LEAD", "U0NEW")
	if err != nil || !strings.Contains(said, "Told of their moved shifts: <@U0BOB>.") || len(f.joiner.joined) != 1 {
		t.Errorf("join: %q %v", said, err)
	}
	if errs, err := f.r.SubmitFeedback(ctx, "U0NEW", "U0NEW", map[string]string{}); err != nil || errs["helped"] == "" {
		t.Errorf("empty feedback: %v %v", errs, err)
	}
	if _, err := f.r.SubmitFeedback(ctx, "U0ANNA", "U0NEW", map[string]string{"helped": "x"}); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("feedback by someone else: %v", err)
	}
	if errs, err := f.r.SubmitFeedback(ctx, "U0NEW", "U0NEW", map[string]string{"helped": "Pairing", "wrong_docs": "VPN page"}); err != nil || len(errs) > 0 {
		t.Fatalf("feedback: %v %v", errs, err)
	}
	if got, _, _ := f.store.Onboarding("o", "U0NEW"); got.Status != onboarding.StatusCompleted {
		t.Errorf("after joining and feedback: %s", got.Status)
	}
	if m := f.out.to("U0LEAD", "feedback on their onboarding"); len(m) != 1 || !strings.Contains(m[0].Text, "*Helped:* Pairing") {
		t.Errorf("the lead's copy: %v", m)
	}
	list, err := set.FeedbackList("U0LEAD", "")
	if err != nil || !strings.Contains(list, "VPN page") {
		t.Errorf("feedback list: %q %v", list, err)
	}
	if _, err := set.FeedbackList("U0ANNA", "pay"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a member's feedback list: %v", err)
	}
}

func TestParseAfter(t *testing.T) {
	for _, tt := range []struct {
		in   string
		days int
		ok   bool
	}{{"0d", 0, true}, {"2d", 2, true}, {"1w", 7, true}, {"1w3d", 10, true}, {"6w", 42, true},
		{"", 0, false}, {"3", 0, false}, {"-1d", 0, false}, {"2h", 0, false}, {"1d1w", 0, false}, {"27w", 0, false}} {
		days, err := onboarding.ParseAfter(tt.in)
		if (err == nil) != tt.ok || days != tt.days {
			t.Errorf("ParseAfter(%q) = %d, %v", tt.in, days, err)
		}
		if tt.ok && onboarding.FormatDays(days) == "" {
			t.Errorf("FormatDays(%d) is empty", days)
		}
	}
}

// A start asks for new jobs only when someone is in a zone no job covers.
func TestStartReschedulesForANewZoneOnly(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	calls := 0
	f.r.Rescheduled = func() { calls++ }
	f.r.People.(people)["U0NEW2"] = rituals.UserInfo{ID: "U0NEW2", TZ: "Asia/Tokyo"}
	f.r.People.(people)["U0NEW3"] = rituals.UserInfo{ID: "U0NEW3", TZ: "Europe/Berlin"}
	for i, tt := range []struct {
		newcomer string
		calls    int
	}{{"U0NEW", 1}, {"U0NEW2", 1}, {"U0NEW3", 1}} {
		if _, err := f.r.Start(context.Background(), "U0LEAD", tt.newcomer); err != nil {
			t.Fatal(err)
		}
		if calls != tt.calls {
			t.Errorf("start %d (%s): %d reschedules, want %d", i, tt.newcomer, calls, tt.calls)
		}
	}
}

// A channel join asks the leads about newcomers only, and once.
func TestMemberJoinedAsksAboutNewcomersOnce(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	f.r.Settings.Trigger = onboarding.TriggerChannelJoin
	ctx := context.Background()
	for _, tt := range []struct {
		user, channel string
		asked         bool
	}{
		{"U0BOT", "C0PAY", false},   // a bot
		{"U0ANNA", "C0PAY", false},  // a member of the team
		{"U0BOB", "C0PAY", false},   // in the rotation
		{"U0NOONE", "C0PAY", false}, // not in the workspace
		{"U0NEW", "C0OTHER", false}, // another channel
		{"U0NEW", "C0PAY", true},
		{"U0NEW", "C0PAY", false}, // asked already
	} {
		asked, err := f.r.MemberJoined(ctx, tt.user, tt.channel)
		if err != nil || asked != tt.asked {
			t.Errorf("%s joins %s: asked %v, %v; want %v", tt.user, tt.channel, asked, err, tt.asked)
		}
	}
	if n := len(f.out.to("U0LEAD", "just joined")); n != 1 {
		t.Errorf("the lead was asked %d times", n)
	}
	if err := f.r.Ignore("U0ANNA", "U0NEW"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a member's Ignore: %v", err)
	}
	if err := f.r.Ignore("U0LEAD", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.Start(ctx, "U0LEAD", "U0NEW"); err != nil {
		t.Errorf("/onboard after Ignore: %v", err)
	}
}
