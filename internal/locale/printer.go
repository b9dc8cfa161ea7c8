package locale

import (
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/sportello/sportello/internal/model"
)

// Printer translates and formats for one language. Get it from
// Bundle.Printer; it is immutable and safe for concurrent use.
type Printer struct {
	cat      *catalog
	fallback *Printer // the English printer; nil for English itself
	rule     pluralRule
	lang     string
	name     string
	dir      string
	decimal  string
	group    string
	minus    string
	date     string
	dateTime string
}

func newPrinter(c *catalog, fallback *Printer) *Printer {
	p := &Printer{cat: c, fallback: fallback, lang: c.lang}
	base, _ := language.Make(c.lang).Base()
	p.rule = pluralRuleFor(base.String())
	// meta.* values missing from a translation come from English.
	meta := func(key, def string) string {
		if fallback != nil {
			def = fallback.cat.meta(key, def)
		}
		return c.meta(key, def)
	}
	p.name = c.meta("meta.name", c.lang) // English's name is no name for another language
	p.dir = meta("meta.dir", "ltr")
	p.decimal = meta("meta.decimal", ".")
	p.group = meta("meta.group", ",")
	p.minus = meta("meta.minus", "-")
	p.date = meta("meta.date", "2006-01-02")
	p.dateTime = meta("meta.datetime", "2006-01-02 15:04")
	return p
}

// Lang returns the language tag, such as "it" or "ar".
func (p *Printer) Lang() string { return p.lang }

// Name returns the language's name in itself ("Italiano", "العربية"), for
// a language picker.
func (p *Printer) Name() string { return p.name }

// Dir returns "rtl" or "ltr", for the dir attribute of <html>.
func (p *Printer) Dir() string { return p.dir }

// T returns the message of key with args. A plural message is selected by
// an integer args["Count"], or takes its "other" form; prefer N for those.
// A key missing in this language is taken from English, and a key missing
// there too comes back as itself: T never returns an empty string.
func (p *Printer) T(key string, args map[string]any) string {
	n, ok := countArg(args)
	if s, found := p.lookup(key, n, ok, args); found {
		return s
	}
	return key
}

// N returns the plural message of key for count: the form of the count's
// CLDR category, with args["Count"] set to the count formatted for the
// language ("1.234" in Italian).
func (p *Printer) N(key string, count int, args map[string]any) string {
	if s, found := p.lookup(key, int64(count), true, args); found {
		return s
	}
	return key
}

// Error returns err in the printer's language for the person who caused
// it: a domain error's key with its arguments, whose Kind ("contact") is
// itself translated through the kind.* keys; its English Message when the
// key is unknown; and a generic message for other errors, whose text is
// for logs and never shown. A nil error gives "".
func (p *Printer) Error(err error) string {
	if err == nil {
		return ""
	}
	e, ok := model.AsError(err)
	if !ok {
		return p.T("error.internal", nil)
	}
	if e.Key != "" {
		args := p.errorArgs(e)
		n, hasCount := countArg(args)
		if s, found := p.lookup(e.Key, n, hasCount, args); found {
			return s
		}
	}
	if e.Message != "" {
		return e.Message
	}
	if s, found := p.lookup("error."+string(e.Code), 0, false, nil); found {
		return s
	}
	return p.T("error.internal", nil)
}

// errorArgs copies e's arguments, adding its Field and translating its Kind.
func (p *Printer) errorArgs(e *model.Error) map[string]any {
	args := make(map[string]any, len(e.Args)+1)
	for k, v := range e.Args {
		args[k] = v
	}
	if _, ok := args["Field"]; !ok && e.Field != "" {
		args["Field"] = e.Field
	}
	if kind, ok := args["Kind"].(string); ok && kind != "" {
		if s, found := p.lookup("kind."+kind, 0, false, nil); found {
			args["Kind"] = s
		}
	}
	return args
}

// lookup renders key in p's language, else in English. It reports false
// when neither has the key or renders it.
func (p *Printer) lookup(key string, n int64, hasCount bool, args map[string]any) (string, bool) {
	for q := p; q != nil; q = q.fallback {
		if e := q.cat.entries[key]; e != nil {
			if s, ok := q.render(e, n, hasCount, args); ok {
				return s, true
			}
		}
	}
	return "", false
}

func (p *Printer) render(e *entry, n int64, hasCount bool, args map[string]any) (string, bool) {
	m := e.forms[other]
	if e.plural && hasCount {
		if f := e.forms[p.rule.category(n)]; f != nil {
			m = f
		}
	}
	if m.tmpl == nil {
		return m.text, true
	}
	setCount := hasCount && slices.Contains(m.names, "Count")
	data := args
	if setCount || !hasAll(args, m.names) {
		// Never write to the caller's map. Arguments the template reads but
		// the caller left out are empty, so {{if .Limit}} can test them and
		// nothing prints "<no value>".
		data = make(map[string]any, len(args)+len(m.names))
		for k, v := range args {
			data[k] = v
		}
		for _, name := range m.names {
			if _, ok := data[name]; !ok {
				data[name] = ""
			}
		}
		if setCount {
			data["Count"] = p.FormatInt(n)
		}
	}
	var b strings.Builder
	if err := m.tmpl.Execute(&b, data); err != nil {
		return "", false
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", false
	}
	return b.String(), true
}

func hasAll(args map[string]any, names []string) bool {
	for _, name := range names {
		if _, ok := args[name]; !ok {
			return false
		}
	}
	return true
}

// countArg returns args["Count"] when it holds a whole number of any type
// (JSON numbers decode as float64).
func countArg(args map[string]any) (int64, bool) {
	switch v := args["Count"].(type) {
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return int64(min(uint64(v), math.MaxInt64)), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(min(v, math.MaxInt64)), true
	case float32:
		return floatCount(float64(v))
	case float64:
		return floatCount(v)
	}
	return 0, false
}

func floatCount(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.Abs(f) >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// Relative says how long ago t was, from now: "just now", "5 minutes
// ago", up to days. A week or more ago gives the date; a time more than a
// minute ahead (a snooze's end) gives the date and time.
func (p *Printer) Relative(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < -time.Minute:
		return p.FormatDateTime(t, nil)
	case d < time.Minute:
		return p.T("time.just_now", nil)
	case d < time.Hour:
		return p.N("time.minutes_ago", int(d/time.Minute), nil)
	case d < 24*time.Hour:
		return p.N("time.hours_ago", int(d/time.Hour), nil)
	case d < 7*24*time.Hour:
		return p.N("time.days_ago", int(d/(24*time.Hour)), nil)
	}
	return p.FormatDate(t)
}
