package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	neturl "net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals"
)

// ackDeadline is how long a handler may take before the user gets "working
// on it" and the answer follows through response_url; Slack gives up on an
// acknowledgement after 3 s.
const ackDeadline = 2500 * time.Millisecond

// maxAckBytes keeps an acknowledgement under slack-go's 20 KB refusal.
const maxAckBytes = 19000

// Intake turns Slack's payloads, from either transport, into Router calls
// and acknowledgements.
type Intake struct {
	Router *Router
	Log    zerolog.Logger
	// HTTP posts to response_url (default http.DefaultClient).
	HTTP *http.Client
	// Observe, if set, counts requests by kind and outcome (metrics).
	Observe func(kind, outcome string)
	// Deadline overrides ackDeadline (tests).
	Deadline time.Duration
	// Concurrency bounds the commands and clicks handled at once (default
	// four per CPU, at least 8); the others wait their turn.
	Concurrency int

	// Base is the context work runs on once Slack has its
	// acknowledgement: it outlives the HTTP request or Socket Mode
	// connection that brought the work, so a refreshed connection or a
	// finished request cuts no handler short. Main cancels it at shutdown,
	// after Wait. Default context.Background().
	Base context.Context

	slotsOnce sync.Once
	slots     chan struct{}

	// The work handed to Go, counted under mu rather than with a
	// sync.WaitGroup: an event may arrive (Add from zero) while shutdown
	// or a test is already waiting, which a WaitGroup forbids.
	mu    sync.Mutex
	busy  int
	idles []chan struct{} // closed when busy drops to zero
}

// base is the context acknowledged work runs on.
func (in *Intake) base() context.Context {
	if in.Base != nil {
		return in.Base
	}
	return context.Background()
}

// Go runs f on the work context in the background, counted by Wait.
func (in *Intake) Go(f func(ctx context.Context)) {
	in.mu.Lock()
	in.busy++
	in.mu.Unlock()
	go func() {
		defer in.done()
		f(in.base())
	}()
}

// done counts one piece of work handed to Go as finished.
func (in *Intake) done() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.busy--
	if in.busy == 0 {
		for _, idle := range in.idles {
			close(idle)
		}
		in.idles = nil
	}
}

// Wait waits until the work handed to Go is done, or ctx ends: shutdown
// finishes what Slack was told was taken, and tests settle on it.
func (in *Intake) Wait(ctx context.Context) error {
	in.mu.Lock()
	if in.busy == 0 {
		in.mu.Unlock()
		return nil
	}
	idle := make(chan struct{})
	in.idles = append(in.idles, idle)
	in.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for handlers of acknowledged requests: %w", ctx.Err())
	}
}

// slot is the semaphore of handlers at work. A burst of hundreds of
// envelopes must not crowd out the acknowledgements, which are due within
// 3 s whatever the handlers cost: with every handler running at once, the
// CPU is shared so thinly that the "working on it" acks come late too.
// Waiting for a slot counts against the ack deadline like running does.
func (in *Intake) slot() chan struct{} {
	in.slotsOnce.Do(func() {
		n := in.Concurrency
		if n <= 0 {
			n = max(8, 4*runtime.GOMAXPROCS(0))
		}
		in.slots = make(chan struct{}, n)
	})
	return in.slots
}

func (in *Intake) observe(kind, outcome string) {
	if in.Observe != nil {
		in.Observe(kind, outcome)
	}
}

func (in *Intake) deadline() time.Duration {
	if in.Deadline > 0 {
		return in.Deadline
	}
	return ackDeadline
}

// SlashCommand answers a slash command; the returned payload is the ack,
// nil for a bare acknowledgement (an empty body: Slack shows any other
// body to the user, even one with no text).
func (in *Intake) SlashCommand(ctx context.Context, sc slack.SlashCommand) any {
	in.observe("slash_command", "received")
	inv := Invocation{
		Command: sc.Command, Text: sc.Text, UserID: sc.UserID, ChannelID: sc.ChannelID,
		TriggerID: sc.TriggerID, ResponseURL: sc.ResponseURL,
	}
	reply, ok := in.within(sc.ResponseURL, func(ctx context.Context) *Reply {
		r := in.Router.Command(ctx, inv)
		return &r
	})
	if !ok {
		return replyPayload(Reply{Text: "Working on it…"})
	}
	if reply.Text == "" && len(reply.Blocks) == 0 {
		return nil // a modal opened: nothing to say
	}
	p := replyPayload(*reply)
	if _, kept := p["blocks"]; !kept && len(reply.Blocks) > 0 && sc.ResponseURL != "" {
		// Too big for an acknowledgement (slack-go refuses 20 KB): acked
		// bare, and the whole answer follows through response_url rather
		// than its text alone.
		full := *reply
		in.Go(func(ctx context.Context) { in.respond(ctx, sc.ResponseURL, full) })
		return nil
	}
	return p
}

// Interaction handles block_actions and view_submission payloads; the
// returned payload is the ack (nil for an empty one).
func (in *Intake) Interaction(ctx context.Context, ic slack.InteractionCallback) any {
	in.observe(string(ic.Type), "received")
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		// Acknowledged at once, answered after: handler time plus a post to
		// response_url can pass Slack's 3 s, which shows an error on the
		// button.
		in.Go(func(ctx context.Context) { in.blockActions(ctx, ic) })
		return nil
	case slack.InteractionTypeViewSubmission:
		s := Submission{
			CallbackID: ic.View.CallbackID, ViewID: ic.View.ID, UserID: ic.User.ID,
			PrivateMetadata: ic.View.PrivateMetadata, Values: map[string]string{},
		}
		if ic.View.State != nil {
			for blockID, actions := range ic.View.State.Values {
				for _, a := range actions {
					s.Values[blockID] = actionValue(&a)
				}
			}
		}
		blocks := inputsOnScreen(ic.View)
		errs, reply := in.Router.Submit(ctx, s)
		if reply != nil && len(blocks) > 0 {
			// Keep the modal open so nothing typed is lost, and say why.
			errs = map[string]string{blocks[0]: rituals.Clip(reply.Text, 150)}
		}
		if len(errs) > 0 {
			in.observe(string(ic.Type), "invalid")
			return slack.NewErrorsViewSubmissionResponse(errs)
		}
		return nil
	}
	in.Log.Debug().Str("type", httplimit.Clip(string(ic.Type))).Msg("interaction type not handled")
	return nil
}

// blockActions runs a click's handlers, after its acknowledgement, and
// posts their answers to response_url.
func (in *Intake) blockActions(ctx context.Context, ic slack.InteractionCallback) {
	for _, ba := range ic.ActionCallback.BlockActions {
		a := Action{
			ActionID: ba.ActionID, Value: actionValue(ba), UserID: ic.User.ID,
			ChannelID: ic.Channel.ID, MessageTS: ic.Container.MessageTs, TriggerID: ic.TriggerID,
			ViewID: ic.View.ID, ResponseURL: ic.ResponseURL, FromHome: ic.View.Type == slack.VTHomeTab,
		}
		if a.MessageTS == "" {
			a.MessageTS = ic.Message.Timestamp
		}
		if len(ic.Message.Blocks.BlockSet) > 0 {
			a.MessageBlocks, _ = json.Marshal(ic.Message.Blocks)
			a.MessageText = ic.Message.Text
		}
		if reply := in.Router.Action(ctx, a); reply != nil {
			in.respond(ctx, ic.ResponseURL, *reply)
		}
	}
}

// inputsOnScreen returns the block IDs of a view's inputs in the order the
// person sees them, so that an error about the whole form shows on the
// first. A view sent without its blocks gives its state's, sorted.
func inputsOnScreen(v slack.View) []string {
	var ids []string
	for _, b := range v.Blocks.BlockSet {
		if b.BlockType() == slack.MBTInput && b.ID() != "" {
			ids = append(ids, b.ID())
		}
	}
	if len(ids) == 0 && v.State != nil {
		ids = slices.Sorted(maps.Keys(v.State.Values))
	}
	return ids
}

// actionValue is the value of an element, whatever its type.
func actionValue(a *slack.BlockAction) string {
	switch {
	case a.Value != "":
		return a.Value
	case a.SelectedOption.Value != "":
		return a.SelectedOption.Value
	case a.SelectedUser != "":
		return a.SelectedUser
	case a.SelectedDate != "":
		return a.SelectedDate
	case a.SelectedChannel != "":
		return a.SelectedChannel
	case len(a.SelectedUsers) > 0:
		return strings.Join(a.SelectedUsers, ",")
	case len(a.SelectedOptions) > 0:
		var vs []string
		for _, o := range a.SelectedOptions {
			vs = append(vs, o.Value)
		}
		return strings.Join(vs, ",")
	}
	return ""
}

// EventsAPI handles an Events API body: url_verification returns the
// challenge; event_callback is routed with its inner event typed by
// slackevents, in the background (see Wait), so the caller acknowledges
// at once.
func (in *Intake) EventsAPI(ctx context.Context, body []byte) (challenge string, err error) {
	if !json.Valid(body) {
		return "", errors.New("events API body is not JSON")
	}
	// The signature (HTTP mode) or the app's own socket vouches for the
	// body; the legacy verification token is not used.
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		if typ, ok := untypedEvent(body); ok {
			// Nothing here handles an event slack-go has no type for; its
			// name is not a metric label, which would be unbounded.
			in.observe("event", "unknown")
			in.Log.Debug().Str("event", httplimit.Clip(typ)).Msg("events API event type not handled")
			return "", nil
		}
		return "", fmt.Errorf("events API body: %w", err)
	}
	switch ev.Type {
	case slackevents.URLVerification:
		if v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			return v.Challenge, nil
		}
	case slackevents.CallbackEvent:
		cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
		if cb == nil {
			return "", errors.New("event_callback without its envelope")
		}
		in.observe("event", ev.InnerEvent.Type)
		// Handled after the acknowledgement, on the work context: Slack
		// wants its 200 within 3 s and retries the event otherwise.
		e := Event{ID: cb.EventID, Type: ev.InnerEvent.Type, Data: ev.InnerEvent.Data}
		in.Go(func(ctx context.Context) { in.Router.Event(ctx, e) })
		return "", nil
	}
	in.Log.Debug().Str("type", httplimit.Clip(ev.Type)).Msg("events API envelope type not handled")
	return "", nil
}

// untypedEvent reports the inner type of an event_callback whose event
// slackevents cannot type because it does not know the type.
func untypedEvent(body []byte) (string, bool) {
	var outer struct {
		Type  string `json:"type"`
		Event struct {
			Type string `json:"type"`
		} `json:"event"`
	}
	if json.Unmarshal(body, &outer) != nil || outer.Type != slackevents.CallbackEvent || outer.Event.Type == "" {
		return "", false
	}
	_, known := slackevents.EventsAPIInnerEventMapping[slackevents.EventsAPIType(outer.Event.Type)]
	_, knownRTM := slack.EventMapping[outer.Event.Type]
	return outer.Event.Type, !known && !knownRTM
}

// within runs f on the work context, returning its reply if it finishes
// before the ack deadline. Otherwise it returns ok=false and f's reply
// goes to responseURL when it is ready.
func (in *Intake) within(responseURL string, f func(context.Context) *Reply) (reply *Reply, ok bool) {
	done := make(chan *Reply, 1)
	var mu sync.Mutex
	late := false // the ack has gone without the reply
	in.Go(func(ctx context.Context) {
		slots := in.slot()
		slots <- struct{}{}
		r := f(ctx)
		<-slots
		mu.Lock()
		if !late {
			done <- r
			mu.Unlock()
			return
		}
		mu.Unlock()
		if r != nil {
			in.respond(ctx, responseURL, *r)
		}
	})
	t := time.NewTimer(in.deadline())
	defer t.Stop()
	select {
	case r := <-done:
		return r, true
	case <-t.C:
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case r := <-done:
		return r, true
	default:
	}
	late = true
	in.observe("ack", "deferred")
	return nil, false
}

// respond posts a reply to a response_url. The URL is a capability (it
// posts as the bot for 30 minutes), so logs name its host only.
func (in *Intake) respond(ctx context.Context, url string, r Reply) {
	if url == "" {
		return
	}
	log := in.Log.With().Str("response_host", urlHost(url)).Logger()
	body, err := json.Marshal(payloadWithin(r, 0))
	if err != nil {
		in.Log.Error().Err(err).Msg("encode response")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		log.Error().Msg("build response_url request: not a URL")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	client := in.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL; keep only what went wrong.
		var uerr *neturl.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		log.Error().Err(err).Msg("post to response_url")
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		log.Error().Int("status", resp.StatusCode).Msg("response_url refused the reply")
	}
}

// urlHost is the host of a URL, for logs; "?" if there is none.
func urlHost(s string) string {
	u, err := neturl.Parse(s)
	if err != nil || u.Host == "" {
		return "?"
	}
	return httplimit.Clip(u.Host)
}

// replyPayload is the JSON Slack takes as a command's answer, within the
// size an acknowledgement may have.
func replyPayload(r Reply) map[string]any { return payloadWithin(r, maxAckBytes) }

// payloadWithin is r as Slack's message JSON, its blocks left out if the
// whole would pass maxBytes (0: no bound, as for a response_url post).
func payloadWithin(r Reply, maxBytes int) map[string]any {
	if r.Replace != nil {
		return map[string]any{"replace_original": true, "text": rituals.Clip(r.Text, 3000), "blocks": r.Replace}
	}
	p := map[string]any{"response_type": "ephemeral", "text": rituals.Clip(r.Text, 3000)}
	if r.InChannel {
		p["response_type"] = "in_channel"
	}
	if len(r.Blocks) > 0 {
		p["blocks"] = RenderBlocks(r.Blocks, maxMessageBlocks)
		if b, err := json.Marshal(p); err != nil || maxBytes > 0 && len(b) > maxBytes {
			delete(p, "blocks")
		}
	}
	return p
}

// ReplyText renders a reply as the text a user reads (tests, previews).
func ReplyText(r Reply) string {
	var b strings.Builder
	b.WriteString(r.Text)
	for _, bl := range r.Blocks {
		b.WriteString("\n")
		b.WriteString(rituals.PlainText(bl))
	}
	return b.String()
}
