package web

import (
	"fmt"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

// BenchmarkState is what one page refresh costs: the page rebuilds the
// whole snapshot of what a member sees on every change, which is only
// reasonable while that stays cheap. The workspace is a demo week and a
// half: a busy channel of 1,000 messages, 200 of them with threads.
func BenchmarkState(b *testing.B) {
	f := slackfake.New(slackfake.Options{DisableRateLimits: true})
	defer f.Close()
	var members []string
	for i := range 8 {
		id := fmt.Sprintf("U0M%02d", i)
		members = append(members, id)
		f.AddUser(slackfake.User{ID: id, Name: fmt.Sprintf("m%d", i), RealName: fmt.Sprintf("Member %d", i), TZ: "Europe/Berlin"})
	}
	for i := range 6 {
		f.AddChannel(slackfake.Channel{ID: fmt.Sprintf("C0CH%02d", i), Name: fmt.Sprintf("ch%d", i), Members: append(members, "U0BOT")})
	}
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()))
	var thread string
	for i := range 1000 {
		opts := []slack.MsgOption{slack.MsgOptionText(fmt.Sprintf("*Standup* %d for <@U0M01>", i), false),
			slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Answers", false, false), nil, nil))}
		if i%5 == 1 {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		_, ts, err := api.PostMessage("C0CH00", opts...)
		if err != nil {
			b.Fatal(err)
		}
		if i%5 == 0 {
			thread = ts
		}
	}
	s := &Server{Fake: f}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.state("U0M01", "C0CH00", thread); err != nil {
			b.Fatal(err)
		}
	}
}
