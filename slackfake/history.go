package slackfake

import (
	"cmp"
	"fmt"
	"slices"
)

// AddHistory puts messages in the workspace as if they had been posted
// before the test began, at their TS: a bot started on a store holding a
// year of its past edits, and replies under, messages it posted long ago,
// which Slack still has. Each message needs a Channel that exists and a TS
// of Slack's form that no message has; User is who posted it (the bot's
// user ID for the bot's own, which only the bot may then edit).
func (s *Server) AddHistory(msgs ...Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		if s.channelLocked(m.Channel) == nil {
			return fmt.Errorf("add history: no channel %s", m.Channel)
		}
		us, ok := parseTS(m.TS)
		if !ok {
			return fmt.Errorf("add history: %q is not a message ts", m.TS)
		}
		if old, _ := s.findMessageLocked(m.Channel, m.TS); old != nil {
			return fmt.Errorf("add history: %s already has a message at %s", m.Channel, m.TS)
		}
		msg := &message{channel: m.Channel, ts: m.TS, tsMicros: us, threadTS: m.ThreadTS, user: m.User,
			bot: m.User == s.opts.BotUserID, text: m.Text, blocks: m.Blocks, metadata: m.Metadata}
		// A channel's messages are kept in ts order.
		list := s.msgs[m.Channel]
		i, _ := slices.BinarySearchFunc(list, us, func(x *message, us int64) int { return cmp.Compare(x.tsMicros, us) })
		s.msgs[m.Channel] = slices.Insert(list, i, msg)
		s.lastTS = max(s.lastTS, us)
	}
	s.notifyLocked()
	return nil
}
