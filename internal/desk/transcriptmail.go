package desk

import (
	"bytes"
	"html/template"
	"strings"
	"time"

	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// transcriptDoc is a conversation as its citizen saw it, in their
// language: their messages and the desk's replies, never internal notes
// or events; the desk's replies signed as the chat signs them (no
// operator's name); files by name only.
type transcriptDoc struct {
	Lang, Dir string
	Subject   string
	Heading   string
	Intro     string
	Footer    string
	Entries   []transcriptEntry
}

type transcriptEntry struct {
	Mine  bool
	Who   string
	When  string
	ISO   string
	Body  string
	Files []string // "File: name.pdf"
}

func buildTranscript(pr *locale.Printer, org *model.Organization, conv *model.Conversation, msgs []*model.Message, loc *time.Location) *transcriptDoc {
	doc := &transcriptDoc{
		Lang: pr.Lang(), Dir: pr.Dir(),
		Subject: pr.T("transcript.mail_subject", map[string]any{"Name": org.Name}),
		Heading: pr.T("transcript.mail_heading", map[string]any{"Name": org.Name}),
		Intro: pr.T("transcript.mail_intro", map[string]any{"Date": pr.FormatDateTime(conv.CreatedAt, loc),
			"Zone": loc.String(), "Number": conv.ID}),
		Footer: pr.T("transcript.mail_footer", nil),
	}
	for _, m := range msgs {
		if m.Direction != model.DirectionInbound && m.Direction != model.DirectionOutbound {
			continue // notes and events are the desk's own
		}
		if m.Direction == model.DirectionOutbound && m.DeliveryStatus == model.DeliveryFailed {
			continue // never reached the citizen
		}
		e := transcriptEntry{Mine: m.Direction == model.DirectionInbound, Body: strings.TrimSpace(m.Body),
			When: pr.FormatDateTime(m.CreatedAt, loc), ISO: m.CreatedAt.UTC().Format(time.RFC3339)}
		e.Who = pr.T("chat.desk", nil)
		if e.Mine {
			e.Who = pr.T("chat.you", nil)
		}
		for _, a := range m.Attachments {
			e.Files = append(e.Files, pr.T("transcript.mail_file", map[string]any{"Name": a.Filename}))
		}
		doc.Entries = append(doc.Entries, e)
	}
	return doc
}

// Unicode marks that keep plain text readable right to left: a paragraph
// that starts with a Latin name or a date stays right to left (RLM), and
// text of the other direction inside a line is isolated (FSI … PDI).
const (
	rlm = "\u200f"
	fsi = "\u2068"
	pdi = "\u2069"
)

// text is the plain-text part.
func (doc *transcriptDoc) text() string {
	rtl := doc.Dir == "rtl"
	line := func(s string) string {
		if rtl {
			return rlm + s
		}
		return s
	}
	iso := func(s string) string {
		if rtl {
			return fsi + s + pdi
		}
		return s
	}
	var b strings.Builder
	b.WriteString(line(doc.Heading) + "\n")
	b.WriteString(line(doc.Intro) + "\n")
	for _, e := range doc.Entries {
		b.WriteString("\n" + line(e.Who+" · "+iso(e.When)) + "\n")
		if e.Body != "" {
			b.WriteString(e.Body + "\n")
		}
		for _, f := range e.Files {
			b.WriteString(line("- "+f) + "\n")
		}
	}
	b.WriteString("\n-- \n" + line(doc.Footer) + "\n")
	return b.String()
}

// transcriptHTML is the HTML part: inline styles only (mail clients drop
// style sheets), the language and direction on the root, each message
// body with its own direction.
var transcriptHTML = template.Must(template.New("transcript").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;line-height:1.4;color:#1f2937">
<h1 style="font-size:1.25em">{{.Heading}}</h1>
<p>{{.Intro}}</p>
{{- range .Entries}}
<div style="margin:1em 0;padding:.5em .75em;border-inline-start:4px solid {{if .Mine}}#2563eb{{else}}#059669{{end}};background:#f9fafb">
<p style="margin:0;font-size:.9em;color:#4b5563"><strong>{{.Who}}</strong> · <time datetime="{{.ISO}}"><bdi>{{.When}}</bdi></time></p>
{{- with .Body}}
<p dir="auto" style="margin:.4em 0 0;white-space:pre-wrap">{{.}}</p>
{{- end}}
{{- with .Files}}
<ul style="margin:.4em 0 0">
{{- range .}}<li dir="auto">{{.}}</li>{{end}}
</ul>
{{- end}}
</div>
{{- end}}
<hr>
<p style="font-size:.85em;color:#4b5563">{{.Footer}}</p>
</body>
</html>
`))

func (doc *transcriptDoc) html() (string, error) {
	var b bytes.Buffer
	if err := transcriptHTML.Execute(&b, doc); err != nil {
		return "", err
	}
	return b.String(), nil
}
