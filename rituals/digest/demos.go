package digest

import (
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// demoFigures reads what the team demoed at a show-and-tell in the window.
func demoFigures(td *TeamDigest, log rituals.DemoLog) error {
	demos, err := log.DemosBetween(td.Team.ID, td.Now.Window.From, td.Now.Window.To)
	if err != nil {
		return fmt.Errorf("demos of %s: %w", td.Team.ID, err)
	}
	td.Demos = demos
	return nil
}

// maxDemoTopics bounds the topics a demo line lists.
const maxDemoTopics = 3

// demoFigure is the digest's show-and-tell line: how many demos, their
// topics and speakers, and a link to the recording when one was kept.
func demoFigure(demos []rituals.DemoBrief) (Figure, bool) {
	if len(demos) == 0 {
		return Figure{}, false
	}
	f := Figure{Label: "Demoed", Value: fmt.Sprintf("%d demo%s", len(demos), rituals.Plural(len(demos)))}
	var parts []string
	recording := ""
	for i, d := range demos {
		if i < maxDemoTopics {
			parts = append(parts, rituals.Inert(rituals.OneLine(d.Topic, 60))+" ("+rituals.Mention(d.User)+")")
		}
		if d.Recording != "" {
			recording = d.Recording
		}
	}
	if len(demos) > maxDemoTopics {
		parts = append(parts, fmt.Sprintf("%d more", len(demos)-maxDemoTopics))
	}
	if l, ok := rituals.Link(recording, "recording"); ok && recording != "" {
		parts = append(parts, l)
	}
	f.Detail = strings.Join(parts, " · ")
	return f, true
}
