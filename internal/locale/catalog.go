package locale

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// message is one translated text, a text/template parsed once at load.
// Text without "{{" is kept as is and never executed.
type message struct {
	text  string
	tmpl  *template.Template
	names []string // the arguments the template reads, sorted
}

// entry is the value of one key: a single message, or one message per
// plural category (a non-plural entry keeps its message under other).
type entry struct {
	plural bool
	forms  [numCategories]*message
}

// names returns the arguments any form of e reads, sorted.
func (e *entry) names() []string {
	var all []string
	for _, m := range e.forms {
		if m != nil {
			all = append(all, m.names...)
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// catalog is one language's parsed file.
type catalog struct {
	lang    string
	entries map[string]*entry
	order   []string // keys in file order, for stable reports
}

// meta returns a meta.* value, or def when the key is absent.
func (c *catalog) meta(key, def string) string {
	if e := c.entries[key]; e != nil && !e.plural {
		return e.forms[other].text
	}
	return def
}

// metaKeys are data about the language, not messages: they are never
// parsed as templates and may not be plural.
const metaPrefix = "meta."

// parseCatalog reads a flat JSON object whose values are strings or objects
// of CLDR plural categories. Unlike encoding/json into a map it reports
// duplicate keys, which are a translator's mistake more often than not.
func parseCatalog(lang string, data []byte) (*catalog, error) {
	c := &catalog{lang: lang, entries: make(map[string]*entry)}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(format string, args ...any) error {
		return fmt.Errorf("line %d: %s", lineAt(data, dec.InputOffset()), fmt.Sprintf(format, args...))
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, fail("%v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail("%v", err)
		}
		key := tok.(string) // object keys are always strings
		if !validKey(key) {
			return nil, fail("key %q: want lowercase words joined by dots, like \"login.title\"", key)
		}
		if _, dup := c.entries[key]; dup {
			return nil, fail("key %q appears twice", key)
		}
		e, err := parseValue(dec, key)
		if err != nil {
			return nil, fail("key %q: %v", key, err)
		}
		c.entries[key] = e
		c.order = append(c.order, key)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, fail("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("unexpected data after the closing brace")
	}
	if err := checkMeta(c); err != nil {
		return nil, err
	}
	return c, nil
}

func parseValue(dec *json.Decoder, key string) (*entry, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case string:
		m, err := parseMessage(key, v)
		if err != nil {
			return nil, err
		}
		e := &entry{}
		e.forms[other] = m
		return e, nil
	case json.Delim:
		if v != '{' || strings.HasPrefix(key, metaPrefix) {
			break
		}
		e := &entry{plural: true}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name := tok.(string)
			c, ok := parseCategory(name)
			if !ok {
				return nil, fmt.Errorf("%q is not a plural category (zero, one, two, few, many, other)", name)
			}
			if e.forms[c] != nil {
				return nil, fmt.Errorf("plural category %q appears twice", name)
			}
			tok, err = dec.Token()
			if err != nil {
				return nil, err
			}
			text, ok := tok.(string)
			if !ok {
				return nil, fmt.Errorf("plural category %q: the value must be a string", name)
			}
			if e.forms[c], err = parseMessage(key+"#"+name, text); err != nil {
				return nil, fmt.Errorf("plural category %q: %w", name, err)
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return nil, err
		}
		if e.forms[other] == nil {
			return nil, errors.New(`a plural value needs an "other" form`)
		}
		return e, nil
	}
	if strings.HasPrefix(key, metaPrefix) {
		return nil, errors.New("the value must be a string")
	}
	return nil, errors.New("the value must be a string or an object of plural forms")
}

func parseMessage(name, text string) (*message, error) {
	m := &message{text: text}
	if strings.HasPrefix(name, metaPrefix) {
		return m, nil // meta.group may well be a lone space
	}
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("the text is empty")
	}
	if !strings.Contains(text, "{{") {
		return m, nil
	}
	t, err := template.New(name).Parse(text)
	if err != nil {
		return nil, err
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("define and block are not allowed in messages")
	}
	m.tmpl = t
	walkFields(t.Root, func(name string) { m.names = append(m.names, name) })
	slices.Sort(m.names)
	m.names = slices.Compact(m.names)
	return m, nil
}

// walkFields calls f with the first identifier of every field the template
// reads ({{.Kind}}, {{if .Limit}}, {{$.Count}}).
func walkFields(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(c, f)
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkFields(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, f)
		}
	case *parse.FieldNode:
		f(n.Ident[0])
	case *parse.ChainNode:
		walkFields(n.Node, f)
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			f(n.Ident[1])
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walkFields(n.Pipe, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(string)) {
	walkFields(b.Pipe, f)
	walkFields(b.List, f)
	walkFields(b.ElseList, f)
}

// checkMeta validates the meta.* values the Printer relies on. Absent ones
// fall back to English; the completeness check reports them.
func checkMeta(c *catalog) error {
	if d := c.meta("meta.dir", "ltr"); d != "ltr" && d != "rtl" {
		return fmt.Errorf("meta.dir is %q, want \"ltr\" or \"rtl\"", d)
	}
	// An empty group separator is fine (no grouping); an empty minus or
	// decimal separator would change the number.
	for _, k := range []string{"meta.decimal", "meta.minus"} {
		if c.meta(k, "x") == "" {
			return fmt.Errorf("%s is empty", k)
		}
	}
	if d := c.meta("meta.decimal", ""); d != "" && d == c.meta("meta.group", "") {
		return fmt.Errorf("meta.decimal and meta.group are both %q", d)
	}
	// A layout must use Go's reference date: formatting another date with
	// it has to show that date's year and day.
	probe := time.Date(1999, 12, 31, 23, 45, 0, 0, time.UTC)
	for _, k := range []string{"meta.date", "meta.datetime"} {
		layout := c.meta(k, "")
		if layout == "" {
			continue
		}
		if s := probe.Format(layout); !strings.Contains(s, "1999") || !strings.Contains(s, "31") {
			return fmt.Errorf("%s is %q: write it with Go's reference date, like \"02/01/2006\"", k, layout)
		}
	}
	return nil
}

// validKey reports whether k is "area.thing": lowercase ASCII words of
// letters, digits and underscores, at least two, joined by dots.
func validKey(k string) bool {
	words := strings.Split(k, ".")
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		if w == "" {
			return false
		}
		for _, r := range w {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
				return false
			}
		}
	}
	return true
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, found %v", want, tok)
	}
	return nil
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}
