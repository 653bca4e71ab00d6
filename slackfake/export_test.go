package slackfake

import "time"

// SetAckTimeout shortens the 3 s ack wait for tests of the timeout path.
// Call it before anything is delivered.
func SetAckTimeout(s *Server, d time.Duration) { s.ackTimeout = d }

// SetWallClock replaces the real time trigger_id and response_url expiry
// follow, for tests of expiry that would otherwise wait.
func SetWallClock(s *Server, now func() time.Time) { s.wall = now }
