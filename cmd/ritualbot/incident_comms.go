package main

import (
	"context"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// withComms gives an incidents ritual what keeping people informed needs:
// the exec on call, Slack's channel calls when channel_per_incident is on,
// and the Watch that nudges and makes and archives channels.
func (m *Main) withComms(x *incident.Incidents, watch *incident.Watch) {
	x.ExecOnCall = m.links.ExecOnCallAt
	if len(x.Settings.Comms.ChannelPerIncident) > 0 {
		x.Rooms = &bot.IncidentRooms{API: m.Slack, Limiter: m.limiter,
			Observe: func(method, outcome string) { m.Metrics.SlackCalls.WithLabelValues(method, outcome).Inc() }}
	}
	watch.Rituals = append(watch.Rituals, x)
	x.Poke = watch.Poke
}

// messageDropped hears of messages Slack refused for good: a stakeholder
// broadcast that cannot reach its channel is logged clearly and told to
// the incident's commander, and the incident goes on.
func (m *Main) messageDropped(msg rituals.Message, reason string) {
	n, channel, ok := incident.ParseBroadcastKey(msg.Key)
	if !ok {
		return
	}
	log := m.component("incidents")
	log.Error().Int("incident", n).Str("channel", channel).Str("slack_error", reason).
		Msg("stakeholder channel refused the incident's broadcast: invite the bot to it or fix `broadcast`; telling the commander")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, x := range m.provided.incidents {
		if mine, err := x.BroadcastRefused(ctx, n, channel, reason); mine {
			if err != nil {
				log.Error().Err(err).Int("incident", n).Msg("tell the commander of an unreachable stakeholder channel")
			}
			return
		}
	}
}

// messageLanded hears of each post Slack took: an incident's announcement
// has a thread now, so its permalink goes to the exec pages and the
// stakeholder messages that link the thread. It runs in the sender's turn
// for the incidents channel, so the edits it queues are there before the
// sender can call itself idle; the pages went out already, with a link
// to the channel, and are only edited.
func (m *Main) messageLanded(msg rituals.Message, sent rituals.SentMessage) {
	n, ok := incident.ParseAnnounceKey(msg.Key)
	if !ok {
		return
	}
	for _, x := range m.provided.incidents {
		if !x.Owns(n) {
			continue
		}
		if !x.LinksThread() {
			return
		}
		log := m.component("incidents")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		link, err := bot.Permalink(ctx, m.Slack, m.limiter,
			func(method, outcome string) { m.Metrics.SlackCalls.WithLabelValues(method, outcome).Inc() }, sent.Channel, sent.TS)
		if err != nil {
			log.Warn().Err(err).Int("incident", n).Msg("no permalink for the incident's thread; its links open the incidents channel")
			return
		}
		if _, err := x.ThreadLinked(ctx, n, link); err != nil {
			log.Error().Err(err).Int("incident", n).Msg("link the exec pages and broadcasts to the incident's thread")
		}
		return
	}
}

// usesIncidentChannels reports whether an incidents ritual has
// channel_per_incident on (the manifest then asks for channels:manage).
func usesIncidentChannels(cfg *rituals.Config) bool {
	for _, rc := range cfg.Rituals {
		if s := incident.SettingsOf(rc); s != nil && len(s.Comms.ChannelPerIncident) > 0 && rc.Enabled {
			return true
		}
	}
	return false
}
