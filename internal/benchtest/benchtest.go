// Package benchtest holds what the latency benchmarks share: where their
// store lives and how they report a distribution. Only tests import it.
package benchtest

import (
	"os"
	"slices"
	"testing"
	"time"
)

// Dir is a directory for a benchmark's store, removed when it ends: the
// test's temporary directory, or one in RITUALBOT_BENCH_DIR if that is set
// (a tmpfs such as /dev/shm tells the server's own time from the disk's
// fsyncs).
func Dir(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("RITUALBOT_BENCH_DIR")
	if base == "" {
		return tb.TempDir()
	}
	dir, err := os.MkdirTemp(base, "ritualbot-bench-")
	if err != nil {
		tb.Fatalf("RITUALBOT_BENCH_DIR: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// QuantileMS is the q quantile (0.99 for p99) of ds in milliseconds, 0
// for none. It sorts ds.
func QuantileMS(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000
}

// ReportLatency reports the median and p99 of ds as p50-ms and p99-ms.
func ReportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(QuantileMS(ds, 0.50), "p50-ms")
	b.ReportMetric(QuantileMS(ds, 0.99), "p99-ms")
}
