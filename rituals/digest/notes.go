package digest

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// Kinds of digest note.
const (
	NoteHighlight = "highlight"
	NoteRisk      = "risk"
)

// maxNoteLength bounds a highlight or risk: a digest is read in 30 seconds.
const maxNoteLength = 500

// DigestNote is a highlight or a risk a lead gives for a team's next
// digest. It is shown in the digests whose window it falls in, then kept
// as archived.
type DigestNote struct {
	ID      string
	Team    string
	Kind    string // NoteHighlight or NoteRisk
	Text    string
	Author  string
	Created time.Time
	// Archived is when a digest first showed it, ArchivedBy that digest's
	// message key; zero until then.
	Archived   time.Time `json:",omitempty"`
	ArchivedBy string    `json:",omitempty"`
}

// NoteStore keeps the leads' highlights and risks.
type NoteStore interface {
	PutNote(n DigestNote) error
	// Notes returns the team's notes created in [from, to), oldest first.
	Notes(team string, from, to time.Time) ([]DigestNote, error)
	// ArchiveNotes marks notes as shown by the digest message `by`.
	ArchiveNotes(ids []string, by string, at time.Time) error
}

// DigestNotes takes the leads' highlights and risks for the digests.
type DigestNotes struct {
	Config  *rituals.Config
	Digests []*Digest
	Store   NoteStore
	Clock   rituals.Clock
}

// Add records a highlight or risk from user for the team they lead. A lead
// of several teams (or an admin) starts the text with the team's id.
func (n *DigestNotes) Add(user, kind, text string) (string, error) {
	text = strings.TrimSpace(text)
	label := "highlight"
	if kind == NoteRisk {
		label = "risk"
	}
	if text == "" {
		return "", rituals.Errorf(rituals.EINVALID, "Write the %s after the word: `/digest %s Shipped the new checkout to everyone`.", label, label)
	}
	candidates := n.teamsOf(user)
	if len(candidates) == 0 {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "Only team leads and admins add highlights and risks to the digest; ask a lead of your team.")
	}
	team := candidates[0]
	if len(candidates) > 1 {
		first, rest, _ := strings.Cut(text, " ")
		team = nil
		for _, t := range candidates {
			if strings.EqualFold(first, t.ID) {
				team, text = t, strings.TrimSpace(rest)
			}
		}
		if team == nil || text == "" {
			var ids []string
			for _, t := range candidates {
				ids = append(ids, t.ID)
			}
			return "", rituals.Errorf(rituals.EINVALID, "You can add to the digest of %s: start with the team, e.g. `/digest %s %s %s`.",
				strings.Join(ids, ", "), label, candidates[0].ID, rituals.Escape(orSample(text)))
		}
	}
	if utf8.RuneCountInString(text) > maxNoteLength {
		return "", rituals.Errorf(rituals.EINVALID, "Please keep a %s under %d characters (this one has %d): the digest is read in 30 seconds.", label, maxNoteLength, utf8.RuneCountInString(text))
	}
	now := n.Clock.Now()
	note := DigestNote{
		ID: fmt.Sprintf("%s-%d", team.ID, now.UnixNano()), Team: team.ID, Kind: kind,
		Text: text, Author: user, Created: now,
	}
	if kind != NoteRisk {
		note.Kind = NoteHighlight
	}
	if err := n.Store.PutNote(note); err != nil {
		return "", fmt.Errorf("store %s of %s: %w", label, team.ID, err)
	}
	reply := fmt.Sprintf("Added to the %ss of *%s*: %s", label, rituals.Escape(team.Name), rituals.Escape(text))
	if next, digest := n.nextDigest(team.ID, now); digest != nil {
		reply += fmt.Sprintf("\nIt will be in the %s on %s.", strings.ToLower(digestTitle(digest.Settings.Window)),
			next.In(digest.Location()).Format("Mon 2 Jan at 15:04"))
	}
	return reply, nil
}

func orSample(s string) string {
	if s == "" {
		return "Shipped the new checkout"
	}
	return s
}

// teamsOf returns the digest teams user may write for: those they lead,
// or all of them for an admin.
func (n *DigestNotes) teamsOf(user string) []*rituals.Team {
	admin := n.Config.IsAdmin(user)
	var out []*rituals.Team
	seen := map[string]bool{}
	for _, d := range n.Digests {
		for _, t := range d.Teams {
			if !seen[t.ID] && (admin || t.IsLead(user)) {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// nextDigest is the first digest after now that reports on team.
func (n *DigestNotes) nextDigest(team string, now time.Time) (time.Time, *Digest) {
	var at time.Time
	var which *Digest
	for _, d := range n.Digests {
		if !d.Covers(team) || d.Config.Schedule == nil {
			continue
		}
		if next := d.Config.Schedule.Next(now); !next.IsZero() && (at.IsZero() || next.Before(at)) {
			at, which = next, d
		}
	}
	return at, which
}
