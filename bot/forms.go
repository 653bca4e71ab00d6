package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// viewAPI is what opening modals needs from Slack.
type viewAPI interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// RenderForm turns a ritual's form into a Slack modal within Block Kit's
// limits.
func RenderForm(f rituals.Form) slack.ModalViewRequest {
	v := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, plain(f.Title, maxPlainLabel), false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		CallbackID:      rituals.Clip(f.CallbackID, maxID),
		PrivateMetadata: f.Metadata,
	}
	if f.Submit != "" {
		v.Submit = slack.NewTextBlockObject(slack.PlainTextType, plain(f.Submit, maxPlainLabel), false, false)
	}
	if f.Intro != "" {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, rituals.Clip(f.Intro, maxSectionText), false, false), nil, nil))
	}
	for _, in := range f.Inputs {
		if len(v.Blocks.BlockSet) == maxViewBlocks {
			break
		}
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, renderInput(in))
	}
	return v
}

func renderInput(in rituals.Input) *slack.InputBlock {
	actionID := "value"
	var el slack.BlockElement
	switch in.Kind {
	case rituals.SelectInput:
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for i, o := range in.Options {
			if i == 100 {
				break
			}
			ob := slack.NewOptionBlockObject(rituals.Clip(o.Value, 150), slack.NewTextBlockObject(slack.PlainTextType, plain(o.Label, 75), false, false), nil)
			if o.Value == in.Initial {
				initial = ob
			}
			opts = append(opts, ob)
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, actionID, opts...)
		sel.InitialOption = initial
		el = sel
	case rituals.UserInput:
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, actionID)
		sel.InitialUser = in.Initial
		el = sel
	case rituals.DateInput:
		dp := slack.NewDatePickerBlockElement(actionID)
		dp.InitialDate = in.Initial
		el = dp
	default:
		ti := slack.NewPlainTextInputBlockElement(nil, actionID)
		ti.Multiline = in.Multiline
		ti.InitialValue = in.Initial
		ti.MaxLength = in.MaxLength
		el = ti
	}
	var hint *slack.TextBlockObject
	if in.Hint != "" {
		hint = slack.NewTextBlockObject(slack.PlainTextType, plain(in.Hint, maxInputLabel), false, false)
	}
	b := slack.NewInputBlock(rituals.Clip(in.ID, maxID), slack.NewTextBlockObject(slack.PlainTextType, plain(in.Label, maxInputLabel), false, false), hint, el)
	b.Optional = in.Optional
	return b
}

// openForm opens a ritual's form as a modal for the trigger of a click or
// a command.
func openForm(ctx context.Context, api viewAPI, limiter *RateLimiter, triggerID string, f rituals.Form) error {
	if triggerID == "" {
		return rituals.Errorf(rituals.EINVALID, "Slack did not send a trigger to open the form; please try again.")
	}
	if err := limiter.Wait(ctx, "views.open", ""); err != nil {
		return err
	}
	if _, err := api.OpenViewContext(ctx, triggerID, RenderForm(f)); err != nil {
		return fmt.Errorf("views.open %s: %w", f.CallbackID, err)
	}
	return nil
}
