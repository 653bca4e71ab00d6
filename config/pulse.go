package config

import (
	"fmt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// maxPulseQuestions keeps the form one screen (and within a modal's
// blocks).
const maxPulseQuestions = 20

// parsePulse reads an anonymous team-health pulse.
func parsePulse(r *ritualReader) {
	t := r.needTeam()
	r.needChannel()
	s := &pulse.Settings{
		CloseAfter:   r.duration("close_after", pulse.DefaultCloseAfter),
		MinResponses: r.integer("min_responses", pulse.DefaultMinResponses, 2, 1000),
	}
	if s.CloseAfter <= 0 {
		r.errorf("close_after", "must be after the pulse opens, e.g. 2d")
	}
	if t != nil && len(t.Members) < s.MinResponses {
		r.errorf("min_responses", "team %q has %d member%s, fewer than min_responses (%d): results could never be shown", t.ID, len(t.Members), rituals.Plural(len(t.Members)), s.MinResponses)
	}
	const example = "ask at least one question, e.g. {id: workload, text: \"How sustainable is your workload?\", scale: 5}"
	nodes := r.requiredList("questions", example, maxPulseQuestions, "%d questions is too many for one form; ask at most %d")
	seen := map[string]bool{}
	for i, n := range nodes {
		qm := r.p.d.mapping(n, fmt.Sprintf("%s[%d]", r.sub("questions"), i))
		q := pulse.Question{
			ID:       qm.str("id", fmt.Sprintf("q%d", i+1)),
			Text:     qm.required("text", "write the question as members will read it"),
			FreeText: qm.boolean("free_text", false),
		}
		switch {
		case !questionIDRE.MatchString(q.ID):
			qm.errorf("id", "%q: use lower-case letters, digits, - and _ (answers are stored under it)", q.ID)
		case seen[q.ID]:
			qm.errorf("id", "duplicate question id %q", q.ID)
		}
		seen[q.ID] = true
		if len([]rune(q.Text)) > 2000 {
			qm.errorf("text", "is %d characters; Slack shows at most 2000 in a label", len([]rune(q.Text)))
		}
		switch {
		case q.FreeText && qm.has("scale"):
			qm.errorf("scale", "a free_text question has no scale; drop one of the two")
		case !q.FreeText && !qm.has("scale"):
			qm.errorf("scale", "missing; give a scale from %d to %d (answers are 1 to scale), or `free_text: true`", pulse.MinScale, pulse.MaxScale)
		case !q.FreeText:
			q.Scale = qm.integer("scale", 0, pulse.MinScale, pulse.MaxScale)
		}
		qm.finish()
		s.Questions = append(s.Questions, q)
	}
	r.rc.Settings = s
}
