package onboarding_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// messageText is m as a reader reads it: its blocks, one a line.
func messageText(m rituals.Message) string {
	var lines []string
	for _, b := range m.Blocks {
		lines = append(lines, rituals.PlainText(b))
	}
	return strings.Join(lines, "\n")
}

// startMany starts n onboardings in r, newcomers prefix01 on, a day apart.
func (f *fixture) startMany(t *testing.T, r *onboarding.Ritual, lead, prefix string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		u := fmt.Sprintf("%s%02d", prefix, i)
		r.People.(people)[u] = rituals.UserInfo{ID: u, TZ: "Europe/Berlin"}
		if _, err := r.Start(context.Background(), lead, u); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
	}
}

// A lead of two teams (here an admin) reads each team under a heading,
// those under way first and oldest first, and a hint for /onboard done; a
// newcomer reads their own.
func TestStatusByTeam(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	billing := f.secondTeam()
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r, billing}, IsAdmin: f.r.IsAdmin, Clock: f.clock}
	f.startMany(t, f.r, "U0LEAD", "U0PAY", 2)
	f.startMany(t, billing, "U0LEAD2", "U0BIL", 2)
	if _, err := f.store.UpdateOnboarding("o2", "U0BIL01", func(o *onboarding.Onboarding) error {
		o.Status, o.Completed = onboarding.StatusCompleted, f.clock.Now()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m, err := set.Status("U0ADMIN")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, b := range m.Blocks {
		kinds = append(kinds, string(b.Kind))
	}
	if got := strings.Join(kinds, " "); got != "header section section header section section context" {
		t.Errorf("blocks: %s", got)
	}
	text := messageText(m)
	wantOrder(t, text, "Payments: 2 under way", "*<@U0PAY01>* in Payments", "*<@U0PAY02>* in Payments",
		"Billing: 1 under way, 1 completed in the last 4 weeks", "*<@U0BIL02>* in Billing", "*<@U0BIL01>* in Billing — completed",
		"`/onboard done @user STEP`")
	if m.Text != "Onboardings: Payments: 2 under way; Billing: 1 under way, 1 completed in the last 4 weeks" {
		t.Errorf("notification text: %q", m.Text)
	}
	own, err := set.Status("U0PAY01")
	if text := messageText(own); err != nil || !strings.HasPrefix(text, "Payments: your onboarding\n*<@U0PAY01>*") || strings.Contains(text, "U0PAY02") || strings.Contains(text, "/onboard done") {
		t.Errorf("a newcomer's own status: %q %v", text, err)
	}
}

// However many onboardings a lead follows, the status fits one message
// (50 blocks, sections of at most 3,000 characters): those under way
// first, and a last line counts the rest by team.
func TestStatusFitsOneMessage(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	long := strings.Repeat("Read the runbook & the <architecture> notes. ", 22) // ~1,000 characters
	f.r.Settings.Steps = nil
	for i := 0; i < 12; i++ {
		f.r.Settings.Steps = append(f.r.Settings.Steps, onboarding.Step{AfterDays: 0, Text: long, Owner: onboarding.Newcomer, Link: "https://wiki.example.com/x"})
	}
	billing := f.secondTeam()
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r, billing}, IsAdmin: f.r.IsAdmin, Clock: f.clock}
	f.startMany(t, f.r, "U0LEAD", "U0PAY", 40)
	f.startMany(t, billing, "U0LEAD2", "U0BIL", 15)
	for i := 1; i <= 5; i++ {
		if _, err := f.store.UpdateOnboarding("o", fmt.Sprintf("U0PAY%02d", i), func(o *onboarding.Onboarding) error {
			o.Status, o.Completed = onboarding.StatusCompleted, f.clock.Now()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	m, err := set.Status("U0ADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Blocks); n > 50 {
		t.Fatalf("%d blocks", n)
	}
	sections := 0
	for _, b := range m.Blocks {
		if n := utf8.RuneCountInString(b.Text); n > 3000 {
			t.Errorf("a %s of %d characters", b.Kind, n)
		}
		if b.Kind == rituals.SectionBlock {
			sections++
			if strings.Contains(b.Text, "— completed") {
				t.Errorf("a completed onboarding shown while some under way are not: %.80s", b.Text)
			}
		}
	}
	// 55 onboardings; 2 headings and the last line leave room for 47.
	if sections != 47 || len(m.Blocks) != 50 {
		t.Errorf("%d onboardings shown in %d blocks, want 47 in 50", sections, len(m.Blocks))
	}
	text := messageText(m)
	wantOrder(t, text, "Payments: 35 under way, 5 completed in the last 4 weeks", "Billing: 15 under way",
		"… and 8 more onboardings (5 in Payments, 3 in Billing) that do not fit in one message.")
	if !strings.Contains(text, "… and 10 more open") || !strings.Contains(text, "• `2` Read the runbook &amp; the &lt;architecture&gt;") {
		t.Errorf("an onboarding's open steps:\n%.1500s", text)
	}
}

// wantOrder fails unless text holds each of wants, in that order.
func wantOrder(t *testing.T, text string, wants ...string) {
	t.Helper()
	at := 0
	for _, w := range wants {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Errorf("lacks %q after position %d in:\n%s", w, at, text)
			return
		}
		at += i + len(w)
	}
}

// BenchmarkStatus is a lead's /onboard status over two teams with 55
// onboardings under way and 200 completed over the past years.
func BenchmarkStatus(b *testing.B) {
	f := newFixture(&testing.T{}, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	billing := f.secondTeam()
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r, billing}, IsAdmin: f.r.IsAdmin, Clock: f.clock}
	f.startMany(&testing.T{}, f.r, "U0LEAD", "U0PAY", 40)
	f.startMany(&testing.T{}, billing, "U0LEAD2", "U0BIL", 15)
	for i := range 200 {
		u := fmt.Sprintf("U0OLD%03d", i)
		f.store.records["o|"+u] = onboarding.Onboarding{Ritual: "o", Team: "pay", Newcomer: u, Status: onboarding.StatusCompleted,
			Started: f.clock.Now().AddDate(-2, 0, 0), Completed: f.clock.Now().AddDate(-1, 0, -i)}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := set.Status("U0ADMIN"); err != nil {
			b.Fatal(err)
		}
	}
}
