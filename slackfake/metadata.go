package slackfake

import (
	"encoding/json"
	"regexp"
)

// Message metadata, as Slack documents it: chat.postMessage and chat.update
// take a `metadata` argument, a JSON object {"event_type": "...",
// "event_payload": {...}}, stored with the message. Readers see it only
// when they ask: conversations.history and conversations.replies return a
// message's `metadata` with include_all_metadata=true (without it, only
// the event types the app subscribes to in its manifest, which no app of
// ours does). chat.postMessage's answer carries it in `message`.

// eventTypeFormat is what Slack accepts as an event_type: letters,
// digits and underscores, starting with a letter, at most 255 long. The
// length is checked apart: {0,254} would compile into 200 KB of heap,
// which the bot's binary (the demo links the fake) would hold all along.
var eventTypeFormat = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

const maxEventType = 255

// maxMetadata bounds a message's metadata; Slack's exact limit is not
// documented per message (unverified), 8 KB is what it is said to allow.
const maxMetadata = 8 << 10

// parseMetadata validates a metadata argument. An empty one is no
// metadata; a bad one is refused with Slack's codes.
func parseMetadata(p params) (json.RawMessage, string) {
	raw := p.raw("metadata")
	if raw == nil {
		return nil, ""
	}
	if len(raw) > maxMetadata {
		return nil, "metadata_too_large"
	}
	var md struct {
		EventType    *string         `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if json.Unmarshal(raw, &md) != nil {
		return nil, "invalid_metadata_format"
	}
	var payload map[string]any
	if md.EventType == nil || md.EventPayload == nil || json.Unmarshal(md.EventPayload, &payload) != nil || payload == nil {
		return nil, "invalid_metadata_format"
	}
	if len(*md.EventType) > maxEventType || !eventTypeFormat.MatchString(*md.EventType) {
		return nil, "invalid_metadata_schema"
	}
	out, _ := json.Marshal(map[string]any{"event_type": *md.EventType, "event_payload": payload})
	return out, ""
}

// withMetadata adds m's metadata to its JSON form when the reader asked
// for it.
func withMetadata(out map[string]any, m *message, include bool) map[string]any {
	if include && m.metadata != nil {
		out["metadata"] = json.RawMessage(m.metadata)
	}
	return out
}
