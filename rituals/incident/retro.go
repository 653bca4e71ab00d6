package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// DefaultRetroQuestions are asked when the ritual configures none. They
// are worded blamelessly: about what happened and how the system and the
// response behaved, never about who is at fault.
var DefaultRetroQuestions = []rituals.Question{
	{ID: "happened", Text: "What happened, as you saw it?"},
	{ID: "went_well", Text: "What went well?", Optional: true},
	{ID: "went_badly", Text: "What did not go so well, or could be easier next time?", Optional: true},
}

// retroActionRows is how many action items the retro form offers.
const retroActionRows = 3

// Actions and callbacks of the incident buttons and forms.
const (
	ActionRetroAnswer  = "incident:retro"
	ActionRetroPublish = "incident:publish"
	ActionRetroSkip    = "incident:skip"
	ActionItemDone     = "incident:done"
	FormRetro          = "incident_retro"
	FormRetroSkip      = "incident_skip"
)

const blamelessNote = "Blameless: describe what happened and why it made sense at the time. We look at systems, signals and decisions, not at people."

func (x *Incidents) questions() []rituals.Question {
	if len(x.Settings.Retro.Questions) > 0 {
		return x.Settings.Retro.Questions
	}
	return DefaultRetroQuestions
}

func retroQuestions(inc Incident, fallback []rituals.Question) []rituals.Question {
	if len(inc.Retro.Questions) > 0 {
		return inc.Retro.Questions
	}
	return fallback
}

// RetroSlot runs at each retro.schedule slot: it prompts the retros due by
// now, and reminds the required ones prompted earlier and not yet
// published.
func (x *Incidents) RetroSlot(ctx context.Context, at time.Time) error {
	return x.retroSlot(ctx, at, func(string) bool { return true })
}

// retroSlot is RetroSlot DMing only the participants home says are the
// ritual's zone's (the thread prompt goes out all the same).
func (x *Incidents) retroSlot(ctx context.Context, at time.Time, home func(user string) bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	all, err := x.retroCandidates(ctx)
	if err != nil {
		return err
	}
	for _, inc := range all {
		r := inc.Retro
		if inc.IsOpen() || r.Done() || r.Due.IsZero() || r.Due.After(at) {
			continue
		}
		var msgs []rituals.Message
		switch {
		case r.Prompted.IsZero():
			inc.Retro.Prompted = at
			inc.Retro.Questions = x.questions()
			msgs = x.retroPrompt(inc)
		case r.Required && at.After(r.Prompted) && !r.LastReminded.Equal(at):
			inc.Retro.Reminders++
			inc.Retro.LastReminded = at
			msgs = x.retroReminders(inc, at)
		default:
			continue
		}
		msgs = toHome(msgs, home)
		// The record and its messages are stored together; the keys keep
		// a re-run of the slot from saying anything twice.
		if _, err := x.save(ctx, inc, func(Incident) []rituals.Message { return msgs }); err != nil {
			return fmt.Errorf("store incident %d: %w", inc.Number, err)
		}
	}
	return nil
}

func (x *Incidents) retroButtons(inc Incident, publish bool) []rituals.Button {
	v := strconv.Itoa(inc.Number)
	bs := []rituals.Button{{Text: "Answer the retro", ActionID: ActionRetroAnswer, Value: v, Style: "primary"}}
	if publish {
		bs = append(bs, rituals.Button{Text: "Publish postmortem", ActionID: ActionRetroPublish, Value: v})
		if !inc.Retro.Required {
			bs = append(bs, rituals.Button{Text: "Skip this retro", ActionID: ActionRetroSkip, Value: v})
		}
	}
	return bs
}

// retroPrompt is the prompt in the incident's thread and the DMs to its
// participants.
func (x *Incidents) retroPrompt(inc Incident) []rituals.Message {
	var who []string
	for _, p := range inc.Participants {
		who = append(who, rituals.Mention(p))
	}
	kind := "optional: the commander may skip it with a reason"
	if inc.Retro.Required {
		kind = fmt.Sprintf("required for %s", strings.ToUpper(inc.Severity))
	}
	thread := []rituals.Block{
		rituals.Section(fmt.Sprintf(":memo: *Retro time for #%d: %s*\nResolved after %s. Everyone who took part, please share what you saw: %s.\nThe retro is %s; %s publishes the postmortem when the answers are in.",
			inc.Number, rituals.Escape(x.title(inc)), HumanDuration(inc.Duration(inc.Resolved)), orNobody(who), kind, x.publisherLabel(inc))),
		rituals.Context(blamelessNote),
		rituals.Actions(x.retroButtons(inc, true)...),
	}
	msgs := []rituals.Message{{
		Key: fmt.Sprintf("incident/%d/retro", inc.Number), To: x.Channel(), ThreadKey: announceKey(inc.Number),
		Text: fmt.Sprintf("Retro time for incident #%d", inc.Number), Blocks: thread,
	}}
	for _, p := range inc.Participants {
		text := fmt.Sprintf("You took part in incident *#%d: %s* (%s, resolved after %s). It takes five minutes to share what you saw, what went well and what could be easier next time.",
			inc.Number, rituals.Escape(x.title(inc)), strings.ToUpper(inc.Severity), HumanDuration(inc.Duration(inc.Resolved)))
		if p == inc.Commander {
			text += "\nAs its commander, you publish the postmortem once the answers are in."
		}
		msgs = append(msgs, rituals.Message{
			Key: fmt.Sprintf("incident/%d/retro/%s", inc.Number, p), To: p,
			Text:   fmt.Sprintf("Retro for incident #%d: %s", inc.Number, rituals.Escape(x.title(inc))),
			Blocks: []rituals.Block{rituals.Section(text), rituals.Context(blamelessNote), rituals.Actions(x.retroButtons(inc, p == inc.Commander)...)},
		})
	}
	return msgs
}

func orNobody(list []string) string {
	if len(list) == 0 {
		return "nobody recorded"
	}
	return strings.Join(list, ", ")
}

// publisherLabel names who may publish or skip inc's retro besides an
// admin (see MayDo).
func (x *Incidents) publisherLabel(inc Incident) string {
	if inc.Commander != "" {
		return rituals.Mention(inc.Commander) + " (the commander)"
	}
	return "a lead of its teams"
}

// retroReminders nudge, at a later slot, the participants who have not
// answered a required retro and its commander, privately.
func (x *Incidents) retroReminders(inc Incident, at time.Time) []rituals.Message {
	answered := map[string]bool{}
	for _, a := range inc.Retro.Answers {
		answered[a.User] = true
	}
	slot := at.UTC().Format("20060102T1504")
	var msgs []rituals.Message
	for _, p := range inc.Participants {
		if answered[p] || p == inc.Commander {
			continue
		}
		msgs = append(msgs, rituals.Message{
			Key: fmt.Sprintf("incident/%d/retro/remind/%s/%s", inc.Number, slot, p), To: p,
			Text: fmt.Sprintf("The retro of incident #%d is still waiting for your view", inc.Number),
			Blocks: []rituals.Block{
				rituals.Section(fmt.Sprintf("A gentle nudge: the retro of *#%d: %s* is still open, and your view of what happened helps. %s retros are required.",
					inc.Number, rituals.Escape(x.title(inc)), strings.ToUpper(inc.Severity))),
				rituals.Actions(x.retroButtons(inc, false)...),
			},
		})
	}
	if inc.Commander != "" {
		msgs = append(msgs, rituals.Message{
			Key: fmt.Sprintf("incident/%d/retro/remind/%s/%s", inc.Number, slot, inc.Commander), To: inc.Commander,
			Text: fmt.Sprintf("The postmortem of incident #%d is not published yet", inc.Number),
			Blocks: []rituals.Block{
				rituals.Section(fmt.Sprintf("The postmortem of *#%d: %s* (%s) is not published yet; %s retros are required. %d of %d participants have answered.",
					inc.Number, rituals.Escape(x.title(inc)), strings.ToUpper(inc.Severity), strings.ToUpper(inc.Severity), len(inc.Retro.Answers), len(inc.Participants))),
				rituals.Actions(x.retroButtons(inc, true)...),
			},
		})
	}
	return msgs
}

// retroMetadata is what the retro form hands back: the incident number.
func retroMetadata(n int) string { return strconv.Itoa(n) }

// ParseIncidentNumber reads a form's metadata or a button's value.
func ParseIncidentNumber(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if err != nil || n <= 0 {
		return 0, rituals.Errorf(rituals.EINVALID, "This form or button is from an older version; please use /incident instead.")
	}
	return n, nil
}

func actionBlock(i int, field string) string { return fmt.Sprintf("action%d_%s", i, field) }

// RetroForm is the modal in which user answers the retro of incident n,
// pre-filled with their earlier answer.
func (x *Incidents) RetroForm(n int, user string) (rituals.Form, error) {
	inc, err := x.Lookup(n)
	if err != nil {
		return rituals.Form{}, err
	}
	if inc.IsOpen() {
		return rituals.Form{}, rituals.Errorf(rituals.ECONFLICT, "#%d is still open; its retro starts once it is resolved.", n)
	}
	if !inc.Retro.Published.IsZero() {
		return rituals.Form{}, rituals.Errorf(rituals.ECONFLICT, "The postmortem of #%d is already published.", n)
	}
	var prev RetroAnswer
	for _, a := range inc.Retro.Answers {
		if a.User == user {
			prev = a
		}
	}
	f := rituals.Form{
		CallbackID: FormRetro, Title: fmt.Sprintf("Retro #%d", n), Submit: "Share", Metadata: retroMetadata(n),
		Intro: fmt.Sprintf("*#%d: %s*\n%s", n, rituals.Escape(x.title(inc)), blamelessNote),
	}
	for _, q := range retroQuestions(inc, x.questions()) {
		f.Inputs = append(f.Inputs, rituals.Input{ID: q.ID, Label: q.Text, Kind: rituals.TextInput, Multiline: true, Optional: q.Optional,
			MaxLength: 3000, Initial: prev.Answers[q.ID]})
	}
	mine, err := x.retroActionsOf(n, user)
	if err != nil {
		return rituals.Form{}, err
	}
	for i := 1; i <= retroActionRows; i++ {
		var a ActionItem
		if i <= len(mine) {
			a = mine[i-1]
		}
		due := ""
		if !a.Due.IsZero() {
			due = a.Due.String()
		}
		f.Inputs = append(f.Inputs,
			rituals.Input{ID: actionBlock(i, "text"), Label: fmt.Sprintf("Action item %d", i), Kind: rituals.TextInput, Optional: true, MaxLength: 500, Initial: a.Text,
				Hint: "A follow-up that makes the system safer; leave empty if none."},
			rituals.Input{ID: actionBlock(i, "owner"), Label: fmt.Sprintf("Owner of action item %d", i), Kind: rituals.UserInput, Optional: true, Initial: a.Owner},
			rituals.Input{ID: actionBlock(i, "due"), Label: fmt.Sprintf("Due date of action item %d", i), Kind: rituals.DateInput, Optional: true, Initial: due},
		)
	}
	return f, nil
}

// retroActionsOf returns the open action items user entered in the retro
// of incident n.
func (x *Incidents) retroActionsOf(n int, user string) ([]ActionItem, error) {
	all, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return nil, err
	}
	var out []ActionItem
	for _, a := range all {
		if a.Incident == n && a.FromRetro && a.CreatedBy == user && a.Open() {
			out = append(out, a)
		}
	}
	return out, nil
}

// SubmitRetro stores user's retro answers and action items for the
// incident in metadata; it returns errors by input for what needs fixing.
// Submitting again replaces the earlier answer and its open items.
func (x *Incidents) SubmitRetro(ctx context.Context, user, metadata string, values map[string]string) (map[string]string, error) {
	n, err := ParseIncidentNumber(metadata)
	if err != nil {
		return nil, err
	}
	today := rituals.DateOf(x.Clock.Now().In(x.location()))
	x.mu.Lock()
	defer x.mu.Unlock()
	inc, err := x.Lookup(n)
	if err != nil {
		return nil, err
	}
	x.learnNames(ctx, inc.Title)
	if inc.IsOpen() {
		return nil, rituals.Errorf(rituals.ECONFLICT, "#%d is still open; its retro starts once it is resolved.", n)
	}
	if !inc.Retro.Published.IsZero() {
		return nil, rituals.Errorf(rituals.ECONFLICT, "The postmortem of #%d is already published, so answers can no longer change.", n)
	}
	errs := map[string]string{}
	ans := RetroAnswer{User: user, Answers: map[string]string{}, Submitted: x.Clock.Now()}
	// Typed into plain-text inputs: whatever looks like a mention is text.
	for _, q := range retroQuestions(inc, x.questions()) {
		v := rituals.DefuseMentions(strings.TrimSpace(values[q.ID]))
		if v == "" && !q.Optional {
			errs[q.ID] = "Please answer this one."
		}
		if len([]rune(v)) > 3000 {
			errs[q.ID] = "Please keep it under 3,000 characters."
		}
		if v != "" {
			ans.Answers[q.ID] = v
		}
	}
	type row struct {
		text, owner string
		due         rituals.Date
	}
	var rows []row
	for i := 1; i <= retroActionRows; i++ {
		text := rituals.DefuseMentions(strings.TrimSpace(values[actionBlock(i, "text")]))
		owner := strings.TrimSpace(values[actionBlock(i, "owner")])
		dueText := strings.TrimSpace(values[actionBlock(i, "due")])
		var due rituals.Date
		if dueText != "" {
			d, err := rituals.ParseDate(dueText)
			switch {
			case err != nil:
				errs[actionBlock(i, "due")] = "Pick a date."
			case d.Before(today):
				errs[actionBlock(i, "due")] = "The due date is in the past."
			}
			due = d
		}
		switch {
		case text == "" && owner == "" && dueText == "":
			continue
		case text == "":
			errs[actionBlock(i, "text")] = "Say what the action item is, or clear its owner and date."
		case owner == "":
			errs[actionBlock(i, "owner")] = "Every action item needs one owner."
		}
		rows = append(rows, row{text, owner, due})
	}
	if len(errs) > 0 {
		return errs, nil
	}
	var kept []RetroAnswer
	for _, a := range inc.Retro.Answers {
		if a.User != user {
			kept = append(kept, a)
		}
	}
	inc.Retro.Answers = append(kept, ans)
	inc.addParticipant(user)
	old, err := x.retroActionsOf(n, user)
	if err != nil {
		return nil, err
	}
	// An item entered again as it was keeps its ID (the Done button its
	// owner was sent still works); the others are replaced.
	same := map[string]bool{}
	var created []ActionItem
	for _, r := range rows {
		item := ActionItem{Owner: r.owner, Text: r.text, Due: r.due}
		if i := slices.IndexFunc(old, func(o ActionItem) bool { return !same[o.ID] && sameAction(o, item) }); i >= 0 {
			same[old[i].ID] = true
			continue
		}
		created = append(created, x.newAction(&inc, user, r.owner, r.text, r.due, true))
	}
	for _, a := range old {
		if same[a.ID] {
			continue
		}
		if err := x.Store.DeleteAction(a.ID); err != nil {
			return nil, err
		}
	}
	if err := x.Store.PutIncident(inc); err != nil {
		return nil, fmt.Errorf("store incident %d: %w", n, err)
	}
	for _, a := range created {
		if err := x.Store.PutAction(a); err != nil {
			return nil, fmt.Errorf("store action item %s: %w", a.ID, err)
		}
	}
	return nil, x.Outbox.Send(ctx, x.retroActionMessages(inc, created)...)
}

// newAction makes the next action item of inc (the caller stores both).
func (x *Incidents) newAction(inc *Incident, by, owner, text string, due rituals.Date, fromRetro bool) ActionItem {
	inc.ActionSeq++
	return ActionItem{
		ID: fmt.Sprintf("%d.%d", inc.Number, inc.ActionSeq), Ritual: x.Config.Name, Incident: inc.Number,
		Owner: owner, Text: text, Due: due, Created: x.Clock.Now(), CreatedBy: by, FromRetro: fromRetro,
		Teams: append([]string(nil), inc.Teams...),
	}
}

// Publish publishes incident n's postmortem: posted to the channel,
// stored, and served as Markdown. Its commander or an admin may (without
// a commander, a lead of its teams).
func (x *Incidents) Publish(ctx context.Context, n int, user string) (Incident, error) {
	actions, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return Incident{}, err
	}
	names := x.names(ctx)
	x.titleNames.set(names)
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		switch {
		case inc.IsOpen():
			return nil, rituals.Errorf(rituals.ECONFLICT, "#%d is still open: resolve it first (`/incident resolve #%d`).", n, n)
		case !inc.Retro.Published.IsZero():
			return nil, rituals.Errorf(rituals.ECONFLICT, "The postmortem of #%d was already published %s.", n, x.when(inc.Retro.Published))
		case !x.may(*inc, user, VerbPublish):
			return nil, x.publisherRefusal(*inc, "publish the postmortem")
		}
		var mine []ActionItem
		for _, a := range actions {
			if a.Incident == n {
				mine = append(mine, a)
			}
		}
		inc.Retro.Published, inc.Retro.PublishedBy = now, user
		inc.Retro.Skipped, inc.Retro.SkippedBy, inc.Retro.SkipReason = time.Time{}, "", ""
		inc.Retro.Postmortem = x.PostmortemMarkdown(*inc, mine, names)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventRetroPublished, By: user})
		return []rituals.Message{x.PostmortemMessage(*inc, mine)}, nil
	})
}

// Skip records that incident n's retro will not happen, and why. Only
// retros of severities that do not require one may be skipped.
func (x *Incidents) Skip(ctx context.Context, n int, user, reason string) (Incident, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Say why the retro is skipped: `/incident skip #%d REASON`.", n)
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		switch {
		case inc.IsOpen():
			return nil, rituals.Errorf(rituals.ECONFLICT, "#%d is still open.", n)
		case inc.Retro.Done():
			return nil, rituals.Errorf(rituals.ECONFLICT, "The retro of #%d is already published or skipped.", n)
		case x.severityRequiresRetro(inc.Severity):
			return nil, rituals.Errorf(rituals.EFORBIDDEN, "%s incidents need a retro, so #%d cannot be skipped.", strings.ToUpper(inc.Severity), n)
		case !x.may(*inc, user, VerbSkip):
			return nil, x.publisherRefusal(*inc, "skip the retro")
		}
		inc.Retro.Skipped, inc.Retro.SkippedBy, inc.Retro.SkipReason = now, user, rituals.Shorten(reason, 500)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventRetroSkipped, By: user, Text: inc.Retro.SkipReason})
		return nil, nil
	})
}

// SkipForm asks the reason for skipping incident n's retro.
func (x *Incidents) SkipForm(n int, user string) (rituals.Form, error) {
	inc, err := x.Lookup(n)
	if err != nil {
		return rituals.Form{}, err
	}
	if x.severityRequiresRetro(inc.Severity) {
		return rituals.Form{}, rituals.Errorf(rituals.EFORBIDDEN, "%s incidents need a retro, so #%d cannot be skipped.", strings.ToUpper(inc.Severity), n)
	}
	if !x.may(inc, user, VerbSkip) {
		return rituals.Form{}, x.publisherRefusal(inc, "skip the retro")
	}
	return rituals.Form{
		CallbackID: FormRetroSkip, Title: fmt.Sprintf("Skip retro #%d", n), Submit: "Skip", Metadata: retroMetadata(n),
		Intro:  fmt.Sprintf("*#%d: %s*\nThe reason is kept on the timeline.", n, rituals.Escape(x.title(inc))),
		Inputs: []rituals.Input{{ID: "reason", Label: "Why is no retro needed?", Kind: rituals.TextInput, Multiline: true, MaxLength: 500}},
	}, nil
}

// names maps user IDs to display names for Markdown read outside Slack;
// empty when the directory cannot be read.
func (x *Incidents) names(ctx context.Context) map[string]string {
	out := map[string]string{}
	if x.Directory == nil {
		return out
	}
	users, err := x.Directory.Users(ctx)
	if err != nil {
		return out
	}
	for id, u := range users {
		if u.Name != "" {
			out[id] = u.Name
		}
	}
	return out
}

// retroCandidates reads the ritual's incidents for a retro slot, having
// first learned the names in the titles of those whose retro is pending,
// so the prompts can link them. x.mu is held.
func (x *Incidents) retroCandidates(ctx context.Context) ([]Incident, error) {
	all, err := x.Store.Incidents(x.Config.Name)
	if err != nil {
		return nil, fmt.Errorf("incidents %s: read incidents: %w", x.Config.Name, err)
	}
	var titles []string
	for _, inc := range all {
		if !inc.IsOpen() && !inc.Retro.Done() {
			titles = append(titles, inc.Title)
		}
	}
	x.learnNames(ctx, titles...)
	return all, nil
}
