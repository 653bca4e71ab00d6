package slackfake

import (
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// elementKeys are the keys each element type may have, per the Block Kit
// reference.
var elementKeys = map[string][]string{
	"button": {"type", "text", "action_id", "url", "value", "style", "confirm", "accessibility_label",
		"agent_prompt", "agent_prompt_display", "visible_to_user_ids"},
	"static_select":              {"type", "action_id", "options", "option_groups", "initial_option", "confirm", "focus_on_load", "placeholder"},
	"multi_static_select":        {"type", "action_id", "options", "option_groups", "initial_options", "confirm", "max_selected_items", "focus_on_load", "placeholder"},
	"external_select":            {"type", "action_id", "initial_option", "min_query_length", "confirm", "focus_on_load", "placeholder"},
	"multi_external_select":      {"type", "action_id", "min_query_length", "initial_options", "confirm", "max_selected_items", "focus_on_load", "placeholder"},
	"users_select":               {"type", "action_id", "initial_user", "confirm", "focus_on_load", "placeholder"},
	"multi_users_select":         {"type", "action_id", "initial_users", "confirm", "max_selected_items", "focus_on_load", "placeholder"},
	"conversations_select":       {"type", "action_id", "initial_conversation", "default_to_current_conversation", "confirm", "response_url_enabled", "filter", "focus_on_load", "placeholder"},
	"multi_conversations_select": {"type", "action_id", "initial_conversations", "default_to_current_conversation", "confirm", "max_selected_items", "filter", "focus_on_load", "placeholder"},
	"channels_select":            {"type", "action_id", "initial_channel", "confirm", "response_url_enabled", "focus_on_load", "placeholder"},
	"multi_channels_select":      {"type", "action_id", "initial_channels", "confirm", "max_selected_items", "focus_on_load", "placeholder"},
	"overflow":                   {"type", "action_id", "options", "confirm"},
	"datepicker":                 {"type", "action_id", "initial_date", "confirm", "focus_on_load", "placeholder"},
	"timepicker":                 {"type", "action_id", "initial_time", "confirm", "focus_on_load", "placeholder", "timezone"},
	"datetimepicker":             {"type", "action_id", "initial_date_time", "confirm", "focus_on_load"},
	"checkboxes":                 {"type", "action_id", "options", "initial_options", "confirm", "focus_on_load", "visible_to_user_ids"},
	"radio_buttons":              {"type", "action_id", "options", "initial_option", "confirm", "focus_on_load"},
	"plain_text_input":           {"type", "action_id", "initial_value", "multiline", "min_length", "max_length", "dispatch_action_config", "focus_on_load", "placeholder"},
	"image":                      {"type", "image_url", "slack_file", "alt_text"},
}

var (
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timeRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

func (v *validator) element(e any, ptr string, allowed []string) {
	obj, typ := v.typed(e, ptr)
	if typ == "" {
		return
	}
	if !slices.Contains(allowed, typ) {
		v.add(ptr+"/type", "element type %q is not allowed here", typ)
		return
	}
	if keys, ok := elementKeys[typ]; ok {
		v.keys(obj, ptr, keys...)
	}
	if typ != "image" {
		v.maxString(obj, "action_id", ptr, 255)
		if s, ok := obj["action_id"].(string); ok && s == "" {
			v.add(ptr+"/action_id", "must be more than 0 characters")
		}
	}
	v.confirm(obj, ptr)
	if _, ok := obj["placeholder"]; ok {
		v.text(obj, "placeholder", ptr, true, 150, false)
	}
	switch typ {
	case "button":
		v.text(obj, "text", ptr, true, 75, true)
		v.maxString(obj, "value", ptr, 2000)
		v.maxString(obj, "url", ptr, 3000)
		v.maxString(obj, "accessibility_label", ptr, 75)
		if st, ok := obj["style"]; ok && st != "primary" && st != "danger" {
			v.add(ptr+"/style", "must be one of: primary, danger")
		}
	case "static_select", "multi_static_select":
		_, hasOpts := obj["options"]
		_, hasGroups := obj["option_groups"]
		switch {
		case hasOpts && hasGroups:
			v.add(ptr, "must provide either options or option_groups, not both")
		case hasOpts:
			v.options(obj, "options", ptr, 1, 100, false, false)
		case hasGroups:
			groups, ok := v.array(obj, "option_groups", ptr, 1, 100)
			if ok {
				for i, g := range groups {
					gp := ptr + "/option_groups/" + strconv.Itoa(i)
					gm, ok := g.(map[string]any)
					if !ok {
						v.add(gp, "must be an object")
						continue
					}
					v.keys(gm, gp, "label", "options")
					v.text(gm, "label", gp, true, 75, true)
					v.options(gm, "options", gp, 1, 100, false, false)
				}
			}
		default:
			v.add(ptr, "missing required field: options")
		}
		if io, ok := obj["initial_option"]; ok {
			v.option(io, ptr+"/initial_option", false, false)
		}
		v.optionList(obj, "initial_options", ptr, false)
		v.minInt(obj, "max_selected_items", ptr, 1)
	case "multi_users_select", "multi_conversations_select", "multi_channels_select", "multi_external_select":
		v.minInt(obj, "max_selected_items", ptr, 1)
	case "overflow":
		v.options(obj, "options", ptr, 1, 5, false, true)
	case "datepicker":
		if d, ok := obj["initial_date"].(string); ok {
			if _, err := time.Parse("2006-01-02", d); err != nil || !dateRE.MatchString(d) {
				v.add(ptr+"/initial_date", "must be a valid date in the format YYYY-MM-DD")
			}
		}
	case "timepicker":
		if t, ok := obj["initial_time"].(string); ok && !timeRE.MatchString(t) {
			v.add(ptr+"/initial_time", "must be a valid time in the format HH:mm")
		}
	case "checkboxes":
		v.options(obj, "options", ptr, 1, 10, true, false)
		v.optionList(obj, "initial_options", ptr, true)
	case "radio_buttons":
		v.options(obj, "options", ptr, 1, 10, true, false)
		if io, ok := obj["initial_option"]; ok {
			v.option(io, ptr+"/initial_option", true, false)
		}
	case "plain_text_input":
		v.rangeInt(obj, "min_length", ptr, 0, 3000)
		v.rangeInt(obj, "max_length", ptr, 1, 3000)
		if mn, ok1 := intField(obj, "min_length"); ok1 {
			if mx, ok2 := intField(obj, "max_length"); ok2 && mn > mx {
				v.add(ptr+"/min_length", "must be less than or equal to max_length")
			}
		}
	case "image":
		v.image(obj, ptr)
	}
}

func (v *validator) image(obj map[string]any, ptr string) {
	_, hasURL := obj["image_url"]
	_, hasFile := obj["slack_file"]
	if !hasURL && !hasFile {
		v.add(ptr, "missing required field: image_url")
	}
	v.maxString(obj, "image_url", ptr, 3000)
	alt, ok := obj["alt_text"].(string)
	switch {
	case !ok:
		v.add(ptr, "missing required field: alt_text")
	case alt == "":
		v.add(ptr+"/alt_text", "must be more than 0 characters")
	case utf8.RuneCountInString(alt) > 2000:
		v.add(ptr+"/alt_text", "must be less than 2001 characters")
	}
}

func (v *validator) confirm(obj map[string]any, ptr string) {
	c, present := obj["confirm"]
	if !present {
		return
	}
	p := ptr + "/confirm"
	m, ok := c.(map[string]any)
	if !ok {
		v.add(p, "must be an object")
		return
	}
	v.keys(m, p, "title", "text", "confirm", "deny", "style")
	v.text(m, "title", p, true, 100, true)
	v.text(m, "text", p, false, 300, true)
	v.text(m, "confirm", p, true, 30, true)
	v.text(m, "deny", p, true, 30, true)
	if st, ok := m["style"]; ok && st != "primary" && st != "danger" {
		v.add(p+"/style", "must be one of: primary, danger")
	}
}

func (v *validator) options(obj map[string]any, key, ptr string, min, max int, mrkdwn, url bool) {
	opts, ok := v.array(obj, key, ptr, min, max)
	if !ok {
		return
	}
	for i, o := range opts {
		v.option(o, ptr+"/"+key+"/"+strconv.Itoa(i), mrkdwn, url)
	}
}

func (v *validator) optionList(obj map[string]any, key, ptr string, mrkdwn bool) {
	if _, ok := obj[key]; !ok {
		return
	}
	opts, ok := obj[key].([]any)
	if !ok {
		v.add(ptr+"/"+key, "must be an array")
		return
	}
	for i, o := range opts {
		v.option(o, ptr+"/"+key+"/"+strconv.Itoa(i), mrkdwn, false)
	}
}

func (v *validator) option(o any, ptr string, mrkdwn, url bool) {
	m, ok := o.(map[string]any)
	if !ok {
		v.add(ptr, "must be an object")
		return
	}
	if url {
		v.keys(m, ptr, "text", "value", "description", "url")
	} else {
		v.keys(m, ptr, "text", "value", "description")
	}
	v.text(m, "text", ptr, !mrkdwn, 75, true)
	if val, ok := m["value"].(string); !ok {
		v.add(ptr, "missing required field: value")
	} else if utf8.RuneCountInString(val) > 150 {
		v.add(ptr+"/value", "must be less than 151 characters")
	}
	v.text(m, "description", ptr, !mrkdwn, 75, false)
	v.maxString(m, "url", ptr, 3000)
}
