package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/internal/browsertest"
)

// kitMessage holds every block kind the page draws, with the mrkdwn a
// ritual writes.
const kitMessage = `[
 {"type":"header","text":{"type":"plain_text","text":"Weekly digest","emoji":true}},
 {"type":"section","block_id":"intro","text":{"type":"mrkdwn","text":"*Bold* _italic_ ~struck~ ` + "`code`" + ` <https://example.com/runbook|the runbook> <@U0BOB> <#C0TEAM> <!subteam^S0ONCALL> &lt;!channel&gt; &amp; more\n&gt; a quote"},
  "accessory":{"type":"image","image_url":"https://example.com/logo.png","alt_text":"team logo"}},
 {"type":"section","fields":[{"type":"mrkdwn","text":"*Deploys*\n12"},{"type":"mrkdwn","text":"*Incidents*\n1"}]},
 {"type":"context","elements":[{"type":"mrkdwn","text":"Week 48"},{"type":"plain_text","text":"7 days"}]},
 {"type":"divider"},
 {"type":"actions","block_id":"acts","elements":[
  {"type":"button","action_id":"kit:ok","text":{"type":"plain_text","text":"Acknowledge"},"value":"ack","style":"primary"},
  {"type":"button","action_id":"kit:close","text":{"type":"plain_text","text":"Close incident"},"value":"close","style":"danger",
   "confirm":{"title":{"type":"plain_text","text":"Close it?"},"text":{"type":"mrkdwn","text":"Really close *#42*?"},"confirm":{"type":"plain_text","text":"Close"},"deny":{"type":"plain_text","text":"Keep open"}}},
  {"type":"static_select","action_id":"kit:sev","placeholder":{"type":"plain_text","text":"Severity"},
   "options":[{"text":{"type":"plain_text","text":"sev1"},"value":"sev1"},{"text":{"type":"plain_text","text":"sev2"},"value":"sev2"}]}]},
 {"type":"image","image_url":"https://example.com/chart.png","alt_text":"trend chart","title":{"type":"plain_text","text":"Trend"}}
]`

// kitView is a modal with every input the rituals use.
const kitView = `{"type":"modal","callback_id":"kit","title":{"type":"plain_text","text":"Action item"},
 "submit":{"type":"plain_text","text":"Save"},"close":{"type":"plain_text","text":"Cancel"},
 "blocks":[
  {"type":"section","text":{"type":"mrkdwn","text":"Follow-up for incident *#42*"}},
  {"type":"input","block_id":"title","label":{"type":"plain_text","text":"Title"},"element":{"type":"plain_text_input","action_id":"value"}},
  {"type":"input","block_id":"notes","optional":true,"label":{"type":"plain_text","text":"Notes"},"hint":{"type":"plain_text","text":"What should the owner know?"},"element":{"type":"plain_text_input","action_id":"value","multiline":true}},
  {"type":"input","block_id":"sev","label":{"type":"plain_text","text":"Severity"},"element":{"type":"static_select","action_id":"value","initial_option":{"text":{"type":"plain_text","text":"sev3"},"value":"sev3"},
   "options":[{"text":{"type":"plain_text","text":"sev1"},"value":"sev1"},{"text":{"type":"plain_text","text":"sev2"},"value":"sev2"},{"text":{"type":"plain_text","text":"sev3"},"value":"sev3"}]}},
  {"type":"input","block_id":"owner","label":{"type":"plain_text","text":"Owner"},"element":{"type":"users_select","action_id":"value"}},
  {"type":"input","block_id":"due","optional":true,"label":{"type":"plain_text","text":"Due"},"element":{"type":"datepicker","action_id":"value"}}]}`

func rawBlocks(t *testing.T, js string) slack.MsgOption {
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(js), &blocks); err != nil {
		t.Errorf("blocks: %v", err)
	}
	return slack.MsgOptionBlocks(blocks.BlockSet...)
}

// actionIDs lists the action IDs of the block_actions the app received.
func (a *testApp) actionIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, cb := range a.actions {
		for _, ba := range cb.ActionCallback.BlockActions {
			out = append(out, ba.ActionID+"="+ba.Value+ba.SelectedOption.Value)
		}
	}
	return out
}

// TestBlockKitInBrowser draws every block kind and modal input in a real
// browser and uses them as a member would.
func TestBlockKitInBrowser(t *testing.T) {
	ctx := browsertest.Start(t, 60*time.Second)
	_, app, srv := newWorkspace(t, nil)
	browsertest.Do(ctx, t, "open the page",
		chromedp.Navigate(srv.URL+"/#as=U0ALICE&c=C0TEAM"),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0TEAM"].active`)),
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/kit"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#messages .b-header`)))
	msg := `#messages .msg:last-child`
	if h := browsertest.Text(ctx, t, msg+" .b-header"); h != "Weekly digest" {
		t.Errorf("header = %q", h)
	}
	intro := browsertest.Text(ctx, t, msg+` [data-block-id="intro"]`)
	for _, want := range []string{"@Bob Baker", "#team", "@oncall", "<!channel> & more", "a quote", "the runbook", "team logo"} {
		if !strings.Contains(intro, want) {
			t.Errorf("section text %q lacks %q", intro, want)
		}
	}
	for sel, want := range map[string]string{
		msg + " b":                   "Bold",
		msg + " i":                   "italic",
		msg + " s":                   "struck",
		msg + " code":                "code",
		msg + " blockquote":          "a quote",
		msg + ` a[href^="https://"]`: "the runbook",
		msg + " .fields":             "Deploys",
		msg + " .b-context":          "Week 48",
		msg + " .b-image":            "trend chart", // not fetched: the page never calls out
	} {
		if got := browsertest.Text(ctx, t, sel); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if n := browsertest.Eval[int](ctx, t, `document.querySelectorAll('#messages .msg:last-child hr.b-divider, #messages .msg:last-child img[src^="http"]').length`); n != 1 {
		t.Errorf("divider and external images: %d elements, want the divider only", n)
	}
	browsertest.Shot(ctx, t, "blockkit")

	// A confirm dialog guards the danger button; "Keep open" sends nothing.
	browsertest.Do(ctx, t, "confirm dialog",
		chromedp.Click(chromedp.CSS(msg+` [data-action-id="kit:close"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-layer .modal`)))
	if c := browsertest.Text(ctx, t, "#confirm-layer .modal"); !strings.Contains(c, "Really close #42?") {
		t.Errorf("confirm dialog = %q", c)
	}
	browsertest.Do(ctx, t, "deny", chromedp.Click(chromedp.CSS(`#confirm-layer .modal .btn:not(.primary)`)), chromedp.WaitNotVisible(chromedp.CSS(`#confirm-layer`)))
	browsertest.Do(ctx, t, "confirm",
		chromedp.Click(chromedp.CSS(msg+` [data-action-id="kit:close"]`)),
		chromedp.Click(chromedp.CSS(`#confirm-layer .modal .btn.primary`)))
	waitActions := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for len(app.actionIDs()) < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitActions(1)
	browsertest.Eval[chromedp.Void](ctx, t, `(() => { const s = document.querySelector('#messages .msg:last-child select[data-action-id="kit:sev"]'); s.value = 'sev2'; s.dispatchEvent(new Event('change')); })()`)
	waitActions(2)
	if got := strings.Join(app.actionIDs(), " "); got != "kit:close=close kit:sev=sev2" {
		t.Errorf("block_actions = %s", got)
	}
	// Acknowledging edits the message: the new content, marked edited.
	browsertest.Do(ctx, t, "acknowledge", chromedp.Click(chromedp.CSS(msg+` [data-action-id="kit:ok"]`)))
	browsertest.WaitJS(ctx, t, "the edited message", `document.querySelector('#messages .msg:last-child').innerText.includes('Acknowledged by @Alice Adams')`)
	if got := browsertest.Text(ctx, t, msg); !strings.Contains(got, "(edited)") || strings.Contains(got, "Weekly digest") {
		t.Errorf("edited message = %q", got)
	}

	// The modal: every input kind, required fields, the app's errors.
	browsertest.Do(ctx, t, "open the modal",
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/kitmodal"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="title"] input`)))
	if sel := browsertest.Eval[string](ctx, t, `document.querySelector('.modal [data-block-id="sev"] select').value`); sel != "sev3" {
		t.Errorf("initial option = %q, want sev3", sel)
	}
	if opts := browsertest.Eval[string](ctx, t, `[...document.querySelectorAll('.modal [data-block-id="owner"] option')].map(o => o.textContent).join(',')`); !strings.Contains(opts, "Bob Baker") || strings.Contains(opts, "ritualbot") {
		t.Errorf("users select offers %q, want the members only", opts)
	}
	browsertest.Do(ctx, t, "submit with the owner missing",
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="title"] input`), "bad"),
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="notes"] textarea`), "line one\nline two"),
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="owner"].has-error .error`)))
	browsertest.Eval[chromedp.Void](ctx, t, `(() => {
		const m = document.querySelector('.modal');
		m.querySelector('[data-block-id="sev"] select').value = 'sev1';
		m.querySelector('[data-block-id="owner"] select').value = 'U0BOB';
		m.querySelector('[data-block-id="due"] input').value = '2026-12-01';
	})()`)
	browsertest.Do(ctx, t, "submit with an error from the app",
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="title"].has-error .error`)))
	if e := browsertest.Text(ctx, t, `.modal [data-block-id="title"] .error`); e != "Too short: say what broke" {
		t.Errorf("error under the title = %q", e)
	}
	browsertest.Shot(ctx, t, "modal")
	browsertest.Do(ctx, t, "submit",
		chromedp.SetValue(chromedp.CSS(`.modal [data-block-id="title"] input`), "Automate the failover"),
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal[data-view-id]`)))
	sub := app.lastAction()
	v := sub.View.State.Values
	if sub.Type != slack.InteractionTypeViewSubmission || v["title"]["value"].Value != "Automate the failover" ||
		v["notes"]["value"].Value != "line one\nline two" || v["sev"]["value"].SelectedOption.Value != "sev1" ||
		v["owner"]["value"].SelectedUser != "U0BOB" || v["due"]["value"].SelectedDate != "2026-12-01" {
		t.Errorf("view_submission values = %+v", v)
	}
}
