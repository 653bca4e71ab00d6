package rituals

import (
	"context"
	"strings"
)

// Message is something ritualbot says in a channel or a DM. Text and block
// texts are Slack mrkdwn; user-supplied parts must go through Escape.
type Message struct {
	// Key identifies the message across retries and restarts: sending the
	// same key twice posts once. Later messages refer to it by key.
	Key string
	// To is a channel ID (C…) or a user ID (U…, W…) for a DM.
	To string
	// ThreadKey, if set, posts the message as a reply in the thread of the
	// message sent under that key.
	ThreadKey string
	// Update edits the message sent earlier under Key instead of posting.
	Update bool
	// Text is the notification text, and the whole message when Blocks is empty.
	Text   string
	Blocks []Block
	// Upload, if set, shares a file in To instead of posting blocks: the
	// file goes up through Slack's upload flow with Text as its comment.
	Upload *Upload `json:",omitempty"`
	// Urgent answers a person who is waiting (a command, a click, a
	// declaration): it goes ahead of routine traffic (webhook-driven
	// announcements, fan-outs) queued before it. See ForPerson.
	Urgent bool `json:",omitempty"`
}

// ParentKey is the key of the pending post m must not overtake: the one it
// edits (an update) or threads under; "" if none. Making m urgent makes
// its parent urgent too, and so on up.
func (m Message) ParentKey() string {
	if m.Update {
		return m.Key
	}
	return m.ThreadKey
}

type forPersonKey struct{}

// ForPerson marks ctx as serving a person who waits for the answer: what
// is enqueued under it is Urgent. The Slack intake marks commands,
// clicks, forms and events; schedules and webhooks do not.
func ForPerson(ctx context.Context) context.Context {
	return context.WithValue(ctx, forPersonKey{}, true)
}

// IsForPerson reports whether ctx was marked by ForPerson.
func IsForPerson(ctx context.Context) bool {
	v, _ := ctx.Value(forPersonKey{}).(bool)
	return v
}

// UrgentFor returns msgs, marked Urgent (in a copy) when ctx serves a
// person.
func UrgentFor(ctx context.Context, msgs []Message) []Message {
	if !IsForPerson(ctx) {
		return msgs
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Urgent = true
		out[i] = m
	}
	return out
}

// Upload is a file a message shares, such as the digest's trend chart.
type Upload struct {
	Filename string
	Title    string
	AltText  string
	Data     []byte
}

// Block is one piece of a message's layout; the bot renders it to Block Kit.
type Block struct {
	Kind     BlockKind
	Text     string   // header (plain), section (mrkdwn), image alt text
	Fields   []string // section fields (mrkdwn)
	Elements []string // context elements (mrkdwn)
	Buttons  []Button // actions, or a section's accessory (first button)
	ImageURL string
	BlockID  string
}

// BlockKind names a kind of Block.
type BlockKind string

const (
	HeaderBlock  BlockKind = "header"
	SectionBlock BlockKind = "section"
	ContextBlock BlockKind = "context"
	DividerBlock BlockKind = "divider"
	ActionsBlock BlockKind = "actions"
	ImageBlock   BlockKind = "image"
)

// Button is a clickable button; ActionID routes the click back to a ritual.
type Button struct {
	Text     string
	ActionID string
	Value    string
	Style    string // "", "primary" or "danger"
	URL      string
}

// Header returns a header block.
func Header(text string) Block { return Block{Kind: HeaderBlock, Text: text} }

// Section returns a section block with mrkdwn text.
func Section(text string) Block { return Block{Kind: SectionBlock, Text: text} }

// Context returns a context block with mrkdwn elements.
func Context(elements ...string) Block { return Block{Kind: ContextBlock, Elements: elements} }

// Divider returns a divider block.
func Divider() Block { return Block{Kind: DividerBlock} }

// Actions returns an actions block of buttons.
func Actions(buttons ...Button) Block { return Block{Kind: ActionsBlock, Buttons: buttons} }

// Outbox takes messages to deliver. Send is durable: once it returns nil
// the messages will be delivered, in order, even across restarts.
type Outbox interface {
	Send(ctx context.Context, msgs ...Message) error
}

// FormerMember stands in for a person erased from the store (ritualbot
// erase) in the records that stay: incident timelines, postmortems,
// action items, other people's answers that mentioned them.
const FormerMember = "a former member"

// PlainText is a block's text as a reader sees it, for logs, previews and
// tests.
func PlainText(b Block) string {
	var parts []string
	if b.Text != "" {
		parts = append(parts, b.Text)
	}
	parts = append(parts, b.Fields...)
	parts = append(parts, b.Elements...)
	for _, btn := range b.Buttons {
		parts = append(parts, "["+btn.Text+"]")
	}
	if b.Kind == DividerBlock {
		parts = append(parts, "---")
	}
	return strings.Join(parts, "\n")
}

// Form is a modal a user fills in; the bot renders it as a Slack view.
type Form struct {
	CallbackID string
	Title      string // at most 24 characters
	Submit     string
	Metadata   string // handed back on submission
	Intro      string // mrkdwn shown above the inputs
	Inputs     []Input
}

// Input is one field of a Form.
type Input struct {
	ID        string // block ID; submitted values are keyed by it
	Label     string
	Hint      string
	Kind      InputKind
	Multiline bool
	Optional  bool
	Initial   string
	Options   []Option // for SelectInput
	MaxLength int
}

// InputKind names a kind of input.
type InputKind string

const (
	TextInput   InputKind = "text"
	SelectInput InputKind = "select"
	UserInput   InputKind = "user"
	DateInput   InputKind = "date"
)

// Option is a choice of a SelectInput.
type Option struct{ Value, Label string }

// Question is one standup question.
type Question struct {
	ID       string
	Text     string
	Optional bool
	// Blocker: a non-empty answer opens a blocker that stays open until
	// the member answers empty or clears it.
	Blocker bool
}
