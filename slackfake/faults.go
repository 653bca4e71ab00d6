package slackfake

import "math/rand/v2"

// RandomFaults make a share of a method's calls fail, as a busy Slack and
// a flaky network do: each call fails with probability Rate, with one of
// Faults picked at random. The same Seed gives the same sequence of
// failures for the same sequence of calls.
type RandomFaults struct {
	Rate   float64 // 0 to 1
	Faults []Fault
	Seed   uint64
}

type randomFaults struct {
	RandomFaults
	rng      *rand.Rand
	injected int
}

// FailRandomly makes later calls of method fail at random as rf says;
// a zero Rate (or no Faults) stops it. Faults queued with FailNext come
// first. method is a Web API method name, or "response_url" or "upload".
func (s *Server) FailRandomly(method string, rf RandomFaults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rf.Rate <= 0 || len(rf.Faults) == 0 {
		delete(s.random, method)
		return
	}
	s.random[method] = &randomFaults{
		RandomFaults: RandomFaults{Rate: rf.Rate, Faults: append([]Fault(nil), rf.Faults...), Seed: rf.Seed},
		rng:          rand.New(rand.NewPCG(rf.Seed, rf.Seed^0x9e3779b97f4a7c15)),
	}
}

// Injected counts the calls of method that FailRandomly made fail.
func (s *Server) Injected(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rf := s.random[method]; rf != nil {
		return rf.injected
	}
	return 0
}

// randomFaultLocked draws whether this call of method fails, and how.
func (s *Server) randomFaultLocked(method string) (Fault, bool) {
	rf := s.random[method]
	if rf == nil || rf.rng.Float64() >= rf.Rate {
		return Fault{}, false
	}
	rf.injected++
	return rf.Faults[rf.rng.IntN(len(rf.Faults))], true
}

// SetTokensRevoked makes Slack refuse the bot and app tokens, as it does
// for a token revoked or rotated under a running app: every Web API call
// answers {"ok":false,"error":"invalid_auth"} (apps.connections.open
// too), and open Socket Mode connections are dropped with a disconnect
// (reason "link_disabled"; what Slack sends then is unverified). Calling it
// with false accepts the tokens again.
func (s *Server) SetTokensRevoked(revoked bool) {
	s.mu.Lock()
	s.tokensRevoked = revoked
	s.notifyLocked()
	s.mu.Unlock()
	if revoked {
		s.DisconnectSockets("link_disabled")
	}
}

// RefuseSockets makes the next n Socket Mode connections receive
// {"type":"disconnect","reason":reason} instead of hello, and closes them:
// what Slack does with reason "too_many_websockets" when an app holds more
// connections than it allows.
func (s *Server) RefuseSockets(n int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseSockets, s.refuseReason = n, reason
}
