package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// Block Kit limits (Slack's documented values): a message that breaks one
// is rejected whole, so the renderer cuts instead.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxSectionText   = 3000
	maxFields        = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxID            = 255
	maxActions       = 25
	maxContext       = 10
	maxMessageText   = 40000
	maxPlainLabel    = 24 // modal title, submit, close
	maxInputLabel    = 2000
)

// RenderBlocks turns a ritual's blocks into Block Kit that Slack accepts
// for a message (limit 50) or a view (limit 100).
func RenderBlocks(blocks []rituals.Block, limit int) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for i, b := range blocks {
		if len(out) == limit-1 && len(blocks)-i > 1 {
			more := fmt.Sprintf("… and %d more", len(blocks)-i)
			out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, more, false, false)))
			break
		}
		if rb := renderBlock(b); rb != nil {
			out = append(out, rb)
		}
	}
	return out
}

func renderBlock(b rituals.Block) slack.Block {
	id := rituals.Clip(b.BlockID, maxID)
	switch b.Kind {
	case rituals.HeaderBlock:
		return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, plain(b.Text, maxHeaderText), false, false), slack.HeaderBlockOptionBlockID(id))
	case rituals.SectionBlock:
		var text *slack.TextBlockObject
		if strings.TrimSpace(b.Text) != "" {
			text = slack.NewTextBlockObject(slack.MarkdownType, rituals.Clip(b.Text, maxSectionText), false, false)
		}
		var fields []*slack.TextBlockObject
		for i, f := range b.Fields {
			if i == maxFields {
				break
			}
			if strings.TrimSpace(f) == "" {
				f = " "
			}
			fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, rituals.Clip(f, maxFieldText), false, false))
		}
		if text == nil && len(fields) == 0 {
			return nil
		}
		var acc *slack.Accessory
		if len(b.Buttons) > 0 {
			acc = slack.NewAccessory(renderButton(b.Buttons[0]))
		}
		return slack.NewSectionBlock(text, fields, acc, slack.SectionBlockOptionBlockID(id))
	case rituals.ContextBlock:
		var els []slack.MixedElement
		for i, e := range b.Elements {
			if i == maxContext {
				break
			}
			if strings.TrimSpace(e) == "" {
				continue
			}
			els = append(els, slack.NewTextBlockObject(slack.MarkdownType, rituals.Clip(e, maxSectionText), false, false))
		}
		if len(els) == 0 {
			return nil
		}
		return slack.NewContextBlock(id, els...)
	case rituals.DividerBlock:
		d := slack.NewDividerBlock()
		d.BlockID = id
		return d
	case rituals.ActionsBlock:
		var els []slack.BlockElement
		for i, btn := range b.Buttons {
			if i == maxActions {
				break
			}
			els = append(els, renderButton(btn))
		}
		if len(els) == 0 {
			return nil
		}
		return slack.NewActionBlock(id, els...)
	case rituals.ImageBlock:
		return slack.NewImageBlock(b.ImageURL, plain(b.Text, maxInputLabel), id, nil)
	}
	return nil
}

func renderButton(b rituals.Button) *slack.ButtonBlockElement {
	btn := slack.NewButtonBlockElement(rituals.Clip(b.ActionID, maxID), rituals.Clip(b.Value, maxButtonValue),
		slack.NewTextBlockObject(slack.PlainTextType, plain(b.Text, maxButtonText), true, false))
	if b.Style != "" {
		btn.Style = slack.Style(b.Style)
	}
	btn.URL = b.URL
	return btn
}

// plain prepares text for a plain_text object: Slack shows it verbatim, so
// it must not carry mrkdwn escapes, and must not be empty.
func plain(s string, max int) string {
	s = rituals.StripDirection(wireUnescaper.Replace(s))
	if strings.TrimSpace(s) == "" {
		s = " "
	}
	return rituals.Clip(s, max)
}

// fallbackText is a message's notification text, within Slack's limit.
func fallbackText(m rituals.Message) string {
	return rituals.Clip(m.Text, maxMessageText)
}
