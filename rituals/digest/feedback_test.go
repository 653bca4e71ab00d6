package digest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// memFeedback is a FeedbackStore in memory.
type memFeedback struct{ recs map[string]Feedback }

func (m *memFeedback) UpdateFeedback(ritual string, at time.Time, user string, change func(*Feedback)) error {
	if m.recs == nil {
		m.recs = map[string]Feedback{}
	}
	k := ritual + "|" + at.UTC().Format(time.RFC3339) + "|" + user
	f, ok := m.recs[k]
	if !ok {
		f = Feedback{Ritual: ritual, At: at.UTC(), User: user}
	}
	change(&f)
	m.recs[k] = f
	return nil
}

func (m *memFeedback) FeedbackBetween(ritual string, from, to time.Time) ([]Feedback, error) {
	var out []Feedback
	for _, f := range m.recs {
		if f.Ritual == ritual && !f.At.Before(from) && f.At.Before(to) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].User < out[j].User
	})
	return out, nil
}

func TestFeedbackOneVotePerReader(t *testing.T) {
	mon := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	v := FeedbackValue("weekly", mon)
	tests := []struct {
		name   string
		clicks []struct{ user, vote string }
		useful int
		not    int
	}{
		{"one click", []struct{ user, vote string }{{"U1", VoteUseful}}, 1, 0},
		{"the same click twice counts once", []struct{ user, vote string }{{"U1", VoteUseful}, {"U1", VoteUseful}}, 1, 0},
		{"a changed vote replaces the first", []struct{ user, vote string }{{"U1", VoteUseful}, {"U1", VoteNotUseful}}, 0, 1},
		{"two readers", []struct{ user, vote string }{{"U1", VoteUseful}, {"U2", VoteNotUseful}, {"U3", VoteUseful}}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &memFeedback{}
			now := mon.Add(time.Hour)
			for _, c := range tt.clicks {
				now = now.Add(time.Minute)
				if _, err := Vote(s, now, v, c.user, c.vote); err != nil {
					t.Fatal(err)
				}
			}
			fbs, _ := s.FeedbackBetween("weekly", mon, mon.Add(time.Second))
			sum := Summarize(fbs, mon, mon.Add(7*24*time.Hour))
			if sum.Useful != tt.useful || sum.NotUseful != tt.not {
				t.Errorf("useful %d, not useful %d; want %d, %d", sum.Useful, sum.NotUseful, tt.useful, tt.not)
			}
		})
	}
}

func TestFeedbackAnswerKeepsTheVote(t *testing.T) {
	mon := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	v := FeedbackValue("weekly", mon)
	s := &memFeedback{}
	if _, err := Vote(s, mon.Add(time.Hour), v, "U1", VoteNotUseful); err != nil {
		t.Fatal(err)
	}
	if err := Answer(s, mon.Add(2*time.Hour), v, "U1", map[string]string{FeedbackText: "release notes", "deploys": WantLess, "lead_time": WantMore, "bogus": WantLess}); err != nil {
		t.Fatal(err)
	}
	fbs, _ := s.FeedbackBetween("weekly", mon, mon.Add(time.Second))
	if len(fbs) != 1 {
		t.Fatalf("%d records, want one per reader", len(fbs))
	}
	f := fbs[0]
	if f.Vote != VoteNotUseful || f.Missing != "release notes" || len(f.Wants) != 2 || f.Wants["deploys"] != WantLess {
		t.Errorf("got %+v", f)
	}
	if _, err := Vote(s, mon, "nonsense", "U1", VoteUseful); err == nil {
		t.Error("a value of no digest was taken")
	}
	if _, err := Vote(s, mon, v, "U1", "maybe"); err == nil {
		t.Error("an unknown vote was taken")
	}
}

func TestSuggestRemovalMajorityOverFourWeeks(t *testing.T) {
	w := func(user string, day int, wants map[string]string) Feedback {
		at := time.Date(2026, 11, 2+7*(day/7), 8, 0, 0, 0, time.UTC)
		return Feedback{Ritual: "weekly", At: at, User: user, Wants: wants, Updated: at.Add(time.Duration(day) * time.Hour)}
	}
	less := map[string]string{"deploys": WantLess}
	tests := []struct {
		name string
		fbs  []Feedback
		want []string
	}{
		{"nobody", nil, nil},
		{"two of three readers", []Feedback{w("U1", 0, less), w("U2", 7, less), {Ritual: "weekly", User: "U3", Vote: VoteUseful}}, []string{"deploys"}},
		{"half is not most", []Feedback{w("U1", 0, less), {Ritual: "weekly", User: "U2", Vote: VoteUseful}}, nil},
		{"one reader's repeated less counts once", []Feedback{w("U1", 0, less), w("U1", 7, less), w("U1", 14, less), {User: "U2", Vote: VoteUseful}, {User: "U3", Vote: VoteUseful}}, nil},
		{"a later more replaces an earlier less", []Feedback{w("U1", 0, less), w("U1", 14, map[string]string{"deploys": WantMore}), w("U2", 7, less), {User: "U3"}}, nil},
		{"every reader", []Feedback{w("U1", 0, map[string]string{"deploys": WantLess, "retros": WantLess}), w("U2", 21, less)}, []string{"deploys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SuggestRemoval(tt.fbs); !slices.Equal(got, tt.want) {
				t.Errorf("SuggestRemoval = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFeedbackSummaryMessage(t *testing.T) {
	s := FeedbackSummary{Useful: 2, NotUseful: 1, Texts: []string{"<!channel> more *releases*"},
		More: map[string]int{"lead_time": 1}, Less: map[string]int{"deploys": 2}, Drop: []string{"deploys"}}
	text, blocks := s.Message("weekly")
	var all []string
	for _, b := range blocks {
		all = append(all, b.Text)
	}
	got := text + "\n" + strings.Join(all, "\n")
	for _, want := range []string{"2 useful, 1 not useful", "&lt;!channel&gt;", "More of:* Lead time (1)", "Less of:* Deploys (2)", "Consider dropping:* Deploys"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<!channel>") {
		t.Error("a reader's text is not escaped")
	}
}

// TestFeedbackButtonsFitTheDigest: whatever the number of teams and of
// notes (which change each team's block count), the posted message keeps
// a block free for the buttons within Block Kit's 50.
func TestFeedbackButtonsFitTheDigest(t *testing.T) {
	for n := 1; n <= 26; n++ {
		for noted := 0; noted <= n; noted++ {
			var teams []*rituals.Team
			for i := 0; i < n; i++ {
				teams = append(teams, &rituals.Team{ID: fmt.Sprintf("t%03d", i), Name: fmt.Sprintf("Team %d", i), Services: []string{fmt.Sprintf("s%d", i)}})
			}
			d, store := testDigest(t, teams...)
			for i := 0; i < noted; i++ {
				store.notes = append(store.notes, DigestNote{ID: fmt.Sprintf("n%d", i), Team: teams[i].ID, Kind: NoteHighlight, Text: "shipped", Author: "U1", Created: week.To.Add(-time.Hour)})
			}
			r, err := d.Report(context.Background(), week.To)
			if err != nil {
				t.Fatal(err)
			}
			main := r.Messages("k", "C0DIGEST")[0]
			if got := len(main.Blocks) + 1; got > maxDigestBlocks {
				t.Errorf("%d teams, %d with a note: %d blocks with the buttons, over Block Kit's %d", n, noted, got, maxDigestBlocks)
			}
		}
	}
}
