package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// TestEraseUserLeavesNoTrace seeds every kind of record naming Bob, as a
// field, a list element, a key part and a mention inside text, erases him,
// and greps the export: not one Bob left, while Bobby (whose ID starts
// with Bob's) and everyone else's records stay as they were.
func TestEraseUserLeavesNoTrace(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const bob, bobby, alice = "U0BOB", "U0BOBBY", "U0ALICE"
	d := rituals.DateOf(t0)
	for _, u := range []string{bob, alice, bobby} {
		must(db.PutAnswer(standup.StandupAnswer{Ritual: "s", Date: d, User: u, Answers: map[string]string{"today": "pairing with <@" + bob + "> and <@" + bobby + ">"}}))
		must(db.PutAway(standup.Away{User: u, From: d, To: d.AddDays(3)}))
		must(db.PutBlocker(rituals.Blocker{ID: "s-" + u + "-1", Ritual: "s", User: u, Text: "waiting", Opened: t0}))
	}
	must(db.PutDay(standup.StandupDay{Ritual: "s", Date: d, Prompted: []string{alice, bob, bobby}, Reminded: []string{bob}}))
	must(db.PutTally(standup.StandupTally{Ritual: "s", Team: "t", Date: d, Outcomes: map[string]standup.Outcome{alice: standup.OutcomeAnswered, bob: standup.OutcomeAnswered, bobby: standup.OutcomeSkipped}}))

	inc := incident.Incident{Ritual: "inc", Title: "Checkout down", Commander: bob, Participants: []string{alice, bob}, Status: incident.IncidentResolved, Opened: t0, Resolved: t0,
		Timeline: []incident.TimelineEvent{{At: t0, Kind: incident.EventUpdate, By: bob, Text: "<@" + bob + "|bob> rolled back; " + bob + " watching"}},
		Retro: incident.Retro{Answers: []incident.RetroAnswer{{User: bob, Answers: map[string]string{"happened": "a bad deploy"}}}, PublishedBy: bob,
			Postmortem: "# Postmortem\n\nCommander: <@" + bob + ">. Thanks " + bobby + "."}}
	inc, err := db.SaveIncident(inc, t0, nil)
	must(err)
	must(db.PutAction(incident.ActionItem{ID: "1.1", Ritual: "inc", Incident: inc.Number, Owner: bob, CreatedBy: alice, Text: "alert on it", Created: t0}))
	_, err = db.PutHandoff(oncall.HandoffRecord{Ritual: "oc", At: t0, Primary: bob, Rotation: []string{alice, bob}, Recorded: t0})
	must(err)
	_, err = db.AddOverride(oncall.Override{Ritual: "oc", User: bob, From: t0, To: t0.Add(day), By: alice, Created: t0})
	must(err)
	must(db.PutNote(digest.DigestNote{ID: "n1", Team: "t", Kind: digest.NoteHighlight, Text: "thanks " + bob, Author: bob, Created: t0}))
	must(db.Enqueue(t0, rituals.Message{Key: "incident/1/retro/" + bob, To: "C1", Text: "retro"}))
	items, _ := db.Pending(0)
	must(db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}))
	must(db.Enqueue(t0,
		rituals.Message{Key: "dm/" + bob, To: bob, Text: "your turn"},
		rituals.Message{Key: "channel/1", To: "C1", Text: "over to <@" + bob + ">", Blocks: []rituals.Block{{Kind: rituals.SectionBlock, Text: "on call: <@" + bob + ">"}}}))

	rep, err := db.EraseUser(bob)
	must(err)
	if rep.Answers != 1 || rep.Blockers != 1 || rep.Aways != 1 || rep.MemberDays != 1 || rep.Messages != 1 {
		t.Errorf("removed %+v, want one answer, blocker, away stretch, member day and pending DM", rep)
	}
	for _, b := range []string{"incidents", "incident_briefs", "incident_actions", "oncall_handoffs", "oncall_overrides", "digest_notes", "sent", "outbox", "standup_answers", "standup_days"} {
		if rep.Replaced[b] == 0 {
			t.Errorf("nothing replaced in %s: %v", b, rep.Replaced)
		}
	}

	var out bytes.Buffer
	must(db.Export(&out))
	export := out.String()
	if trace := regexp.MustCompile(`\b`+bob+`\b`).FindAllStringIndex(export, -1); len(trace) > 0 {
		for _, at := range trace {
			t.Errorf("the export still names %s: …%s…", bob, export[max(0, at[0]-80):min(len(export), at[1]+40)])
		}
	}
	for _, want := range []string{bobby, alice, "pairing with a former member and <@" + bobby + ">", "a former member rolled back; a former member watching", "incident/1/retro/a former member"} {
		if !strings.Contains(export, want) {
			t.Errorf("the export lacks %q", want)
		}
	}

	// What stays reads back through the store as before.
	got, _, _ := db.Incident(inc.Number)
	if got.Commander != rituals.FormerMember || got.Participants[1] != rituals.FormerMember || got.Retro.Answers[0].User != rituals.FormerMember {
		t.Errorf("incident after erasure: commander %q, participants %q, retro by %q", got.Commander, got.Participants, got.Retro.Answers[0].User)
	}
	if briefs, _ := db.IncidentBriefs(""); briefs[0].Commander != rituals.FormerMember {
		t.Errorf("the brief (and its cache) says commander %q", briefs[0].Commander)
	}
	if acts, _ := db.ActionItems(""); acts[0].Owner != rituals.FormerMember {
		t.Errorf("the action item's owner is %q", acts[0].Owner)
	}
	if _, ok, _ := db.Sent("incident/1/retro/" + rituals.FormerMember); !ok {
		t.Error("the delivery record is not under its new key")
	}
	if day, _, _ := db.Day("s", d); fmt.Sprint(day.Prompted) != fmt.Sprintf("[%s %s %s]", alice, rituals.FormerMember, bobby) {
		t.Errorf("the day's prompted list is %q: it should keep its count", day.Prompted)
	}
	if p, _ := db.MemberParticipation("t", bobby, d, d); p.Days != 1 {
		t.Error("Bobby's records went with Bob's")
	}
	if pending, _ := db.Pending(0); len(pending) != 1 || !strings.Contains(pending[0].Message.Text, rituals.FormerMember) {
		t.Errorf("pending after erasure: %+v", pending)
	}

	if rep, err := db.EraseUser(bob); err != nil || rep.Answers+rep.Blockers+rep.Aways+rep.MemberDays+rep.Messages+len(rep.Replaced) != 0 {
		t.Errorf("erasing again = %+v, %v; want nothing left to do", rep, err)
	}
	if _, err := db.EraseUser("bob@example.com"); rituals.ErrorCode(err) != rituals.EINVALID {
		t.Errorf("erasing an e-mail in the store: %v, want EINVALID (the CLI resolves e-mails)", err)
	}
}

// TestNothingIsSentToAFormerMember: a ritual that still lists an erased
// person (a retro's participants) enqueues nothing for them.
func TestNothingIsSentToAFormerMember(t *testing.T) {
	db := MustOpen(t)
	err := db.Enqueue(t0,
		rituals.Message{Key: "incident/1/retro/" + rituals.FormerMember, To: rituals.FormerMember, Text: "your retro"},
		rituals.Message{Key: "incident/1/retro/U0ALICE", To: "U0ALICE", Text: "your retro"})
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := db.Pending(0); len(items) != 1 || items[0].Message.To != "U0ALICE" {
		t.Errorf("pending = %+v, want only Alice's", items)
	}
}

// FuzzReplaceInJSON: whatever text a record holds, the erasure's rewrite
// leaves valid JSON in which the ID appears in no string or key, and text
// without it unchanged.
func FuzzReplaceInJSON(f *testing.F) {
	for _, s := range []string{"", "U0BOB", "<@U0BOB>", "<@U0BOB|bob> and U0BOBBY", "xU0BOB", "U0BOB_", "a\x00b", "<@U0BOB|>", "\u2028<@U0BOB", `"\`} {
		f.Add(s)
	}
	const id = "U0BOB"
	re := mentionsOf(id)
	word := regexp.MustCompile(`\b` + id + `\b`)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := encodeJSON(map[string]any{"Text": s, "List": []any{s, id, uint64(12345678901234567890)}, s: s})
		if err != nil {
			t.Skip()
		}
		out, err := replaceInJSON(v, re)
		if err != nil {
			t.Fatalf("replaceInJSON(%s): %v", v, err)
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("not JSON after the rewrite: %s: %v", out, err)
		}
		var strs []string
		for k, v := range got {
			strs = append(strs, k)
			switch v := v.(type) {
			case string:
				strs = append(strs, v)
			case []any:
				for _, e := range v {
					if e, ok := e.(string); ok {
						strs = append(strs, e)
					}
				}
			}
		}
		for _, str := range strs {
			if word.MatchString(str) {
				t.Errorf("%q still names %s after the rewrite of %q", str, id, s)
			}
		}
		var was map[string]any // as stored: invalid UTF-8 is stored replaced
		if err := json.Unmarshal(v, &was); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(s, id) && got["Text"] != was["Text"] {
			t.Errorf("text without the ID changed: %q → %q", was["Text"], got["Text"])
		}
		if !bytes.Contains(out, []byte("12345678901234567890")) {
			t.Errorf("a number changed in the rewrite: %s", out)
		}
	})
}
