// Package incidentindex serves the incident record where people find it
// without Slack: GET /incidents/ (an HTML page, rendered on the server,
// readable without JavaScript, with a plain GET form of filters),
// GET /incidents/index.json (the same entries as JSON) and GET /actions/
// (every action item, filterable by status). It reads the incident
// package's index and renders it; what matches a filter is the domain's
// to say (incident.Index, incident.ActionIndex).
package incidentindex
