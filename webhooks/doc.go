// Package webhooks takes the HTTP callbacks other systems send ritualbot:
// Alertmanager notifications and PagerDuty events that open and resolve
// incidents (and, in their own files, deploy and GitHub events that feed
// the digest). It parses and authenticates what arrives, answers with the
// status codes those senders act on (400 for a body that will never parse,
// 401 for a bad credential, 5xx for what a retry may fix), and hands the
// parsed event to a sink the rituals provide. It imports only rituals.
package webhooks
