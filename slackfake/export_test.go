package slackfake

import "time"

// SetAckTimeout shortens the 3 s ack wait for tests of the timeout path.
// Call it before anything is delivered.
func SetAckTimeout(s *Server, d time.Duration) { s.ackTimeout = d }
