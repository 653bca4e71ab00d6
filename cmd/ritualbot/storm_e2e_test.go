package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// newStormHarness is the incidents workspace with storm aggregation on:
// past 5 incidents opened by alerts within 10 minutes, new groups join
// one storm incident.
func newStormHarness(t testing.TB, h *harness) *harness {
	t.Helper()
	cfg, err := os.ReadFile(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	withStorm := strings.Replace(string(cfg), "      severity: sev1\n", "      severity: sev1\n    storm: {max_new: 5, window: 10m}\n", 1)
	if withStorm == string(cfg) {
		t.Fatal("the incidents config has no alertmanager.severity to put the storm after")
	}
	if err := os.WriteFile(h.cfg, []byte(withStorm), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// flood posts n Alertmanager groups, each of one firing alert, from a few
// connections at once, without waiting for the bot to deliver.
func (h *harness) flood(n int) {
	h.t.Helper()
	const conns = 4
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < n; i += conns {
				key := fmt.Sprintf(`{}:{alertname="NodeDown",instance="node-%d"}`, i)
				body := amPayload("firing", key, amAlert("firing", fmt.Sprintf("node-%d", i), "critical", "2026-11-24T12:55:00Z", zeroTime, fmt.Sprintf("%016x", i)))
				req, err := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+"/hooks/alertmanager", strings.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer hook-token")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("group %d answered %d", i, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		h.t.Fatal(err)
	}
}

func TestAnAlertStormOpensOneIncidentAndAPersonIsAnnouncedFirst(t *testing.T) {
	h := newStormHarness(t, newIncidentHarness(t, at(t, "2026-11-24 14:00", berlin)))
	h.start()
	// Slack answers every post with a 429 while the storm comes in, so
	// that all of it is still queued when Alice declares: the order of
	// what is then delivered is the sender's choice alone.
	h.fake.FailRandomly("chat.postMessage", slackfake.RandomFaults{Rate: 1, Faults: []slackfake.Fault{{RetryAfter: 1}}})
	const groups = 5000
	h.flood(groups)

	briefs, err := h.m.DB.IncidentBriefs("")
	if err != nil {
		t.Fatal(err)
	}
	if len(briefs) > 6 || !briefs[len(briefs)-1].Storm {
		t.Fatalf("%d incidents opened by %d groups; want at most 6, the last the storm", len(briefs), groups)
	}
	storm, _, err := h.m.DB.Incident(briefs[len(briefs)-1].Number)
	if err != nil {
		t.Fatal(err)
	}
	if storm.Storm.Groups != groups-5 || storm.Storm.Open != groups-5 {
		t.Errorf("storm counts %+v, want %d groups open", *storm.Storm, groups-5)
	}
	backlog, err := h.m.DB.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("queued before the declaration: %d", len(backlog))
	if len(h.fake.ChannelMessages("C0INCIDENTS")) != 0 || len(backlog) < 12 {
		t.Fatalf("before the declaration: %d posted, %d queued; want 0 and the storm's messages", len(h.fake.ChannelMessages("C0INCIDENTS")), len(backlog))
	}

	h.fake.FailRandomly("chat.postMessage", slackfake.RandomFaults{})
	ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev1 Payments API down for everyone")
	if !strings.Contains(ack, "Payments API down for everyone") {
		t.Fatalf("declare answered %s", ack)
	}
	posted := h.fake.ChannelMessages("C0INCIDENTS")
	if len(posted) == 0 || !strings.Contains(posted[0].Text, "Payments API down for everyone") {
		first := "nothing"
		if len(posted) > 0 {
			first = posted[0].Text
		}
		t.Fatalf("the first post after the storm is %q, want Alice's declaration", first)
	}
	// The rest of the backlog follows, the storm's announcement with it.
	top := 0
	for _, m := range posted {
		if m.ThreadTS == "" {
			top++
		}
	}
	if top != len(briefs)+1 {
		t.Errorf("%d announcements posted, want %d", top, len(briefs)+1)
	}
	a := readable(t, one(t, posted, fmt.Sprintf("Incident #%d: Alert storm", storm.Number), "#incidents"))
	wantIn(t, "storm announcement", a, "4,995 groups joined (4,995 still firing) · 4,995 alerts")
}
