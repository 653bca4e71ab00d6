package oncall

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// OnCallSlack is what keeping Slack in step with a rotation needs: the
// user group that always holds the primary, and the channel topic.
type OnCallSlack interface {
	UserGroupMembers(ctx context.Context, group string) ([]string, error)
	// SetUserGroupMembers replaces the group's whole membership.
	SetUserGroupMembers(ctx context.Context, group string, users []string) error
	Topic(ctx context.Context, channel string) (string, error)
	SetTopic(ctx context.Context, channel, topic string) error
}

// RetryAfterError is what an adapter returns when Slack asked it to wait
// (HTTP 429 with Retry-After) before trying again.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// Backoff of the keeper after a failed sync: doubled per failure, capped,
// and never shorter than a Retry-After.
const (
	keeperBackoff    = time.Second
	keeperMaxBackoff = 5 * time.Minute
)

// keeper is the state of the loop that keeps Slack in step.
type keeper struct {
	mu   sync.Mutex
	wake chan struct{}
	loop rituals.LoopState
	// What Slack is known to show: the primary it holds, "" if unknown
	// (at start-up, and after a failure), so the first sync reads Slack
	// and reconciles.
	group, topic string
	failures     int
	// edits counts UserGroupChanged calls: one during a sync pass means
	// the group read or written in that pass may be stale already.
	edits int
}

func (k *keeper) init() {
	if k.wake == nil {
		k.wake = make(chan struct{}, 1)
	}
}

// UserGroupChanged tells the rotations that someone changed a user
// group's members in Slack: the rotation keeping that group reads it again
// and puts it back to exactly the primary if it is not. It reports
// whether a rotation keeps the group. (The bot's own changes come back
// as well; reading the group then finds it right and writes nothing.)
func (rs *Rotations) UserGroupChanged(group string) bool {
	kept := false
	for _, r := range rs.List {
		if group == "" || r.Settings.UserGroup != group {
			continue
		}
		kept = true
		k := &r.keeper
		k.mu.Lock()
		k.group = "" // unknown: the next sync reads Slack
		k.edits++
		k.mu.Unlock()
		r.wakeKeeper()
	}
	return kept
}

// wakeKeeper makes the keeper sync now (after an override or a swap).
func (r *Rotation) wakeKeeper() {
	k := &r.keeper
	k.mu.Lock()
	k.init()
	k.mu.Unlock()
	k.loop.Poke()
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// Keep keeps the user group holding exactly the primary and the topic
// naming them, until ctx ends: it syncs at start-up, at every change of
// primary (handoffs, overrides starting and ending) and when woken, and
// retries a failed sync with backoff (obeying Retry-After) until Slack
// matches.
func (r *Rotation) Keep(ctx context.Context) error {
	k := &r.keeper
	k.mu.Lock()
	k.init()
	k.mu.Unlock()
	for {
		now := r.Clock.Now()
		err := r.sync(ctx, now)
		if ctx.Err() != nil {
			return nil
		}
		next := r.nextChange(now)
		if err != nil {
			wait := r.backoff(err)
			r.Log.Warn().Err(err).Dur("retry_in", wait).Msg("on-call user group or topic not in step with the rotation; retrying")
			if retry := now.Add(wait); next.IsZero() || retry.Before(next) {
				next = retry
			}
		}
		// Settled only once the pass is done and its timer set; a wake
		// that came during the pass means another pass is coming.
		if !rituals.Sleep(ctx, r.Clock, next, k.wake, func() { k.loop.Passed(now, next, len(k.wake) > 0) }) {
			return nil
		}
	}
}

// WaitSettled blocks until the keeper has synced for every change due at
// or before t (tests use it after moving a fake clock).
func (r *Rotation) WaitSettled(ctx context.Context, t time.Time) error {
	if err := r.keeper.loop.Wait(ctx, t); err != nil {
		return fmt.Errorf("oncall %s keeper did not reach %s: %w", r.Config.Name, t, err)
	}
	return nil
}

func (r *Rotation) backoff(err error) time.Duration {
	k := &r.keeper
	k.mu.Lock()
	wait := keeperBackoff << min(k.failures, 10)
	k.failures++
	k.mu.Unlock()
	if wait > keeperMaxBackoff {
		wait = keeperMaxBackoff
	}
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > wait {
		wait = ra.After
	}
	return wait
}

// nextChange is when the primary may next change after now: the end of
// the shift in force (or the start of the first one).
func (r *Rotation) nextChange(now time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var next time.Time
	r.walk(now, func(sh Shift) bool {
		next = sh.End
		if sh.Start.After(now) {
			next = sh.Start
		}
		return false
	})
	if next.Equal(farFuture) {
		return time.Time{}
	}
	return next
}

// sync makes Slack show the primary on call at now.
func (r *Rotation) sync(ctx context.Context, now time.Time) error {
	if r.Slack == nil || r.Settings.UserGroup == "" && !r.Settings.Topic {
		return nil
	}
	sh, ok, err := r.At(now)
	if err != nil || !ok {
		return err
	}
	k := &r.keeper
	k.mu.Lock()
	group, topic, edits := k.group, k.topic, k.edits
	k.mu.Unlock()
	var errs []error
	members := r.groupMembers(sh)
	if g, want := r.Settings.UserGroup, strings.Join(members, ","); g != "" && group != want {
		if err := r.syncGroup(ctx, g, members, group == ""); err != nil {
			errs = append(errs, err)
		} else {
			group = want
		}
	}
	if r.Settings.Topic && topic != sh.Primary {
		if err := r.syncTopic(ctx, sh.Primary); err != nil {
			errs = append(errs, err)
		} else {
			topic = sh.Primary
		}
	}
	k.mu.Lock()
	if k.edits != edits {
		group = "" // edited during the pass: the next one reads it
	}
	k.group, k.topic = group, topic
	if len(errs) == 0 {
		k.failures = 0
	}
	k.mu.Unlock()
	if len(errs) > 0 {
		// The first Retry-After wins the wait.
		return errors.Join(errs...)
	}
	return nil
}

// groupMembers is who the user group holds during sh: the primary, and
// with usergroup_members: primary+secondary the secondary too.
func (r *Rotation) groupMembers(sh Shift) []string {
	members := []string{sh.Primary}
	if r.Settings.UserGroupMembers == GroupPrimaryAndSecondary && sh.Secondary != "" && sh.Secondary != sh.Primary {
		members = append(members, sh.Secondary)
	}
	return members
}

func (r *Rotation) syncGroup(ctx context.Context, group string, want []string, check bool) error {
	if check {
		// Start-up: Slack may already be right; no need to write.
		if members, err := r.Slack.UserGroupMembers(ctx, group); err == nil && sameSet(members, want) {
			return nil
		}
	}
	if err := r.Slack.SetUserGroupMembers(ctx, group, want); err != nil {
		return fmt.Errorf("set user group %s to %s: %w", group, strings.Join(want, ","), err)
	}
	r.Log.Info().Str("usergroup", group).Strs("members", want).Msg("on-call user group updated")
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if indexOf(b, x) < 0 {
			return false
		}
	}
	return true
}

func (r *Rotation) syncTopic(ctx context.Context, primary string) error {
	ch := r.Channel()
	current, err := r.Slack.Topic(ctx, ch)
	if err != nil {
		return fmt.Errorf("read topic of %s: %w", ch, err)
	}
	want := TopicWith(current, r.DisplayName(ctx, primary))
	if want == current {
		return nil
	}
	if err := r.Slack.SetTopic(ctx, ch, want); err != nil {
		return fmt.Errorf("set topic of %s: %w", ch, err)
	}
	r.Log.Info().Str("channel", ch).Str("topic", want).Msg("on-call topic updated")
	return nil
}

// maxTopic is Slack's limit on a channel topic.
const maxTopic = 250

// TopicWith returns the channel topic with "On call: @name" in it: the
// part ritualbot wrote before replaced, or put first, ahead of whatever
// else the team keeps there ("|"-separated). The topic is plain text (a
// mention would show as <@U…>), so it names the person.
func TopicWith(current, name string) string {
	part := "On call: @" + name
	parts := []string{part}
	found := false
	for _, p := range strings.Split(current, "|") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case strings.HasPrefix(p, "On call:"):
			if !found {
				parts[0], found = part, true
			}
		default:
			parts = append(parts, p)
		}
	}
	out := strings.Join(parts, " | ")
	if r := []rune(out); len(r) > maxTopic {
		out = string(r[:maxTopic])
	}
	return out
}

// DisplayName is how a person is named where a mention does not render:
// their Slack name, else their ID.
func (r *Rotation) DisplayName(ctx context.Context, user string) string {
	if r.Directory != nil {
		if users, err := r.Directory.Users(ctx); err == nil {
			if u, ok := users[user]; ok && u.Name != "" {
				return u.Name
			}
		}
	}
	return user
}
