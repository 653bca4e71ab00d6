package oncall_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// memPlanStore keeps cover requests, drills and absences in memory.
type memPlanStore struct {
	mu      sync.Mutex
	covers  []oncall.CoverRequest
	drills  []oncall.Drill
	absence []oncall.Absence
	// overrides is the rotation's store, whose overrides
	// SaveTakenCover adds and EndCoveredOverride ends.
	overrides *memOnCallStore
	// failEndCovered and failTake make EndCoveredOverride and
	// SaveTakenCover fail, as a crash before their commit would: nothing
	// of them is stored.
	failEndCovered, failTake error
}

func (s *memPlanStore) SaveTakenCover(o oncall.Override, c oncall.CoverRequest, _ time.Time, messages func(oncall.Override) []rituals.Message) (oncall.Override, error) {
	if s.failTake != nil {
		return oncall.Override{}, s.failTake
	}
	o, err := s.overrides.AddOverride(o)
	if err != nil {
		return oncall.Override{}, err
	}
	c.Override = o.ID
	if _, err := s.PutCover(c); err != nil {
		return oncall.Override{}, err
	}
	return o, s.overrides.outbox.Send(context.Background(), messages(o)...)
}

func (s *memPlanStore) EndCoveredOverride(o oncall.Override, c oncall.CoverRequest, _ time.Time, messages []rituals.Message) error {
	if s.failEndCovered != nil {
		return s.failEndCovered
	}
	if err := s.overrides.EndOverride(o, time.Time{}, nil); err != nil {
		return err
	}
	if _, err := s.PutCover(c); err != nil {
		return err
	}
	return s.overrides.outbox.Send(context.Background(), messages...)
}

func (s *memPlanStore) PutCover(c oncall.CoverRequest) (oncall.CoverRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = uint64(len(s.covers) + 1)
		s.covers = append(s.covers, c)
		return c, nil
	}
	s.covers[c.ID-1] = c
	return c, nil
}

func (s *memPlanStore) Cover(_ string, id uint64) (oncall.CoverRequest, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == 0 || int(id) > len(s.covers) {
		return oncall.CoverRequest{}, false, nil
	}
	return s.covers[id-1], true, nil
}

func (s *memPlanStore) Covers(_ string, from time.Time) ([]oncall.CoverRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return where(s.covers, func(c oncall.CoverRequest) bool { return c.Span.To.After(from) }), nil
}

func (s *memPlanStore) PutDrill(d oncall.Drill) (oncall.Drill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == 0 {
		d.ID = uint64(len(s.drills) + 1)
		s.drills = append(s.drills, d)
		return d, nil
	}
	s.drills[d.ID-1] = d
	return d, nil
}

func (s *memPlanStore) Drills(_ string, from time.Time) ([]oncall.Drill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return where(s.drills, func(d oncall.Drill) bool { return !d.Paged.Before(from) }), nil
}

// planned is a weekly rotation of Alice, Bob, Carol from Monday 2 Nov
// 2026, with a lead, cover requests, drills and absences.
func planned(t *testing.T, now string) (*oncall.Rotation, *recordingOutbox, *rituals.FakeClock, *memPlanStore) {
	t.Helper()
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-11-02", rotation: []string{"A", "B", "C"}, leads: []string{"L"}, secondary: true, now: tm(t, now)})
	ps := &memPlanStore{overrides: r.Store.(*memOnCallStore)}
	r.Covers, r.Drills = ps, ps
	r.Settings.EscalateAfter = 2 * 24 * time.Hour
	r.Availability = &oncall.Availability{
		Stored: func(from rituals.Date) ([]oncall.Absence, error) { return ps.absence, nil },
		Put:    func(a oncall.Absence) error { ps.absence = append(ps.absence, a); return nil },
	}
	return r, out, clock, ps
}

func date(t *testing.T, s string) rituals.Date {
	t.Helper()
	d, err := rituals.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// An absence overlapping a shift within plan_ahead is a conflict for
// exactly the overlap; one outside a shift of theirs, or beyond
// plan_ahead, is none.
func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		absences []oncall.Absence
		want     []string // user from → to, Berlin
	}{
		{"none", nil, nil},
		{"over part of a shift", []oncall.Absence{{User: "B", From: date(t, "2026-11-11"), To: date(t, "2026-11-12")}},
			[]string{"B 2026-11-11 00:00 → 2026-11-13 00:00"}},
		{"across a handoff: only the days of the shift", []oncall.Absence{{User: "B", From: date(t, "2026-11-14"), To: date(t, "2026-11-20")}},
			[]string{"B 2026-11-14 00:00 → 2026-11-16 10:00"}},
		{"not on call then", []oncall.Absence{{User: "C", From: date(t, "2026-11-10"), To: date(t, "2026-11-12")}}, nil},
		{"beyond plan_ahead", []oncall.Absence{{User: "A", From: date(t, "2027-01-04"), To: date(t, "2027-01-05")}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _, _, ps := planned(t, "2026-11-05 12:00")
			ps.absence = tc.absences
			cs, err := r.Conflicts(context.Background(), tm(t, "2026-11-05 12:00"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.User+" "+c.Span.From.In(berlin).Format("2006-01-02 15:04")+" → "+c.Span.To.In(berlin).Format("2006-01-02 15:04"))
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("conflicts %q, want %q", got, tc.want)
			}
		})
	}
}

// The warnings go to the person and the leads once per conflict, with a
// button; with cover: auto the request is posted at once instead.
func TestAbsenceWarnings(t *testing.T) {
	r, out, _, ps := planned(t, "2026-11-05 12:00")
	ps.absence = []oncall.Absence{{User: "B", From: date(t, "2026-11-11"), To: date(t, "2026-11-12"), Why: oncall.WhyOOO}}
	msgs, err := r.AbsenceWarnings(context.Background(), tm(t, "2026-11-05 12:00"))
	if err != nil || len(msgs) != 2 || msgs[0].To != "B" || msgs[1].To != "L" {
		t.Fatalf("warnings %+v, %v: want one to B and one to the lead", msgs, err)
	}
	if !strings.Contains(string(rituals.PlainText(msgs[1].Blocks[0])), "B> is away (out of office, 2026-11-11 → 2026-11-12)") || msgs[0].Blocks[1].Buttons[0].ActionID != oncall.ActionCoverPost {
		t.Errorf("warning: %+v", msgs)
	}
	r.Settings.Cover = oncall.CoverAuto
	if _, err := r.AbsenceWarnings(context.Background(), tm(t, "2026-11-05 12:00")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AbsenceWarnings(context.Background(), tm(t, "2026-11-05 12:00")); err != nil {
		t.Fatal(err)
	}
	if len(ps.covers) != 1 || ps.covers[0].For != "B" || !ps.covers[0].Span.From.Equal(tm(t, "2026-11-11 00:00")) {
		t.Errorf("cover: auto posted %+v, want one request for B's days", ps.covers)
	}
	if got := out.to("C0PAYMENTS"); len(got) != 1 || !strings.Contains(got[0], "Cover request #1") {
		t.Errorf("channel got %q", got)
	}
}

// Cover requests: refused when they cannot be met; taken once, by a
// member who is not away; the override spans exactly the request.
func TestCoverRequests(t *testing.T) {
	r, out, clock, ps := planned(t, "2026-11-05 12:00")
	ctx := context.Background()
	for _, tc := range []struct {
		ask  oncall.CoverAsk
		want string
	}{
		{oncall.CoverAsk{By: "B", Span: oncall.Span{From: tm(t, "2026-11-12 00:00"), To: tm(t, "2026-11-11 00:00")}}, "before it starts"},
		{oncall.CoverAsk{By: "A", Span: oncall.Span{From: tm(t, "2026-11-04 00:00"), To: tm(t, "2026-11-06 00:00")}}, "has passed"},
		{oncall.CoverAsk{By: "L", For: "C", Span: oncall.Span{From: tm(t, "2026-11-11 00:00"), To: tm(t, "2026-11-12 00:00")}}, "is not on call"},
		{oncall.CoverAsk{By: "C", For: "B", Span: oncall.Span{From: tm(t, "2026-11-11 00:00"), To: tm(t, "2026-11-12 00:00")}}, "Only a lead"},
	} {
		if _, err := r.RequestCover(ctx, tc.ask); err == nil || !strings.Contains(rituals.ErrorMessage(err), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.ask, err, tc.want)
		}
	}
	c, err := r.RequestCover(ctx, oncall.CoverAsk{By: "B", Span: oncall.Span{From: tm(t, "2026-11-11 00:00"), To: tm(t, "2026-11-13 00:00")}, Reason: "<!channel> dentist"})
	if err != nil || c.ID != 1 || c.For != "B" {
		t.Fatalf("request: %+v %v", c, err)
	}
	if got := out.to("C0PAYMENTS"); len(got) != 1 || strings.Contains(got[0], "<!channel>") {
		t.Errorf("posted %q: want one request, its reason inert", got)
	}
	if _, err := r.RequestCover(ctx, oncall.CoverAsk{By: "B", Span: oncall.Span{From: tm(t, "2026-11-12 00:00"), To: tm(t, "2026-11-12 12:00")}}); err == nil || !strings.Contains(err.Error(), "already asks") {
		t.Errorf("overlapping request: %v", err)
	}
	// C is away then, B asked; A takes it, and nobody after.
	ps.absence = []oncall.Absence{{User: "C", From: date(t, "2026-11-12"), To: date(t, "2026-11-12")}}
	for _, tc := range []struct{ who, want string }{{"C", "You are away then"}, {"B", "your own shift"}, {"Z", "Only members"}} {
		if _, err := r.TakeCover(ctx, 1, tc.who); err == nil || !strings.Contains(rituals.ErrorMessage(err), tc.want) {
			t.Errorf("%s takes: %v, want %q", tc.who, err, tc.want)
		}
	}
	taken, err := r.TakeCover(ctx, 1, "A")
	if err != nil || taken.TakenBy != "A" {
		t.Fatalf("A takes: %+v %v", taken, err)
	}
	for _, who := range []string{"A", "C"} {
		if _, err := r.TakeCover(ctx, 1, who); rituals.ErrorCode(err) != rituals.ECONFLICT {
			t.Errorf("%s takes again: %v, want a conflict", who, err)
		}
	}
	shifts, err := r.Shifts(tm(t, "2026-11-10 00:00"), tm(t, "2026-11-14 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range shifts {
		got = append(got, s.Primary+" "+s.Start.In(berlin).Format("02 15:04"))
	}
	if want := "B 09 10:00; A 11 00:00; B 13 00:00"; strings.Join(got, "; ") != want {
		t.Errorf("shifts %q, want %q", strings.Join(got, "; "), want)
	}
	if dms := out.to("A"); len(dms) != 1 || !strings.Contains(dms[0], "by cover request #1") {
		t.Errorf("A was told %q", dms)
	}
	if dms := out.to("B"); len(dms) != 1 || !strings.Contains(dms[0], "covers your on-call shift") {
		t.Errorf("B was told %q", dms)
	}
	// Untaken requests are raised to the lead escalate_after before.
	c2, err := r.RequestCover(ctx, oncall.CoverAsk{By: "C", Span: oncall.Span{From: tm(t, "2026-11-18 00:00"), To: tm(t, "2026-11-19 00:00")}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-11-15 23:59"))
	if err := r.PlanPass(ctx); err != nil || len(out.to("L")) != 0 {
		t.Fatalf("escalated early: %q %v", out.to("L"), err)
	}
	clock.Set(tm(t, "2026-11-16 00:00"))
	if err := r.PlanPass(ctx); err != nil || len(out.to("L")) != 1 || !strings.Contains(out.to("L")[0], "Nobody has taken cover request #2") {
		t.Fatalf("escalation: %q %v", out.to("L"), err)
	}
	if c, _, _ := ps.Cover("", c2.ID); c.Escalated.IsZero() {
		t.Error("the escalation is not recorded")
	}
}

// A drill pages the primary, the secondary when unacknowledged within
// escalate_after (at most the page's five minutes), and reports once.
func TestDrills(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ackAfter time.Duration
		ackBy    string
		want     string
	}{
		{"acknowledged", 2 * time.Minute, "A", "drill #1: acknowledged by <@A> after 2m, not escalated"},
		{"escalated", 6 * time.Minute, "B", "drill #1: acknowledged by <@B> after 6m, escalated to <@B>"},
		{"missed", 0, "", "drill #1: not acknowledged, escalated to <@B>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, out, clock, _ := planned(t, "2026-11-05 12:00")
			ctx := context.Background()
			if _, err := r.StartDrill(ctx, "A"); err == nil {
				t.Error("a member started a drill")
			}
			d, err := r.StartDrill(ctx, "L")
			if err != nil || d.Primary != "A" || d.Secondary != "B" {
				t.Fatalf("drill %+v %v", d, err)
			}
			if tc.ackBy == "B" {
				if _, err := r.AckDrill(ctx, d.ID, "B"); err == nil {
					t.Error("the secondary acknowledged before being paged")
				}
			}
			end := tc.ackAfter
			if end == 0 {
				end = time.Hour
			}
			for step := time.Minute; step <= end; step += time.Minute {
				clock.Set(tm(t, "2026-11-05 12:00").Add(step))
				if err := r.PlanPass(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if tc.ackBy != "" {
				if _, err := r.AckDrill(ctx, d.ID, tc.ackBy); err != nil {
					t.Fatal(err)
				}
			}
			if got := out.to("C0PAYMENTS"); len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("channel: %q, want %q", got, tc.want)
			}
			wantPages := 1
			if tc.ackAfter != 2*time.Minute {
				wantPages = 2
			}
			if n := len(out.to("A")) + len(out.to("B")); n != wantPages {
				t.Errorf("%d pages, want %d", n, wantPages)
			}
		})
	}
}
