package bot

import (
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A post is marked in flight in the store before it goes (Attempt), so
// that if the process dies before its delivery is recorded, the next
// start looks for it in Slack instead of posting it twice. The mark is a
// commit of its own, and for a command's reply it comes right behind the
// command's commit: the next command then waits for it, as bbolt has one
// writer, and its fsyncs.
//
// An urgent post (a person waits for it) enqueued during this run goes
// unmarked instead. While the process lives, the sender knows what it
// posted (unrecorded, and the reads that pass it over) and which answers
// it lost (uncertain); after a restart, every urgent post a former run
// left in the outbox is looked for before it is posted (mayHaveLanded),
// marked or not. Urgent posts are few; a fan-out of thousands is marked
// as before, so that a restart reads back only the conversations of the
// messages that may have gone.

// marks tells the posts that are marked before they go from those that
// are not.
type marks struct {
	// first is the outbox's last sequence number when the sender started:
	// items after it were enqueued during this run. known is false if it
	// could not be read; then every post is marked.
	first uint64
	known bool
	// uncertain holds the unmarked posts whose answer was lost, by seq,
	// with when the attempt began.
	uncertain sync.Map
}

// startMarks reads where this run's items begin.
func (s *Sender) startMarks() {
	seq, err := s.Store.LastSeq()
	if err != nil {
		s.Log.Error().Err(err).Msg("read the outbox's sequence; every post is marked in flight before it goes")
		return
	}
	s.marks.first, s.marks.known = seq, true
}

// marksFirst reports whether post it is marked in flight before it goes.
func (s *Sender) marksFirst(it rituals.OutboxItem) bool {
	return !(it.Message.Urgent && s.marks.known && it.Seq > s.marks.first)
}

// mayHaveLanded reports whether post it may be in Slack already, and
// since when: an attempt's answer was lost, or the process died during
// one. Edits are never looked for.
func (s *Sender) mayHaveLanded(it rituals.OutboxItem) (time.Time, bool) {
	switch {
	case it.Message.Update:
		return time.Time{}, false
	case !it.InFlight.IsZero():
		return it.InFlight, true
	}
	if began, ok := s.marks.uncertain.Load(it.Seq); ok {
		return began.(time.Time), true
	}
	if it.Message.Urgent && !s.marksFirst(it) {
		return time.Time{}, false // this run's, and not tried without an answer
	}
	if it.Message.Urgent {
		// A former run's: it may have posted it unmarked.
		return it.Enqueued, true
	}
	return time.Time{}, false
}

// lostAnswer notes that the answer to an unmarked post, attempted from
// began, was lost: Slack may have posted it.
func (s *Sender) lostAnswer(it rituals.OutboxItem, began time.Time) {
	if began.IsZero() {
		began = s.Now()
	}
	if !s.marksFirst(it) {
		s.marks.uncertain.LoadOrStore(it.Seq, began)
	}
}

// settled forgets what was noted of item seq, which left the outbox.
func (s *Sender) settled(seq uint64) { s.marks.uncertain.Delete(seq) }
