package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// Page sizes of the list endpoints.
const (
	defaultLimit        = 50
	maxLimit            = 200
	defaultMessageLimit = 100
	maxMessageLimit     = 1000
	maxCursorLen        = 128
	maxSearchLen        = 200
)

// pathID reads the {id} of the path: a positive whole number.
func pathID(r *http.Request) (int64, error) {
	id, ok := positive(r.PathValue("id"))
	if !ok {
		return 0, model.Invalid("id", "error.api.id", "the id in the address must be a positive whole number", nil)
	}
	return id, nil
}

func positive(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0 && s[0] != '+'
}

// parseQuery reads a raw query string strictly: malformed escapes, a
// parameter the endpoint does not know, or one given twice are errors, so
// a typo is reported rather than silently ignored. lang is always allowed:
// it picks the language of the messages.
func parseQuery(raw string, known ...string) (url.Values, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, model.Invalid("", "error.api.query", "the query string is malformed", nil)
	}
	for name, vals := range v {
		if name != "lang" && !slices.Contains(known, name) {
			return nil, model.Invalid(name, "error.api.query_unknown", "unknown query parameter "+name+"; known: "+strings.Join(known, ", "),
				map[string]any{"Field": name})
		}
		if len(vals) > 1 {
			return nil, model.Invalid(name, "error.api.query_repeated", name+" is given more than once", map[string]any{"Field": name})
		}
	}
	return v, nil
}

// parseConversationFilter reads the filters of GET /api/v1/conversations;
// me is the caller's user id, for assignee=me.
func parseConversationFilter(raw string, me int64) (store.ConversationFilter, error) {
	var f store.ConversationFilter
	v, err := parseQuery(raw, "status", "team", "assignee", "channel", "language", "tag", "contact", "q", "limit", "cursor", "queue")
	if err != nil {
		return f, err
	}
	switch v.Get("queue") {
	case "":
	case "closed": // what arrived while the desk was closed, unanswered, oldest first
		f.ArrivedClosed = true
	default:
		return f, model.Invalid("queue", "error.api.queue", `queue must be "closed"`, nil)
	}
	if s := v.Get("status"); s != "" {
		if !model.ValidStatus(model.Status(s)) {
			return f, invalidStatus(s)
		}
		f.Status = model.Status(s)
	}
	switch s := v.Get("team"); s {
	case "":
	case "none":
		f.TeamID = store.Unassigned
	default:
		id, ok := positive(s)
		if !ok {
			return f, model.Invalid("team", "error.api.team_filter", `team must be a team id or "none"`, nil)
		}
		f.TeamID = id
	}
	switch s := v.Get("assignee"); s {
	case "":
	case "none":
		f.AssigneeID = store.Unassigned
	case "me":
		f.AssigneeID = me
	default:
		id, ok := positive(s)
		if !ok {
			return f, model.Invalid("assignee", "error.api.assignee_filter", `assignee must be a user id, "me" or "none"`, nil)
		}
		f.AssigneeID = id
	}
	if s := v.Get("channel"); s != "" {
		if !model.ValidChannelKind(model.ChannelKind(s)) {
			return f, model.Invalid("channel", "error.api.channel", "channel must be one of "+joinKinds(model.ChannelKinds), nil)
		}
		f.Channel = model.ChannelKind(s)
	}
	if s := v.Get("language"); s != "" {
		langs, err := model.NormalizeLanguages("language", []string{s})
		if err != nil || len(langs) != 1 {
			return f, model.Invalid("language", "error.api.language", "language must be a language code such as it, ar or fr-CA", nil)
		}
		f.Language = langs[0]
	}
	if s := v.Get("tag"); s != "" {
		t := strings.ToLower(strings.TrimSpace(s))
		if !model.ValidTag(t) {
			return f, model.Invalid("tag", "error.api.tag", "a tag is letters, digits, spaces, dots, dashes and underscores, up to 63", nil)
		}
		f.Tag = t
	}
	if s := v.Get("contact"); s != "" {
		id, ok := positive(s)
		if !ok {
			return f, invalidNumber("contact")
		}
		f.ContactID = id
	}
	if f.Q, err = search(v.Get("q")); err != nil {
		return f, err
	}
	if f.Limit, err = limit(v.Get("limit"), defaultLimit, maxLimit); err != nil {
		return f, err
	}
	f.Cursor, err = cursor(v.Get("cursor"))
	return f, err
}

// parseContactFilter reads the filters of GET /api/v1/contacts.
func parseContactFilter(raw string) (store.ContactFilter, error) {
	var f store.ContactFilter
	v, err := parseQuery(raw, "q", "limit", "cursor")
	if err != nil {
		return f, err
	}
	if f.Q, err = search(v.Get("q")); err != nil {
		return f, err
	}
	if f.Limit, err = limit(v.Get("limit"), defaultLimit, maxLimit); err != nil {
		return f, err
	}
	f.Cursor, err = cursor(v.Get("cursor"))
	return f, err
}

// parseMessagesQuery reads after_seq and limit of GET .../messages.
func parseMessagesQuery(raw string) (afterSeq int64, n int, err error) {
	v, err := parseQuery(raw, "after_seq", "limit", "translate_to") // translate_to: see listMessages
	if err != nil {
		return 0, 0, err
	}
	if s := v.Get("after_seq"); s != "" {
		afterSeq, err = strconv.ParseInt(s, 10, 64)
		if err != nil || afterSeq < 0 || s[0] == '+' {
			return 0, 0, model.Invalid("after_seq", "error.api.after_seq", "after_seq must be 0 or a positive whole number", nil)
		}
	}
	n, err = limit(v.Get("limit"), defaultMessageLimit, maxMessageLimit)
	return afterSeq, n, err
}

func limit(s string, def, max int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max || s[0] == '+' {
		return 0, model.Invalid("limit", "error.api.limit", "limit must be a whole number from 1 to "+strconv.Itoa(max),
			map[string]any{"Limit": max})
	}
	return n, nil
}

// cursor checks the shape of a cursor; the store decodes it. Cursors are
// opaque: a client passes back the next_cursor it was given.
func cursor(s string) (string, error) {
	if len(s) > maxCursorLen || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return "", model.Invalid("cursor", "error.cursor.invalid", "malformed cursor", nil)
	}
	return s, nil
}

// search checks free search text: valid UTF-8 without control characters
// (PostgreSQL refuses NUL in text) and not too long.
func search(s string) (string, error) {
	if err := checkText("q", s, maxSearchLen); err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// checkText refuses text a database cannot store or a person cannot read:
// invalid UTF-8 and control characters other than line breaks and tabs.
func checkText(field, s string, maxRunes int) error {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}) {
		return model.Invalid(field, "error.api.text", field+" contains characters that are not allowed", map[string]any{"Field": field})
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return model.Invalid(field, "error.validation.too_long", field+" is too long", map[string]any{"Field": field, "Limit": maxRunes})
	}
	return nil
}

func invalidNumber(field string) error {
	return model.Invalid(field, "error.api.number", field+" must be a positive whole number", map[string]any{"Field": field})
}

func invalidStatus(s string) error {
	all := make([]string, len(model.Statuses))
	for i, st := range model.Statuses {
		all[i] = string(st)
	}
	return model.Invalid("status", "error.api.status", "status must be one of "+strings.Join(all, ", "), nil)
}

func joinKinds(kinds []model.ChannelKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
