package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/home"
)

// homeAPI is what publishing the Home tab needs from Slack.
type homeAPI interface {
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
}

// HomeTab publishes a member's App Home when they open it.
type HomeTab struct {
	API     homeAPI
	Limiter *RateLimiter
	Home    *home.Home
	Log     zerolog.Logger
}

// Register handles app_home_opened on r, and draws the Home again after
// a click on it.
func (h *HomeTab) Register(r *Router) {
	r.HandleEvent("app_home_opened", h.opened)
	r.HandleHomeAction(h.acted)
}

// acted draws user's Home again after a click on it (a cover request
// taken leaves it), with the click's answer at the top: Slack gives a
// Home's buttons no response_url to answer on.
func (h *HomeTab) acted(ctx context.Context, user string, reply *Reply) {
	var note string
	if reply != nil {
		note = reply.Text
	}
	if err := h.publish(ctx, user, note); err != nil {
		h.Log.Error().Err(err).Str("user", user).Msg("draw the Home tab again after a click")
	}
}

// opened answers app_home_opened. Slack sends it for the Messages tab too;
// only the Home tab is drawn.
func (h *HomeTab) opened(ctx context.Context, e Event) error {
	ev, ok := e.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || ev.Tab != "home" || ev.User == "" {
		return nil
	}
	return h.Publish(ctx, ev.User)
}

// Publish draws user's Home tab now.
func (h *HomeTab) Publish(ctx context.Context, user string) error { return h.publish(ctx, user, "") }

// publish draws user's Home tab, with note (mrkdwn) under its title.
func (h *HomeTab) publish(ctx context.Context, user, note string) error {
	blocks, err := h.Home.Blocks(ctx, user)
	if err != nil {
		// Published anyway: the parts that could be read, and a line
		// where one could not.
		h.Log.Error().Err(err).Str("user", user).Msg("part of the Home tab could not be read")
	}
	if note != "" {
		blocks = slices.Insert(blocks, min(1, len(blocks)), rituals.Section(":point_right: "+note))
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: RenderBlocks(blocks, maxViewBlocks)}}
	if err := h.Limiter.Wait(ctx, "views.publish", ""); err != nil {
		return err
	}
	if _, err := h.API.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		return fmt.Errorf("views.publish for %s: %w", user, err)
	}
	return nil
}
