package pulse

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// CallbackID is the pulse form's modal callback ID.
const CallbackID = "pulse"

// errAlready is the clear refusal of a second answer.
var errAlready = rituals.Errorf(rituals.ECONFLICT, "You have already answered this pulse. Answers are anonymous — not linked to you — so they cannot be changed or replaced.")

// round returns the round id and checks that user may answer it now.
func (p *Pulse) round(user, id string) (Round, error) {
	if !p.Team.IsMember(user) {
		return Round{}, rituals.Errorf(rituals.EFORBIDDEN, "The %s pulse is for members of %s.", rituals.Escape(p.Config.Name), rituals.Escape(p.Team.Name))
	}
	r, ok, err := p.Store.PulseRound(p.Config.Name, id)
	if err != nil {
		return Round{}, fmt.Errorf("pulse %s: read round %s: %w", p.Config.Name, id, err)
	}
	if !ok || !r.Open(p.Clock.Now()) {
		return Round{}, rituals.Errorf(rituals.EINVALID, "This pulse has closed; answers are no longer taken.")
	}
	done, err := p.Store.PulseAnswered(r.Ritual, r.ID, user)
	if err != nil {
		return Round{}, fmt.Errorf("pulse %s: read round %s: %w", p.Config.Name, id, err)
	}
	if done {
		return Round{}, errAlready
	}
	return r, nil
}

// Current returns the round open now, if any.
func (p *Pulse) Current() (Round, bool, error) {
	rs, err := p.Store.PulseRounds(p.Config.Name, 1)
	if err != nil || len(rs) == 0 {
		return Round{}, false, err
	}
	return rs[0], rs[0].Open(p.Clock.Now()), nil
}

// Form is the modal in which user answers the round id.
func (p *Pulse) Form(user, id string) (rituals.Form, error) {
	r, err := p.round(user, id)
	if err != nil {
		return rituals.Form{}, err
	}
	f := rituals.Form{
		CallbackID: CallbackID, Title: "Team health pulse", Submit: "Send anonymously", Metadata: ref(r),
		Intro: anonymityNote(p.Settings.MinResponses),
	}
	for _, q := range p.Settings.Questions {
		in := rituals.Input{ID: q.ID, Label: q.Text}
		if q.FreeText {
			in.Kind, in.Multiline, in.Optional, in.MaxLength = rituals.TextInput, true, true, maxFreeText
		} else {
			in.Kind = rituals.SelectInput
			in.Hint = fmt.Sprintf("1 = worst, %d = best", q.Scale)
			for i := 1; i <= q.Scale; i++ {
				in.Options = append(in.Options, rituals.Option{Value: strconv.Itoa(i), Label: strconv.Itoa(i)})
			}
		}
		f.Inputs = append(f.Inputs, in)
	}
	return f, nil
}

// Submit stores user's answers to the round id apart from the record
// that they answered. Errors by question ID keep the form open.
func (p *Pulse) Submit(ctx context.Context, user, id string, values map[string]string) (map[string]string, error) {
	r, err := p.round(user, id)
	if err != nil {
		return nil, err
	}
	resp := Response{Scores: map[string]int{}, Texts: map[string]string{}}
	errs := map[string]string{}
	for _, q := range p.Settings.Questions {
		v := strings.TrimSpace(values[q.ID])
		switch {
		case q.FreeText:
			if utf8.RuneCountInString(v) > maxFreeText {
				errs[q.ID] = fmt.Sprintf("At most %d characters, please.", maxFreeText)
			} else if v != "" {
				resp.Texts[q.ID] = v
			}
		default:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > q.Scale {
				errs[q.ID] = fmt.Sprintf("Pick 1 to %d.", q.Scale)
				continue
			}
			resp.Scores[q.ID] = n
		}
	}
	if len(errs) > 0 {
		return errs, nil
	}
	already, err := p.Store.SubmitPulse(r.Ritual, r.ID, user, resp)
	if err != nil {
		return nil, fmt.Errorf("pulse %s: store an answer: %w", p.Config.Name, err)
	}
	if already {
		return nil, errAlready
	}
	return nil, nil
}
