// Package rituals is ritualbot's domain: teams, the rituals they keep
// (reminders, standups, on-call rotations, incidents, digests), when those
// rituals happen, and what they say. It knows nothing of Slack or bbolt: what
// it needs from the world is declared here as small interfaces (Clock, Outbox,
// the stores) and implemented by the adapters in bot/ and store/.
package rituals
