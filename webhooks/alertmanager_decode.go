package webhooks

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// amPayload is the webhook v4 body as it was sent, before it is checked.
// Null and absent are the same: the zero value (nil for the pointers).
type amPayload struct {
	Version           *string
	GroupKey          *string
	TruncatedAlerts   int
	Status            string
	Receiver          string
	GroupLabels       map[string]string
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	ExternalURL       string
	Alerts            *[]amAlert
}

type amAlert struct {
	Status       string
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     string
	EndsAt       string
	GeneratorURL string
	Fingerprint  string
}

// amDecoder reads an Alertmanager body token by token. Its errors name
// the member at fault (alerts[3].labels.severity) and what was wanted.
type amDecoder struct {
	dec *jsontext.Decoder
	// recent holds strings read before, by a hash of their bytes: the
	// same label names and values come back in every alert, and are
	// allocated once. A string whose slot another took is allocated
	// again, which is all a collision costs.
	recent [512]string
	buf    []byte // for unquoting strings with escapes
	// at is where the decoder is (member names and list indexes), for
	// errors; it is worded only when one happens.
	at []pathStep
}

// pathStep is a member name, or a list index when name is "".
type pathStep struct {
	name  string
	index int
}

// path words where the decoder is, as alerts[3].labels.severity.
func (d *amDecoder) path() string {
	var b strings.Builder
	for _, s := range d.at {
		switch {
		case s.name == "":
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case b.Len() > 0:
			b.WriteString("." + s.name)
		default:
			b.WriteString(s.name)
		}
	}
	return b.String()
}

// decoders are reused: a decoder's buffers and its string cache serve the
// next body (Alertmanager sends the same labels again and again).
var decoders = sync.Pool{New: func() any { return &amDecoder{dec: jsontext.NewDecoder(eof{})} }}

// eof is an empty body, what a decoder reads between uses.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

func decodeAlertmanager(body []byte) (amPayload, error) {
	d := decoders.Get().(*amDecoder)
	defer func() {
		d.dec.Reset(eof{}) // let go of the body
		d.at = d.at[:0]
		if cap(d.buf) > 64<<10 {
			d.buf = nil
		}
		decoders.Put(d)
	}()
	d.dec.Reset(bytes.NewBuffer(body))
	var p amPayload
	if d.dec.PeekKind() != '{' {
		if _, err := d.dec.ReadValue(); err != nil {
			return p, d.syntax(err)
		}
		return p, errors.New("the body is not a JSON object")
	}
	err := d.object(func(name string) (err error) {
		switch name {
		case "version":
			p.Version, err = d.optionalString()
		case "groupKey":
			p.GroupKey, err = d.optionalString()
		case "truncatedAlerts":
			p.TruncatedAlerts, err = d.int()
		case "status":
			p.Status, err = d.string()
		case "receiver":
			p.Receiver, err = d.string()
		case "groupLabels":
			p.GroupLabels, err = d.stringMap()
		case "commonLabels":
			p.CommonLabels, err = d.stringMap()
		case "commonAnnotations":
			p.CommonAnnotations, err = d.stringMap()
		case "externalURL":
			p.ExternalURL, err = d.string()
		case "alerts":
			p.Alerts, err = d.alerts()
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return p, err
	}
	if _, err := d.dec.ReadValue(); err != io.EOF {
		return p, errors.New("there is more after the JSON object; send one object")
	}
	return p, nil
}

func (d *amDecoder) alerts() (*[]amAlert, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return nil, d.skip()
	case '[':
	default:
		return nil, d.want("a list of alerts")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, d.syntax(err)
	}
	alerts := make([]amAlert, 0, 16)
	for d.dec.PeekKind() != ']' {
		var a amAlert
		d.at = append(d.at, pathStep{index: len(alerts)})
		err := d.object(func(name string) (err error) {
			switch name {
			case "status":
				a.Status, err = d.string()
			case "labels":
				a.Labels, err = d.stringMap()
			case "annotations":
				a.Annotations, err = d.stringMap()
			case "startsAt":
				a.StartsAt, err = d.string()
			case "endsAt":
				a.EndsAt, err = d.string()
			case "generatorURL":
				a.GeneratorURL, err = d.string()
			case "fingerprint":
				a.Fingerprint, err = d.string()
			default:
				err = d.skip()
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		d.at = d.at[:len(d.at)-1]
		alerts = append(alerts, a)
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, d.syntax(err)
	}
	return &alerts, nil
}

// object reads an object (or null, which has no members), calling member
// for each member with its name.
func (d *amDecoder) object(member func(name string) error) error {
	switch d.dec.PeekKind() {
	case 'n':
		return d.skip()
	case '{':
	default:
		return d.want("an object")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.syntax(err)
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.rawString()
		if err != nil {
			return err
		}
		d.at = append(d.at, pathStep{name: name})
		if err := member(name); err != nil {
			return err
		}
		d.at = d.at[:len(d.at)-1]
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.syntax(err)
	}
	return nil
}

// stringMap reads an object of strings (labels, annotations); null is nil.
func (d *amDecoder) stringMap() (map[string]string, error) {
	if d.dec.PeekKind() == 'n' {
		return nil, d.skip()
	}
	m := make(map[string]string, 8)
	err := d.object(func(name string) error {
		v, err := d.string()
		m[name] = v
		return err
	})
	return m, err
}

// string reads a string; null is "".
func (d *amDecoder) string() (string, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return "", d.skip()
	case '"':
		return d.rawString()
	default:
		return "", d.want("a string")
	}
}

// optionalString reads a string; null is nil.
func (d *amDecoder) optionalString() (*string, error) {
	if d.dec.PeekKind() == 'n' {
		return nil, d.skip()
	}
	s, err := d.string()
	return &s, err
}

// int reads a whole number; null is 0.
func (d *amDecoder) int() (int, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return 0, d.skip()
	case '0':
	default:
		return 0, d.want("a whole number")
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return 0, d.syntax(err)
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("%s is %s; want a whole number", d.path(), v)
	}
	return n, nil
}

var recentSeed = maphash.MakeSeed()

// maxRecent is the longest string recent keeps: a pooled decoder should
// not hold on to a long description from a body long gone.
const maxRecent = 256

// rawString reads the string (a value or a member name) the decoder is at.
func (d *amDecoder) rawString() (string, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", d.syntax(err)
	}
	b := v[1 : len(v)-1]
	if bytes.IndexByte(b, '\\') >= 0 {
		if d.buf, err = jsontext.AppendUnquote(d.buf[:0], v); err != nil {
			return "", d.syntax(err)
		}
		b = d.buf
	}
	if len(b) > maxRecent {
		return string(b), nil
	}
	h := maphash.Bytes(recentSeed, b) % uint64(len(d.recent))
	if s := d.recent[h]; s == string(b) {
		return s, nil
	}
	s := string(b)
	d.recent[h] = s
	return s, nil
}

func (d *amDecoder) skip() error {
	if err := d.dec.SkipValue(); err != nil {
		return d.syntax(err)
	}
	return nil
}

// want reports a value of the wrong type where the decoder is, after reading it (so
// that a syntax error in it is what is reported, if there is one).
func (d *amDecoder) want(what string) error {
	v, err := d.dec.ReadValue()
	if err != nil {
		return d.syntax(err)
	}
	return fmt.Errorf("%s is %s; want %s", d.path(), kindName(v.Kind()), what)
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "a list"
	}
	return "not JSON"
}

// syntax words a tokenizer error (which carries the byte offset and the
// JSON pointer of the fault).
func (d *amDecoder) syntax(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the body ends before the JSON does")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}
