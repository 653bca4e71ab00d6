package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack/slackevents"
)

// Events reach handlers typed by slackevents, from the Events API body
// HTTP mode and Socket Mode both hand over.
func TestEventsAPITypesTheInnerEvent(t *testing.T) {
	r := NewRouter(zerolog.Nop())
	var mu sync.Mutex
	var got []Event
	for _, typ := range []string{"app_mention", "reaction_added", "app_home_opened", "subteam_members_changed"} {
		r.HandleEvent(typ, func(_ context.Context, e Event) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
			return nil
		})
	}
	in := &Intake{Router: r, Log: zerolog.Nop()}
	ctx := context.Background()
	for _, body := range []string{
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@U0BOT> update hi","channel":"C1","ts":"2.0","thread_ts":"1.0","event_ts":"2.0"}}`,
		`{"type":"event_callback","event_id":"Ev2","event":{"type":"reaction_added","user":"U2","reaction":"pushpin","item":{"type":"message","channel":"C2","ts":"3.0"},"event_ts":"4.0"}}`,
		`{"type":"event_callback","event_id":"Ev3","event":{"type":"app_home_opened","user":"U3","channel":"D3","tab":"home","event_ts":"5.0"}}`,
		`{"type":"event_callback","event_id":"Ev4","event":{"type":"subteam_members_changed","subteam_id":"S4","added_users":["U4"]}}`,
		// An event type slack-go has no type for is acknowledged, unhandled.
		`{"type":"event_callback","event_id":"Ev5","event":{"type":"ritualbot_unheard_of","user":"U5"}}`,
	} {
		if _, err := in.EventsAPI(ctx, []byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
	// Events are handled after the acknowledgement, in the background.
	if err := in.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b Event) int { return strings.Compare(a.ID, b.ID) })
	if len(got) != 4 {
		t.Fatalf("%d events routed, want 4: %+v", len(got), got)
	}
	if m, ok := got[0].Data.(*slackevents.AppMentionEvent); !ok || got[0].ID != "Ev1" || got[0].Type != "app_mention" ||
		m.User != "U1" || m.Channel != "C1" || m.ThreadTimeStamp != "1.0" || m.Text != "<@U0BOT> update hi" {
		t.Errorf("app_mention: %+v %#v", got[0], got[0].Data)
	}
	if r, ok := got[1].Data.(*slackevents.ReactionAddedEvent); !ok || r.Reaction != "pushpin" || r.Item.Type != "message" ||
		r.Item.Channel != "C2" || r.Item.Timestamp != "3.0" || r.User != "U2" {
		t.Errorf("reaction_added: %#v", got[1].Data)
	}
	if h, ok := got[2].Data.(*slackevents.AppHomeOpenedEvent); !ok || h.Tab != "home" || h.User != "U3" {
		t.Errorf("app_home_opened: %#v", got[2].Data)
	}
	if s, ok := got[3].Data.(*slackevents.SubteamMembersChangedEvent); !ok || s.SubteamID != "S4" {
		t.Errorf("subteam_members_changed: %#v", got[3].Data)
	}

	challenge, err := in.EventsAPI(ctx, []byte(`{"token":"x","challenge":"abc123","type":"url_verification"}`))
	if err != nil || challenge != "abc123" {
		t.Errorf("url_verification = %q, %v", challenge, err)
	}
	// A known event whose fields have the wrong types is refused, not
	// handled with blanks.
	if _, err := in.EventsAPI(ctx, []byte(`{"type":"event_callback","event_id":"Ev6","event":{"type":"app_mention","user":5}}`)); err == nil {
		t.Error("an app_mention with a numeric user was accepted")
	}
	for _, body := range []string{`{"type":"event_callback","event":null}`, `not json`} {
		if _, err := in.EventsAPI(ctx, []byte(body)); err == nil {
			t.Errorf("%s: accepted", body)
		}
	}
}
