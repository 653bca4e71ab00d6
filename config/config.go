// Package config reads ritualbot's YAML configuration into the domain's
// rituals.Config, checking every key: an error names the file, the line and
// the key, and says how to fix it. Unknown keys are errors. Each ritual kind
// reads its own keys in a file of its own here (reminder.go, standup.go, …),
// with a KindSpec there that the bot's one table of kinds passes to Load.
//
// Users may be named by e-mail and channels by #name; those become IDs at
// start-up through Slack (Loaded.Resolve), since the file is read before
// the bot has a connection.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/rituals"
)

// Defaults of the top-level keys (docs/CONFIGURATION.md).
const (
	DefaultStorePath = "ritualbot.db"
	DefaultListen    = "127.0.0.1:8080"
	DefaultCatchUp   = 2 * time.Hour
)

// maxFileSize bounds the config file; a real one is a few kilobytes.
const maxFileSize = 4 << 20

// Config is the whole configuration: the rituals' (teams, zone, holidays,
// the rituals themselves) and the bot's own settings, which the rituals
// never read.
type Config struct {
	*rituals.Config
	Store StoreConfig
	Slack SlackConfig
	HTTP  HTTPConfig
}

// StoreConfig says where the store lives.
type StoreConfig struct{ Path string }

// SlackConfig says how the bot talks to Slack.
type SlackConfig struct{ Mode string } // "socket" or "http"

// HTTPConfig is the bot's own HTTP server.
type HTTPConfig struct {
	Listen    string
	PublicURL string
}

// Loaded is a checked configuration, with the names that Slack must still
// turn into IDs.
type Loaded struct {
	Path   string
	Config *Config
	refs   []*ref
	// Warnings are what is valid but likely not meant (page_exec with
	// nobody to page), where it is; `validate` prints them, start-up logs them.
	Warnings Errors
}

// Load reads and checks the config file at path; its rituals may be of
// the given kinds.
func Load(path string, kinds Kinds) (*Loaded, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such config file; pass --config FILE or set RITUALBOT_CONFIG (config.example.yaml is a start)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	return Parse(path, data, kinds)
}

// Parse checks the config in data, read from path (for messages, and to
// place a relative store path beside the file); its rituals may be of the
// given kinds.
func Parse(path string, data []byte, kinds Kinds) (*Loaded, error) {
	d := &decoder{file: path}
	if len(data) > maxFileSize {
		d.errorAt(nil, "", "the file is %d bytes; a config is at most %d", len(data), maxFileSize)
		return nil, d.err()
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, errEOF) || strings.Contains(err.Error(), "EOF") {
			d.errorAt(nil, "", "the file is empty; it needs at least `timezone:` (see config.example.yaml)")
		} else {
			d.errorAt(nil, "", "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, d.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorAt(&extra, "", "the file holds more than one YAML document (---); put everything in one")
		return nil, d.err()
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	p := &parser{d: d, loaded: &Loaded{Path: path}, kinds: kinds}
	p.top(root, filepath.Dir(path))
	if err := d.err(); err != nil {
		return nil, err
	}
	return p.loaded, nil
}

var errEOF = errors.New("EOF")

// parser reads one file into a Loaded.
type parser struct {
	d      *decoder
	loaded *Loaded
	cfg    *rituals.Config
	kinds  Kinds
	// pageExec are the page_exec settings read, checked once every
	// rotation is.
	pageExec []pageExecAt
}

func (p *parser) top(root *yaml.Node, dir string) {
	m := p.d.mapping(root, "")
	cfg := &rituals.Config{}
	p.cfg = cfg
	own := &Config{Config: cfg}
	p.loaded.Config = own

	zone := m.required("timezone", "set the default IANA time zone, e.g. `timezone: Europe/Berlin`")
	if zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil || zone == "Local" {
			m.errorf("timezone", "unknown time zone %q: use an IANA name such as Europe/Berlin or America/New_York", zone)
		} else {
			cfg.Timezone = loc
		}
	}
	if cfg.Timezone == nil {
		cfg.Timezone = time.UTC // keep checking the rest
	}

	store := p.d.mapping(m.get("store"), "store")
	own.Store.Path = store.str("path", DefaultStorePath)
	if own.Store.Path != "" && !filepath.IsAbs(own.Store.Path) {
		// Relative to the config file, so a service started from any
		// directory finds the same store.
		own.Store.Path = filepath.Join(dir, own.Store.Path)
	}
	store.finish()

	slackCfg := p.d.mapping(m.get("slack"), "slack")
	own.Slack.Mode = slackCfg.oneOf("mode", "socket", "socket", "http")
	slackCfg.finish()

	httpCfg := p.d.mapping(m.get("http"), "http")
	own.HTTP.Listen = httpCfg.str("listen", DefaultListen)
	if _, _, err := splitHostPort(own.HTTP.Listen); err != nil {
		httpCfg.errorf("listen", "want host:port such as 127.0.0.1:8080, got %q", own.HTTP.Listen)
	}
	own.HTTP.PublicURL = strings.TrimRight(httpCfg.str("public_url", ""), "/")
	if u := own.HTTP.PublicURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		httpCfg.errorf("public_url", "want the URL Slack reaches the bot at, such as https://ritualbot.example.com")
	}
	if u := own.HTTP.PublicURL; own.Slack.Mode == "http" && strings.HasPrefix(u, "http://") {
		// Slack sends commands, clicks and events only to https:// request URLs.
		httpCfg.errorf("public_url", "slack.mode is http and Slack only calls https:// request URLs; put the bot behind TLS and give its https:// address, got %q", u)
	}
	httpCfg.finish()
	if own.Slack.Mode == "http" && own.HTTP.PublicURL == "" {
		m.errorf("http", "slack.mode is http, so set http.public_url: the https:// address where Slack reaches this bot")
	}

	cfg.CatchUp = m.duration("catch_up", DefaultCatchUp)
	cfg.Admins = p.userList(m, "admins")
	cfg.Holidays = rituals.Holidays{}
	for i, n := range m.seq("holidays") {
		d, err := rituals.ParseDate(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			p.d.errorAt(n, fmt.Sprintf("holidays[%d]", i), "want a date as YYYY-MM-DD, e.g. 2026-12-25, got %s", describeNode(n))
			continue
		}
		cfg.Holidays[d] = true
	}
	cfg.Retention = p.retention(m)
	p.teams(m)
	p.rituals(m)
	m.finish()
	p.warnPageExec()
}

// splitHostPort is net.SplitHostPort that also wants a port.
func splitHostPort(s string) (string, string, error) {
	i := strings.LastIndex(s, ":")
	if i < 0 || i == len(s)-1 {
		return "", "", errors.New("no port")
	}
	return s[:i], s[i+1:], nil
}

var teamIDRE = boundedRE(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`, 64)

func (p *parser) teams(m *mapping) {
	seen := map[string]int{}
	for i, n := range m.seq("teams") {
		path := fmt.Sprintf("teams[%d]", i)
		tm := p.d.mapping(n, path)
		t := &rituals.Team{}
		t.ID = tm.uniqueName("id", "give the team a short id such as payments; rituals refer to it",
			teamIDRE, "use letters, digits, - _ and . (no spaces), at most 64", "duplicate team id %q (also on line %d)", seen)
		t.Name = tm.str("name", t.ID)
		if tm.has("channel") {
			p.channelRef(tm.get("channel"), tm.sub("channel"), &t.Channel)
		}
		t.Members = p.userList(tm, "members")
		t.Leads = p.userList(tm, "leads")
		t.Services = p.services(tm)
		tm.finish()
		p.cfg.Teams = append(p.cfg.Teams, t)
	}
}

// userList reads key as a list of user references into a new slice whose
// elements resolve in place.
func (p *parser) userList(m *mapping, key string) []string {
	nodes := m.seq(key)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		p.userRef(n, fmt.Sprintf("%s[%d]", m.sub(key), i), &out[i])
	}
	return out
}
