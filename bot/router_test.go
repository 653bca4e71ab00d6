package bot

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

func newTestRouter(logs *bytes.Buffer) *Router {
	r := NewRouter(zerolog.New(logs))
	r.Handle("/oncall", Subcommand{Name: "", Usage: "[TEAM]", Help: "who is on call",
		Run: func(_ context.Context, _ Invocation, args []string) (Reply, error) {
			return Reply{Text: "on call: " + strings.Join(args, ",")}, nil
		}})
	r.Handle("/oncall", Subcommand{Name: "override", Usage: "override @user DURATION", Help: "take over",
		Run: func(_ context.Context, _ Invocation, args []string) (Reply, error) {
			if len(args) == 0 {
				return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/oncall override @user DURATION`.")
			}
			return Reply{}, errors.New("bbolt: database not open")
		}})
	r.Handle("/digest", Subcommand{Name: "preview", Usage: "preview", Help: "see it",
		Run: func(context.Context, Invocation, []string) (Reply, error) { return Reply{Text: "digest"}, nil }})
	return r
}

func TestRouterNeverAnswersWithSilence(t *testing.T) {
	var logs bytes.Buffer
	r := newTestRouter(&logs)
	ctx := context.Background()
	tests := []struct {
		name, command, text string
		want                []string
	}{
		{"bare command takes free arguments", "/oncall", "payments", []string{"on call: payments"}},
		{"verbs are case-insensitive", "/oncall", "OVERRIDE", []string{"Usage: `/oncall override"}},
		{"help lists every verb", "/oncall", "help", []string{"`/oncall [TEAM]` — who is on call", "`/oncall override @user DURATION` — take over", "`/oncall help`"}},
		{"unknown verb gets the usage", "/digest", "frobnicate", []string{"I don't know `/digest frobnicate`", "`/digest preview`"}},
		{"unknown verb is escaped", "/digest", "<!channel>", []string{"&lt;!channel&gt;"}},
		{"bare command without a bare handler", "/digest", "", []string{"I don't know `/digest `", "`/digest preview`"}},
		{"a kind not configured says how to add it", "/standup", "", []string{"No standup is configured", "kind: standup"}},
		{"help works for a kind not configured", "/incident", "help", []string{"*/incident*", "declare [SEV] TITLE"}},
		{"an unknown command", "/lunch", "", []string{"does not know the command /lunch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := r.Command(ctx, Invocation{Command: tt.command, Text: tt.text, UserID: "U0AAA"})
			if reply.InChannel {
				t.Error("reply is in channel; answers to commands are ephemeral")
			}
			for _, w := range tt.want {
				if !strings.Contains(reply.Text, w) {
					t.Errorf("reply %q lacks %q", reply.Text, w)
				}
			}
		})
	}
}

func TestRouterInternalErrorsAreLoggedNotShown(t *testing.T) {
	var logs bytes.Buffer
	r := newTestRouter(&logs)
	reply := r.Command(context.Background(), Invocation{Command: "/oncall", Text: "override @bob 2h", UserID: "U0AAA"})
	if strings.Contains(reply.Text, "bbolt") || !strings.Contains(reply.Text, "Sorry, that failed on our side (error ") {
		t.Errorf("reply = %q, want an apology with an error ID and no internals", reply.Text)
	}
	id := reply.Text[strings.Index(reply.Text, "(error ")+7:]
	id = id[:strings.Index(id, ")")]
	if !strings.Contains(logs.String(), `"error_id":"`+id+`"`) || !strings.Contains(logs.String(), "bbolt: database not open") {
		t.Errorf("the log does not hold error %s with its cause:\n%s", id, logs.String())
	}
}

func TestRouterDropsRedeliveredEvents(t *testing.T) {
	r := NewRouter(zerolog.Nop())
	var got []string
	r.HandleEvent("reaction_added", func(_ context.Context, e Event) error {
		got = append(got, e.ID)
		return nil
	})
	for _, id := range []string{"Ev1", "Ev2", "Ev1", "Ev2", "Ev3"} {
		r.Event(context.Background(), Event{ID: id, Type: "reaction_added"})
	}
	if strings.Join(got, ",") != "Ev1,Ev2,Ev3" {
		t.Errorf("handled %v, want each event once", got)
	}
}

func TestRouterButtonsAndForms(t *testing.T) {
	r := NewRouter(zerolog.Nop())
	var clicked string
	r.HandleAction("standup", func(_ context.Context, a Action) (*Reply, error) {
		clicked = a.ActionID + "=" + a.Value
		return nil, nil
	})
	r.Action(context.Background(), Action{ActionID: "standup:skip", Value: "daily|2026-11-23"})
	if clicked != "standup:skip=daily|2026-11-23" {
		t.Errorf("standup:skip routed as %q", clicked)
	}
	if reply := r.Action(context.Background(), Action{ActionID: "gone:x"}); reply == nil || !strings.Contains(reply.Text, "no longer does anything") {
		t.Errorf("an unknown button answered %v", reply)
	}
	if _, reply := r.Submit(context.Background(), Submission{CallbackID: "gone"}); reply == nil || !strings.Contains(reply.Text, "no longer in use") {
		t.Errorf("an unknown form answered %v", reply)
	}
}

// A click on the App Home, which has no response_url, is followed by the
// Home's redraw with the answer, an error's too; other clicks are not.
func TestRouterFollowsHomeClicks(t *testing.T) {
	r := NewRouter(zerolog.Nop())
	r.HandleAction("oncall", func(_ context.Context, a Action) (*Reply, error) {
		if a.Value == "gone" {
			return nil, rituals.Errorf(rituals.ENOTFOUND, "That request no longer exists.")
		}
		return &Reply{Text: "You took it."}, nil
	})
	var drawn []string
	r.HandleHomeAction(func(_ context.Context, user string, reply *Reply) { drawn = append(drawn, user+": "+reply.Text) })
	r.Action(context.Background(), Action{ActionID: "oncall:cover-take", UserID: "U1", FromHome: true})
	r.Action(context.Background(), Action{ActionID: "oncall:cover-take", Value: "gone", UserID: "U2", FromHome: true})
	r.Action(context.Background(), Action{ActionID: "oncall:cover-take", UserID: "U3"})
	if want := []string{"U1: You took it.", "U2: That request no longer exists."}; !slices.Equal(drawn, want) {
		t.Errorf("Home redraws %q, want %q", drawn, want)
	}
}

// A burst of slow commands: no more than Concurrency run at once, and
// every one is acknowledged by the deadline ("working on it"), its answer
// following through response_url.
func TestIntakeBoundsHandlersAndStillAcks(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	r := NewRouter(zerolog.Nop())
	r.Handle("/oncall", Subcommand{Name: "", Run: func(context.Context, Invocation, []string) (Reply, error) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		running.Add(-1)
		return Reply{Text: "on call: bob"}, nil
	}})
	in := &Intake{Router: r, Log: zerolog.Nop(), Deadline: 50 * time.Millisecond, Concurrency: 2}
	var wg sync.WaitGroup
	start := time.Now()
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ack := in.SlashCommand(context.Background(), slack.SlashCommand{Command: "/oncall", UserID: "U0BOB"})
			if text := ack.(map[string]any)["text"]; text != "Working on it…" {
				t.Errorf("ack = %v", ack)
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("10 acks took %s with a 50 ms deadline", d)
	}
	close(release)
	if m := most.Load(); m > 2 {
		t.Errorf("%d handlers ran at once, want at most 2", m)
	}
}
