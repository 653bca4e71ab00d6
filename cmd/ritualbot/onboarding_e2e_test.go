package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// A Payments team in Berlin (lead Lena, three on call), and Nina, who
// joins it from Tokyo: her steps come at 10:00 Tokyo time, the lead's at
// 10:00 Berlin time.
const onboardingConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL]
    leads: [U0LENA]
rituals:
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-30
    rotation: [U0ALICE, U0BOB, U0CAROL]
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
  - name: payments-onboarding
    kind: onboarding
    team: payments
    buddy: round_robin
    trigger: channel_join
    steps:
      - {after: 0d, text: "Set up your laptop", link: "https://wiki.example.com/laptop", owner: newcomer}
      - {after: 0d, text: "Walk the newcomer through the architecture", owner: buddy}
      - {after: 2d, text: "Ship a one-line change to production", owner: newcomer}
      - {after: 1w, text: "Use the app as a customer: pay for something", owner: newcomer}
      - {after: 1w, text: "Check in: how is the first week going?", owner: lead}
  - name: digest
    kind: digest
    team: payments
    channel: C0DIGEST
    schedule: "0 17 * * FRI"
`

func newOnboardingHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	// Weeks pass in seconds of wall time, while rate limits count real
	// minutes: the daily reads of the members (users.list) and the posts
	// are loosened alike on both sides; 429s are tested on their own.
	fake, client := loosened("chat.postMessage", "chat.postMessage/channel", "users.info", "users.list", "conversations.info", "usergroups.users.update", "conversations.setTopic")
	h := newHarness(t, onboardingConfig, start, slackfake.Options{RateLimits: fake})
	h.limits = client
	for id, name := range map[string]string{"U0ALICE": "alice", "U0BOB": "bob", "U0CAROL": "carol", "U0LENA": "lena", "U0ADMIN": "adam"} {
		h.fake.AddUser(slackfake.User{ID: id, Name: name, TZ: "Europe/Berlin"})
	}
	h.fake.AddUser(slackfake.User{ID: "U0NINA", Name: "nina", TZ: "Asia/Tokyo"})
	h.fake.AddUser(slackfake.User{ID: "U0OMAR", Name: "omar", TZ: "Europe/Berlin"})
	h.fake.AddUser(slackfake.User{ID: "U0HOOKS", Name: "hooks", IsBot: true})
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0LENA", "U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: []string{"U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "digest", Members: []string{"U0BOT"}})
	return h
}

// dmWith is the user's one DM with substr.
func (h *harness) dmWith(user, substr string) slackfake.Message {
	h.t.Helper()
	return one(h.t, h.fake.DMs(user), substr, user+"'s DMs")
}

func TestOnboardingOverSevenWeeks(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-29 12:00", berlin))
	h.start()

	// Monday 11:00 in Berlin, 19:00 in Tokyo: Lena starts Nina's
	// onboarding. Day 0 is Monday in Nina's zone.
	h.runUntil(at(t, "2026-11-30 11:00", berlin))
	ack := h.command("U0LENA", "C0PAYMENTS", "/onboard", "<@U0NINA|nina> payments")
	wantIn(t, "/onboard's answer", replyText(t, ack), "onboarding in Payments has started", "buddy <@U0ALICE>")
	welcome := h.dmWith("U0NINA", "Welcome to Payments")
	wantIn(t, "welcome", readable(t, welcome), "onboarding buddy is <@U0ALICE>", "<@U0LENA> leads the team",
		"On call now:* <@U0ALICE>", "`/oncall`", "first 2 weeks", "shadow the on-call", "Set up your laptop", "Done")
	wantIn(t, "buddy's DM", readable(t, h.dmWith("U0ALICE", "onboarding buddy")), "<@U0NINA>", "Walk the newcomer through the architecture")

	// Done: idempotent on a double click; only the owner or a lead.
	h.clickOn("U0NINA", welcome, "onboarding:done:0")
	welcome = h.dmWith("U0NINA", "Welcome to Payments")
	wantIn(t, "welcome after Done", readable(t, welcome), "*Done* — <@U0NINA>")
	if strings.Contains(string(welcome.Blocks), "onboarding:done:0") {
		t.Error("the Done button is still there after the click")
	}

	// Day 2, Wednesday: the next step at 10:00 in Tokyo (02:00 in Berlin).
	h.runUntil(at(t, "2026-12-02 12:00", tokyo))
	ship := h.dmWith("U0NINA", "Ship a one-line change")
	if got := tsTime(t, ship.TS).In(tokyo).Format("Mon 15:04"); got != "Wed 10:00" {
		t.Errorf("day 2's step came at %s Tokyo time, want Wed 10:00", got)
	}
	wantIn(t, "day 2", readable(t, ship), "Day 2 of your onboarding")

	// Thursday: a real incident. Nina, shadowing, is in it.
	h.runUntil(at(t, "2026-12-03 15:00", berlin))
	h.command("U0BOB", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	announce := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Checkout returns 500s", "#incidents")
	wantIn(t, "announcement", readable(t, announce), "*Shadowing*\n<@U0NINA>")
	h.command("U0BOB", "C0INCIDENTS", "/incident", "resolve #1")

	// Week 1: the handoff tells her as a shadow; the week's steps come,
	// the lead's at 10:00 Berlin; the nudge lists what is still open.
	h.runUntil(at(t, "2026-12-07 12:00", berlin))
	wantIn(t, "handoff DM", readable(t, h.dmWith("U0NINA", "You are shadowing")), "Payments")
	week1 := h.fake.DMs("U0NINA")
	if m, ok := lastWith(week1, "pay for something"); !ok || tsTime(t, m.TS).In(tokyo).Format("Mon 15:04") != "Mon 10:00" {
		t.Errorf("day 7's step: %v at %s", ok, tsTime(t, m.TS).In(tokyo))
	}
	nudge := h.dmWith("U0NINA", "Week 1 of your onboarding")
	wantIn(t, "nudge", readable(t, nudge), "Ship a one-line change", "1 step is still open")
	checkIn := h.dmWith("U0LENA", "Check in")
	if got := tsTime(t, checkIn.TS).In(berlin).Format("Mon 15:04"); got != "Mon 10:00" {
		t.Errorf("the lead's step came at %s Berlin time", got)
	}
	h.clickOn("U0NINA", nudge, "onboarding:done:2")
	h.clickOn("U0LENA", checkIn, "onboarding:done:4")
	status := h.onboardStatusText("U0LENA")
	wantIn(t, "lead's status", status, "<@U0NINA>* in Payments", "buddy <@U0ALICE>", "steps 3/5 done", "shadowing the on-call until Mon 14 Dec")
	wantIn(t, "Nina's status", h.onboardStatusText("U0NINA"), "steps 3/5 done", "Use the app as a customer")
	wantIn(t, "lead's Home", h.home("U0LENA"), "Onboarding", "<@U0NINA> in Payments: 3/5 steps done")
	h.runUntil(at(t, "2026-12-11 17:00", berlin))
	wantIn(t, "digest", readable(t, one(t, h.fake.ChannelMessages("C0DIGEST"), "week to Fri 11 Dec", "#digest")), "*Onboarding*\n1 in progress · 0 completed", "in progress: <@U0NINA> 3/5 steps")

	// After the shadow weeks, incidents go on without her; and a restart
	// sends nothing twice.
	h.runUntil(at(t, "2026-12-15 10:00", berlin))
	h.restart()
	h.command("U0BOB", "C0INCIDENTS", "/incident", "declare sev3 Slow refunds")
	if a := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Slow refunds", "#incidents")); strings.Contains(a, "U0NINA") {
		t.Errorf("an incident after the shadow weeks names Nina:\n%s", a)
	}
	h.command("U0BOB", "C0INCIDENTS", "/incident", "resolve #2")

	// Week 4: the feedback form, answered; the lead reads it.
	h.runUntil(at(t, "2026-12-28 12:00", tokyo))
	ask := h.dmWith("U0NINA", "How is your onboarding in Payments going?")
	if got := tsTime(t, ask.TS).In(tokyo).Format("Mon 15:04"); got != "Mon 10:00" {
		t.Errorf("the feedback ask came at %s Tokyo time", got)
	}
	h.clickOn("U0NINA", ask, "onboarding:feedback")
	if ack := h.submit("U0NINA", answers{"helped": "Pairing with Alice", "missing": "How deploys are rolled back", "wrong_docs": "The laptop page lists an old VPN"}); strings.Contains(ack, "errors") {
		t.Fatalf("feedback refused: %s", ack)
	}
	wantIn(t, "the lead's copy", readable(t, h.dmWith("U0LENA", "feedback on their onboarding")), "*Helped:* Pairing with Alice", "*Docs that were wrong:* The laptop page lists an old VPN")
	fb := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "feedback")
	wantIn(t, "/onboard feedback", fb, "Onboarding feedback, Payments* (1)", "How deploys are rolled back")
	if r := h.commandText("U0ALICE", "C0PAYMENTS", "/onboard", "feedback payments"); !strings.Contains(r, "is for the leads of Payments") {
		t.Errorf("a member read the feedback: %s", r)
	}

	// Week 6, Monday 10:00 in Berlin: the lead is asked. Not yet, a week.
	h.runUntil(at(t, "2027-01-11 11:00", berlin))
	ask6 := h.dmWith("U0LENA", "to the Payments rotation from the next handoff?")
	wantIn(t, "the ask", readable(t, ask6), "Add <@U0NINA> to the Payments rotation", "Not yet: 1 week")
	h.clickOn("U0LENA", ask6, "onboarding:later:1")
	wantIn(t, "after Not yet", readable(t, h.dmWith("U0LENA", "to the Payments rotation from the next handoff?")), "ask again on Mon 18 Jan")
	h.runUntil(at(t, "2027-01-18 11:00", berlin))
	asks := messagesWith(h.fake.DMs("U0LENA"), "to the Payments rotation from the next handoff?")
	if len(asks) != 2 {
		t.Fatalf("%d asks about the rotation, want 2 (the second a week later)", len(asks))
	}
	h.clickOn("U0LENA", asks[1], "onboarding:join")
	added := readable(t, h.dmWith("U0LENA", "joins the Payments rotation"))
	wantIn(t, "Add's answer", added, "Told of their moved shifts")
	wantIn(t, "Nina's rotation DM", readable(t, h.dmWith("U0NINA", "added you to the on-call rotation")), "Payments")
	moved := 0
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL"} {
		if _, ok := lastWith(h.fake.DMs(u), "joins the rotation"); ok {
			moved++
			if !strings.Contains(added, "<@"+u+">") {
				t.Errorf("%s was told their shifts moved but the lead's answer does not name them:\n%s", u, added)
			}
		}
	}
	if moved == 0 {
		t.Error("nobody was told their shifts moved")
	}
	if s := h.onCallSchedule(); !strings.Contains(s, "U0NINA") {
		t.Errorf("/oncall schedule does not show Nina:\n%s", s)
	}

	// Completed: the digest of the week says so, and a second /onboard
	// of her is refused, naming the rotation.
	h.runUntil(at(t, "2027-01-22 17:00", berlin))
	wantIn(t, "the last digest", readable(t, one(t, h.fake.ChannelMessages("C0DIGEST"), "week to Fri 22 Jan", "#digest")), "0 in progress · 1 completed", "completed: <@U0NINA>")
	if r := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@U0NINA> payments"); !strings.Contains(r, "already in the Payments on-call rotation") {
		t.Errorf("onboarding someone in the rotation: %s", r)
	}
	assertOnboardingGovernance(t, h)
	for _, u := range []string{"U0NINA", "U0ALICE", "U0LENA"} {
		seen := map[string]bool{}
		for _, m := range h.fake.DMs(u) {
			if seen[m.Text] && strings.Contains(m.Text, "onboarding") {
				t.Errorf("%s got a DM twice: %.120s", u, m.Text)
			}
			seen[m.Text] = true
		}
	}
}

// onCallSchedule is /oncall schedule as the lead reads it.
func (h *harness) onCallSchedule() string {
	h.t.Helper()
	return h.onCallNow("U0LENA", "schedule payments 8")
}

// commandText is a slash command's ephemeral answer as the user reads it.
func (h *harness) commandText(user, channel, command, text string) string {
	h.t.Helper()
	return replyText(h.t, h.command(user, channel, command, text))
}

// replyText is the text of a command's JSON ack.
func replyText(t testing.TB, ack string) string {
	t.Helper()
	var r struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(ack), &r); err != nil {
		t.Fatalf("ack %s: %v", ack, err)
	}
	return asRead(r.Text)
}

func TestOnboardRefusals(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-30 11:00", berlin))
	h.start()
	cases := []struct{ user, text, want string }{
		{"U0ALICE", "<@U0NINA> payments", "Only the leads of Payments (<@U0LENA>) and the admins"},
		{"U0LENA", "<@U0BOB> payments", "<@U0BOB> is already in the Payments on-call rotation (`payments-oncall`)"},
		{"U0LENA", "<@U0GHOST> payments", "There is no member `U0GHOST` in this workspace"},
		{"U0LENA", "@ghost", "There is no member @ghost in this workspace"},
		{"U0LENA", "<@U0HOOKS> payments", "is a bot"},
		{"U0LENA", "<@U0NINA> billing", "No team `billing` has an onboarding. Teams with one: payments"},
		{"U0LENA", "", "Usage: `/onboard @user [TEAM]`"},
	}
	for _, c := range cases {
		if got := h.commandText(c.user, "C0PAYMENTS", "/onboard", c.text); !strings.Contains(got, c.want) {
			t.Errorf("/onboard %s by %s: %s\nwant %q", c.text, c.user, got, c.want)
		}
	}
	if got := h.commandText("U0ADMIN", "C0PAYMENTS", "/onboard", "<@U0NINA>"); !strings.Contains(got, "has started") {
		t.Fatalf("an admin's /onboard: %s", got)
	}
	if got := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@U0NINA>"); !strings.Contains(got, "already being onboarded in Payments") {
		t.Errorf("a second /onboard: %s", got)
	}
	if n := len(messagesWith(h.fake.DMs("U0NINA"), "Welcome to Payments")); n != 1 {
		t.Errorf("%d welcomes", n)
	}
}

func TestChannelJoinAsksTheLeadFirst(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-30 11:00", berlin))
	h.start()
	asked := func() int { return len(messagesWith(h.fake.DMs("U0LENA"), "just joined")) }
	// A bot, a member of the team, and someone in the rotation: no ask.
	for _, u := range []string{"U0HOOKS", "U0ADMIN"} {
		if _, err := h.fake.JoinChannel(h.ctx(), u, "C0INCIDENTS", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.fake.JoinChannel(h.ctx(), "U0HOOKS", "C0PAYMENTS", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.JoinChannel(h.ctx(), "U0OMAR", "C0PAYMENTS", "U0LENA"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the lead's question", func() bool { return asked() == 1 })
	if n := len(h.fake.DMs("U0OMAR")); n != 0 {
		t.Errorf("Omar got %d DMs before the lead confirmed", n)
	}
	h.click("U0LENA", "onboarding:start")
	wantIn(t, "Omar's welcome", readable(t, h.dmWith("U0OMAR", "Welcome to Payments")), "Set up your laptop")
	wantIn(t, "the ask after Start", readable(t, h.dmWith("U0LENA", "just joined")), "Onboarding started by <@U0LENA>")
	// Leaving and joining again asks nothing more.
	h.restart()
	if asked() != 1 {
		t.Errorf("%d asks", asked())
	}
}

func TestOnboardingPreviewWithoutAStore(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-30 11:00", berlin))
	var out, errOut bytes.Buffer
	if code := run(h.ctx(), []string{"preview", "--config", h.cfg, "payments-onboarding"}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("preview: exit %d: %s", code, errOut.String())
	}
	wantIn(t, "preview", out.String(), "Onboarding in Payments", "buddy: round_robin", "day 2 (2d), newcomer: Ship a one-line change",
		"the first 2 weeks", "asked about the rotation after 6w", "10:00 in each reader's zone")
}

// assertOnboardingGovernance checks the manifest asks for /onboard and
// member_joined_channel, the export holds the onboarding and the
// feedback, and erasing the newcomer removes her words and keeps her
// onboarding as "a former member".
func assertOnboardingGovernance(t *testing.T, h *harness) {
	t.Helper()
	code, manifest, stderr := h.runCLI("manifest", "--config", h.cfg)
	if code != 0 {
		t.Fatalf("manifest: exit %d: %s", code, stderr)
	}
	wantIn(t, "manifest", manifest, "command: /onboard", "- member_joined_channel", "channels:read", "groups:read", "users:read")
	h.stop()
	export, _ := h.exportCLI()
	wantIn(t, "export", export, `"onboardings"`, `"onboarding_feedback"`, "How deploys are rolled back")
	code, out, stderr := h.runCLI("erase", "--config", h.cfg, "U0NINA")
	if code != 0 {
		t.Fatalf("erase: exit %d: %s", code, stderr)
	}
	wantIn(t, "erase", out, "1 onboarding feedback", "onboardings")
	export, _ = h.exportCLI()
	wantIn(t, "export after erase", export, rituals.FormerMember)
	if strings.Contains(export, "How deploys are rolled back") || strings.Contains(export, "U0NINA") {
		t.Errorf("the erased newcomer's feedback or ID is still in the export: …%s…", export[max(0, strings.Index(export, "U0NINA")-300):max(0, strings.Index(export, "U0NINA"))+50])
	}
	h.start()
}

// Nina starts on a Thursday in Tokyo and moves to New York the next day.
// Her day-2 step falls on Saturday: it waits for Monday, and comes at
// 10:00 New York time, across a restart over the weekend, once.
func TestOnboardingStepsWaitForMondayInTheNewcomersNewZone(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-12-03 10:00", berlin))
	h.start()
	h.runUntil(at(t, "2026-12-03 11:00", berlin))
	if r := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@U0NINA> payments"); !strings.Contains(r, "has started") {
		t.Fatalf("/onboard: %s", r)
	}
	wantIn(t, "welcome", readable(t, h.dmWith("U0NINA", "Welcome to Payments")), "a Saturday or Sunday waits for Monday")

	h.runUntil(at(t, "2026-12-04 12:00", berlin))
	h.fake.AddUser(slackfake.User{ID: "U0NINA", Name: "nina", TZ: "America/New_York"})
	h.runUntil(at(t, "2026-12-06 12:00", berlin))
	if _, ok := lastWith(h.fake.DMs("U0NINA"), "Ship a one-line change"); ok {
		t.Fatal("the Saturday step came on the weekend")
	}
	h.restart()
	h.runUntil(at(t, "2026-12-07 12:00", newYork))
	ship := h.dmWith("U0NINA", "Ship a one-line change")
	if got := tsTime(t, ship.TS).In(newYork).Format("Mon 2 Jan 15:04"); got != "Mon 7 Dec 10:00" {
		t.Errorf("the day-2 step came at %s New York time, want Mon 7 Dec 10:00", got)
	}
	wantIn(t, "the Monday DM", readable(t, ship), "Day 4 of your onboarding")
	for _, m := range h.fake.DMs("U0NINA") {
		if d := tsTime(t, m.TS).In(newYork).Weekday(); (d == time.Saturday || d == time.Sunday) && strings.Contains(m.Text, "onboarding") {
			t.Errorf("an onboarding DM on a %s: %.100s", d, m.Text)
		}
	}
}
