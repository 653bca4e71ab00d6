package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// A fan-out's fake Slack may run in a child process (this test binary,
// re-executed with fakeChildEnv set to a fakeSpec), so that the test
// process's heap is the bot's alone: the fake holding 10,000 users and
// their DMs is not the bot's memory. The child serves the fake on one
// port and, on another, a small control API the parent reads the
// counts through (remoteFake). It exits when its stdin closes, so it
// does not outlive the test.
const fakeChildEnv = "RITUALBOT_TEST_FAKE"

// fakeSpec is the workspace the child fakes: members U0000000..,
// all in Berlin, and the channel C0BIG.
type fakeSpec struct {
	Members int
	Speedup int       // chat.postMessage's workspace rate multiplied by it
	Start   time.Time // the fake's clock for timestamps starts here and runs at real speed
}

func (f fakeSpec) member(i int) string { return fmt.Sprintf("U%07d", i) }

// fanOutFake is what a fan-out reads of the fake Slack, in this process
// (localFake) or in a child (remoteFake).
type fanOutFake interface {
	APIURL() string
	TotalCalls() int
	CallCounts() map[string]int
	Calls(method string) int
	Injected(method string) int
	RateLimited(method string) int
	FailRandomly(method string, rf slackfake.RandomFaults)
	// DMCounts says how many messages each user has in the bot's DM.
	DMCounts(users []string) []int
	// StartHeap and StopHeap sample the fake's own heap in use over the
	// fan-out (0 when it is this process's: the test's sampler sees it).
	StartHeap()
	StopHeap() uint64
}

// newFanOutFake builds the fake of spec with the rate limits of a fan-out.
func newFanOutFake(spec fakeSpec, now func() time.Time) *slackfake.Server {
	post, _ := slackfake.DefaultLimit("chat.postMessage")
	post.PerMinute *= spec.Speedup
	fake := slackfake.New(slackfake.Options{Now: now, RateLimits: map[string]slackfake.Limit{
		"chat.postMessage": post, "chat.postMessage/channel": mustDefault("chat.postMessage/channel"),
	}})
	fake.AddChannel(slackfake.Channel{ID: "C0BIG", Name: "big"})
	for i := range spec.Members {
		m := spec.member(i)
		fake.AddUser(slackfake.User{ID: m, Name: strings.ToLower(m), TZ: "Europe/Berlin"})
	}
	return fake
}

type localFake struct{ *slackfake.Server }

func (f localFake) DMCounts(users []string) []int {
	n := make([]int, len(users))
	for i, u := range users {
		n[i] = len(f.DMs(u))
	}
	return n
}

func (localFake) StartHeap()       {}
func (localFake) StopHeap() uint64 { return 0 }

// startFakeChild runs the fake of spec in a child process and returns its
// client; the child stops at the test's cleanup.
func startFakeChild(tb testing.TB, spec fakeSpec) *remoteFake {
	tb.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fakeChildEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close() // the child exits on EOF
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		tb.Fatalf("the fake Slack's child process did not start: %v", err)
	}
	var addr struct{ API, Control string }
	if err := json.Unmarshal(line, &addr); err != nil {
		tb.Fatalf("the fake Slack's child process said %q: %v", line, err)
	}
	return &remoteFake{tb: tb, api: addr.API, control: addr.Control}
}

// runFakeChild is the child's side: the fake of the spec in the
// environment, its addresses on stdout, until stdin closes.
func runFakeChild() {
	var spec fakeSpec
	if err := json.Unmarshal([]byte(os.Getenv(fakeChildEnv)), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "fake child:", err)
		os.Exit(2)
	}
	if p := os.Getenv(heapProfileEnv); p != "" {
		os.Setenv(heapProfileEnv, p+".fake") // the parent writes the bot's to p
	}
	began := time.Now()
	fake := newFanOutFake(spec, func() time.Time { return spec.Start.Add(time.Since(began)) })
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake child:", err)
		os.Exit(2)
	}
	go func() { _ = http.Serve(ln, fakeControl(fake, spec)) }()
	addr, _ := json.Marshal(struct{ API, Control string }{fake.APIURL(), "http://" + ln.Addr().String()})
	fmt.Printf("%s\n", addr)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// fakeStats is what the control API's /stats returns.
type fakeStats struct {
	Total       int
	ByMethod    map[string]int
	Injected    map[string]int
	RateLimited map[string]int
	DMs         []int // per member, in the spec's order
}

// fakeControl is the child's control API: GET /stats, POST /fail
// (a method and its RandomFaults), POST /heap/start and /heap/stop (the
// peak heap in use between them, in bytes).
func fakeControl(fake *slackfake.Server, spec fakeSpec) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		st := fakeStats{Total: fake.TotalCalls(), ByMethod: fake.CallCounts(), Injected: map[string]int{}, RateLimited: map[string]int{}}
		for m := range st.ByMethod {
			st.Injected[m], st.RateLimited[m] = fake.Injected(m), fake.RateLimited(m)
		}
		if r.URL.Query().Has("dms") {
			st.DMs = make([]int, spec.Members)
			for i := range spec.Members {
				st.DMs[i] = len(fake.DMs(spec.member(i)))
			}
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string
			Faults slackfake.RandomFaults
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fake.FailRandomly(req.Method, req.Faults)
	})
	var stopHeap func() uint64
	mux.HandleFunc("POST /heap/start", func(w http.ResponseWriter, r *http.Request) {
		_, stopHeap = sampleHeap()
	})
	mux.HandleFunc("POST /heap/stop", func(w http.ResponseWriter, r *http.Request) {
		var peak uint64
		if stopHeap != nil {
			peak, stopHeap = stopHeap(), nil
		}
		fmt.Fprint(w, peak)
	})
	return mux
}

// remoteFake reads a fake Slack in a child process through its control
// API. A failed read fails the test.
type remoteFake struct {
	tb           testing.TB
	api, control string
}

func (f *remoteFake) APIURL() string { return f.api }

func (f *remoteFake) do(method, path string, body any) []byte {
	f.tb.Helper()
	var in io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			f.tb.Fatal(err)
		}
		in = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, f.control+path, in)
	if err != nil {
		f.tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.tb.Fatalf("the fake Slack's child process: %v", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		f.tb.Fatalf("the fake Slack's child process: %s %s: %d %s %v", method, path, resp.StatusCode, out, err)
	}
	return out
}

func (f *remoteFake) stats(query string) fakeStats {
	f.tb.Helper()
	var st fakeStats
	if err := json.Unmarshal(f.do("GET", "/stats"+query, nil), &st); err != nil {
		f.tb.Fatal(err)
	}
	return st
}

func (f *remoteFake) TotalCalls() int               { return f.stats("").Total }
func (f *remoteFake) CallCounts() map[string]int    { return f.stats("").ByMethod }
func (f *remoteFake) Calls(method string) int       { return f.stats("").ByMethod[method] }
func (f *remoteFake) Injected(method string) int    { return f.stats("").Injected[method] }
func (f *remoteFake) RateLimited(method string) int { return f.stats("").RateLimited[method] }
func (f *remoteFake) StartHeap()                    { f.do("POST", "/heap/start", nil) }
func (f *remoteFake) FailRandomly(method string, rf slackfake.RandomFaults) {
	f.do("POST", "/fail", struct {
		Method string
		Faults slackfake.RandomFaults
	}{method, rf})
}

func (f *remoteFake) StopHeap() uint64 {
	var peak uint64
	if _, err := fmt.Sscan(string(f.do("POST", "/heap/stop", nil)), &peak); err != nil {
		f.tb.Fatal(err)
	}
	return peak
}

// DMCounts expects users to be the spec's members, in order.
func (f *remoteFake) DMCounts(users []string) []int {
	n := f.stats("?dms").DMs
	if len(n) != len(users) {
		f.tb.Fatalf("the fake Slack's child process counted DMs of %d members, want %d", len(n), len(users))
	}
	return n
}
