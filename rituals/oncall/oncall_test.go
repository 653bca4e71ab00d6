package oncall_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func tm(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// memOnCallStore is an OnCallStore in memory.
type memOnCallStore struct {
	mu        sync.Mutex
	handoffs  []oncall.HandoffRecord
	overrides []oncall.Override
	swaps     map[uint64]oncall.SwapRequest
	seq       uint64
	// outbox receives the messages saved with an override.
	outbox rituals.Outbox
	// failEnd makes EndOverride fail, as a full disk would.
	failEnd error
}

// where is the elements of xs that keep holds for, in their order (nil
// if none), as the in-memory stores read them.
func where[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *memOnCallStore) Handoffs(ritual string) ([]oncall.HandoffRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return where(s.handoffs, func(h oncall.HandoffRecord) bool { return h.Ritual == ritual }), nil
}

func (s *memOnCallStore) PutHandoff(h oncall.HandoffRecord) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.handoffs {
		if x.Ritual == h.Ritual && x.At.Equal(h.At) {
			return false, nil
		}
	}
	s.handoffs = append(s.handoffs, h)
	sort.Slice(s.handoffs, func(i, j int) bool { return s.handoffs[i].At.Before(s.handoffs[j].At) })
	return true, nil
}

func (s *memOnCallStore) Overrides(ritual string) ([]oncall.Override, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return where(s.overrides, func(o oncall.Override) bool { return o.Ritual == ritual }), nil
}

func (s *memOnCallStore) AddOverride(o oncall.Override) (oncall.Override, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	o.ID = s.seq
	s.overrides = append(s.overrides, o)
	return o, nil
}

func (s *memOnCallStore) SaveOverride(o oncall.Override, _ time.Time, messages func(oncall.Override) []rituals.Message) (oncall.Override, error) {
	o, err := s.AddOverride(o)
	if err != nil || messages == nil {
		return o, err
	}
	return o, s.outbox.Send(context.Background(), messages(o)...)
}

func (s *memOnCallStore) EndOverride(o oncall.Override, _ time.Time, messages func(oncall.Override) []rituals.Message) error {
	if s.failEnd != nil {
		return s.failEnd
	}
	s.mu.Lock()
	i := slices.IndexFunc(s.overrides, func(x oncall.Override) bool { return x.ID == o.ID })
	if i < 0 {
		s.mu.Unlock()
		return fmt.Errorf("no override %d", o.ID)
	}
	s.overrides[i].To = o.To
	stored := s.overrides[i]
	s.mu.Unlock()
	if messages == nil {
		return nil
	}
	return s.outbox.Send(context.Background(), messages(stored)...)
}

func (s *memOnCallStore) PutSwap(sw oncall.SwapRequest) (oncall.SwapRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.swaps == nil {
		s.swaps = map[uint64]oncall.SwapRequest{}
	}
	if sw.ID == 0 {
		s.seq++
		sw.ID = s.seq
	}
	s.swaps[sw.ID] = sw
	return sw, nil
}

func (s *memOnCallStore) Swap(ritual string, id uint64) (oncall.SwapRequest, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sw, ok := s.swaps[id]
	return sw, ok && sw.Ritual == ritual, nil
}

func (s *memOnCallStore) AcceptSwap(sw oncall.SwapRequest, os []oncall.Override) ([]oncall.Override, error) {
	if _, err := s.PutSwap(sw); err != nil {
		return nil, err
	}
	var out []oncall.Override
	for _, o := range os {
		o, _ = s.AddOverride(o)
		out = append(out, o)
	}
	return out, nil
}

// recordingOutbox keeps what was sent.
type recordingOutbox struct {
	mu   sync.Mutex
	msgs []rituals.Message
}

func (o *recordingOutbox) Send(_ context.Context, msgs ...rituals.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, msgs...)
	return nil
}

func (o *recordingOutbox) to(dest string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, m := range o.msgs {
		if m.To == dest {
			text := m.Text
			for _, b := range m.Blocks {
				text += "\n" + rituals.PlainText(b)
			}
			out = append(out, fallbackDates(text))
		}
	}
	return out
}

// dateTokenRE is a Slack date token, <!date^UNIX^FORMAT|fallback>.
var dateTokenRE = regexp.MustCompile(`<!date\^[0-9]+\^[^|>]*\|([^>]*)>`)

// fallbackDates reads a text as a client that cannot format dates does:
// each date token as its fallback.
func fallbackDates(s string) string { return dateTokenRE.ReplaceAllString(s, "$1") }

type rotationOpts struct {
	spec      string
	start     string // YYYY-MM-DD
	rotation  []string
	exec      []string
	secondary bool
	store     *memOnCallStore
	now       time.Time
	leads     []string
	members   []string
}

func newRotation(t testing.TB, o rotationOpts) (*oncall.Rotation, *recordingOutbox, *rituals.FakeClock) {
	t.Helper()
	sched := rituals.MustParseSchedule(o.spec, berlin)
	d, err := rituals.ParseDate(o.start)
	if err != nil {
		t.Fatal(err)
	}
	sched.Start = d
	if o.store == nil {
		o.store = &memOnCallStore{}
	}
	if o.now.IsZero() {
		o.now = d.In(berlin)
	}
	members := o.members
	if members == nil {
		members = o.rotation
	}
	clock := rituals.NewFakeClock(o.now)
	out := &recordingOutbox{}
	if o.store.outbox == nil {
		o.store.outbox = out
	}
	r := &oncall.Rotation{
		Config:   &rituals.RitualConfig{Name: "payments-oncall", Kind: rituals.KindOnCall, Team: "payments", Enabled: true, Schedule: sched},
		Settings: &oncall.Settings{Rotation: o.rotation, Exec: o.exec, Secondary: o.secondary},
		Team:     &rituals.Team{ID: "payments", Name: "Payments", Channel: "C0PAYMENTS", Members: members, Leads: o.leads},
		Store:    o.store, Outbox: out, Clock: clock,
	}
	return r, out, clock
}

// countShifts counts each primary's shifts and hours in [from, to).
func countShifts(t testing.TB, r *oncall.Rotation, from, to time.Time) (map[string]int, map[string]time.Duration) {
	t.Helper()
	shifts, err := r.Shifts(from, to)
	if err != nil {
		t.Fatal(err)
	}
	n, hours := map[string]int{}, map[string]time.Duration{}
	for _, s := range shifts {
		if s.Start.Before(from) || s.End.After(to) {
			continue
		}
		n[s.Primary]++
		hours[s.Primary] += s.End.Sub(s.Start)
	}
	return n, hours
}

func TestRotationFairness(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    string
		members int
		// cycles of the rotation to count, and the span they take
		shifts int
		// sameHours: over these shifts everyone also has the same hours
		sameHours bool
	}{
		{"daily of 3", "0 9 * * *", 3, 3 * 20, false},
		{"daily of 4", "0 9 * * *", 4, 4 * 10, false},
		{"weekdays of 3", "0 9 * * MON-FRI", 3, 15, true},   // 3 weeks: each gets one Friday
		{"weekdays of 4", "0 9 * * MON-FRI", 4, 20, true},   // 4 weeks
		{"weekdays of 7", "0 9 * * MON-FRI", 7, 35, true},   // 7 weeks: nobody loses a turn to a weekend
		{"weekdays of 2", "30 8 * * MON-FRI", 2, 10, false}, // each gets 5; Fridays alternate by week
		{"fortnightly of 3", "0 10 * * MON", 3, 9, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rot []string
			for i := range tc.members {
				rot = append(rot, fmt.Sprintf("U0M%02d", i))
			}
			spec := tc.spec
			r, _, _ := newRotation(t, rotationOpts{spec: spec, start: "2026-01-05", rotation: rot}) // a Monday
			if tc.name == "fortnightly of 3" {
				r.Config.Schedule.EveryWeeks = 2
			}
			first := r.First()
			shifts, err := r.Upcoming(first, tc.shifts+1)
			if err != nil {
				t.Fatal(err)
			}
			end := shifts[tc.shifts].Start
			n, hours := countShifts(t, r, first, end)
			want := tc.shifts / tc.members
			for _, m := range rot {
				if n[m] != want {
					t.Errorf("%s had %d shifts over %d, want %d each: %v", m, n[m], tc.shifts, want, n)
				}
			}
			if tc.sameHours {
				for _, m := range rot[1:] {
					// DST (late March) moves one shift by an hour at most.
					if d := hours[m] - hours[rot[0]]; d > time.Hour || d < -time.Hour {
						t.Errorf("hours differ: %v", hours)
						break
					}
				}
			}
			// The order never changes: shift k goes to member k mod n.
			for k, s := range shifts {
				if s.Primary != rot[k%len(rot)] {
					t.Fatalf("shift %d (%s) went to %s, want %s", k, s.Start.In(berlin).Format("Mon 01-02"), s.Primary, rot[k%len(rot)])
				}
			}
		})
	}
}

func TestWeekdayHandoffsSkipWeekendsAndHolidays(t *testing.T) {
	r, _, _ := newRotation(t, rotationOpts{spec: "0 9 * * MON-FRI", start: "2026-11-23", rotation: []string{"U0A", "U0B", "U0C"}})
	r.Config.Schedule.Holidays = rituals.Holidays{{Year: 2026, Month: 11, Day: 26}: true} // skip_holidays: true
	shifts, err := r.Upcoming(r.First(), 6)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range shifts {
		got = append(got, s.Start.In(berlin).Format("Mon 02")+"-"+s.End.In(berlin).Format("Mon 02")+" "+s.Primary)
	}
	want := []string{"Mon 23-Tue 24 U0A", "Tue 24-Wed 25 U0B", "Wed 25-Fri 27 U0C", "Fri 27-Mon 30 U0A", "Mon 30-Tue 01 U0B", "Tue 01-Wed 02 U0C"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("shifts\n got %v\nwant %v", got, want)
	}
}

func TestWeeklyHandoffAcrossDST(t *testing.T) {
	r, _, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-10-12", rotation: []string{"U0A", "U0B", "U0C", "U0D"}, exec: []string{"U0X", "U0Y"}, secondary: true})
	shifts, err := r.Upcoming(tm(t, "2026-10-01 00:00"), 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		start, primary, secondary, exec string
		utcHour                         int
	}{
		{"2026-10-12 10:00", "U0A", "U0B", "U0X", 8},
		{"2026-10-19 10:00", "U0B", "U0C", "U0Y", 8},
		{"2026-10-26 10:00", "U0C", "U0D", "U0X", 9}, // CET from 25 October
		{"2026-11-02 10:00", "U0D", "U0A", "U0Y", 9},
		{"2026-11-09 10:00", "U0A", "U0B", "U0X", 9},
	}
	for i, w := range want {
		s := shifts[i]
		if !s.Start.Equal(tm(t, w.start)) || s.Start.UTC().Hour() != w.utcHour || s.Primary != w.primary || s.Secondary != w.secondary || s.Exec != w.exec {
			t.Errorf("shift %d = %s %s/%s/%s, want %s (%02d:00Z) %s/%s/%s", i, s.Start.UTC().Format(time.RFC3339), s.Primary, s.Secondary, s.Exec, w.start, w.utcHour, w.primary, w.secondary, w.exec)
		}
	}
	if s, ok, _ := r.At(tm(t, "2026-10-12 09:59")); ok {
		t.Errorf("on call before the first shift: %+v", s)
	}
	if s, _, _ := r.At(tm(t, "2026-10-26 09:59")); s.Primary != "U0B" {
		t.Errorf("at 09:59 on the first CET Monday %s is on call, want U0B", s.Primary)
	}
}

// recordEvery records each handoff as the bot does when it runs.
func recordEvery(t testing.TB, r *oncall.Rotation, from, to time.Time) {
	t.Helper()
	for at := r.Config.Schedule.Next(from.Add(-time.Nanosecond)); at.Before(to); at = r.Config.Schedule.Next(at) {
		if err := r.Handoff(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
}

func primaries(t testing.TB, r *oncall.Rotation, from time.Time, n int) []string {
	t.Helper()
	shifts, err := r.Upcoming(from, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range shifts {
		out = append(out, s.Primary)
	}
	return out
}

func TestConfigChangesDoNotReshufflePastShifts(t *testing.T) {
	abcd := []string{"U0A", "U0B", "U0C", "U0D"}
	for _, tc := range []struct {
		name    string
		spec    string
		changed []string
		// future: the shifts from the change on (the shift under way at
		// the change first, which stays).
		future []string
	}{
		{"member added", "0 10 * * MON", []string{"U0A", "U0B", "U0E", "U0C", "U0D"}, []string{"U0B", "U0E", "U0C", "U0D", "U0A", "U0B"}},
		{"member removed", "0 10 * * MON", []string{"U0A", "U0C", "U0D"}, []string{"U0B", "U0C", "U0D", "U0A", "U0C", "U0D"}},
		{"the one on call removed", "0 10 * * MON", []string{"U0A", "U0C", "U0D"}, []string{"U0B", "U0C", "U0D", "U0A", "U0C", "U0D"}},
		{"next one removed", "0 10 * * MON", []string{"U0A", "U0B", "U0D"}, []string{"U0B", "U0D", "U0A", "U0B", "U0D", "U0A"}},
		{"reordered", "0 10 * * MON", []string{"U0D", "U0C", "U0B", "U0A"}, []string{"U0B", "U0A", "U0D", "U0C", "U0B", "U0A"}},
		{"replaced entirely", "0 10 * * MON", []string{"U0X", "U0Y"}, []string{"U0B", "U0X", "U0Y", "U0X", "U0Y", "U0X"}},
		{"daily, member added", "0 9 * * *", []string{"U0A", "U0B", "U0C", "U0D", "U0E"}, []string{"U0B", "U0C", "U0D", "U0E", "U0A", "U0B"}},
		{"weekdays, member removed", "0 9 * * MON-FRI", []string{"U0B", "U0C", "U0D"}, []string{"U0B", "U0C", "U0D", "U0B", "U0C", "U0D"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &memOnCallStore{}
			r, _, clock := newRotation(t, rotationOpts{spec: tc.spec, start: "2026-03-02", rotation: abcd, store: store})
			first := r.First()
			// The bot ran through 5 shifts (the 6th under way); remember them.
			all, _ := r.Upcoming(first, 5)
			changeAt := all[4].End.Add(time.Hour) // an hour into shift 6
			recordEvery(t, r, first, changeAt)
			before, _ := r.Upcoming(first, 6)

			// The config changes; the bot restarts with it.
			clock.Set(changeAt)
			r2, _, _ := newRotation(t, rotationOpts{spec: tc.spec, start: "2026-03-02", rotation: tc.changed, store: store, now: changeAt})
			if err := r2.Open(changeAt); err != nil {
				t.Fatal(err)
			}
			after, _ := r2.Upcoming(first, 6)
			for i := range before {
				if before[i].Primary != after[i].Primary || !before[i].Start.Equal(after[i].Start) {
					t.Errorf("past shift %d changed: %s %s → %s %s", i, before[i].Start.In(berlin).Format("Mon 01-02"), before[i].Primary, after[i].Start.In(berlin).Format("Mon 01-02"), after[i].Primary)
				}
			}
			if got := primaries(t, r2, changeAt, 6); fmt.Sprint(got) != fmt.Sprint(tc.future) {
				t.Errorf("from the change on\n got %v\nwant %v", got, tc.future)
			}
			// Another restart changes nothing.
			r3, _, _ := newRotation(t, rotationOpts{spec: tc.spec, start: "2026-03-02", rotation: tc.changed, store: store, now: changeAt.Add(24 * time.Hour)})
			if err := r3.Open(changeAt.Add(24 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got := primaries(t, r3, first, 12); fmt.Sprint(got[:6]) != fmt.Sprint(primaries(t, r, first, 6)) || fmt.Sprint(got[5:11]) != fmt.Sprint(tc.future) {
				t.Errorf("after another restart: %v", got)
			}
		})
	}
}

func TestHistoryOfAnOutageStaysPut(t *testing.T) {
	// Recorded up to week 2, down for weeks 3-4 while the config changed,
	// back in week 5: the weeks it was down follow the rotation as it was.
	store := &memOnCallStore{}
	abcd := []string{"U0A", "U0B", "U0C", "U0D"}
	r, _, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: abcd, store: store})
	recordEvery(t, r, r.First(), tm(t, "2026-03-10 00:00"))
	back := tm(t, "2026-03-31 12:00")
	r2, _, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0D", "U0C", "U0B", "U0A"}, store: store, now: back})
	if err := r2.Open(back); err != nil {
		t.Fatal(err)
	}
	got := primaries(t, r2, r2.First(), 7)
	// A, B recorded; C, D while down with the old order; week 5 (Mar 30)
	// recorded at start-up as the old order had it (A); then the new order.
	if fmt.Sprint(got) != "[U0A U0B U0C U0D U0A U0D U0C]" {
		t.Errorf("shifts %v", got)
	}
}

func TestOverridesWinNewestFirst(t *testing.T) {
	r, _, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B", "U0C"}, secondary: true, leads: []string{"U0LEAD"}, members: []string{"U0A", "U0B", "U0C", "U0LEAD"}})
	clock.Set(tm(t, "2026-03-03 12:00"))
	ctx := context.Background()
	if _, err := r.Override(ctx, "U0LEAD", "U0C", tm(t, "2026-03-05 12:00")); err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-03-04 12:00"))
	if _, err := r.Override(ctx, "U0B", "U0B", tm(t, "2026-03-04 18:00")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ at, primary, secondary string }{
		{"2026-03-03 11:59", "U0A", "U0B"},
		{"2026-03-03 12:00", "U0C", "U0B"},
		{"2026-03-04 12:00", "U0B", "U0C"}, // the newer override wins; secondary is the next who is not primary
		{"2026-03-04 18:00", "U0C", "U0B"}, // back to the older one
		{"2026-03-05 12:00", "U0A", "U0B"},
	} {
		s, _, err := r.At(tm(t, tc.at))
		if err != nil {
			t.Fatal(err)
		}
		if s.Primary != tc.primary || s.Secondary != tc.secondary || s.Scheduled != "U0A" {
			t.Errorf("at %s: %s/%s (scheduled %s), want %s/%s", tc.at, s.Primary, s.Secondary, s.Scheduled, tc.primary, tc.secondary)
		}
	}
	shifts, _ := r.Shifts(tm(t, "2026-03-02 10:00"), tm(t, "2026-03-09 10:00"))
	var got []string
	for _, s := range shifts {
		got = append(got, s.Start.In(berlin).Format("02 15:04")+" "+s.Primary)
	}
	if want := "[02 10:00 U0A 03 12:00 U0C 04 12:00 U0B 04 18:00 U0C 05 12:00 U0A]"; fmt.Sprint(got) != want {
		t.Errorf("segments %v, want %s", got, want)
	}
}

func TestOverridePermissions(t *testing.T) {
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}, leads: []string{"U0LEAD"}, members: []string{"U0A", "U0B", "U0C", "U0LEAD"}})
	r.IsAdmin = func(u string) bool { return u == "U0ADMIN" }
	clock.Set(tm(t, "2026-03-03 12:00"))
	ctx := context.Background()
	until := tm(t, "2026-03-03 16:00")
	for _, tc := range []struct {
		by, user string
		code     string
		reason   string
	}{
		{"U0A", "U0B", rituals.EFORBIDDEN, "Only a lead of Payments"},
		// The hint names the member outside the code span, where Slack
		// shows a mention as @Name (inside one it stays a raw ID).
		{"U0A", "U0B", rituals.EFORBIDDEN, "(`/oncall override` <@U0A> `4h`)"},
		{"U0OUTSIDER", "U0OUTSIDER", rituals.EFORBIDDEN, "not in the Payments team"},
		{"U0C", "U0C", "", ""},     // a member takes a shift themselves
		{"U0LEAD", "U0B", "", ""},  // a lead puts anyone on call
		{"U0ADMIN", "U0A", "", ""}, // so does an admin
	} {
		_, err := r.Override(ctx, tc.by, tc.user, until)
		if rituals.ErrorCode(err) != tc.code || tc.reason != "" && !strings.Contains(rituals.ErrorMessage(err), tc.reason) {
			t.Errorf("%s overriding %s: %v, want %q saying %q", tc.by, tc.user, err, tc.code, tc.reason)
		}
	}
	if n := len(out.to("C0PAYMENTS")); n != 3 {
		t.Errorf("%d channel messages, want one per accepted override (3)", n)
	}
	if _, err := r.Override(ctx, "U0LEAD", "U0B", tm(t, "2026-03-03 11:00")); rituals.ErrorCode(err) != rituals.EINVALID {
		t.Errorf("override ending in the past: %v", err)
	}
}

// Ending an override: who may, what is in force after it (an older
// override it covered, or the schedule), and that the channel is told.
func TestEndOverride(t *testing.T) {
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B", "U0C"}, leads: []string{"U0LEAD"}, members: []string{"U0A", "U0B", "U0C", "U0LEAD"}})
	r.IsAdmin = func(u string) bool { return u == "U0ADMIN" }
	ctx := context.Background()
	clock.Set(tm(t, "2026-03-03 12:00"))
	if _, _, err := r.EndOverride(ctx, "U0LEAD"); rituals.ErrorCode(err) != rituals.ENOTFOUND || !strings.Contains(rituals.ErrorMessage(err), "<@U0A> is on call as scheduled") {
		t.Errorf("ending with no override in force: %v", err)
	}
	if _, err := r.Override(ctx, "U0LEAD", "U0C", tm(t, "2026-03-05 12:00")); err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-03-03 14:00"))
	if _, err := r.Override(ctx, "U0B", "U0B", tm(t, "2026-03-04 18:00")); err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-03-03 15:00"))
	// B's override is in force; C (on call by the older one) may not end it.
	if _, _, err := r.EndOverride(ctx, "U0C"); rituals.ErrorCode(err) != rituals.EFORBIDDEN || !strings.Contains(rituals.ErrorMessage(err), "Only <@U0B> (on call by it), <@U0B> (who set it), a lead of Payments") {
		t.Errorf("C ending B's override: %v", err)
	}
	if s, _, _ := r.At(tm(t, "2026-03-03 15:00")); s.Primary != "U0B" {
		t.Fatalf("a refused end changed the shift: %s on call", s.Primary)
	}
	ended, after, err := r.EndOverride(ctx, "U0B")
	if err != nil {
		t.Fatal(err)
	}
	if ended.User != "U0B" || !ended.To.Equal(tm(t, "2026-03-03 15:00")) || after.Primary != "U0C" || !after.End.Equal(tm(t, "2026-03-05 12:00")) {
		t.Errorf("ended %+v; after it %s until %s, want U0C (the older override) until Thu 12:00", ended, after.Primary, after.End)
	}
	for _, tc := range []struct{ at, primary string }{
		{"2026-03-03 14:30", "U0B"}, // the record keeps what was
		{"2026-03-03 15:00", "U0C"},
		{"2026-03-04 19:00", "U0C"},
		{"2026-03-05 12:00", "U0A"},
	} {
		if s, _, _ := r.At(tm(t, tc.at)); s.Primary != tc.primary {
			t.Errorf("at %s: %s on call, want %s", tc.at, s.Primary, tc.primary)
		}
	}
	// The lead who set C's ends it too: back to the schedule.
	clock.Set(tm(t, "2026-03-03 16:00"))
	if _, after, err := r.EndOverride(ctx, "U0LEAD"); err != nil || after.Primary != "U0A" || after.Override != nil {
		t.Errorf("the lead ending C's override: %v; %s on call after", err, after.Primary)
	}
	msgs := out.to("C0PAYMENTS")
	var ends []string
	for _, m := range msgs {
		if strings.Contains(m, "ended") {
			first, _, _ := strings.Cut(m, "\n")
			ends = append(ends, first)
		}
	}
	if want := []string{
		":repeat: <@U0B> ended their on-call override for Payments. <@U0C> is on call until Thu 5 Mar 12:00 CET.",
		":repeat: <@U0LEAD> ended <@U0C>'s on-call override for Payments. <@U0A> is on call until Mon 9 Mar 10:00 CET.",
	}; !slices.Equal(ends, want) {
		t.Errorf("channel told %q, want %q", ends, want)
	}
	// What the store holds is what the rotation reads after a restart.
	stored, _ := r.Store.Overrides(r.Config.Name)
	if len(stored) != 2 || !stored[0].To.Equal(tm(t, "2026-03-03 16:00")) || !stored[1].To.Equal(tm(t, "2026-03-03 15:00")) {
		t.Errorf("stored overrides %+v", stored)
	}
}

// An override whose end could not be stored is still in force: who is
// on call never differs from what a restart would read.
func TestEndOverrideThatCannotBeStoredChangesNothing(t *testing.T) {
	st := &memOnCallStore{}
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}, leads: []string{"U0LEAD"}, members: []string{"U0A", "U0B", "U0LEAD"}, store: st})
	ctx := context.Background()
	clock.Set(tm(t, "2026-03-03 12:00"))
	if _, err := r.Override(ctx, "U0LEAD", "U0B", tm(t, "2026-03-03 18:00")); err != nil {
		t.Fatal(err)
	}
	sent := len(out.to("C0PAYMENTS"))
	st.failEnd = errors.New("disk full")
	clock.Set(tm(t, "2026-03-03 13:00"))
	if _, _, err := r.EndOverride(ctx, "U0LEAD"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("ending with a failing store: %v", err)
	}
	if s, _, _ := r.At(tm(t, "2026-03-03 14:00")); s.Primary != "U0B" || s.Override == nil || !s.Override.To.Equal(tm(t, "2026-03-03 18:00")) {
		t.Errorf("after the failed end: %s on call, override %+v; want U0B's, to 18:00", s.Primary, s.Override)
	}
	if n := len(out.to("C0PAYMENTS")); n != sent {
		t.Errorf("a failed end was announced (%d messages, was %d)", n, sent)
	}
}

func TestSwapAcceptAndDecline(t *testing.T) {
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B", "U0C"}})
	clock.Set(tm(t, "2026-03-04 12:00")) // A is on call
	ctx := context.Background()
	// Accepting puts the other on call: only someone who could take a
	// shift themselves may be asked.
	if _, err := r.RequestSwap(ctx, "U0A", "U0OUTSIDER"); rituals.ErrorCode(err) != rituals.EFORBIDDEN || !strings.Contains(rituals.ErrorMessage(err), "not in the Payments team or its rotation") {
		t.Errorf("a swap with someone outside the team: %v", err)
	}
	if len(out.msgs) != 0 {
		t.Fatalf("a refused swap request sent %d messages", len(out.msgs))
	}
	// A takes C's 16 March week, right before A's own 23 March: A confirms.
	reply, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0A", Other: "U0C", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply, "<@U0C> takes your on-call shift") {
		t.Errorf("requester told %q", reply)
	}
	ask := out.to("U0C")
	if len(ask) != 1 || !strings.Contains(ask[0], "[Accept]") || !strings.Contains(ask[0], "[Decline]") {
		t.Fatalf("the other got %q", ask)
	}
	if _, err := r.AnswerSwap(ctx, 1, "U0B", true); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a third person answering: %v", err)
	}
	if _, err := r.AnswerSwap(ctx, 1, "U0C", true); err != nil {
		t.Fatal(err)
	}
	// C covers the rest of A's week; A takes C's week (16-23 March).
	for _, tc := range []struct{ at, want string }{
		{"2026-03-04 11:59", "U0A"}, {"2026-03-04 12:00", "U0C"}, {"2026-03-10 12:00", "U0B"},
		{"2026-03-17 12:00", "U0A"}, {"2026-03-24 12:00", "U0A"},
	} {
		if s, _, _ := r.At(tm(t, tc.at)); s.Primary != tc.want {
			t.Errorf("at %s %s is on call, want %s", tc.at, s.Primary, tc.want)
		}
	}
	if told := out.to("U0A"); len(told) != 1 || !strings.Contains(told[0], "accepted") {
		t.Errorf("requester told %q", told)
	}
	// A second request, declined: nothing changes.
	before := primaries(t, r, clock.Now(), 8)
	if _, err := r.RequestSwap(ctx, "U0B", "U0C"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AnswerSwap(ctx, 4, "U0C", false); err != nil {
		t.Fatal(err)
	}
	if after := primaries(t, r, clock.Now(), 8); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a declined swap changed the schedule: %v → %v", before, after)
	}
	if told := out.to("U0B"); len(told) != 1 || !strings.Contains(told[0], "declined") {
		t.Errorf("requester of the declined swap told %q", told)
	}
}

// fakeIncidentLog is an IncidentLog with fixed answers.
type fakeIncidentLog struct {
	incidents []rituals.IncidentBrief
	actions   []rituals.ActionBrief
}

func (f *fakeIncidentLog) IncidentsBetween(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
	var out []rituals.IncidentBrief
	for _, in := range f.incidents {
		if !in.Opened.Before(from) && in.Opened.Before(to) {
			out = append(out, in)
		}
	}
	return out, nil
}

func (f *fakeIncidentLog) OpenIncidents(team string) ([]rituals.IncidentBrief, error) {
	var out []rituals.IncidentBrief
	for _, in := range f.incidents {
		if in.Resolved.IsZero() {
			out = append(out, in)
		}
	}
	return out, nil
}

func (f *fakeIncidentLog) Actions(team string) ([]rituals.ActionBrief, error) { return f.actions, nil }

func (f *fakeIncidentLog) OpenActions(user string) ([]rituals.ActionBrief, error) { return nil, nil }

func TestHandoffListsTheShiftsIncidents(t *testing.T) {
	r, out, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}})
	log := &fakeIncidentLog{
		incidents: []rituals.IncidentBrief{
			{Number: 7, Title: "Card payments <!channel> failing", Severity: "sev1", Commander: "U0A", Opened: tm(t, "2026-03-03 14:00"), Resolved: tm(t, "2026-03-03 15:20"), Alerts: 3},
			{Number: 8, Title: "Slow refunds", Severity: "sev3", Opened: tm(t, "2026-03-06 09:00")},
			{Number: 5, Title: "Before the shift", Severity: "sev2", Opened: tm(t, "2026-02-20 09:00"), Resolved: tm(t, "2026-02-20 10:00")},
		},
		actions: []rituals.ActionBrief{
			{ID: "a1", Incident: 7, Owner: "U0A", Text: "Add a retry budget", Due: rituals.Date{Year: 2026, Month: 3, Day: 6}},
			{ID: "a2", Incident: 7, Owner: "U0B", Text: "Done already", Closed: tm(t, "2026-03-04 10:00")},
		},
	}
	r.Incidents = func() rituals.IncidentLog { return log }
	if err := r.Handoff(context.Background(), tm(t, "2026-03-09 10:00")); err != nil {
		t.Fatal(err)
	}
	ch := out.to("C0PAYMENTS")
	if len(ch) != 1 {
		t.Fatalf("channel got %d messages", len(ch))
	}
	for _, want := range []string{"<@U0B> is now on call for Payments until Mon 16 Mar 10:00 CET", "Outgoing*\n<@U0A>",
		"Last shift's incidents:* 2 (3 alerts)", "#7 sev1 Card payments &lt;!channel&gt; failing — resolved after 1h 20m", "#8 sev3 Slow refunds — *open* since Fri 6 Mar 09:00 CET"} {
		if !strings.Contains(ch[0], want) {
			t.Errorf("announcement lacks %q:\n%s", want, ch[0])
		}
	}
	if strings.Contains(ch[0], "Before the shift") {
		t.Error("an incident of an earlier shift is listed")
	}
	dm := out.to("U0B")
	if len(dm) != 1 || !strings.Contains(dm[0], "Open incidents:* 1") || !strings.Contains(dm[0], "#8 sev3 Slow refunds") ||
		!strings.Contains(dm[0], "Open action items:* 1") || !strings.Contains(dm[0], "Add a retry budget (#7, <@U0A>, due 2026-03-06 — *overdue*)") || strings.Contains(dm[0], "Done already") {
		t.Errorf("incoming DM:\n%s", dm)
	}

	// Without an incident log, no incident sections at all.
	r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}})
	r2.Incidents = func() rituals.IncidentLog { return nil }
	if err := r2.Handoff(context.Background(), tm(t, "2026-03-09 10:00")); err != nil {
		t.Fatal(err)
	}
	if ch := out2.to("C0PAYMENTS"); len(ch) != 1 || strings.Contains(ch[0], "incidents") {
		t.Errorf("announcement without an incident log: %q", ch)
	}
}

func TestTopicWith(t *testing.T) {
	for _, tc := range []struct{ current, want string }{
		{"", "On call: @alice"},
		{"Deploys on Tuesdays", "On call: @alice | Deploys on Tuesdays"},
		{"On call: @bob", "On call: @alice"},
		{"On call: @bob | Deploys on Tuesdays", "On call: @alice | Deploys on Tuesdays"},
		{"Runbook: wiki/pay | On call: @bob", "On call: @alice | Runbook: wiki/pay"},
		{"On call: @alice", "On call: @alice"},
		{strings.Repeat("x", 260), "On call: @alice | " + strings.Repeat("x", 250-len("On call: @alice | "))},
	} {
		if got := oncall.TopicWith(tc.current, "alice"); got != tc.want {
			t.Errorf("TopicWith(%q) = %q, want %q", tc.current, got, tc.want)
		}
	}
}

func TestRotationsAnswerOtherRituals(t *testing.T) {
	r, _, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}})
	rs := &oncall.Rotations{List: []*oncall.Rotation{r}}
	if u, ok := rs.OnCall("payments", tm(t, "2026-03-10 09:00")); !ok || u != "U0B" {
		t.Errorf("lookup = %s %v", u, ok)
	}
	if _, ok := rs.OnCall("other", tm(t, "2026-03-10 09:00")); ok {
		t.Error("a team without a rotation has someone on call")
	}
	clock.Set(tm(t, "2026-03-03 09:00"))
	s, ok, err := rs.NextShift("U0B", clock.Now())
	if err != nil || !ok || !s.Start.Equal(tm(t, "2026-03-09 10:00")) || !s.End.Equal(tm(t, "2026-03-16 10:00")) {
		t.Errorf("NextShift = %+v %v %v", s, ok, err)
	}
	briefs, _ := rs.ShiftsBetween("payments", tm(t, "2026-03-02 00:00"), tm(t, "2026-03-16 10:00"))
	if len(briefs) != 2 || briefs[0].User != "U0A" || briefs[1].User != "U0B" {
		t.Errorf("ShiftsBetween = %+v", briefs)
	}
}
