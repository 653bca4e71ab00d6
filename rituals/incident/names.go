package incident

import (
	"context"
	"strings"
	"sync"

	"github.com/ritualbot/ritualbot/rituals"
)

// A person mentioned in an incident's title (<@U…>, as Slack sends a
// picked @name) is shown by name wherever the title is read: a mention
// does not render in a header, plain text, the Markdown postmortem or the
// record's pages, and in a message it would notify them each time. The
// title is stored as typed, so that erasing a person (ritualbot erase)
// finds the mention; the names come from the directory when the title is
// shown, remembered from the last time they were read, so that building a
// message inside a store transaction never asks Slack.

// titleNames are the display names titles were last shown with.
type titleNames struct {
	mu    sync.Mutex
	names map[string]string
}

func (t *titleNames) set(names map[string]string) {
	if len(names) == 0 {
		return
	}
	t.mu.Lock()
	t.names = names
	t.mu.Unlock()
}

func (t *titleNames) get() map[string]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.names
}

// ShownTitle is title as people read it: each person mentioned by name
// ("@erin"), or by user ID when the name was never read.
func (x *Incidents) ShownTitle(title string) string {
	if !strings.Contains(title, "<@") {
		return title
	}
	return ShowMentions(title, x.titleNames.get())
}

// ShowMentions writes each mention of a person in s as "@name" from
// names (user ID → display name), "@U…" for one it lacks.
func ShowMentions(s string, names map[string]string) string {
	return rituals.ReplaceMentions(s, mdNamer(names).name)
}

func (x *Incidents) title(inc Incident) string { return x.ShownTitle(inc.Title) }

// learnNames reads the names a title with a mention is shown with; called
// before building messages, never inside a store transaction.
func (x *Incidents) learnNames(ctx context.Context, titles ...string) {
	for _, t := range titles {
		if strings.Contains(t, "<@") {
			x.titleNames.set(x.names(ctx))
			return
		}
	}
}
