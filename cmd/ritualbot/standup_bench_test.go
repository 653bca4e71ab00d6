package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// fanOut is one standup prompt to a team of members, run by the real Main
// against the fake Slack.
type fanOut struct {
	members int
	// speedup multiplies chat.postMessage's workspace rate on both sides
	// (the fake's 300 a minute, the bot's 295), bursts unchanged, so a
	// run takes seconds instead of minutes; the time is measured against
	// the fake's rate bound at that speed.
	speedup int
	faults  *slackfake.RandomFaults
	// heap, if set, samples the heap in use during the fan-out (fanOut
	// result's peakHeap).
	heap bool
	// fakeInChild runs the fake Slack in a child process, so that the
	// heap sampled is the bot's alone (fakeHeap is the fake's).
	fakeInChild bool
}

// fanOutResult is what a fan-out cost and delivered.
type fanOutResult struct {
	calls      int            // Web API calls from the prompt until every DM is in
	startCalls int            // Web API calls of the start-up (connect, members' zones)
	elapsed    time.Duration  // from the prompt until every DM is in
	bound      time.Duration  // the least time the fake's limit allows
	lost, dup  int            // members with no prompt, with more than one
	injected   int            // calls the fake failed on purpose
	readBacks  int            // calls reading a DM back after an answer that may hide a post
	startHeap  uint64         // heap in use after a GC just before the fan-out (bytes)
	peakHeap   uint64         // most heap in use seen in this process during the fan-out: the bot's, and the fake's unless fakeInChild (bytes)
	fakeHeap   uint64         // with fakeInChild, the most heap in use of the fake's process (bytes)
	allocated  uint64         // heap allocated in this process during the fan-out, garbage included (bytes)
	limited    int            // posts the fake refused with a 429 for going over its limit
	byMethod   map[string]int // calls from the prompt until every DM is in, by method
}

func (r fanOutResult) perMember(n int) float64 { return float64(r.calls) / float64(n) }

func (r fanOutResult) ratio() float64 { return r.elapsed.Seconds() / r.bound.Seconds() }

// run starts Main with a team of f.members in Berlin, moves the fake clock
// to Monday 09:00 and waits until the outbox is drained.
func (f fanOut) run(tb testing.TB) fanOutResult {
	tb.Helper()
	dir := tb.TempDir()
	var members []string
	for i := range f.members {
		members = append(members, fakeSpec{}.member(i))
	}
	cfg := fmt.Sprintf(`
timezone: Europe/Berlin
store: {path: %s}
http: {listen: "127.0.0.1:0"}
teams:
  - {id: big, name: Big, channel: C0BIG, members: [%s]}
rituals:
  - {name: big-standup, kind: standup, team: big, schedule: "0 9 * * MON-FRI", local_time: true, summary_after: 2h}
`, filepath.Join(dir, "ritualbot.db"), strings.Join(members, ", "))
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	clock := rituals.NewFakeClock(time.Date(2026, 11, 23, 8, 59, 0, 0, berlin))
	spec := fakeSpec{Members: f.members, Speedup: f.speedup, Start: clock.Now()}
	var fake fanOutFake
	if f.fakeInChild {
		fake = startFakeChild(tb, spec)
	} else {
		local := newFanOutFake(spec, clock.Now)
		tb.Cleanup(local.Close)
		fake = localFake{local}
	}
	fakePost, _ := slackfake.DefaultLimit("chat.postMessage")
	fakePost.PerMinute *= f.speedup
	botPost := bot.DefaultLimits()["chat.postMessage"]
	botPost.PerMinute *= f.speedup

	loaded, err := config.Load(path, configKinds())
	if err != nil {
		tb.Fatal(err)
	}
	env := map[string]string{envBotToken: "xoxb-fake-bot-token", envAppToken: "xapp-fake-app-token", envAPIURL: fake.APIURL()}
	m := &Main{
		Loaded: loaded, Env: func(k string) string { return env[k] }, Clock: clock,
		Log: zerolog.New(io.Discard), PingInterval: time.Minute,
		SlackLimits: map[string]bot.Limit{"chat.postMessage": botPost},
		// After a 500 the bot looks for the prompt once the request can
		// no longer land, its HTTP timeout later: keep that short here.
		HTTPClient: &http.Client{Timeout: time.Second},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	if err := m.Settle(ctx); err != nil {
		tb.Fatal(err)
	}
	// Settle does not wait for Socket Mode: under load the start-up's
	// apps.connections.open could come after the count below begins.
	for {
		changed := m.Health.Changed()
		if ok, _ := m.Health.Connected(); ok {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
			tb.Fatal("the bot never connected to Slack")
		}
	}
	if f.faults != nil {
		fake.FailRandomly("chat.postMessage", *f.faults)
	}

	var res fanOutResult
	res.startCalls = fake.TotalCalls()
	startByMethod := fake.CallCounts()
	b, isBench := tb.(*testing.B)
	if isBench {
		b.StartTimer() // ns/op is the fan-out alone
	}
	var stopSampling func() uint64
	if f.heap {
		fake.StartHeap()
		res.startHeap, stopSampling = sampleHeap()
		res.allocated = heapAllocated()
	}
	start := time.Now()
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, berlin))
	if err := m.Settle(ctx); err != nil {
		tb.Fatal(err)
	}
	res.elapsed = time.Since(start)
	if isBench {
		b.StopTimer()
	}
	if stopSampling != nil {
		res.peakHeap = stopSampling()
		res.allocated = heapAllocated() - res.allocated
		res.fakeHeap = fake.StopHeap()
	}
	res.calls = fake.TotalCalls() - res.startCalls
	res.injected = fake.Injected("chat.postMessage")
	res.readBacks = fake.Calls("conversations.open") + fake.Calls("conversations.history")
	res.limited = fake.RateLimited("chat.postMessage")
	res.byMethod = fake.CallCounts()
	for m, n := range startByMethod {
		if res.byMethod[m] -= n; res.byMethod[m] == 0 {
			delete(res.byMethod, m)
		}
	}
	rate := float64(fakePost.PerMinute) / 60
	res.bound = time.Duration(float64(f.members-fakePost.Burst) / rate * float64(time.Second))
	for _, n := range fake.DMCounts(members) {
		switch {
		case n == 0:
			res.lost++
		case n > 1:
			res.dup += n - 1
		}
	}
	return res
}

// sampleHeap reads the heap in use (HeapInuse: objects and the free
// space of their spans) every 5 ms until the returned func is called,
// which returns the most seen; start is the heap in use when it began.
// runtime/metrics reads it without stopping the world, as
// runtime.ReadMemStats would. Between samples a peak may rise higher than
// seen, by at most what 5 ms of the fan-out allocates. With
// RITUALBOT_BENCH_HEAPPROFILE set, each rise of the peak by 2 MB or more
// writes a heap profile there (replacing the last), so the file ends up
// showing what was live near the peak.
func sampleHeap() (start uint64, stop func() uint64) {
	runtime.GC() // start from the live heap, not the start-up's garbage
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	profile := os.Getenv(heapProfileEnv)
	start = read()
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		most, profiled := start, start
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				most = max(most, read())
				if profile != "" && most >= profiled+2<<20 {
					profiled = most
					writeHeapProfile(profile)
				}
			case <-done:
				peak <- max(most, read())
				return
			}
		}
	}()
	return start, func() uint64 { close(done); return <-peak }
}

// heapAllocated is the bytes this process has allocated on the heap
// since it started.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapProfileEnv names the file sampleHeap writes heap profiles to; the
// fake's child process writes its own to the same name plus ".fake".
const heapProfileEnv = "RITUALBOT_BENCH_HEAPPROFILE"

// writeHeapProfile replaces the file at path with a heap profile.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

func mustDefault(method string) slackfake.Limit {
	l, ok := slackfake.DefaultLimit(method)
	if !ok {
		panic("no default limit for " + method)
	}
	return l
}

// BenchmarkStandupFanOut prompts 1,000 members: Web API calls per member,
// and the time against the least time the fake's chat.postMessage limit
// allows (its rate sped up 20 times, on both sides). The faults variant
// fails 10% of chat.postMessage calls with a 429 (Retry-After: 1) or a
// 503, and counts prompts lost or sent twice.
func BenchmarkStandupFanOut(b *testing.B) {
	for _, c := range []struct {
		name   string
		faults *slackfake.RandomFaults
	}{
		{"clean", nil},
		{"faults10pct", &slackfake.RandomFaults{Rate: 0.1, Seed: 1, Faults: []slackfake.Fault{{Status: 429, RetryAfter: 1}, {Status: 503}}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := fanOut{members: 1000, speedup: 20, faults: c.faults}
			var sum fanOutResult
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				r := f.run(b)
				sum.calls += r.calls
				sum.elapsed += r.elapsed
				sum.bound += r.bound
				sum.lost += r.lost
				sum.dup += r.dup
				sum.injected += r.injected
				sum.startCalls += r.startCalls
				sum.limited += r.limited
				sum.readBacks += r.readBacks
			}
			b.ReportMetric(sum.perMember(f.members*b.N), "calls/member")
			b.ReportMetric(sum.ratio(), "time/bound")
			b.ReportMetric(float64(sum.lost)/float64(b.N), "lost")
			b.ReportMetric(float64(sum.dup)/float64(b.N), "duplicated")
			b.ReportMetric(float64(sum.injected)/float64(b.N), "faults")
			b.ReportMetric(float64(sum.startCalls)/float64(b.N), "startcalls")
			b.ReportMetric(sum.elapsed.Seconds()/float64(b.N), "s/fanout")
			b.ReportMetric(float64(sum.limited)/float64(b.N), "429s")
			b.ReportMetric(float64(sum.readBacks)/float64(b.N), "readbacks")
		})
	}
}

// BenchmarkStandupPrompts10k prompts 10,000 members: Web API calls per
// member, the time against the fake's rate bound (chat.postMessage sped
// up 20 times on both sides, as for 1,000 members: 100 a second, so a
// run takes about 100 s), and the most heap in use during the fan-out,
// sampled every 5 ms, and before it. The fake Slack runs in a child
// process, so peak-heap-MB is the bot's alone (the test's own share is
// the 10,000 member IDs); fake-peak-heap-MB is the fake's, in its process.
// alloc-MB/fanout is what the bot allocated during the fan-out, garbage
// included: it does not depend on the machine's load.
// RITUALBOT_BENCH_HEAPPROFILE=FILE writes a heap profile (inuse_space, as
// of the last collection) each time the peak rises by 2 MB or more.
func BenchmarkStandupPrompts10k(b *testing.B) {
	benchmarkPrompts10k(b, fanOut{members: 10000, speedup: 20, heap: true, fakeInChild: true})
}

// BenchmarkStandupPromptsWithFake10k is BenchmarkStandupPrompts10k with
// the fake Slack in the test process, as it was first measured:
// peak-heap-MB is then the bot's and the fake's together.
func BenchmarkStandupPromptsWithFake10k(b *testing.B) {
	benchmarkPrompts10k(b, fanOut{members: 10000, speedup: 20, heap: true})
}

func benchmarkPrompts10k(b *testing.B, f fanOut) {
	var sum fanOutResult
	var peak, startHeap, fakePeak, allocated uint64
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		r := f.run(b)
		sum.calls += r.calls
		sum.elapsed += r.elapsed
		sum.bound += r.bound
		sum.lost += r.lost
		sum.dup += r.dup
		peak = max(peak, r.peakHeap)
		startHeap = max(startHeap, r.startHeap)
		fakePeak = max(fakePeak, r.fakeHeap)
		allocated += r.allocated
		sum.limited += r.limited
		sum.readBacks += r.readBacks
	}
	b.ReportMetric(sum.perMember(f.members*b.N), "calls/member")
	b.ReportMetric(sum.ratio(), "time/bound")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(startHeap)/(1<<20), "start-heap-MB")
	b.ReportMetric(float64(allocated)/(1<<20)/float64(b.N), "alloc-MB/fanout")
	if f.fakeInChild {
		b.ReportMetric(float64(fakePeak)/(1<<20), "fake-peak-heap-MB")
	}
	b.ReportMetric(float64(sum.lost)/float64(b.N), "lost")
	b.ReportMetric(float64(sum.dup)/float64(b.N), "duplicated")
	b.ReportMetric(sum.elapsed.Seconds()/float64(b.N), "s/fanout")
	b.ReportMetric(float64(sum.limited)/float64(b.N), "429s")
	b.ReportMetric(float64(sum.readBacks)/float64(b.N), "readbacks")
}

// TestStandupFanOutSurvivesFaults is the benchmark's fault case, small:
// every member gets exactly one prompt although Slack fails a tenth of
// the posts.
func TestStandupFanOutSurvivesFaults(t *testing.T) {
	r := fanOut{members: 60, speedup: 20, faults: &slackfake.RandomFaults{
		Rate: 0.1, Seed: 3, Faults: []slackfake.Fault{{Status: 429, RetryAfter: 1}, {Status: 503}, {Status: 500}},
	}}.run(t)
	if r.lost != 0 || r.dup != 0 {
		t.Errorf("%d members got no prompt, %d prompts went twice", r.lost, r.dup)
	}
	// A 500 may hide a post that went through: before posting again the
	// bot reads the DM back (conversations.open, conversations.history).
	if r.injected == 0 || r.calls != 60+r.injected+r.readBacks || r.readBacks > 2*r.injected {
		t.Errorf("%d calls for 60 prompts with %d injected faults and %d read-backs; want one call a prompt, one a fault, at most two read-backs a fault; calls by method %v, %d posts over the fake's limit",
			r.calls, r.injected, r.readBacks, r.byMethod, r.limited)
	}
}

// TestStandupFanOutWithTheFakeInAChildProcess is the 10,000-member
// benchmark's set-up, small: the fake Slack in a child process, read
// through its control API, counts what the bot in this process sent.
func TestStandupFanOutWithTheFakeInAChildProcess(t *testing.T) {
	r := fanOut{members: 60, speedup: 20, heap: true, fakeInChild: true}.run(t)
	if r.lost != 0 || r.dup != 0 || r.calls != 60 {
		t.Errorf("%d calls for 60 prompts (by method %v), %d members got no prompt, %d prompts went twice; want 60, 0, 0",
			r.calls, r.byMethod, r.lost, r.dup)
	}
	if r.peakHeap == 0 || r.fakeHeap == 0 {
		t.Errorf("peak heap: bot %d bytes, fake %d bytes; want both sampled", r.peakHeap, r.fakeHeap)
	}
}
