package bot

import (
	"cmp"
	"slices"

	"github.com/ritualbot/ritualbot/rituals"
)

// The sender's batch is kept in the store's order (store.Pending): the
// urgent items first, each kind oldest first. Items read after the batch
// (PendingAfter) are newer than all of it; the routine ones go at its end
// as they come, the urgent ones ahead of the routine ones (mergeUrgent).
//
// Enqueueing an urgent message made urgent in the store the pending post
// it threads under or edits, and so on up (the outbox contract), so that
// it never overtakes its parent. Such a parent the batch already holds
// still reads routine there: mergeUrgent makes the batch's copy urgent
// the same way. Reading the whole outbox again for it instead decoded
// every pending item for each command a person typed during a backlog,
// which made a backlog quadratic to read (docs/BENCHMARKS.md).

// An urgent edit of a message whose routine edit is pending replaces that
// edit's content in place (store.Enqueue): no new item, so PendingAfter
// does not return it, and the batch would hold it as routine, behind the
// whole backlog, until the sender next read the outbox from its start.
// Each wake while the batch holds a routine edit, the sender reads which
// pending items are urgent (store.UrgentSeqs: index keys, no item decoded)
// and promoteInPlace makes those the batch holds urgent. The store's index
// already holds the parents the edit made urgent (the post it edits,
// while pending, and so on up, per ParentKey), so they come along without
// a walk here. The edit's new content is read when it is sent (deliver).

// routineEdit reports whether it is a routine edit: one an urgent edit
// could have replaced in place.
func routineEdit(it rituals.OutboxItem) bool { return it.Message.Update && !it.Message.Urgent }

// promoteInPlace makes urgent the items of batch whose sequence numbers
// are in urgent (the store's urgent index), and puts batch back in the
// store's order if any changed.
func promoteInPlace(batch []rituals.OutboxItem, urgent []uint64) {
	if len(urgent) == 0 {
		return
	}
	changed := false
	for i := range batch {
		m := &batch[i].Message
		if !m.Urgent {
			if _, found := slices.BinarySearch(urgent, batch[i].Seq); found {
				m.Urgent, changed = true, true
			}
		}
	}
	if changed {
		slices.SortStableFunc(batch, storeOrder)
	}
}

// mergeUrgent puts batch, whose tail fresh was just read after the rest,
// back in the store's order: the parents of fresh's urgent items become
// urgent, and the urgent items go ahead of the routine ones. It works in
// memory, over items already decoded.
func mergeUrgent(batch, fresh []rituals.OutboxItem) {
	var parents []string // keys of the posts made urgent, walked up a level at a time
	for _, it := range fresh {
		if it.Message.Urgent {
			if p := it.Message.ParentKey(); p != "" {
				parents = append(parents, p)
			}
		}
	}
	for range 8 { // a thread is one level deep; the bound only guards a cycle
		if len(parents) == 0 {
			break
		}
		var up []string
		for i := range batch {
			m := &batch[i].Message
			if m.Update || !slices.Contains(parents, m.Key) {
				continue
			}
			if !m.Urgent {
				m.Urgent = true
				if p := m.ParentKey(); p != "" {
					up = append(up, p)
				}
			}
		}
		parents = up
	}
	slices.SortStableFunc(batch, storeOrder)
}

// storeOrder orders outbox items as store.Pending does: urgent first, then
// by sequence.
func storeOrder(a, b rituals.OutboxItem) int {
	if a.Message.Urgent != b.Message.Urgent {
		if a.Message.Urgent {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Seq, b.Seq)
}
