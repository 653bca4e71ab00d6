package incident

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A channel per incident (channel_per_incident): created by the Watch
// after the declaration, named inc-N-slug, with the commander, the on-call
// and the participants invited and the announcement posted; commands typed
// in it apply to its incident; archived archive_after the postmortem is
// published. When Slack refuses (missing scope, a workspace that does not
// let apps create channels), the thread stays the incident's home.

// RoomMaker is what a channel per incident needs of Slack.
type RoomMaker interface {
	// CreateChannel creates a public channel and returns its ID.
	CreateChannel(ctx context.Context, name string) (string, error)
	// Invite adds users to channel.
	Invite(ctx context.Context, channel string, users []string) error
	// Archive archives channel.
	Archive(ctx context.Context, channel string) error
	// OwnChannel returns the unarchived public channel named name if the
	// bot created it (ok false otherwise).
	OwnChannel(ctx context.Context, name string) (id string, ok bool, err error)
}

// RoomError is Slack's refusal of a channel operation, by its error code
// (name_taken, missing_scope, restricted_action, …); Needed is the scope
// a missing_scope names.
type RoomError struct {
	Code   string
	Needed string
}

func (e *RoomError) Error() string {
	if e.Needed != "" {
		return e.Code + " (needs " + e.Needed + ")"
	}
	return e.Code
}

// Room is an incident's own channel.
type Room struct {
	ID   string `json:",omitempty"`
	Name string `json:",omitempty"`
	// Failed says why there is none (the thread is the home instead).
	Failed   string    `json:",omitempty"`
	Tries    int       `json:",omitempty"`
	Retry    time.Time `json:",omitempty"`
	Archived time.Time `json:",omitempty"`
}

// pending reports whether the room is still to be made.
func (r *Room) pending() bool { return r != nil && r.ID == "" && r.Failed == "" }

// wantsRoom reports whether incidents of sev get a channel.
func (x *Incidents) wantsRoom(sev string) bool {
	return hasSeverity(x.Settings.Comms.ChannelPerIncident, sev)
}

func (x *Incidents) archiveAfter() time.Duration {
	if d := x.Settings.Comms.ArchiveAfter; d > 0 {
		return d
	}
	return DefaultArchiveAfter
}

var slugDrop = regexp.MustCompile(`[^a-z0-9]+`)

// RoomName is the channel name of incident n: inc-N-slug of its title,
// lower case letters, digits and hyphens, at most 80 characters as Slack
// allows; try > 0 adds a suffix after a name_taken.
func RoomName(n int, title string, try int) string {
	slug := strings.Trim(slugDrop.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	name := fmt.Sprintf("inc-%d", n)
	if slug != "" {
		name += "-" + slug
	}
	if try > 0 {
		name += fmt.Sprintf("-%d", try+1)
	}
	return name
}

// roomAnnouncementKey is the announcement in the incident's channel.
func roomAnnouncementKey(n int) string { return fmt.Sprintf("incident/%d/room", n) }

// roomAnnouncement is the announcement in inc's own channel; update keeps
// it in step with the one in the incidents channel. ok is false without a
// channel (or once it is archived).
func (x *Incidents) roomAnnouncement(inc Incident, update bool) (rituals.Message, bool) {
	r := inc.Comms.Room
	if r == nil || r.ID == "" || !r.Archived.IsZero() {
		return rituals.Message{}, false
	}
	a := x.announcement(inc, update)
	a.Key, a.To = roomAnnouncementKey(inc.Number), r.ID
	return a, true
}

// Attempts of a channel before the thread stays the home.
const (
	maxRoomNames = 5
	roomRetry    = time.Minute
	maxRoomTries = 10
)

// openRoom makes incident n's channel: create (another name after a
// name_taken), invite, announce. Refusals that retrying cannot fix end in
// the thread, with the reason there.
func (x *Incidents) openRoom(ctx context.Context, n int, now time.Time) error {
	inc, err := x.Lookup(n)
	if err != nil || !inc.Comms.Room.pending() || inc.Comms.Room.Retry.After(now) {
		return err
	}
	room := *inc.Comms.Room
	var id, name string
	var roomErr *RoomError
	for try := 0; try < maxRoomNames; try++ {
		name = RoomName(n, inc.Title, try)
		id, err = x.Rooms.CreateChannel(ctx, name)
		if !errors.As(err, &roomErr) || roomErr.Code != "name_taken" {
			break
		}
		// An earlier attempt whose answer was lost (a crash, a timeout)
		// may have made it: the bot's own channel of that name is this one.
		if own, ok, ferr := x.Rooms.OwnChannel(ctx, name); ferr == nil && ok {
			id, err = own, nil
			break
		}
	}
	room.Tries++
	var note string
	switch {
	case err == nil:
		room.ID, room.Name = id, name
	case errors.As(err, &roomErr) || room.Tries >= maxRoomTries:
		room.Failed = err.Error()
		note = roomFailure(roomErr, err)
	default:
		room.Retry = now.Add(roomRetry) // Slack down or slow: the next pass tries again
	}
	if err == nil {
		users := append([]string{inc.Commander}, inc.Participants...)
		users = append(users, x.onCallNow(inc.Teams, now)...)
		var invite []string
		for _, u := range users {
			if u != "" && !slices.Contains(invite, u) {
				invite = append(invite, u)
			}
		}
		if len(invite) > 0 {
			if ierr := x.Rooms.Invite(ctx, id, invite); ierr != nil {
				// The channel stands; people can join it from the link.
				note = fmt.Sprintf(":warning: I made %s but could not invite everyone (`%s`): join it from here.", rituals.ChannelLink(id), rituals.Escape(ierr.Error()))
				err = fmt.Errorf("invite to %s: %w", name, ierr)
			}
		}
	}
	_, serr := x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		inc.Comms.Room = &room
		var msgs []rituals.Message
		if a, ok := x.roomAnnouncement(*inc, false); ok {
			msgs = append(msgs, a, rituals.Message{
				Key: fmt.Sprintf("incident/%d/room-link", n), To: x.Channel(), ThreadKey: announceKey(n),
				Text:   fmt.Sprintf("#%d has its own channel: %s", n, rituals.ChannelLink(room.ID)),
				Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":hash: #%d has its own channel: %s. Commands typed there (`/incident update …`) apply to #%d; this thread keeps the timeline.", n, rituals.ChannelLink(room.ID), n))},
			})
		}
		if note != "" {
			msgs = append(msgs, rituals.Message{
				Key: fmt.Sprintf("incident/%d/room-note/%d", n, room.Tries), To: x.Channel(), ThreadKey: announceKey(n),
				Text: fmt.Sprintf("#%d: no channel of its own", n), Blocks: []rituals.Block{rituals.Section(note)},
			})
		}
		return msgs, nil
	})
	if serr != nil {
		return serr
	}
	if err != nil {
		return fmt.Errorf("incident %d channel %s: %w", n, name, err)
	}
	return nil
}

// roomFailure says in the thread why there is no channel, and what fixes it.
func roomFailure(re *RoomError, err error) string {
	head := ":information_source: I could not create a channel for this incident, so this thread stays its home."
	if re == nil {
		return fmt.Sprintf("%s Slack kept failing (`%s`).", head, rituals.Escape(err.Error()))
	}
	switch re.Code {
	case "missing_scope":
		need := re.Needed
		if need == "" {
			need = "channels:manage"
		}
		return fmt.Sprintf("%s The app lacks the `%s` scope: reinstall it with the manifest `ritualbot manifest` prints (it adds `channels:manage` and `groups:write` when `channel_per_incident` is on).", head, rituals.Escape(need))
	case "restricted_action":
		return head + " This workspace does not let apps create channels (`restricted_action`): an admin can allow it, or turn `channel_per_incident` off."
	case "name_taken":
		return head + " Every name I tried is taken (`name_taken`)."
	}
	return fmt.Sprintf("%s Slack said `%s`.", head, rituals.Escape(re.Code))
}

// archiveRoom archives incident n's channel once archive_after has passed
// since its postmortem was published (or its retro skipped).
func (x *Incidents) archiveRoom(ctx context.Context, inc Incident, now time.Time) error {
	if err := x.Rooms.Archive(ctx, inc.Comms.Room.ID); err != nil {
		var re *RoomError
		if !errors.As(err, &re) || re.Code != "already_archived" {
			return fmt.Errorf("archive the channel of incident %d: %w", inc.Number, err)
		}
	}
	_, err := x.change(ctx, inc.Number, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		room := *inc.Comms.Room
		room.Archived = now
		inc.Comms.Room = &room
		return []rituals.Message{{
			Key: fmt.Sprintf("incident/%d/room-archived", inc.Number), To: x.Channel(), ThreadKey: announceKey(inc.Number),
			Text: fmt.Sprintf("#%d: its channel is archived", inc.Number), Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":file_cabinet: Archived #%s: the postmortem is the record.", rituals.Escape(room.Name)))},
		}}, nil
	})
	return err
}

// archiveAt is when inc's channel is due for archiving, zero if not.
func (x *Incidents) archiveAt(inc Incident) time.Time {
	r := inc.Comms.Room
	if r == nil || r.ID == "" || !r.Archived.IsZero() {
		return time.Time{}
	}
	done := inc.Retro.Published
	if done.IsZero() {
		done = inc.Retro.Skipped
	}
	if done.IsZero() {
		return time.Time{}
	}
	return done.Add(x.archiveAfter())
}

// roomDue makes inc's channel if it is asked for, or archives it once
// due, and returns when it next has something to do (zero: nothing).
func (x *Incidents) roomDue(ctx context.Context, inc Incident, now time.Time) (time.Time, error) {
	r := inc.Comms.Room
	switch {
	case x.Rooms == nil || r == nil:
		return time.Time{}, nil
	case r.pending() && !inc.IsOpen():
		return time.Time{}, nil // resolved before Slack took it: the thread was enough
	case r.pending() && r.Retry.After(now):
		return r.Retry, nil
	case r.pending():
		err := x.openRoom(ctx, inc.Number, now)
		if cur, lerr := x.Lookup(inc.Number); lerr == nil && cur.Comms.Room.pending() {
			return cur.Comms.Room.Retry, err
		}
		return time.Time{}, err
	}
	at := x.archiveAt(inc)
	if at.IsZero() || at.After(now) {
		return at, nil
	}
	if err := x.archiveRoom(ctx, inc, now); err != nil {
		return now.Add(roomRetry), err
	}
	return time.Time{}, nil
}

// RoomIncident returns the incident whose own channel is channel, if any.
func (x *Incidents) RoomIncident(channel string) (int, bool, error) {
	if len(x.Settings.Comms.ChannelPerIncident) == 0 || channel == "" {
		return 0, false, nil
	}
	incs, err := x.List()
	if err != nil {
		return 0, false, err
	}
	for _, inc := range incs {
		if r := inc.Comms.Room; r != nil && r.ID == channel {
			return inc.Number, true, nil
		}
	}
	return 0, false, nil
}
