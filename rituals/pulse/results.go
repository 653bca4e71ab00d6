package pulse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Result is what a closed round publishes: nothing but TooFew when fewer
// than the minimum answered, else the averages and the free-text answers
// (in random order).
type Result struct {
	TooFew    bool
	Responses int       `json:",omitempty"`
	Averages  []Average `json:",omitempty"`
	Texts     []Texts   `json:",omitempty"`
}

// Average is a score question's mean over a round's answers.
type Average struct {
	Question string
	Mean     float64
	Scale    int
}

// Texts are a free-text question's answers.
type Texts struct {
	Question string
	Answers  []string
}

// Close closes the round of the occurrence at `at` and publishes it.
func (p *Pulse) Close(ctx context.Context, at time.Time) error {
	r, ok, err := p.Store.PulseRound(p.Config.Name, RoundID(at))
	if err != nil {
		return fmt.Errorf("pulse %s: close: %w", p.Config.Name, err)
	}
	if !ok {
		return nil // opened before the bot knew this pulse
	}
	if !r.Closed {
		responses, err := p.Store.PulseResponses(r.Ritual, r.ID)
		if err != nil {
			return fmt.Errorf("pulse %s: close: %w", p.Config.Name, err)
		}
		res := p.result(responses)
		r.Closed, r.Result = true, &res
		if err := p.Store.ClosePulseRound(r, res.TooFew); err != nil {
			return fmt.Errorf("pulse %s: close: %w", p.Config.Name, err)
		}
	}
	msg, err := p.ResultsMessage(r)
	if err != nil {
		return err
	}
	msg.Key, msg.To = rituals.OccurrenceKey(p.Config.Name+"/close", at), p.Channel()
	return p.Outbox.Send(ctx, msg)
}

// result tallies a round's responses.
func (p *Pulse) result(responses []Response) Result {
	if len(responses) < p.Settings.MinResponses {
		return Result{TooFew: true}
	}
	res := Result{Responses: len(responses)}
	for _, q := range p.Settings.Questions {
		if q.FreeText {
			t := Texts{Question: q.ID}
			for _, r := range responses {
				if s := r.Texts[q.ID]; s != "" {
					t.Answers = append(t.Answers, s)
				}
			}
			rand.Shuffle(len(t.Answers), func(i, j int) { t.Answers[i], t.Answers[j] = t.Answers[j], t.Answers[i] })
			res.Texts = append(res.Texts, t)
			continue
		}
		sum, n := 0, 0
		for _, r := range responses {
			if s, ok := r.Scores[q.ID]; ok {
				sum, n = sum+s, n+1
			}
		}
		if n > 0 {
			res.Averages = append(res.Averages, Average{Question: q.ID, Mean: float64(sum) / float64(n), Scale: q.Scale})
		}
	}
	return res
}

// question returns the question id, or a stand-in for one removed from
// the config since.
func (p *Pulse) question(id string) Question {
	for _, q := range p.Settings.Questions {
		if q.ID == id {
			return q
		}
	}
	return Question{ID: id, Text: id}
}

// Trend is a question's averages over the last TrendRounds published
// rounds up to and including `upTo`, oldest first.
func (p *Pulse) Trend(upTo string) (map[string][]float64, error) {
	rounds, err := p.Store.PulseRounds(p.Config.Name, 4*TrendRounds)
	if err != nil {
		return nil, fmt.Errorf("pulse %s: trend: %w", p.Config.Name, err)
	}
	var shown []Round
	for _, r := range rounds {
		if r.ID <= upTo && r.Closed && r.Result != nil && !r.Result.TooFew {
			shown = append(shown, r)
		}
	}
	if len(shown) > TrendRounds {
		shown = shown[len(shown)-TrendRounds:]
	}
	out := map[string][]float64{}
	for _, r := range shown {
		for _, a := range r.Result.Averages {
			out[a.Question] = append(out[a.Question], a.Mean)
		}
	}
	return out, nil
}

// ResultsMessage renders a closed round's results.
func (p *Pulse) ResultsMessage(r Round) (rituals.Message, error) {
	date := r.Opened.In(p.Config.Schedule.Location).Format("Mon 2 Jan")
	title := fmt.Sprintf("%s team health pulse, %s", p.Team.Name, date)
	if r.Result == nil || r.Result.TooFew {
		text := fmt.Sprintf("*%s*: too few answered to show results anonymously.", rituals.Escape(title))
		return rituals.Message{Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
	}
	trend, err := p.Trend(r.ID)
	if err != nil {
		return rituals.Message{}, err
	}
	blocks := []rituals.Block{
		rituals.Header(title),
		rituals.Context(fmt.Sprintf("%d answer%s, anonymous. Trend over the last %d published pulses.", r.Result.Responses, rituals.Plural(r.Result.Responses), TrendRounds)),
	}
	for _, a := range r.Result.Averages {
		q := p.question(a.Question)
		blocks = append(blocks, rituals.Section(fmt.Sprintf("*%s*\n%.1f / %d   trend: %s", rituals.Escape(q.Text), a.Mean, a.Scale, TrendLine(trend[a.Question]))))
	}
	for _, t := range r.Result.Texts {
		if len(t.Answers) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "*%s*", rituals.Escape(p.question(t.Question).Text))
		for _, s := range t.Answers {
			b.WriteString("\n> " + rituals.Clip(rituals.OneLine(rituals.Escape(s), 400), 400))
		}
		blocks = append(blocks, rituals.Section(rituals.Clip(b.String(), 2900)))
	}
	return rituals.Message{Text: fmt.Sprintf("Results of the %s", title), Blocks: blocks}, nil
}

// TrendLine is averages as "3.2 → 3.5 → 4.0".
func TrendLine(means []float64) string {
	if len(means) == 0 {
		return "–"
	}
	parts := make([]string, len(means))
	for i, m := range means {
		parts[i] = fmt.Sprintf("%.1f", m)
	}
	return strings.Join(parts, " → ")
}

// Latest returns the ritual's latest closed round.
func (p *Pulse) Latest() (Round, bool, error) {
	rounds, err := p.Store.PulseRounds(p.Config.Name, 4*TrendRounds)
	if err != nil {
		return Round{}, false, fmt.Errorf("pulse %s: results: %w", p.Config.Name, err)
	}
	for i := len(rounds) - 1; i >= 0; i-- {
		if rounds[i].Closed {
			return rounds[i], true, nil
		}
	}
	return Round{}, false, nil
}

// Preview is what the pulse posts: the latest published results, or,
// before any round closed, the invitation each member gets by DM (no
// round is opened: a preview writes nothing). It reads no answers.
func (p *Pulse) Preview(at time.Time) (rituals.Message, error) {
	if r, ok, err := p.Latest(); err != nil || ok {
		if err != nil {
			return rituals.Message{}, err
		}
		msg, err := p.ResultsMessage(r)
		msg.To = p.Channel()
		return msg, err
	}
	r := Round{Ritual: p.Config.Name, ID: RoundID(at), Opened: at, Closes: at.Add(p.Settings.CloseAfter)}
	m := p.invite(r, "", rituals.OccurrenceKey(p.Config.Name, at), false)
	m.To = "each member of " + p.Team.Name + ", by DM"
	return m, nil
}

// Trends is the digest's view of the pulses in list: per team, each score
// question's trend.
func Trends(list []*Pulse) rituals.PulseTrends {
	return func(team string, at time.Time) ([]rituals.PulseTrend, error) {
		var out []rituals.PulseTrend
		for _, p := range list {
			if p.Team.ID != team {
				continue
			}
			trend, err := p.Trend(RoundID(at))
			if err != nil {
				return nil, err
			}
			for _, q := range p.Settings.Questions {
				if means := trend[q.ID]; len(means) > 0 {
					out = append(out, rituals.PulseTrend{Question: q.Text, Scale: q.Scale, Means: means})
				}
			}
		}
		return out, nil
	}
}
