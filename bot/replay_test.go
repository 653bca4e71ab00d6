package bot

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

func TestReplayGuardTakesASignatureOnceWhileItIsInTheWindow(t *testing.T) {
	g := newReplayGuard(3)
	t0 := time.Unix(1764000000, 0)
	if !g.first("v0=a", t0, t0) || g.first("v0=a", t0, t0.Add(4*time.Minute)) {
		t.Fatal("a signature was taken twice within the window")
	}
	if !g.first("v0=b", t0, t0) {
		t.Fatal("another signature was refused")
	}
	// Past its window the request is stale (refused by VerifySignature),
	// so the guard forgets it.
	if !g.first("v0=c", t0.Add(6*time.Minute), t0.Add(6*time.Minute)) || g.len() != 1 {
		t.Errorf("after the window: %d remembered, want only the new one", g.len())
	}
	// Bounded: past max, the oldest is forgotten first.
	for i := range 5 {
		g.first(fmt.Sprint("v0=n", i), t0.Add(6*time.Minute), t0.Add(6*time.Minute))
	}
	if g.len() != 3 || !g.first("v0=n0", t0.Add(6*time.Minute), t0.Add(6*time.Minute)) || g.first("v0=n4", t0.Add(6*time.Minute), t0.Add(6*time.Minute)) {
		t.Errorf("at the cap: %d remembered; want 3, the newest", g.len())
	}
}

// BenchmarkReplayGuardFull fills the guard to its cap with a window's
// worth of signatures and reports the heap it holds (bytes/full guard).
func BenchmarkReplayGuardFull(b *testing.B) {
	t0 := time.Unix(1764000000, 0)
	sigs := make([]string, maxReplayEntries)
	for i := range sigs {
		sigs[i] = fmt.Sprintf("v0=%064x", i)
	}
	var held uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		g := newReplayGuard(maxReplayEntries)
		for i, s := range sigs {
			g.first(s, t0.Add(time.Duration(i)*time.Millisecond), t0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(g)
	}
	b.ReportMetric(float64(held), "bytes/full-guard")
}
