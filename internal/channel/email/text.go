package email

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText turns an HTML part into plain text: the desk never shows a
// message's HTML, so nothing in it (scripts, styles, tracking images,
// links in disguise) reaches an operator's browser. Paragraphs and line
// breaks are kept, links keep their address in brackets, and
// <blockquote> (quoted history, in Gmail and Apple Mail) is marked with
// "> " so that Collapse can recognise it.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip, quote := 0, 0
	var href string
	newline := func() {
		b.WriteString("\n")
		if quote > 0 {
			b.WriteString(strings.Repeat("> ", quote))
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			raw := string(z.Text())
			t := strings.Join(strings.Fields(raw), " ")
			if t == "" {
				if raw != "" {
					b.WriteString(" ")
				}
				continue
			}
			if strings.HasPrefix(raw, " ") || strings.HasPrefix(raw, "\n") {
				t = " " + t
			}
			if strings.HasSuffix(raw, " ") || strings.HasSuffix(raw, "\n") {
				t += " "
			}
			b.WriteString(t)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
			case atom.Br:
				newline()
			case atom.Li:
				if !end {
					newline()
					b.WriteString("- ")
				}
			case atom.P, atom.Div, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.Table, atom.Ul, atom.Ol, atom.Hr:
				newline()
				if a == atom.P || a == atom.Table || a == atom.Ul || a == atom.Ol {
					newline()
				}
			case atom.Blockquote:
				if end {
					if quote > 0 {
						quote--
					}
				} else {
					quote++
				}
				newline()
			case atom.A:
				if !end {
					href = ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							href = string(v)
						}
					}
				} else if href != "" && (strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")) {
					b.WriteString(" (" + href + ")")
					href = ""
				}
			}
		}
	}
}

// tidy trims lines and squeezes runs of blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || l == ">" || strings.Trim(l, "> ") == "" && strings.HasPrefix(l, ">") {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// Lines that introduce quoted history, in the clients and languages our
// citizens use: Gmail and Apple Mail ("On … wrote:", "Il giorno … ha
// scritto:", "Le … a écrit :", "El … escribió:"), Outlook's "Original
// Message" separators and its header block ("From:/Da:/De: …" followed by
// "Sent:/Inviato:/Envoyé:/Enviado:").
var (
	wroteLine  = regexp.MustCompile(`(?i)^(on\b.*\bwrote:|il giorno\b.*\bha scritto:|le\b.*\ba écrit ?:|el\b.*\bescribió:)$`)
	origLine   = regexp.MustCompile(`(?i)^-{2,}\s*(original message|messaggio originale|message d'origine|mensaje original)\s*-{2,}$`)
	headerLine = regexp.MustCompile(`(?i)^\*?(from|da|de|von)\*?:\s`)
	sentLine   = regexp.MustCompile(`(?i)^\*?(sent|inviato|envoyé|enviado|date|data|gesendet)\*?:\s`)
	fwdLine    = regexp.MustCompile(`(?i)(forwarded message|begin forwarded message|messaggio inoltrato|inizio messaggio inoltrato|message transféré|mensaje reenviado)`)
)

// Collapse splits a message's text into what a conversation shows, the
// citizen's new words, and what it folds away: the quoted history of
// earlier messages and a signature below the standard "-- " line. A
// forwarded message is kept whole: what was forwarded is the point.
func Collapse(text string) (shown, folded string) {
	lines := strings.Split(text, "\n")
	for _, l := range lines {
		if fwdLine.MatchString(l) {
			return text, ""
		}
	}
	end := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case l == "-- " || t == "--" && i > 0:
			end = i
		case wroteLine.MatchString(t), origLine.MatchString(t):
			end = i
		case i+1 < len(lines) && wroteLine.MatchString(t+" "+strings.TrimSpace(lines[i+1])):
			// Gmail folds a long "On … wrote:" over two lines.
			end = i
		case headerLine.MatchString(t) && quotedHeaderBlock(lines[i:]):
			end = i
		case strings.HasPrefix(t, ">") && restQuoted(lines[i:]):
			end = i
		}
		if end != len(lines) {
			break
		}
	}
	if end == len(lines) {
		return text, ""
	}
	shown = strings.TrimSpace(strings.Join(lines[:end], "\n"))
	if shown == "" {
		return text, "" // only quotes: show them rather than nothing
	}
	return shown, strings.TrimSpace(strings.Join(lines[end:], "\n"))
}

// quotedHeaderBlock: a "From:" line followed within three lines by a
// "Sent:" one opens Outlook's copy of the earlier message.
func quotedHeaderBlock(lines []string) bool {
	for j := 1; j < len(lines) && j <= 3; j++ {
		if sentLine.MatchString(strings.TrimSpace(lines[j])) {
			return true
		}
	}
	return false
}

// restQuoted: every remaining non-blank line is quoted.
func restQuoted(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}
