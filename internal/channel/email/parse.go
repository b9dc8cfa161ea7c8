package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // legacy charsets: ISO-8859-*, Windows-125x…
	"golang.org/x/text/encoding/charmap"
)

// Message is an e-mail as the desk reads it: who wrote, what the
// conversation shows, the files it carried, how it threads, and whether
// it is something else than a citizen writing (a PEC receipt, a bounce).
type Message struct {
	MessageID  string   // without angle brackets; a hash of the raw bytes when the header is missing
	InReplyTo  []string // message ids, without angle brackets
	References []string
	Subject    string
	From       string // the sender's address, lower case
	Name       string // the sender's display name
	Date       time.Time

	// Text is what the conversation shows: the plain text part, or the
	// HTML part turned into text, without quoted history and a signature
	// below "-- ", which are in Folded; forwarded messages are kept whole.
	Text   string
	Folded string

	Files    []File
	Problems []Problem

	// Automated is mail sent by a machine (an auto-reply, a mailing list,
	// a delivery report): nothing is ever answered to it automatically.
	Automated bool

	// Certified is a PEC transport envelope unwrapped: the fields above
	// are the sender's own message (postacert.eml); Envelope holds the
	// whole envelope as received, kept as evidence.
	Certified *Certificate

	// Receipt is a PEC receipt about one of our messages: it never joins
	// a conversation as a message.
	Receipt *Receipt

	// Bounce is a delivery status notification (RFC 3464) saying that one
	// of our messages could not be delivered.
	Bounce *Bounce
}

// File is an attachment or an inline image.
type File struct {
	Name        string
	ContentType string
	Data        []byte
	Inline      bool
}

// Problem is something of a message that could not be kept: a part that
// could not be read, a file over the size limit.
type Problem struct {
	Kind   string // "malformed" or "too_large"
	Name   string // the file, for too_large
	Size   int64  // its size, at least, for too_large
	Detail string // what went wrong, for malformed
}

// Bounce is a failed delivery of our message MessageID.
type Bounce struct {
	MessageID string
	Recipient string
	Reason    string
}

// Options bound what Parse keeps.
type Options struct {
	MaxFile int64 // the largest attachment kept; 0: 25 MiB
	// PEC reads certified envelopes and receipts. Only a certified
	// mailbox gets them from its provider: elsewhere the same headers
	// could be forged by anyone, and the mail is read as ordinary.
	PEC bool
}

// maxText bounds a message's text part: beyond, it is not shown.
const maxText = 4 << 20

// maxDepth bounds nested multiparts and forwarded messages.
const maxDepth = 12

// Parse reads a raw message. It does not fail: what cannot be read is
// reported in Problems and the rest is kept (a message whose structure is
// broken is shown as its raw text).
func Parse(raw []byte, o Options) *Message {
	if o.MaxFile <= 0 {
		o.MaxFile = 25 << 20
	}
	p := &parser{o: o}
	m := p.message(raw, 0)
	if o.PEC {
		if pec := p.pec(raw, m); pec != nil {
			return pec
		}
	}
	return m
}

type parser struct {
	o Options
	// PEC parts found while walking the top-level message.
	daticert  []byte
	postacert []byte
	// DSN parts.
	status      []byte
	origHeaders []byte
}

// message parses one message (the top level, or an enclosed one).
func (p *parser) message(raw []byte, depth int) *Message {
	m := &Message{}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		m.MessageID = rawID(raw)
		m.Text = strings.ToValidUTF8(string(raw), "")
		m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: errText(err)})
		return m
	}
	if err != nil {
		m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: errText(err)})
	}
	h := e.Header
	m.MessageID = msgID(h.Get("Message-Id"))
	if m.MessageID == "" {
		m.MessageID = rawID(raw)
	}
	m.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	m.References = msgIDs(h.Get("References"))
	m.Subject = decodeWords(h.Get("Subject"))
	m.From, m.Name = address(h.Get("From"))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d
	}
	m.Automated = automated(h)

	var w walk
	p.walk(e, depth, &w, m)
	text := w.text
	if text == "" && w.html != "" {
		text = htmlText(w.html)
	}
	text = strings.TrimSpace(normalizeNewlines(text))
	m.Text, m.Folded = Collapse(text)
	if depth == 0 && len(p.status) > 0 {
		m.Bounce = parseDSN(p.status, p.origHeaders)
		m.Automated = true
	}
	return m
}

// walk collects the text of a message while its parts are visited.
type walk struct {
	text, html string
}

func (p *parser) walk(e *message.Entity, depth int, w *walk, m *Message) {
	if depth > maxDepth {
		m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: "parts nested too deep"})
		return
	}
	ctype, params, _ := e.Header.ContentType()
	if ctype == "" {
		ctype = "text/plain"
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeWords(name)
	if mr := e.MultipartReader(); mr != nil {
		var alt walk
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if part == nil {
					m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: errText(err)})
					break
				}
				m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: errText(err)})
			}
			if ctype == "multipart/alternative" {
				p.walk(part, depth+1, &alt, m)
				continue
			}
			if ctype == "multipart/report" && params["report-type"] != "" && depth == 0 {
				p.reportPart(part, w)
				continue
			}
			p.walk(part, depth+1, w, m)
		}
		if ctype == "multipart/alternative" {
			// Text is preferred; HTML stands in when the text part is empty.
			if strings.TrimSpace(alt.text) != "" {
				w.text = join(w.text, alt.text)
			} else if alt.html != "" {
				w.html = join(w.html, alt.html)
			}
		}
		return
	}
	attached := disp == "attachment" || (name != "" && disp != "inline" && !strings.HasPrefix(ctype, "text/"))
	isText := (ctype == "text/plain" || ctype == "text/html") && !attached
	limit := p.o.MaxFile
	if isText {
		limit = maxText
	}
	body, size, tooLarge, err := readLimited(e.Body, limit)
	if err != nil {
		m.Problems = append(m.Problems, Problem{Kind: "malformed", Detail: errText(err)})
	}
	switch {
	case isText && !tooLarge:
		s := textOf(body, params["charset"])
		if ctype == "text/plain" {
			w.text = join(w.text, s)
		} else {
			w.html = join(w.html, s)
		}
		return
	case depth <= 2 && strings.EqualFold(name, "daticert.xml"):
		p.daticert = body
	case depth <= 2 && strings.EqualFold(name, "postacert.eml"):
		p.postacert = body
	}
	if ctype == "message/rfc822" && name == "" {
		if fw := p.message(body, depth+1); fw.Subject != "" {
			name = fw.Subject + ".eml"
		}
	}
	if name == "" {
		name = "attachment" + extension(ctype)
	}
	if tooLarge {
		m.Problems = append(m.Problems, Problem{Kind: "too_large", Name: name, Size: size})
		return
	}
	if len(body) == 0 {
		return
	}
	m.Files = append(m.Files, File{Name: name, ContentType: ctype, Data: body, Inline: disp == "inline" || e.Header.Get("Content-Id") != ""})
}

// reportPart keeps the parts of a delivery report (RFC 3464).
func (p *parser) reportPart(e *message.Entity, w *walk) {
	ctype, params, _ := e.Header.ContentType()
	body, _, _, _ := readLimited(e.Body, 1<<20)
	switch ctype {
	case "message/delivery-status", "message/global-delivery-status":
		p.status = body
	case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
		p.origHeaders = body
	case "text/plain":
		w.text = join(w.text, textOf(body, params["charset"]))
	}
}

// readLimited reads at most limit bytes of r; beyond, it reports the
// file too large and its size, reading the rest without keeping it.
func readLimited(r io.Reader, limit int64) ([]byte, int64, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		n, err := io.Copy(io.Discard, r)
		return nil, int64(len(b)) + n, true, err
	}
	return b, int64(len(b)), false, err
}

// textOf decodes a text part go-message left undecoded: 8-bit text with
// no charset declared is read as UTF-8 when it is valid, as Windows-1252
// (what Italian mail clients wrote for years) otherwise.
func textOf(b []byte, charset string) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if d, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
		return string(d)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func join(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	if strings.TrimSpace(b) == "" {
		return a
	}
	return a + "\n\n" + b
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// automated reports whether a message was sent by a machine (RFC 3834
// and the de-facto headers of lists and auto-responders).
func automated(h message.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk":
		return true
	}
	if v := strings.ToLower(h.Get("X-Auto-Response-Suppress")); strings.Contains(v, "all") || strings.Contains(v, "autoreply") || strings.Contains(v, "dr") {
		return true
	}
	fields := h.Fields()
	for fields.Next() {
		if strings.HasPrefix(strings.ToLower(fields.Key()), "list-") {
			return true
		}
	}
	if h.Has("Return-Path") {
		if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" || rp == "" {
			return true
		}
	}
	if ctype, _, _ := h.ContentType(); ctype == "multipart/report" {
		return true
	}
	from, _ := address(h.Get("From"))
	local, _, _ := strings.Cut(from, "@")
	return local == "mailer-daemon" || local == "postmaster"
}

// msgID returns the first message id of a header, without brackets.
func msgID(v string) string {
	ids := msgIDs(v)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// msgIDs reads a list of <id> tokens, tolerating the clients that forget
// the brackets.
func msgIDs(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' }) {
		f = strings.TrimSpace(strings.Trim(f, "<>"))
		if f != "" && len(f) <= 500 {
			out = append(out, f)
		}
	}
	return out
}

// rawID stands for a missing Message-ID: the same bytes fetched twice
// are recognised.
func rawID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256." + hex.EncodeToString(sum[:16])
}

var wordDecoder = mime.WordDecoder{CharsetReader: func(cs string, in io.Reader) (io.Reader, error) {
	if message.CharsetReader == nil {
		return nil, fmt.Errorf("charset %s", cs)
	}
	return message.CharsetReader(strings.ToLower(cs), in)
}}

// decodeWords decodes RFC 2047 encoded words; a header sent as raw 8-bit
// Windows-1252 is decoded too.
func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.TrimSpace(textOf([]byte(s), ""))
}

// address reads a From header: the address in lower case, and the name.
func address(v string) (string, string) {
	v = decodeWords(v)
	if a, err := mail.ParseAddress(v); err == nil {
		return strings.ToLower(a.Address), a.Name
	}
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 {
		return strings.ToLower(list[0].Address), list[0].Name
	}
	// A broken header: take what looks like an address.
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '<' || r == '>' || r == ' ' || r == '"' }) {
		if strings.Count(f, "@") == 1 {
			return strings.ToLower(f), ""
		}
	}
	return "", ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func extension(ctype string) string {
	switch ctype {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "application/pdf":
		return ".pdf"
	case "message/rfc822":
		return ".eml"
	case "text/plain":
		return ".txt"
	case "application/xml", "text/xml":
		return ".xml"
	}
	return ""
}
