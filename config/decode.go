package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/rituals"
)

// Error is one problem in the config file, where it is.
type Error struct {
	File string
	Line int
	Key  string // path of the key, such as rituals[0].schedule
	Msg  string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

// Errors is every problem found, in file order; its message lists them one
// per line, the first bad field first.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// maxErrors stops a badly broken file from flooding the terminal.
const maxErrors = 20

// decoder walks a yaml.v3 node tree by hand rather than unmarshalling into
// structs, so that every error can name the file, the line and the key, and
// unknown keys are caught with a suggestion.
type decoder struct {
	file string
	errs Errors
}

func (d *decoder) errorAt(n *yaml.Node, key, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	line := 1
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(d.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return d.errs
}

// resolveAlias follows YAML aliases (*anchor) to the node they name.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping is one YAML mapping being read: each key read is marked used, and
// finish reports the rest as unknown.
type mapping struct {
	d      *decoder
	node   *yaml.Node
	path   string
	keys   map[string]*yaml.Node // key → key node
	values map[string]*yaml.Node // key → value node
	order  []string
	used   map[string]bool
}

// mapping reads n as a mapping at path; a node of another kind is reported
// and read as an empty mapping.
func (d *decoder) mapping(n *yaml.Node, path string) *mapping {
	m := &mapping{d: d, node: n, path: path, keys: map[string]*yaml.Node{}, values: map[string]*yaml.Node{}, used: map[string]bool{}}
	n = resolveAlias(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return m
	}
	if n.Kind != yaml.MappingNode {
		d.errorAt(n, path, "want a mapping of keys to values, got %s", describeNode(n))
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorAt(k, path, "a key must be a plain word")
			continue
		}
		if k.Value == "<<" {
			d.errorAt(k, path, "YAML merge keys (<<) are not supported; write the keys out")
			continue
		}
		if prev, dup := m.keys[k.Value]; dup {
			d.errorAt(k, m.sub(k.Value), "duplicate key (first set on line %d)", prev.Line)
			continue
		}
		m.keys[k.Value], m.values[k.Value] = k, v
		m.order = append(m.order, k.Value)
	}
	return m
}

func (m *mapping) sub(key string) string {
	if m.path == "" {
		return key
	}
	return m.path + "." + key
}

// has reports whether key is present (and not null).
func (m *mapping) has(key string) bool {
	v := resolveAlias(m.values[key])
	return v != nil && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null")
}

// get returns the value of key, nil if absent or null, and marks it used.
func (m *mapping) get(key string) *yaml.Node {
	m.used[key] = true
	if !m.has(key) {
		return nil
	}
	return resolveAlias(m.values[key])
}

// errorf reports a problem with key: at its value's line if present, else
// at the mapping's.
func (m *mapping) errorf(key, format string, args ...any) {
	n := m.values[key]
	if n == nil {
		n = m.node
	}
	m.d.errorAt(n, m.sub(key), format, args...)
}

// scalar returns key's value as a scalar, reporting any other kind.
func (m *mapping) scalar(key string) (*yaml.Node, bool) {
	n := m.get(key)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode {
		m.errorf(key, "want a single value, got %s", describeNode(n))
		return nil, false
	}
	return n, true
}

// str returns key's value as a string, def if absent.
func (m *mapping) str(key, def string) string {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	return strings.TrimSpace(n.Value)
}

// required returns key's value as a non-empty string, reporting its absence
// with hint.
func (m *mapping) required(key, hint string) string {
	v := m.str(key, "")
	if v == "" {
		m.errorf(key, "missing; %s", hint)
	}
	return v
}

// uniqueName returns key's value as a required name (hint says what it is
// for) that matches re (rule says what it may hold) and that no earlier
// entry took: seen maps the names taken to their lines, and duplicate
// formats the error, given the name and the other line.
func (m *mapping) uniqueName(key, hint string, re bounded, rule, duplicate string, seen map[string]int) string {
	v := m.required(key, hint)
	if v == "" {
		return v
	}
	if !re.MatchString(v) {
		m.errorf(key, "%q: %s", v, rule)
	} else if line, dup := seen[v]; dup {
		m.errorf(key, duplicate, v, line)
	}
	seen[v] = m.values[key].Line
	return v
}

// notEmpty reports key given as a list of n valid items when n is 0;
// hint says what to write instead.
func (m *mapping) notEmpty(key string, n int, hint string) {
	if m.has(key) && n == 0 {
		m.errorf(key, "the list is empty; %s", hint)
	}
}

// requiredList returns key's list of at most max items, reporting it missing,
// empty (hint says what to write) or too long (tooMany, given the count
// and max, says why it is bounded).
func (m *mapping) requiredList(key, hint string, max int, tooMany string) []*yaml.Node {
	if !m.has(key) {
		m.get(key)
		m.errorf(key, "missing; %s", hint)
	}
	nodes := m.seq(key)
	m.notEmpty(key, len(nodes), hint)
	if len(nodes) > max {
		m.errorf(key, tooMany, len(nodes), max)
	}
	return nodes
}

// boolean returns key's value as true or false, def if absent.
func (m *mapping) boolean(key string, def bool) bool {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	m.errorf(key, "want true or false, got %q", n.Value)
	return def
}

// integer returns key's value as an int within [lo, hi], def if absent.
func (m *mapping) integer(key string, def, lo, hi int) int {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < lo || v > hi {
		m.errorf(key, "want a whole number from %d to %d, got %q", lo, hi, n.Value)
		return def
	}
	return v
}

// duration returns key's value as a duration (30m, 2h, 7d), def if absent.
func (m *mapping) duration(key string, def time.Duration) time.Duration {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	v, err := rituals.ParseDuration(n.Value)
	if err != nil {
		m.errorf(key, "%v", err)
		return def
	}
	if v < 0 {
		m.errorf(key, "must not be negative")
		return def
	}
	return v
}

// date returns key's value as a YYYY-MM-DD date.
func (m *mapping) date(key string) (rituals.Date, bool) {
	n, ok := m.scalar(key)
	if !ok {
		return rituals.Date{}, false
	}
	d, err := rituals.ParseDate(n.Value)
	if err != nil {
		m.errorf(key, "%v", err)
		return rituals.Date{}, false
	}
	return d, true
}

// oneOf returns key's value, which must be one of choices; def if absent.
func (m *mapping) oneOf(key, def string, choices ...string) string {
	v := m.str(key, def)
	if slices.Contains(choices, v) {
		return v
	}
	m.errorf(key, "want one of %s, got %q", strings.Join(choices, ", "), v)
	return def
}

// seq returns key's value as a list; a single scalar counts as a list of
// one, so `members: U0AAA` reads as expected.
func (m *mapping) seq(key string) []*yaml.Node {
	n := m.get(key)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			out[i] = resolveAlias(c)
		}
		return out
	case yaml.ScalarNode:
		return []*yaml.Node{n}
	}
	m.errorf(key, "want a list, got %s", describeNode(n))
	return nil
}

// strings returns key's value as a list of strings.
func (m *mapping) strings(key string) []string {
	var out []string
	for i, n := range m.seq(key) {
		if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
			m.d.errorAt(n, fmt.Sprintf("%s[%d]", m.sub(key), i), "want a non-empty single value, got %s", describeNode(n))
			continue
		}
		out = append(out, strings.TrimSpace(n.Value))
	}
	return out
}

// finish reports the keys nobody read, suggesting the known key closest
// to each.
func (m *mapping) finish() {
	known := slices.Sorted(maps.Keys(m.used))
	for _, k := range m.order {
		if m.used[k] {
			continue
		}
		msg := "unknown key"
		if s := closest(k, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if len(known) > 0 {
			msg += " (known here: " + strings.Join(known, ", ") + ")"
		}
		m.d.errorAt(m.keys[k], m.sub(k), "%s", msg)
	}
}

// closest returns the word in words nearest to w by edit distance, if it is
// near enough to be a likely typo.
func closest(w string, words []string) string {
	best, bestDist := "", len(w)/3+2
	for _, c := range words {
		if d := editDistance(w, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
