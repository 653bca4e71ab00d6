package slackfake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestFailRandomly(t *testing.T) {
	run := func(seed uint64) (outcomes string, posted int, f *slackfake.Server) {
		f = newFake(t, slackfake.Options{DisableRateLimits: true})
		api := botClient(f)
		f.FailRandomly("chat.postMessage", slackfake.RandomFaults{Rate: 0.1, Seed: seed, Faults: []slackfake.Fault{
			{Status: 429, RetryAfter: 1}, {Status: 503},
		}})
		var b []byte
		for i := 0; i < 1000; i++ {
			_, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("hi", false))
			var rl *slack.RateLimitedError
			var sc slack.StatusCodeError
			switch {
			case err == nil:
				b = append(b, '.')
				posted++
			case errors.As(err, &rl) && rl.RetryAfter.Seconds() == 1:
				b = append(b, 'r')
			case errors.As(err, &sc) && sc.Code == 503:
				b = append(b, '5')
			default:
				t.Fatalf("call %d: unexpected error %v", i, err)
			}
		}
		return string(b), posted, f
	}
	first, posted, f := run(7)
	failed := 1000 - posted
	if failed < 70 || failed > 130 {
		t.Errorf("%d of 1000 calls failed at a rate of 10%%", failed)
	}
	if f.Injected("chat.postMessage") != failed || f.Calls("chat.postMessage") != 1000 {
		t.Errorf("Injected = %d, Calls = %d; want %d and 1000", f.Injected("chat.postMessage"), f.Calls("chat.postMessage"), failed)
	}
	if n := len(f.ChannelMessages("C0GENERAL")); n != posted {
		t.Errorf("%d messages posted, want %d: a failed call must post nothing", n, posted)
	}
	var r, five int
	for _, c := range first {
		switch c {
		case 'r':
			r++
		case '5':
			five++
		}
	}
	if r < failed/4 || five < failed/4 {
		t.Errorf("faults not mixed: %d rate limited, %d 503", r, five)
	}
	if again, _, _ := run(7); again != first {
		t.Error("the same seed gave other failures")
	}
	if other, _, _ := run(8); other == first {
		t.Error("another seed gave the same failures")
	}

	// Other methods are left alone; FailNext comes first; a zero rate stops it.
	api := botClient(f)
	if _, err := api.GetUserInfo("U0ALICE"); err != nil {
		t.Errorf("users.info failed: %v", err)
	}
	f.FailRandomly("chat.postMessage", slackfake.RandomFaults{Rate: 1, Faults: []slackfake.Fault{{Status: 503}}})
	f.FailNext("chat.postMessage", 1, slackfake.Fault{SlackError: "channel_not_found"})
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("hi", false)); slackErr(err) != "channel_not_found" {
		t.Errorf("FailNext did not come first: %v", err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("hi", false)); err == nil {
		t.Error("a rate of 1 let a call through")
	}
	f.FailRandomly("chat.postMessage", slackfake.RandomFaults{})
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("after stopping: %v", err)
	}
}

func TestAcceptedFaultPostsButLosesTheAnswer(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	f.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, CloseConn: true})
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("landed", false)); err == nil {
		t.Error("the answer was lost, yet the client read no error")
	}
	f.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Status: 502})
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("landed too", false)); err == nil {
		t.Error("a 502 after the work: no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	f.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Delay: time.Hour})
	if _, _, err := api.PostMessageContext(ctx, "C0GENERAL", slack.MsgOptionText("landed, answer too late", false)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a held answer: %v, want the client's timeout", err)
	}
	if got := len(f.ChannelMessages("C0GENERAL")); got != 3 {
		t.Errorf("%d messages posted, want 3: Accepted faults do the work", got)
	}
	// Without Accepted the same faults post nothing.
	f.FailNext("chat.postMessage", 1, slackfake.Fault{Reset: true})
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("lost", false)); err == nil || !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("a reset connection: %v", err)
	}
	if got := len(f.ChannelMessages("C0GENERAL")); got != 3 {
		t.Errorf("%d messages, want still 3", got)
	}
}

func TestWildcardFaultsHitEveryMethod(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	f.FailNext("*", 2, slackfake.Fault{Status: 503})
	f.FailNext("users.info", 1, slackfake.Fault{SlackError: "fatal_error"})
	if _, err := api.GetUserInfo("U0ALICE"); slackErr(err) != "fatal_error" {
		t.Errorf("the method's own fault comes first: %v", err)
	}
	var sc slack.StatusCodeError
	if _, err := api.GetUserInfo("U0ALICE"); !errors.As(err, &sc) {
		t.Errorf("users.info under a wildcard fault: %v", err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("x", false)); !errors.As(err, &sc) {
		t.Errorf("chat.postMessage under a wildcard fault: %v", err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("after the wildcard faults: %v", err)
	}
	f.FailRandomly("*", slackfake.RandomFaults{Rate: 1, Faults: []slackfake.Fault{{Status: 500}}})
	if _, err := api.AuthTest(); err == nil {
		t.Error("a wildcard random fault let auth.test through")
	}
	f.FailRandomly("*", slackfake.RandomFaults{})
	if _, err := api.AuthTest(); err != nil {
		t.Error(err)
	}
}

func TestRevokedTokens(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken("xapp-fake-app-token"))
	f.SetTokensRevoked(true)
	if _, err := api.AuthTest(); slackErr(err) != "invalid_auth" {
		t.Errorf("bot token while revoked: %v", err)
	}
	if _, _, err := socketmode.New(api).Open(); slackErr(err) != "invalid_auth" && (err == nil || err.Error() != "invalid_auth") {
		t.Errorf("app token while revoked: %v", err)
	}
	f.SetTokensRevoked(false)
	if _, err := api.AuthTest(); err != nil {
		t.Errorf("after restoring: %v", err)
	}
}

func TestADelayedCallIsDroppedWhenTheClientGivesUp(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	f.FailNext("chat.postMessage", 1, slackfake.Fault{Delay: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := api.PostMessageContext(ctx, "C0GENERAL", slack.MsgOptionText("given up", false)); err == nil {
		t.Fatal("no timeout")
	}
	time.Sleep(700 * time.Millisecond) // past the delay: the call must not land late
	if n := len(f.ChannelMessages("C0GENERAL")); n != 0 {
		t.Errorf("%d messages: a call the client gave up on was carried out after the delay", n)
	}
}
