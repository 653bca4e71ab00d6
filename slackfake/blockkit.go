package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Block Kit validation, following the limits in Slack's Block Kit
// reference. Problems are reported as Slack does, e.g.
// "must be less than 3001 characters [json-pointer:/blocks/0/text/text]";
// the Web API puts them in `errors` and, prefixed with "[ERROR] ", in
// `response_metadata.messages`.

type surface int

const (
	surfaceMessage surface = iota
	surfaceModal
	surfaceHome
)

const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
)

type validator struct {
	surf     surface
	problems []string
	blockIDs map[string]bool
}

func (v *validator) add(ptr, format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

// decodeJSON decodes with json.Number so integer checks are exact.
func decodeJSON(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return x, nil
}

// validateMessageContent checks a message's text and blocks as
// chat.postMessage does. It returns "" when the message is acceptable, or
// a Slack error code and the problems behind it.
func validateMessageContent(text string, blocks json.RawMessage, hasAttachments bool) (string, []string) {
	if utf8.RuneCountInString(text) > maxMessageText {
		return "msg_too_long", nil
	}
	nBlocks := 0
	if len(blocks) > 0 {
		x, err := decodeJSON(blocks)
		arr, ok := x.([]any)
		if err != nil || !ok {
			return "invalid_blocks_format", nil
		}
		nBlocks = len(arr)
		v := &validator{surf: surfaceMessage, blockIDs: map[string]bool{}}
		v.blocks(arr, "/blocks", maxMessageBlocks)
		if len(v.problems) > 0 {
			return "invalid_blocks", v.problems
		}
	}
	if text == "" && nBlocks == 0 && !hasAttachments {
		return "no_text", nil
	}
	return "", nil
}

var viewKeys = map[surface][]string{
	surfaceModal: {"type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
		"clear_on_close", "notify_on_close", "external_id", "submit_disabled"},
	surfaceHome: {"type", "blocks", "private_metadata", "callback_id", "external_id"},
}

// validateView checks a views.* view object. want is "modal" or "home".
// It returns the decoded view, or the problems (error invalid_arguments).
func validateView(raw json.RawMessage, want string) (map[string]any, []string) {
	x, err := decodeJSON(raw)
	obj, ok := x.(map[string]any)
	if err != nil || !ok {
		return nil, []string{"must be a JSON object [json-pointer:/view]"}
	}
	surf := surfaceModal
	if want == "home" {
		surf = surfaceHome
	}
	v := &validator{surf: surf, blockIDs: map[string]bool{}}
	typ, _ := obj["type"].(string)
	switch {
	case typ == "":
		v.add("/view", "missing required field: type")
	case typ != want:
		v.add("/view/type", "must be %s", want)
	}
	v.keys(obj, "/view", viewKeys[surf]...)
	if surf == surfaceModal {
		v.text(obj, "title", "/view", true, 24, true)
		v.text(obj, "submit", "/view", true, 24, false)
		v.text(obj, "close", "/view", true, 24, false)
	}
	v.maxString(obj, "private_metadata", "/view", 3000)
	v.maxString(obj, "callback_id", "/view", 255)
	v.maxString(obj, "external_id", "/view", 255)
	arr, ok := obj["blocks"].([]any)
	if !ok {
		if _, present := obj["blocks"]; present {
			v.add("/view/blocks", "must be an array")
		} else {
			v.add("/view", "missing required field: blocks")
		}
	} else {
		v.blocks(arr, "/view/blocks", maxViewBlocks)
		if surf == surfaceModal && hasInputBlock(arr) {
			if _, ok := obj["submit"]; !ok {
				v.add("/view", "missing required field: submit (required when the view has input blocks)")
			}
		}
	}
	if len(v.problems) > 0 {
		return nil, v.problems
	}
	return obj, nil
}

func hasInputBlock(blocks []any) bool {
	return slices.ContainsFunc(blocks, func(b any) bool {
		m, ok := b.(map[string]any)
		return ok && m["type"] == "input"
	})
}

func (v *validator) blocks(arr []any, ptr string, max int) {
	if len(arr) > max {
		v.add(ptr, "no more than %d items allowed", max)
		return
	}
	for i, b := range arr {
		v.block(b, ptr+"/"+strconv.Itoa(i))
	}
}

// Element types allowed in each place, per the Block Kit reference.
var (
	selectTypes = []string{"static_select", "external_select", "users_select", "conversations_select", "channels_select",
		"multi_static_select", "multi_external_select", "multi_users_select", "multi_conversations_select", "multi_channels_select"}
	actionsElements   = append([]string{"button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons", "timepicker", "workflow_button", "rich_text_input"}, selectTypes...)
	accessoryElements = append([]string{"button", "checkboxes", "datepicker", "image", "overflow", "radio_buttons", "timepicker", "workflow_button"}, selectTypes...)
	inputElements     = append([]string{"checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input", "number_input",
		"plain_text_input", "radio_buttons", "rich_text_input", "timepicker", "url_text_input"}, selectTypes...)
)

// typed is x as a block or element object and its type; the type is ""
// (and the fault recorded) when x is not an object or has no type.
func (v *validator) typed(x any, ptr string) (map[string]any, string) {
	obj, ok := x.(map[string]any)
	if !ok {
		v.add(ptr, "must be an object")
		return nil, ""
	}
	typ, _ := obj["type"].(string)
	if typ == "" {
		v.add(ptr, "missing required field: type")
	}
	return obj, typ
}

func (v *validator) block(b any, ptr string) {
	obj, typ := v.typed(b, ptr)
	if typ == "" {
		return
	}
	if id, present := obj["block_id"]; present {
		s, ok := id.(string)
		switch {
		case !ok:
			v.add(ptr+"/block_id", "must be a string")
		case s == "":
			v.add(ptr+"/block_id", "must be more than 0 characters")
		case utf8.RuneCountInString(s) > 255:
			v.add(ptr+"/block_id", "must be less than 256 characters")
		case v.blockIDs[s]:
			v.add(ptr+"/block_id", "duplicate block_id %q: block_id must be unique", s)
		default:
			v.blockIDs[s] = true
		}
	}
	switch typ {
	case "section":
		v.keys(obj, ptr, "type", "block_id", "text", "fields", "accessory", "expand")
		_, hasText := obj["text"]
		_, hasFields := obj["fields"]
		if !hasText && !hasFields {
			v.add(ptr, "missing required field: text")
		}
		v.text(obj, "text", ptr, false, 3000, false)
		if hasFields {
			fields, ok := obj["fields"].([]any)
			switch {
			case !ok:
				v.add(ptr+"/fields", "must be an array")
			case len(fields) == 0:
				v.add(ptr+"/fields", "must provide at least 1 item")
			case len(fields) > 10:
				v.add(ptr+"/fields", "no more than 10 items allowed")
			default:
				for i, f := range fields {
					v.textValue(f, ptr+"/fields/"+strconv.Itoa(i), false, 2000)
				}
			}
		}
		if acc, ok := obj["accessory"]; ok {
			v.element(acc, ptr+"/accessory", accessoryElements)
		}
	case "header":
		v.keys(obj, ptr, "type", "block_id", "text", "level")
		v.text(obj, "text", ptr, true, 150, true)
	case "divider":
		v.keys(obj, ptr, "type", "block_id")
	case "context":
		v.keys(obj, ptr, "type", "block_id", "elements")
		els, ok := v.array(obj, "elements", ptr, 1, 10)
		if ok {
			for i, e := range els {
				p := ptr + "/elements/" + strconv.Itoa(i)
				m, _ := e.(map[string]any)
				if m != nil && m["type"] == "image" {
					v.element(e, p, []string{"image"})
				} else {
					v.textValue(e, p, false, 3000)
				}
			}
		}
	case "actions":
		v.keys(obj, ptr, "type", "block_id", "elements")
		els, ok := v.array(obj, "elements", ptr, 1, 25)
		if ok {
			for i, e := range els {
				v.element(e, ptr+"/elements/"+strconv.Itoa(i), actionsElements)
			}
			v.uniqueActionIDs(els, ptr+"/elements")
		}
	case "image":
		v.keys(obj, ptr, "type", "block_id", "image_url", "slack_file", "alt_text", "title")
		v.image(obj, ptr)
		v.text(obj, "title", ptr, true, 2000, false)
	case "input":
		if v.surf == surfaceMessage {
			v.add(ptr+"/type", "input blocks are only supported in modals and Home tabs, not in messages")
			return
		}
		v.keys(obj, ptr, "type", "block_id", "label", "element", "dispatch_action", "hint", "optional")
		v.text(obj, "label", ptr, true, 2000, true)
		v.text(obj, "hint", ptr, true, 2000, false)
		if el, ok := obj["element"]; ok {
			v.element(el, ptr+"/element", inputElements)
		} else {
			v.add(ptr, "missing required field: element")
		}
	case "markdown":
		if v.surf != surfaceMessage {
			v.add(ptr+"/type", "markdown blocks are only supported in messages")
			return
		}
		v.keys(obj, ptr, "type", "block_id", "text")
		v.maxString(obj, "text", ptr, 12000)
		if s, _ := obj["text"].(string); s == "" {
			v.add(ptr, "missing required field: text")
		}
	case "rich_text", "file", "video", "table":
		// Accepted without a deep check: the bot does not build these, and
		// a partial schema would reject payloads Slack accepts.
	default:
		v.add(ptr+"/type", "unsupported block type %q", typ)
	}
}

func (v *validator) uniqueActionIDs(els []any, ptr string) {
	seen := map[string]bool{}
	for i, e := range els {
		m, _ := e.(map[string]any)
		id, _ := m["action_id"].(string)
		if id == "" {
			continue
		}
		if seen[id] {
			v.add(ptr+"/"+strconv.Itoa(i)+"/action_id", "duplicate action_id %q: action_id must be unique in the block", id)
		}
		seen[id] = true
	}
}

// text checks the text object obj[key].
func (v *validator) text(obj map[string]any, key, ptr string, plainOnly bool, max int, required bool) {
	t, present := obj[key]
	if !present {
		if required {
			v.add(ptr, "missing required field: %s", key)
		}
		return
	}
	v.textValue(t, ptr+"/"+key, plainOnly, max)
}

func (v *validator) textValue(t any, ptr string, plainOnly bool, max int) {
	m, ok := t.(map[string]any)
	if !ok {
		v.add(ptr, "must be a text object")
		return
	}
	v.keys(m, ptr, "type", "text", "emoji", "verbatim")
	typ, _ := m["type"].(string)
	switch {
	case typ == "":
		v.add(ptr, "missing required field: type")
	case typ != "plain_text" && typ != "mrkdwn":
		v.add(ptr+"/type", "must be one of: plain_text, mrkdwn")
	case plainOnly && typ != "plain_text":
		v.add(ptr+"/type", "must be plain_text")
	}
	s, ok := m["text"].(string)
	switch {
	case !ok:
		v.add(ptr, "missing required field: text")
	case s == "":
		v.add(ptr+"/text", "must be more than 0 characters")
	case utf8.RuneCountInString(s) > max:
		v.add(ptr+"/text", "must be less than %d characters", max+1)
	}
}

// array returns obj[key] as an array of min..max items, reporting problems.
func (v *validator) array(obj map[string]any, key, ptr string, min, max int) ([]any, bool) {
	x, present := obj[key]
	if !present {
		v.add(ptr, "missing required field: %s", key)
		return nil, false
	}
	arr, ok := x.([]any)
	switch {
	case !ok:
		v.add(ptr+"/"+key, "must be an array")
		return nil, false
	case len(arr) < min:
		v.add(ptr+"/"+key, "must provide at least %d items", min)
		return nil, false
	case len(arr) > max:
		v.add(ptr+"/"+key, "no more than %d items allowed", max)
		return nil, false
	}
	return arr, true
}

func (v *validator) maxString(obj map[string]any, key, ptr string, max int) {
	x, present := obj[key]
	if !present {
		return
	}
	s, ok := x.(string)
	if !ok {
		v.add(ptr+"/"+key, "must be a string")
		return
	}
	if utf8.RuneCountInString(s) > max {
		v.add(ptr+"/"+key, "must be less than %d characters", max+1)
	}
}

func intField(obj map[string]any, key string) (int64, bool) {
	n, ok := obj[key].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func (v *validator) minInt(obj map[string]any, key, ptr string, min int64) {
	v.rangeInt(obj, key, ptr, min, 1<<31)
}

func (v *validator) rangeInt(obj map[string]any, key, ptr string, min, max int64) {
	if _, present := obj[key]; !present {
		return
	}
	i, ok := intField(obj, key)
	switch {
	case !ok:
		v.add(ptr+"/"+key, "must be an integer")
	case i < min:
		v.add(ptr+"/"+key, "must be greater than or equal to %d", min)
	case i > max:
		v.add(ptr+"/"+key, "must be less than or equal to %d", max)
	}
}

// keys reports properties the schema does not allow, as Slack does.
func (v *validator) keys(obj map[string]any, ptr string, allowed ...string) {
	var extra []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		v.add(ptr, "invalid additional property: %s", k)
	}
}

// errorMessages turns problems into response_metadata.messages entries.
func errorMessages(problems []string) []string {
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = "[ERROR] " + p
	}
	return out
}
