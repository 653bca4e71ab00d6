package incident

import (
	"fmt"

	"github.com/ritualbot/ritualbot/rituals"
)

// actionMessages announce a new action item a of inc, however it was
// added (/incident action, a mention, the retro form): a line in the
// incident's thread, and a DM to its owner with a Done button unless the
// owner added it.
func (x *Incidents) actionMessages(inc Incident, a ActionItem) []rituals.Message {
	n := inc.Number
	dueText := ""
	if !a.Due.IsZero() {
		dueText = ", due " + a.Due.Time().Format("Mon 2 Jan")
	}
	msgs := []rituals.Message{{
		Key: "incident/" + fmt.Sprint(n) + "/action/" + a.ID, To: x.Channel(), ThreadKey: announceKey(n),
		Text: fmt.Sprintf("Action item for #%d", n),
		Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":clipboard: *Action item* for %s%s, added by %s\n%s",
			rituals.Mention(a.Owner), dueText, rituals.Mention(a.CreatedBy), rituals.EscapeText(a.Text)))},
	}}
	if a.Owner != a.CreatedBy {
		msgs = append(msgs, rituals.Message{
			Key: "incident/" + fmt.Sprint(n) + "/action/" + a.ID + "/owner", To: a.Owner,
			Text: fmt.Sprintf("You own a new action item from incident #%d", n),
			Blocks: []rituals.Block{
				withButton(rituals.Section(fmt.Sprintf("%s gave you an action item from incident *#%d: %s*%s:\n%s",
					rituals.Mention(a.CreatedBy), n, rituals.Escape(x.title(inc)), dueText, rituals.EscapeText(a.Text))), doneButton(a)),
			},
		})
	}
	return msgs
}

// sameAction reports whether two items say the same: a retro resubmitted
// with an item as it was keeps the item.
func sameAction(a, b ActionItem) bool {
	return a.Owner == b.Owner && a.Text == b.Text && a.Due == b.Due
}

// retroActionMessages announce the items a retro answer added: an owner
// hears of an item the moment it is entered, as with /incident action
// (an item resubmitted unchanged is kept, and not announced again).
func (x *Incidents) retroActionMessages(inc Incident, created []ActionItem) []rituals.Message {
	var msgs []rituals.Message
	for _, a := range created {
		msgs = append(msgs, x.actionMessages(inc, a)...)
	}
	return msgs
}
