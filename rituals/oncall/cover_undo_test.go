package oncall_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// A request escalated, taken, then open again as its override is
// cancelled before it starts is raised to the leads again, under a key
// of its own (the first raise's key would make it a duplicate); the
// override's cancel names it.
func TestCoverOpenAgainIsEscalatedAgain(t *testing.T) {
	r, out, clock, ps, c := coverAsked(t)
	ctx := context.Background()
	clock.Set(tm(t, "2026-11-16 00:00"))
	if err := r.PlanPass(ctx); err != nil || len(out.to("L")) != 1 {
		t.Fatalf("escalation: %q %v", out.to("L"), err)
	}
	if _, err := r.TakeCover(ctx, c.ID, "A"); err != nil {
		t.Fatal(err)
	}
	o, _, err := r.CancelPlanned(ctx, oncall.CancelRequest{By: "L", Starts: oncall.Span{From: c.Span.From, To: c.Span.From.AddDate(0, 0, 1)}})
	if err != nil || o.Cover != c.ID {
		t.Fatalf("cancel: %+v %v, want it to name cover request #%d", o, err, c.ID)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "" || got.Override != 0 || got.Reopened != 1 || !got.Escalated.IsZero() {
		t.Fatalf("the request after the cancel: %+v", got)
	}
	if err := r.PlanPass(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range out.msgs {
		if m.To == "L" && strings.Contains(m.Text, "Nobody has taken cover request #1") {
			keys = append(keys, m.Key)
		}
	}
	if len(keys) != 2 || keys[0] == keys[1] {
		t.Errorf("the lead's escalations have keys %q, want two, each its own", keys)
	}
	// Taken again: not open, not raised.
	if _, err := r.TakeCover(ctx, c.ID, "B"); err != nil {
		t.Fatalf("B takes it once open again: %v", err)
	}
}

// The cancel of an override that took a cover request and the request
// open again are one write: when it fails (a crash before its commit),
// the cancel fails whole: the override stands, the request is still
// taken and nobody is told. Tried again, both happen.
func TestCoverCancelThatCannotBeStoredChangesNothing(t *testing.T) {
	r, out, _, ps, c := coverAsked(t)
	ctx := context.Background()
	if _, err := r.TakeCover(ctx, c.ID, "A"); err != nil {
		t.Fatal(err)
	}
	sent := len(out.msgs)
	ps.failEndCovered = errors.New("disk full")
	cancel := oncall.CancelRequest{By: "L", Starts: oncall.Span{From: c.Span.From, To: c.Span.From.AddDate(0, 0, 1)}}
	if _, _, err := r.CancelPlanned(ctx, cancel); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("cancel with a failing store: %v, want its error", err)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "A" || got.Reopened != 0 {
		t.Errorf("after the failed cancel the request is %+v, want it taken by A", got)
	}
	if stints, _ := r.OnCallOver(c.Span); len(stints) != 1 || stints[0].User != "A" {
		t.Errorf("after the failed cancel %+v are on call over the span, want A's override", stints)
	}
	if len(out.msgs) != sent {
		t.Errorf("the failed cancel told: %+v", out.msgs[sent:])
	}
	ps.failEndCovered = nil
	if o, _, err := r.CancelPlanned(ctx, cancel); err != nil || o.Cover != c.ID {
		t.Fatalf("cancel tried again: %+v %v", o, err)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "" || got.Reopened != 1 {
		t.Errorf("after the cancel the request is %+v, want it open again", got)
	}
}

// Taking a cover request stores the override, the request marked taken
// and the messages that say so in one write: when it fails (a crash
// before its commit), the take fails whole: nobody is on call by it, the
// request still offers "Take it" and nobody is told. Tried again, all
// of it happens.
func TestCoverTakeThatCannotBeStoredChangesNothing(t *testing.T) {
	r, out, _, ps, c := coverAsked(t)
	ctx := context.Background()
	sent := len(out.msgs)
	ps.failTake = errors.New("disk full")
	if _, err := r.TakeCover(ctx, c.ID, "A"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("take with a failing store: %v, want its error", err)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "" || got.Override != 0 {
		t.Errorf("after the failed take the request is %+v, want it open", got)
	}
	if stints, _ := r.OnCallOver(c.Span); len(stints) != 1 || stints[0].User != "C" {
		t.Errorf("after the failed take %+v are on call over the span, want C as scheduled", stints)
	}
	if len(out.msgs) != sent {
		t.Errorf("the failed take told: %+v", out.msgs[sent:])
	}
	ps.failTake = nil
	taken, err := r.TakeCover(ctx, c.ID, "A")
	if err != nil || taken.TakenBy != "A" || taken.Override == 0 {
		t.Fatalf("take tried again: %+v %v", taken, err)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "A" || got.Override != taken.Override {
		t.Errorf("after the take the request is %+v, want it taken by A with override %d", got, taken.Override)
	}
	if stints, _ := r.OnCallOver(c.Span); len(stints) != 1 || stints[0].User != "A" {
		t.Errorf("after the take %+v are on call over the span, want A", stints)
	}
	if dms := out.to("C"); len(dms) != 1 || !strings.Contains(dms[0], "<@A>") {
		t.Errorf("C, relieved, was told %q", dms)
	}
}

// Ending a covering override once its span has begun stores its end, the
// request's early end and the messages that say so in one write: when it
// fails, the end fails whole: the taker is still on call, the post still
// reads plainly taken and nobody is told. Tried again, all of it happens.
func TestCoverEarlyEndThatCannotBeStoredChangesNothing(t *testing.T) {
	r, out, clock, ps, c := coverAsked(t)
	ctx := context.Background()
	if _, err := r.TakeCover(ctx, c.ID, "A"); err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-11-18 06:00"))
	sent := len(out.msgs)
	ps.failEndCovered = errors.New("disk full")
	if _, _, err := r.EndOverride(ctx, "A"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("end with a failing store: %v, want its error", err)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "A" || !got.Released.IsZero() {
		t.Errorf("after the failed end the request is %+v, want it taken, not released", got)
	}
	if s, _, _ := r.At(tm(t, "2026-11-18 12:00")); s.Primary != "A" {
		t.Errorf("after the failed end %s is on call, want A still", s.Primary)
	}
	if len(out.msgs) != sent {
		t.Errorf("the failed end told: %+v", out.msgs[sent:])
	}
	ps.failEndCovered = nil
	o, _, err := r.EndOverride(ctx, "A")
	if err != nil || o.Cover != c.ID {
		t.Fatalf("end tried again: %+v %v, want it to name cover request #%d", o, err, c.ID)
	}
	if got, _, _ := ps.Cover("", c.ID); !got.Released.Equal(tm(t, "2026-11-18 06:00")) {
		t.Errorf("after the end the request is %+v, want it released at 06:00", got)
	}
	if s, _, _ := r.At(tm(t, "2026-11-18 12:00")); s.Primary != "C" {
		t.Errorf("after the end %s is on call, want C again", s.Primary)
	}
	if dms := out.to("C"); len(dms) == 0 || !strings.Contains(dms[len(dms)-1], "ended <@A>'s cover") {
		t.Errorf("C was told %q, want the early end", dms)
	}
}

// takeWhileRead is a cover store whose first Covers read is followed, as
// if by another goroutine, by a take of the request: the look-ahead loop
// then holds a stale copy that still reads open.
type takeWhileRead struct {
	oncall.CoverStore
	take func()
}

func (s *takeWhileRead) Covers(ritual string, from time.Time) ([]oncall.CoverRequest, error) {
	cs, err := s.CoverStore.Covers(ritual, from)
	if s.take != nil {
		take := s.take
		s.take = nil
		take()
	}
	return cs, err
}

// A request taken between the look-ahead loop's read and its escalation
// stays taken: the loop must not mark its stale copy escalated over the
// taker (the request would read open while its override stands), nor
// raise to the leads a request someone has just taken.
func TestCoverTakenWhileEscalatingStaysTaken(t *testing.T) {
	r, out, clock, ps, c := coverAsked(t)
	ctx := context.Background()
	clock.Set(tm(t, "2026-11-16 00:00"))
	var takeErr error
	r.Covers = &takeWhileRead{CoverStore: ps, take: func() { _, takeErr = r.TakeCover(ctx, c.ID, "A") }}
	if err := r.PlanPass(ctx); err != nil {
		t.Fatal(err)
	}
	if takeErr != nil {
		t.Fatalf("A's take: %v", takeErr)
	}
	got, _, err := ps.Cover("", c.ID)
	if err != nil || got.TakenBy != "A" || got.Override == 0 {
		t.Fatalf("the request after the look-ahead: %+v %v, want taken by A with its override", got, err)
	}
	for _, m := range out.to("L") {
		if strings.Contains(m, "Nobody has taken") {
			t.Errorf("the lead was told nobody took a request A had taken: %q", m)
		}
	}
}

// coverAsked is the rotation of planned, on 5 November, where C has
// asked for cover over 18 November (C's shift): its outbox, clock, store
// and the request.
func coverAsked(t *testing.T) (*oncall.Rotation, *recordingOutbox, *rituals.FakeClock, *memPlanStore, oncall.CoverRequest) {
	t.Helper()
	r, out, clock, ps := planned(t, "2026-11-05 12:00")
	c, err := r.RequestCover(context.Background(), oncall.CoverAsk{By: "C", Span: oncall.Span{From: tm(t, "2026-11-18 00:00"), To: tm(t, "2026-11-19 00:00")}})
	if err != nil {
		t.Fatal(err)
	}
	return r, out, clock, ps, c
}
