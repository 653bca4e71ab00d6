package store

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

func TestOnCallHandoffsKeepTheFirstRecord(t *testing.T) {
	db := MustOpen(t)
	h := oncall.HandoffRecord{Ritual: "pay-oncall", At: t0, Primary: "U0A", Rotation: []string{"U0A", "U0B"}}
	if ok, err := db.PutHandoff(h); err != nil || !ok {
		t.Fatalf("first put: %v %v", ok, err)
	}
	h2 := h
	h2.Primary = "U0B"
	if ok, err := db.PutHandoff(h2); err != nil || ok {
		t.Fatalf("second put at the same instant: stored=%v %v; the past must not be rewritten", ok, err)
	}
	later := oncall.HandoffRecord{Ritual: "pay-oncall", At: t0.Add(7 * 24 * time.Hour), Primary: "U0B"}
	earlier := oncall.HandoffRecord{Ritual: "pay-oncall", At: t0.Add(-7 * 24 * time.Hour), Primary: "U0Z"}
	other := oncall.HandoffRecord{Ritual: "pay-oncall2", At: t0, Primary: "U0Q"}
	for _, x := range []oncall.HandoffRecord{later, earlier, other} {
		if _, err := db.PutHandoff(x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Handoffs("pay-oncall")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Primary != "U0Z" || got[1].Primary != "U0A" || got[2].Primary != "U0B" || len(got[1].Rotation) != 2 {
		t.Errorf("handoffs = %+v, want 3 in time order, the first record kept", got)
	}
}

func TestOnCallOverridesAndSwaps(t *testing.T) {
	db := MustOpen(t)
	o1, err := db.AddOverride(oncall.Override{Ritual: "pay-oncall", User: "U0A", From: t0, To: t0.Add(time.Hour), By: "U0L", Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := db.PutSwap(oncall.SwapRequest{Ritual: "pay-oncall", Requester: "U0A", Other: "U0B", Status: oncall.SwapPending, Give: oncall.Span{From: t0, To: t0.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if sw.ID == 0 || sw.ID == o1.ID {
		t.Fatalf("swap ID %d, override ID %d: want distinct non-zero IDs", sw.ID, o1.ID)
	}
	sw.Status = oncall.SwapAccepted
	stored, err := db.AcceptSwap(sw, []oncall.Override{
		{Ritual: "pay-oncall", User: "U0B", From: t0, To: t0.Add(time.Hour), Swap: sw.ID},
		{Ritual: "pay-oncall", User: "U0A", From: t0.Add(24 * time.Hour), To: t0.Add(25 * time.Hour), Swap: sw.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0].ID <= sw.ID || stored[1].ID <= stored[0].ID {
		t.Errorf("accepted overrides %+v: want increasing IDs after the swap's", stored)
	}
	got, ok, err := db.Swap("pay-oncall", sw.ID)
	if err != nil || !ok || got.Status != oncall.SwapAccepted || got.Other != "U0B" {
		t.Errorf("swap = %+v %v %v", got, ok, err)
	}
	if _, ok, _ := db.Swap("other", sw.ID); ok {
		t.Error("a swap request found under another ritual")
	}
	all, err := db.Overrides("pay-oncall")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != o1.ID || all[2].User != "U0A" {
		t.Errorf("overrides = %+v, want 3 in the order set", all)
	}
	var buf bytes.Buffer
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"pay-oncall#1": {`, `"pay-oncall#2": {`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("export lacks %s:\n%s", want, buf.String())
		}
	}
}

// Ending an override rewrites its end and nothing else, with its
// announcement in the same commit; an unknown override is an error and
// changes nothing.
func TestOnCallEndOverride(t *testing.T) {
	db := MustOpen(t)
	o, err := db.AddOverride(oncall.Override{Ritual: "pay-oncall", User: "U0B", By: "U0LEAD", From: t0, To: t0.Add(4 * time.Hour), Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	commits := db.Commits()
	o.To = t0.Add(time.Hour)
	o.User = "U0SOMEONE" // only the end is taken from the caller
	err = db.EndOverride(o, t0.Add(time.Hour), func(stored oncall.Override) []rituals.Message {
		return []rituals.Message{{Key: "oncall/pay-oncall/override-end/1", To: "C0PAY", Text: stored.User + " ended"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Commits() - commits; n != 1 {
		t.Errorf("%d commits, want the end and its message in one", n)
	}
	got, _ := db.Overrides("pay-oncall")
	if len(got) != 1 || got[0].User != "U0B" || !got[0].To.Equal(t0.Add(time.Hour)) || !got[0].From.Equal(t0) {
		t.Errorf("stored %+v", got)
	}
	pending, _ := db.Pending(10)
	if len(pending) != 1 || pending[0].Message.Text != "U0B ended" {
		t.Errorf("outbox %+v", pending)
	}
	missing := oncall.Override{Ritual: "pay-oncall", ID: 99, To: t0}
	if err := db.EndOverride(missing, t0, nil); err == nil || !strings.Contains(err.Error(), "no override 99") {
		t.Errorf("ending an unknown override: %v", err)
	}
	if got2, _ := db.Overrides("pay-oncall"); len(got2) != 1 || !got2[0].To.Equal(got[0].To) {
		t.Errorf("a failed end changed the overrides: %+v", got2)
	}
}

// Cancelling an override that took a cover request and opening the
// request again are one commit: when any part of it fails (here the
// outbox refuses a message, as a crash before the commit would lose it
// all), neither the override nor the request changes, so the request
// never reads taken by an override that is gone.
func TestOnCallEndCoveredOverrideIsOneCommit(t *testing.T) {
	db := MustOpen(t)
	from := t0.Add(48 * time.Hour)
	c, err := db.PutCover(oncall.CoverRequest{Ritual: "pay-oncall", For: "U0C", By: "U0C", Span: oncall.Span{From: from, To: from.Add(8 * time.Hour)}, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	o, err := db.AddOverride(oncall.Override{Ritual: "pay-oncall", User: "U0B", By: "U0B", From: from, To: from.Add(8 * time.Hour), Cover: c.ID, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	c.TakenBy, c.Taken, c.Override = "U0B", t0, o.ID
	if c, err = db.PutCover(c); err != nil {
		t.Fatal(err)
	}
	cancelled := o
	cancelled.To = o.From
	reopened := c
	reopened.TakenBy, reopened.Taken, reopened.Override, reopened.Reopened = "", time.Time{}, 0, 1
	told := []rituals.Message{{Key: "oncall/pay-oncall/cover/1", To: "C0PAY", Text: "open again", Update: true}}

	broken := append(slices.Clone(told), rituals.Message{To: "U0C", Text: "an edit without a key", Update: true})
	if err := db.EndCoveredOverride(cancelled, reopened, t0, broken); err == nil {
		t.Fatal("a write whose outbox part fails succeeded")
	}
	if got, _ := db.Overrides("pay-oncall"); len(got) != 1 || !got[0].To.Equal(o.To) {
		t.Errorf("after the failed write the override is %+v, want it as it was", got)
	}
	if got, _, _ := db.Cover("pay-oncall", c.ID); got.TakenBy != "U0B" || got.Override != o.ID || got.Reopened != 0 {
		t.Errorf("after the failed write the request is %+v, want it taken still", got)
	}
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("after the failed write the outbox holds %d messages", n)
	}

	commits := db.Commits()
	if err := db.EndCoveredOverride(cancelled, reopened, t0, told); err != nil {
		t.Fatal(err)
	}
	if n := db.Commits() - commits; n != 1 {
		t.Errorf("%d commits, want the cancel, the request and its messages in one", n)
	}
	if got, _ := db.Overrides("pay-oncall"); len(got) != 1 || !got[0].To.Equal(o.From) || got[0].User != "U0B" {
		t.Errorf("the override is %+v, want it cancelled (its end at its start)", got)
	}
	if got, _, _ := db.Cover("pay-oncall", c.ID); got.TakenBy != "" || got.Override != 0 || got.Reopened != 1 {
		t.Errorf("the request is %+v, want it open again", got)
	}
	if pending, _ := db.Pending(10); len(pending) != 1 || pending[0].Message.Text != "open again" {
		t.Errorf("outbox %+v", pending)
	}
}

// Taking a cover request stores the override, the request marked taken by
// it and their messages in one commit: when any part fails (the outbox
// refuses a message), no override is stored and the request is still
// open, so it never offers "Take it" while someone is on call by it, nor
// reads taken by an override that was never stored.
func TestOnCallSaveTakenCoverIsOneCommit(t *testing.T) {
	db := MustOpen(t)
	from := t0.Add(48 * time.Hour)
	c, err := db.PutCover(oncall.CoverRequest{Ritual: "pay-oncall", For: "U0C", By: "U0C", Span: oncall.Span{From: from, To: from.Add(8 * time.Hour)}, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	o := oncall.Override{Ritual: "pay-oncall", User: "U0B", By: "U0B", From: c.Span.From, To: c.Span.To, Cover: c.ID, Created: t0}
	taken := c
	taken.TakenBy, taken.Taken = "U0B", t0
	told := func(o oncall.Override) []rituals.Message {
		return []rituals.Message{
			{Key: "oncall/pay-oncall/override/" + strconv.FormatUint(o.ID, 10), To: "C0PAY", Text: "override"},
			{Key: "oncall/pay-oncall/cover/1", To: "C0PAY", Text: "taken", Update: true},
		}
	}

	broken := func(o oncall.Override) []rituals.Message {
		return append(told(o), rituals.Message{To: "U0C", Text: "an edit without a key", Update: true})
	}
	if _, err := db.SaveTakenCover(o, taken, t0, broken); err == nil {
		t.Fatal("a write whose outbox part fails succeeded")
	}
	if got, _ := db.Overrides("pay-oncall"); len(got) != 0 {
		t.Errorf("after the failed write the overrides are %+v, want none", got)
	}
	if got, _, _ := db.Cover("pay-oncall", c.ID); got.TakenBy != "" || got.Override != 0 {
		t.Errorf("after the failed write the request is %+v, want it open still", got)
	}
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("after the failed write the outbox holds %d messages", n)
	}

	commits := db.Commits()
	stored, err := db.SaveTakenCover(o, taken, t0, told)
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Commits() - commits; n != 1 {
		t.Errorf("%d commits, want the override, the request and their messages in one", n)
	}
	if got, _ := db.Overrides("pay-oncall"); len(got) != 1 || got[0].ID != stored.ID || stored.ID == 0 || got[0].Cover != c.ID {
		t.Errorf("the overrides are %+v (returned %+v), want the one stored", got, stored)
	}
	if got, _, _ := db.Cover("pay-oncall", c.ID); got.TakenBy != "U0B" || got.Override != stored.ID {
		t.Errorf("the request is %+v, want it taken by U0B with override %d", got, stored.ID)
	}
	if pending, _ := db.Pending(10); len(pending) != 2 || pending[0].Message.Key != "oncall/pay-oncall/override/"+strconv.FormatUint(stored.ID, 10) {
		t.Errorf("outbox %+v, want the messages built for the stored override", pending)
	}
}
