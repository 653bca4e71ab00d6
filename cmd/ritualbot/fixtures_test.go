package main

// The on-call tests' workspace: the start of their configs, to which each
// adds what it is about. Tests whose teams or rotation differ (someone
// new, a rotation list) spell out their own.

// paymentsTeamConfig is Payments: Alice, Bob, Carol and Dave, led by
// Lena, in Berlin's zone, with Adam the admin. A test's own top-level
// settings follow it, then its rituals.
const paymentsTeamConfig = `
timezone: Europe/Berlin
store: {path: STORE}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL, U0DAVE]
    leads: [U0LEAD]
`

// paymentsOnCall opens the rituals with Payments' rotation: weekly
// handoffs on Monday 10:00 from Monday 12 October 2026 (two weeks before
// Berlin's clocks go back), with a secondary. The lines a test appends,
// indented as settings, are that rotation's; then its other rituals.
const paymentsOnCall = `rituals:
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-10-12
    secondary: true
`
