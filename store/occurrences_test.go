package store

import (
	"bytes"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestLastOccurrence(t *testing.T) {
	db := MustOpen(t)
	// Job names that share prefixes, or that sort right after a job's
	// separator, must not leak into each other's range.
	put := map[string][]time.Time{
		"a":         {t0.Add(2 * time.Hour), t0, t0.Add(time.Hour)},
		"ab":        {t0.Add(48 * time.Hour)},
		"a\x01":     {t0.Add(72 * time.Hour)},
		"a\xff\xff": {t0.Add(96 * time.Hour)},
		"b":         {t0.Add(-24 * time.Hour)},
		"z/team":    {time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), t0.Add(-time.Hour)},
	}
	for job, ats := range put {
		for _, at := range ats {
			o := rituals.Occurrence{Job: job, At: at, Status: rituals.OccurrenceDone, Updated: at}
			if err := db.PutOccurrence(o); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tt := range []struct {
		job  string
		want time.Time
		ok   bool
	}{
		{"a", t0.Add(2 * time.Hour), true},
		{"ab", t0.Add(48 * time.Hour), true},
		{"a\x01", t0.Add(72 * time.Hour), true},
		{"a\xff\xff", t0.Add(96 * time.Hour), true},
		{"b", t0.Add(-24 * time.Hour), true},
		{"z/team", t0.Add(-time.Hour), true},
		{"aa", time.Time{}, false},
		{"c", time.Time{}, false},
		{"zz", time.Time{}, false},
	} {
		got, ok, err := db.LastOccurrence(tt.job)
		if err != nil {
			t.Fatalf("LastOccurrence(%q): %v", tt.job, err)
		}
		if ok != tt.ok || !got.At.Equal(tt.want) || (ok && got.Job != tt.job) {
			t.Errorf("LastOccurrence(%q) = %v %v %v, want %v %v", tt.job, got.Job, got.At, ok, tt.want, tt.ok)
		}
	}
}

func TestLastOccurrenceEmpty(t *testing.T) {
	db := MustOpen(t)
	if _, ok, err := db.LastOccurrence("standup"); ok || err != nil {
		t.Errorf("LastOccurrence on an empty store = %v, %v", ok, err)
	}
}

func TestPutOccurrenceOverwrites(t *testing.T) {
	db := MustOpen(t)
	o := rituals.Occurrence{Job: "standup", At: t0, Status: rituals.OccurrenceRunning, Updated: t0}
	if err := db.PutOccurrence(o); err != nil {
		t.Fatal(err)
	}
	// The same instant in another zone is the same occurrence.
	o.At = t0.In(time.FixedZone("CET", 3600))
	o.Status, o.Error, o.Updated = rituals.OccurrenceFailed, "slack down", t0.Add(time.Minute)
	if err := db.PutOccurrence(o); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.LastOccurrence("standup")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got.Status != rituals.OccurrenceFailed || got.Error != "slack down" || !got.Updated.Equal(o.Updated) {
		t.Errorf("after overwrite got %+v", got)
	}
	var buf bytes.Buffer
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if c := bytes.Count(buf.Bytes(), []byte(`"standup@`)); c != 1 {
		t.Errorf("%d occurrence records after overwriting one, want 1", c)
	}
}

func TestPutOccurrenceRejects(t *testing.T) {
	db := MustOpen(t)
	for _, o := range []rituals.Occurrence{
		{Job: "", At: t0},
		{Job: "a\x00b", At: t0},
		{Job: "a"},
	} {
		if err := db.PutOccurrence(o); err == nil {
			t.Errorf("PutOccurrence(%q at %v) succeeded", o.Job, o.At)
		}
	}
	if _, _, err := db.LastOccurrence("a\x00b"); err == nil {
		t.Error("LastOccurrence of a job with NUL succeeded")
	}
}

func TestTimeKeySortsInTimeOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		t0,
		t0.Add(time.Nanosecond),
		time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := timeKey(times[i-1]), timeKey(times[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("timeKey(%v) >= timeKey(%v)", times[i-1], times[i])
		}
	}
	for _, tm := range times {
		got, err := parseTimeKey(timeKey(tm))
		if err != nil || !got.Equal(tm) {
			t.Errorf("parseTimeKey(timeKey(%v)) = %v, %v", tm, got, err)
		}
	}
}
