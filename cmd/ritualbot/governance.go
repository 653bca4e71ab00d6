package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/store"
)

var (
	memberID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	email    = regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$`)
)

// opErase is the control channel's erasure: the running bot erases, since
// it holds the store.
const opErase = "erase"

// erase removes a person from the store (store.EraseUser) and prints what
// it changed: through the running bot if one holds the store, else on the
// file.
func erase(ctx context.Context, l *config.Loaded, env func(string) string, who string, w io.Writer) error {
	id, err := erasedID(ctx, env, who)
	if err != nil {
		return err
	}
	if ran, err := onBot(ctx, l, opErase, []string{id}, w); ran || err != nil {
		return err
	}
	path := l.Config.Store.Path
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	db, err := store.Open(path)
	if store.IsLocked(err) {
		return fmt.Errorf("the store %s is held by a running ritualbot that does not answer on its control socket (a version without one?); stop it, then erase: %w", path, err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.EraseUser(id)
	if err != nil {
		return err
	}
	printErasure(w, id, path, rep)
	return nil
}

// eraseOp erases args[0], a member ID, from the running bot's store. The
// bot keeps working meanwhile, and a record it wrote from what it had read
// before the erasure reached it (an incident being updated) can bring the
// ID back: so it erases until a pass finds nothing more.
func (m *Main) eraseOp(_ context.Context, args []string, w io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("erase takes one member ID, got %d arguments", len(args))
	}
	const passes = 3
	var total store.ErasureReport
	for range passes {
		rep, err := m.DB.EraseUser(args[0])
		if err != nil {
			return err
		}
		total.Add(rep)
		if rep.Empty() {
			break
		}
	}
	m.Log.Info().Int("answers", total.Answers).Int("records_rewritten", total.Rewritten()).Msg("a member was erased from the store")
	printErasure(w, args[0], m.Loaded.Config.Store.Path, total)
	return nil
}

// erasedID is the member ID of who: an ID as given, an e-mail looked up
// in Slack as the bot looks up the config's e-mails.
func erasedID(ctx context.Context, env func(string) string, who string) (string, error) {
	who = strings.TrimSpace(who)
	switch {
	case memberID.MatchString(who):
		return who, nil
	case !email.MatchString(who):
		return "", fmt.Errorf("%q is neither a Slack member ID (U0123ABCD, from the profile's ⋮ → Copy member ID) nor an e-mail address", who)
	}
	token := env(envBotToken)
	if token == "" {
		return "", fmt.Errorf("%s is an e-mail address, which only Slack can turn into a member ID, and %s is not set: set it, or give the member ID (profile → ⋮ → Copy member ID)", who, envBotToken)
	}
	apiURL := env(envAPIURL)
	if apiURL == "" {
		apiURL = "https://slack.com/api/"
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	r := &bot.Resolver{API: slack.New(token, slack.OptionAPIURL(apiURL)), Limiter: bot.NewRateLimiter(nil)}
	id, err := r.UserIDByEmail(ctx, who)
	if err != nil {
		return "", fmt.Errorf("look up %s in Slack: %w", who, err)
	}
	return id, nil
}

func printErasure(w io.Writer, id, path string, rep store.ErasureReport) {
	fmt.Fprintf(w, "erased %s from %s\n", id, path)
	removed := []string{
		count(rep.Answers, "standup answer"), count(rep.MemberDays, "day of standup participation", "days of standup participation"),
		count(rep.Blockers, "blocker"), count(rep.Aways, "away stretch", "away stretches"),
		count(rep.Feedback, "digest vote or answer", "digest votes and answers"),
		count(rep.PulsesAnswered, "record of answering a pulse", "records of answering a pulse"),
		count(rep.OnboardingFeedback, "onboarding feedback", "onboarding feedbacks"), count(rep.Messages, "pending message to them", "pending messages to them"),
		count(rep.RotationAdditions, "place in a rotation added from Slack", "places in rotations added from Slack"),
	}
	fmt.Fprintf(w, "removed: %s\n", strings.Join(removed, ", "))
	if len(rep.Replaced) == 0 {
		fmt.Fprintln(w, "named nowhere else")
		return
	}
	fmt.Fprintln(w, `replaced by "a former member" in:`)
	for _, b := range rep.Buckets() {
		fmt.Fprintf(w, "  %-24s %d\n", b, rep.Replaced[b])
	}
	fmt.Fprintln(w, "Remove them from the config too, or the rituals will ask them again.")
}

// count is "n thing(s)".
func count(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// compact writes a compacted copy of the stopped bot's store to out.
func compact(l *config.Loaded, out string, w io.Writer) error {
	rep, err := store.Compact(l.Config.Store.Path, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "compacted %s (%s) to %s (%s)\n", l.Config.Store.Path, size(rep.Before), out, size(rep.After))
	return nil
}

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
