package incident

import (
	"context"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// nameMentions writes each person mentioned in a title (<@U…>, which is
// how Slack sends a picked @name) as "@Display Name". A title is shown in
// places where a mention does not render (the announcement's header,
// plain text, /incident list, the handoff, the digest, the index page and
// the Markdown postmortem), so it is stored with names, once, at the
// declaration. Without the directory, or for someone it does not know,
// the user ID stands in.
func (x *Incidents) nameMentions(ctx context.Context, title string) string {
	if !strings.Contains(title, "<@") {
		return title
	}
	names := x.names(ctx)
	return rituals.ReplaceMentions(title, mdNamer(names).name)
}
