// Package bot is ritualbot's Slack adapter: it takes requests from Slack
// (Socket Mode or HTTP), routes slash commands, interactions and events to
// the rituals, renders the rituals' messages to Block Kit within Slack's
// limits, and delivers the outbox at the pace Slack's rate limits allow.
package bot
