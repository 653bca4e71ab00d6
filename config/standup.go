package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// DefaultQuestions are asked when a standup configures none.
var DefaultQuestions = []rituals.Question{
	{ID: "yesterday", Text: "What did you get done since the last standup?"},
	{ID: "today", Text: "What will you work on today?"},
	{ID: "blockers", Text: "Anything in your way?", Optional: true, Blocker: true},
}

// Defaults of a standup's delays.
const (
	DefaultSummaryAfter = 2 * time.Hour
)

var questionIDRE = boundedRE(`^[a-z0-9][a-z0-9_-]*$`, 64)

func parseStandup(r *ritualReader) {
	if t := r.needTeam(); t != nil && len(t.Members) == 0 {
		r.errorf("team", "team %q has no members to ask", t.ID)
	}
	r.needChannel()
	s := &standup.Settings{
		LocalTime:    r.boolean("local_time", false),
		RemindAfter:  r.duration("remind_after", 0),
		SummaryAfter: r.duration("summary_after", DefaultSummaryAfter),
		Summary:      r.oneOf("summary", standup.SummaryChannel, standup.SummaryChannel, standup.SummaryThread),
	}
	if s.SummaryAfter <= 0 {
		r.errorf("summary_after", "must be after the prompt, e.g. 2h")
	}
	if s.SummaryAfter > 20*time.Hour {
		r.errorf("summary_after", "%s is too long: the summary must come out the same day as the prompt (at most 20h)", s.SummaryAfter)
	}
	if s.RemindAfter > 0 && s.RemindAfter >= s.SummaryAfter {
		r.errorf("remind_after", "%s is not before summary_after (%s): the nudge must come before the summary", s.RemindAfter, s.SummaryAfter)
	}
	s.Questions = r.questions("questions")
	if len(s.Questions) == 0 && !r.has("questions") {
		s.Questions = DefaultQuestions
	}
	s.OnCallQuestions = r.questions("oncall_questions")
	r.rc.Settings = s
}

// questions reads a list of standup questions.
func (r *ritualReader) questions(key string) []rituals.Question {
	var out []rituals.Question
	nodes := r.seq(key)
	r.notEmpty(key, len(nodes), "ask at least one question")
	if len(nodes) > standup.MaxQuestions {
		r.errorf(key, "%d questions is too many for one form; ask at most %d", len(nodes), standup.MaxQuestions)
	}
	seen := map[string]bool{}
	for i, n := range nodes {
		if n.Kind == yaml.ScalarNode && n.Value != "" {
			// A bare string is a question's text.
			n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "text", Line: n.Line}, n}}
		}
		qm := r.p.d.mapping(n, fmt.Sprintf("%s[%d]", r.sub(key), i))
		q := rituals.Question{
			ID:       qm.str("id", fmt.Sprintf("q%d", i+1)),
			Text:     qm.required("text", "write the question as members will read it"),
			Optional: qm.boolean("optional", false),
			Blocker:  qm.boolean("blocker", false),
		}
		switch {
		case !questionIDRE.MatchString(q.ID):
			qm.errorf("id", "%q: use lower-case letters, digits, - and _ (answers are stored under it)", q.ID)
		case seen[q.ID]:
			qm.errorf("id", "duplicate question id %q", q.ID)
		}
		if len([]rune(q.Text)) > 2000 {
			qm.errorf("text", "is %d characters; Slack shows at most 2000 in a label", len([]rune(q.Text)))
		}
		seen[q.ID] = true
		qm.finish()
		out = append(out, q)
	}
	return out
}
