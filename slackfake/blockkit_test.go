package slackfake_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

func button(text, actionID, value string) string {
	return fmt.Sprintf(`{"type":"button","text":{"type":"plain_text","text":%q},"action_id":%q,"value":%q}`, text, actionID, value)
}

func option(v string) string {
	return fmt.Sprintf(`{"text":{"type":"plain_text","text":%q},"value":%q}`, v, v)
}

func join(items []string) string { return "[" + strings.Join(items, ",") + "]" }

func times(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// A message such as the bot sends, using every element it may use.
const validMessage = `[
 {"type":"header","text":{"type":"plain_text","text":"Standup","emoji":true}},
 {"type":"section","block_id":"summary","text":{"type":"mrkdwn","text":"*3* answers"},
  "fields":[{"type":"mrkdwn","text":"*Done*"},{"type":"plain_text","text":"Blocked"}],
  "accessory":{"type":"static_select","action_id":"pick","placeholder":{"type":"plain_text","text":"Pick"},
   "options":[{"text":{"type":"plain_text","text":"A"},"value":"a"}]}},
 {"type":"divider"},
 {"type":"context","elements":[{"type":"mrkdwn","text":"Posted by ritualbot"},{"type":"image","image_url":"https://example.com/a.png","alt_text":"logo"}]},
 {"type":"actions","block_id":"acts","elements":[
  {"type":"button","text":{"type":"plain_text","text":"Answer"},"action_id":"answer","value":"s1","style":"primary",
   "confirm":{"title":{"type":"plain_text","text":"Sure?"},"text":{"type":"mrkdwn","text":"Really"},"confirm":{"type":"plain_text","text":"Yes"},"deny":{"type":"plain_text","text":"No"}}},
  {"type":"datepicker","action_id":"date","initial_date":"2025-01-15"},
  {"type":"users_select","action_id":"who","initial_user":"U0ALICE"},
  {"type":"overflow","action_id":"more","options":[{"text":{"type":"plain_text","text":"Skip"},"value":"skip"}]}]},
 {"type":"image","image_url":"https://example.com/chart.png","alt_text":"chart","title":{"type":"plain_text","text":"Chart"}}
]`

func TestBlockKitMessageRules(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(blocksOf(t, validMessage)...)); err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}
	long := func(n int) string { return repeat("x", n) }
	for _, tc := range []struct {
		name, blocks, want string
	}{
		{"too many blocks", join(times(51, `{"type":"divider"}`)), "no more than 50 items allowed [json-pointer:/blocks]"},
		{"section text", join([]string{section(long(3001))}), "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"section fields count", `[{"type":"section","fields":` + join(times(11, `{"type":"mrkdwn","text":"f"}`)) + `}]`, "no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		{"section field length", `[{"type":"section","fields":[{"type":"mrkdwn","text":"` + long(2001) + `"}]}]`, "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"},
		{"section without text", `[{"type":"section"}]`, "missing required field: text [json-pointer:/blocks/0]"},
		{"header length", `[{"type":"header","text":{"type":"plain_text","text":"` + long(151) + `"}}]`, "must be less than 151 characters [json-pointer:/blocks/0/text/text]"},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"*h*"}}]`, "must be plain_text [json-pointer:/blocks/0/text/type]"},
		{"button text", `[{"type":"actions","elements":[` + button(long(76), "a", "v") + `]}]`, "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"button value", `[{"type":"actions","elements":[` + button("ok", "a", long(2001)) + `]}]`, "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"},
		{"action_id", `[{"type":"actions","elements":[` + button("ok", long(256), "v") + `]}]`, "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"},
		{"block_id", `[{"type":"divider","block_id":"` + long(256) + `"}]`, "must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		{"duplicate block_id", `[{"type":"divider","block_id":"d"},{"type":"divider","block_id":"d"}]`, `duplicate block_id "d"`},
		{"actions elements", `[{"type":"actions","elements":` + join(times(26, button("ok", "", "v"))) + `}]`, "no more than 25 items allowed [json-pointer:/blocks/0/elements]"},
		{"context elements", `[{"type":"context","elements":` + join(times(11, `{"type":"mrkdwn","text":"c"}`)) + `}]`, "no more than 10 items allowed [json-pointer:/blocks/0/elements]"},
		{"overflow options", `[{"type":"actions","elements":[{"type":"overflow","action_id":"o","options":` + join(times(6, option("x"))) + `}]}]`, "no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]"},
		{"unknown block", `[{"type":"headline","text":{"type":"plain_text","text":"x"}}]`, `unsupported block type "headline" [json-pointer:/blocks/0/type]`},
		{"input in message", `[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}]`, "[json-pointer:/blocks/0/type]"},
		{"additional property", `[{"type":"divider","text":"oops"}]`, "invalid additional property: text [json-pointer:/blocks/0]"},
		{"empty text", `[{"type":"section","text":{"type":"mrkdwn","text":""}}]`, "must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
		{"bad date", `[{"type":"actions","elements":[{"type":"datepicker","action_id":"d","initial_date":"15/01/2025"}]}]`, "[json-pointer:/blocks/0/elements/0/initial_date]"},
		{"image without alt", `[{"type":"image","image_url":"https://example.com/a.png"}]`, "missing required field: alt_text [json-pointer:/blocks/0]"},
		{"select without options", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s"}]}]`, "missing required field: options"},
	} {
		_, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(blocksOf(t, tc.blocks)...))
		var e slack.SlackErrorResponse
		if !errors.As(err, &e) || e.Err != "invalid_blocks" {
			t.Errorf("%s: %v, want invalid_blocks", tc.name, err)
			continue
		}
		if !containsMsg(e.ResponseMetadata.Messages, "[ERROR] ", tc.want) {
			t.Errorf("%s: messages %q do not name %q", tc.name, e.ResponseMetadata.Messages, tc.want)
		}
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText(long(40001), false)); slackErr(err) != "msg_too_long" {
		t.Errorf("40001-char text: %v, want msg_too_long", err)
	}
	if _, _, err := api.PostMessage("C0GENERAL"); slackErr(err) != "no_text" {
		t.Errorf("empty message: %v, want no_text", err)
	}
	// chat.update and chat.postEphemeral validate the same way.
	_, ts, _ := api.PostMessage("C0GENERAL", slack.MsgOptionText("x", false))
	bad := slack.MsgOptionBlocks(blocksOf(t, `[{"type":"headline"}]`)...)
	if _, _, _, err := api.UpdateMessage("C0GENERAL", ts, bad); slackErr(err) != "invalid_blocks" {
		t.Errorf("chat.update: %v", err)
	}
	if _, err := api.PostEphemeral("C0GENERAL", "U0ALICE", bad); slackErr(err) != "invalid_blocks" {
		t.Errorf("chat.postEphemeral: %v", err)
	}
}

func containsMsg(msgs []string, prefix, want string) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m, prefix) && strings.Contains(m, want) {
			return true
		}
	}
	return false
}

const validModalBlocks = `[
 {"type":"input","block_id":"yesterday","label":{"type":"plain_text","text":"Yesterday"},"element":{"type":"plain_text_input","action_id":"text","multiline":true,"max_length":3000}},
 {"type":"input","block_id":"mood","label":{"type":"plain_text","text":"Mood"},"element":{"type":"static_select","action_id":"pick","options":[{"text":{"type":"plain_text","text":"Good"},"value":"good"}]}},
 {"type":"input","block_id":"people","optional":true,"label":{"type":"plain_text","text":"People"},"element":{"type":"multi_users_select","action_id":"users"}},
 {"type":"input","block_id":"owner","label":{"type":"plain_text","text":"Owner"},"element":{"type":"users_select","action_id":"user"}},
 {"type":"input","block_id":"when","label":{"type":"plain_text","text":"When"},"element":{"type":"datepicker","action_id":"date"}},
 {"type":"input","block_id":"flags","optional":true,"label":{"type":"plain_text","text":"Flags"},"element":{"type":"checkboxes","action_id":"boxes","options":[{"text":{"type":"mrkdwn","text":"*Blocked*"},"value":"blocked"}]}},
 {"type":"section","text":{"type":"mrkdwn","text":"Thanks!"}}
]`

func modal(title string, blocks []slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  slack.NewTextBlockObject("plain_text", title, false, false),
		Submit: slack.NewTextBlockObject("plain_text", "Submit", false, false),
		Close:  slack.NewTextBlockObject("plain_text", "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func TestBlockKitViewRules(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	// Views are validated before the trigger_id, so a bogus trigger shows
	// whether the view passed.
	if _, err := api.OpenView("1.2.bogus", modal("Standup", blocksOf(t, validModalBlocks))); slackErr(err) != "invalid_trigger_id" {
		t.Fatalf("valid modal: %v, want it to pass validation (invalid_trigger_id)", err)
	}
	long := func(n int) string { return repeat("x", n) }
	withMeta := modal("Standup", blocksOf(t, validModalBlocks))
	withMeta.PrivateMetadata = long(3001)
	withCallback := modal("Standup", blocksOf(t, validModalBlocks))
	withCallback.CallbackID = long(256)
	noSubmit := modal("Standup", blocksOf(t, validModalBlocks))
	noSubmit.Submit = nil
	longSubmit := modal("Standup", nil)
	longSubmit.Submit = slack.NewTextBlockObject("plain_text", long(25), false, false)
	for _, tc := range []struct {
		name string
		view slack.ModalViewRequest
		want string
	}{
		{"title", modal(long(25), nil), "must be less than 25 characters [json-pointer:/view/title/text]"},
		{"submit", longSubmit, "[json-pointer:/view/submit/text]"},
		{"private_metadata", withMeta, "must be less than 3001 characters [json-pointer:/view/private_metadata]"},
		{"callback_id", withCallback, "must be less than 256 characters [json-pointer:/view/callback_id]"},
		{"blocks", modal("Big", blocksOf(t, join(times(101, `{"type":"divider"}`)))), "no more than 100 items allowed [json-pointer:/view/blocks]"},
		{"input needs submit", noSubmit, "submit"},
		{"bad input element", modal("X", blocksOf(t, `[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"button","text":{"type":"plain_text","text":"b"}}}]`)), "[json-pointer:/view/blocks/0/element/type]"},
	} {
		_, err := api.OpenView("1.2.bogus", tc.view)
		var e slack.SlackErrorResponse
		if !errors.As(err, &e) || e.Err != "invalid_arguments" || !containsMsg(e.ResponseMetadata.Messages, "[ERROR] ", tc.want) {
			t.Errorf("%s: %v %q, want invalid_arguments naming %q", tc.name, err, e.ResponseMetadata.Messages, tc.want)
		}
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocksOf(t, join(times(101, `{"type":"divider"}`)))}}
	if _, err := api.PublishView("U0ALICE", home, ""); slackErr(err) != "invalid_arguments" {
		t.Errorf("101-block home: %v", err)
	}
	home.Blocks = slack.Blocks{BlockSet: blocksOf(t, join(times(100, `{"type":"divider"}`)))}
	if _, err := api.PublishView("U0ALICE", home, ""); err != nil {
		t.Errorf("100-block home: %v", err)
	}
	if f.HomeView("U0ALICE") == nil {
		t.Error("HomeView not stored")
	}
}
