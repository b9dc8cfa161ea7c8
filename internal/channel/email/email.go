// Package email is the e-mail channel, ordinary and certified (PEC): a
// mailbox read over IMAP (imap.go) and written to over SMTP (this file),
// and the reading of what arrives (parse.go, pec.go, dsn.go): MIME,
// legacy charsets, quoted history, auto-replies, PEC envelopes and
// receipts, delivery reports.
package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/model"
)

// Spec: the mailbox's address, its IMAP and SMTP servers (imaps:// and
// smtps:// for TLS from the first byte, imap:// and smtp:// for
// STARTTLS, which is then required), the login, and either a password or
// an OAuth2 access token (XOAUTH2, for Gmail and Microsoft 365). pec
// marks a certified mailbox.
var Spec = channel.Spec{
	Kind: model.ChannelEmail,
	Keys: []channel.Key{
		{Name: "address", Required: true},
		{Name: "imap_url", Required: true},
		{Name: "smtp_url", Required: true},
		{Name: "username"},
		{Name: "password", Secret: true},
		{Name: "oauth2_token", Secret: true},
		{Name: "oauth2_refresh_token", Secret: true},
		{Name: "oauth2_client_id"},
		{Name: "oauth2_client_secret", Secret: true},
		{Name: "oauth2_token_url"},
		{Name: "oauth2_scope"},
		{Name: "folder", Default: "INBOX"},
		{Name: "pec", Default: "false", Choices: []string{"true", "false"}},
	},
}

// Check validates what Spec.Check cannot: the URLs and the address.
func Check(s channel.Settings) error {
	if _, err := mail.ParseAddress(s["address"]); err != nil {
		return model.Invalid("settings", "email.invalid_setting", "address is not an e-mail address", map[string]any{"Value": "address"})
	}
	if s["oauth2_refresh_token"] != "" {
		if u, err := url.Parse(s["oauth2_token_url"]); err != nil || u.Scheme != "https" || u.Host == "" || s["oauth2_client_id"] == "" {
			return model.Invalid("settings", "email.invalid_setting", "a refresh token needs oauth2_client_id and an https oauth2_token_url", map[string]any{"Value": "oauth2_token_url"})
		}
	}
	for _, k := range []string{"imap_url", "smtp_url"} {
		if _, _, err := serverOf(s[k], strings.TrimSuffix(k, "_url")); err != nil {
			return model.Invalid("settings", "email.invalid_setting", k+": "+err.Error(), map[string]any{"Value": k})
		}
	}
	return nil
}

// serverOf reads a server URL: host:port and whether TLS starts at once.
func serverOf(raw, proto string) (addr string, implicitTLS bool, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false, errors.New("not a URL like " + proto + "s://host:port")
	}
	port := u.Port()
	switch u.Scheme {
	case proto + "s":
		implicitTLS = true
		if port == "" {
			port = map[string]string{"imap": "993", "smtp": "465"}[proto]
		}
	case proto:
		if port == "" {
			port = map[string]string{"imap": "143", "smtp": "587"}[proto]
		}
	default:
		return "", false, errors.New("scheme must be " + proto + "s or " + proto)
	}
	return net.JoinHostPort(u.Hostname(), port), implicitTLS, nil
}

// Adapter sends a mailbox's replies over SMTP.
type Adapter struct {
	s      channel.Settings
	tls    *tls.Config
	now    func() time.Time
	tokens *tokens
}

// New returns the adapter for a channel's settings. The TLS roots are
// those of the desk's HTTP client, when it sets any (tests do).
func New(s channel.Settings, hc *http.Client) *Adapter {
	return &Adapter{s: s, tls: TLSConfig(hc), now: time.Now, tokens: newTokens(s, hc)}
}

// TLSConfig returns the TLS settings of hc's transport, nil for the
// system's defaults.
func TLSConfig(hc *http.Client) *tls.Config {
	if hc != nil {
		if t, ok := hc.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
			return t.TLSClientConfig.Clone()
		}
	}
	return nil
}

// Address is the mailbox's own address.
func (a *Adapter) Address() string { return strings.ToLower(a.s["address"]) }

// Send writes the reply to the citizen, threaded under the messages it
// answers, and returns its Message-ID (without brackets).
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if out.To.Kind != model.IdentityEmail || out.To.Value == "" {
		return "", channel.Permanent(fmt.Errorf("cannot e-mail %s %q", out.To.Kind, out.To.Value))
	}
	id := NewMessageID(out.MessageID, a.Address())
	raw, err := Compose(a.Address(), out, id, a.now())
	if err != nil {
		return "", channel.Permanent(err)
	}
	if err := a.submit(ctx, out.To.Value, raw); err != nil {
		return "", err
	}
	return id, nil
}

// NewMessageID returns a globally unique Message-ID for our message msg,
// without brackets: <sportello.MSG.RANDOM@DOMAIN>.
func NewMessageID(msg int64, address string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	_, domain, ok := strings.Cut(address, "@")
	if !ok || domain == "" {
		domain = "sportello.invalid"
	}
	return "sportello." + strconv.FormatInt(msg, 10) + "." + hex.EncodeToString(b[:]) + "@" + domain
}

// Compose writes a reply as MIME: text/plain in UTF-8 (quoted-printable),
// the files as attachments.
func Compose(from string, out channel.Outbound, id string, now time.Time) ([]byte, error) {
	var h mail.Header
	h.SetDate(now)
	h.SetAddressList("From", []*mail.Address{{Address: from}})
	h.SetAddressList("To", []*mail.Address{{Address: out.To.Value}})
	h.SetSubject(out.Subject)
	h.SetMessageID(id)
	if out.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{out.InReplyTo})
	}
	if len(out.References) > 0 {
		h.SetMsgIDList("References", out.References)
	}
	switch {
	case out.Auto:
		// RFC 3834: an automatic reply; well-behaved responders do not
		// answer it, so two desks cannot loop.
		h.Set("Auto-Submitted", "auto-replied")
		h.Set("X-Auto-Response-Suppress", "All")
	case out.Generated:
		h.Set("Auto-Submitted", "auto-generated")
		h.Set("X-Auto-Response-Suppress", "All")
	}
	if out.Language != "" {
		h.Set("Content-Language", out.Language)
	}
	var buf bytes.Buffer
	text := strings.ReplaceAll(out.Text, "\r\n", "\n")
	if out.HTML != "" {
		return composeAlternative(&buf, h, out, text)
	}
	if len(out.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, text); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(tw, text); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := writeAttachments(mw, out.Attachments); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAttachments adds files to a multipart/mixed message.
func writeAttachments(mw *mail.Writer, files []channel.File) error {
	for _, f := range files {
		var ah mail.AttachmentHeader
		ah.SetContentType(f.ContentType, nil)
		ah.SetFilename(f.Name)
		ah.Set("Content-Transfer-Encoding", "base64")
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(aw, rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := aw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// composeAlternative writes text and out.HTML as alternatives
// (multipart/alternative), inside multipart/mixed when files go with them.
func composeAlternative(buf *bytes.Buffer, h mail.Header, out channel.Outbound, text string) ([]byte, error) {
	parts := func(iw *mail.InlineWriter) error {
		for _, p := range []struct{ ctype, body string }{{"text/plain", text}, {"text/html", out.HTML}} {
			var ph mail.InlineHeader
			ph.SetContentType(p.ctype, map[string]string{"charset": "utf-8"})
			ph.Set("Content-Transfer-Encoding", "quoted-printable")
			w, err := iw.CreatePart(ph)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w, p.body); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
		return iw.Close()
	}
	if len(out.Attachments) == 0 {
		iw, err := mail.CreateInlineWriter(buf, h)
		if err != nil {
			return nil, err
		}
		if err := parts(iw); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := mail.CreateWriter(buf, h)
	if err != nil {
		return nil, err
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return nil, err
	}
	if err := parts(iw); err != nil {
		return nil, err
	}
	if err := writeAttachments(mw, out.Attachments); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// submit hands a message to the mailbox's SMTP server. A refusal of the
// recipient or of the login is permanent; anything else (the server
// unreachable, a 4xx) is retried by the job runner.
func (a *Adapter) submit(ctx context.Context, to string, raw []byte) error {
	addr, implicit, err := serverOf(a.s["smtp_url"], "smtp")
	if err != nil {
		return channel.Permanent(err)
	}
	host, _, _ := net.SplitHostPort(addr)
	cfg := a.tlsFor(host)
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	var c *smtp.Client
	if implicit {
		c = smtp.NewClient(tls.Client(conn, cfg))
	} else {
		if c, err = smtp.NewClientStartTLS(conn, cfg); err != nil {
			conn.Close()
			return err
		}
	}
	defer c.Close()
	if err := c.Hello(localName(a.Address())); err != nil {
		return smtpError(err)
	}
	auth, err := a.auth(ctx)
	if err != nil {
		return err
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return smtpError(fmt.Errorf("login refused: %w", err))
		}
	}
	if err := c.Mail(a.Address(), nil); err != nil {
		return smtpError(err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return smtpError(err)
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return smtpError(err)
	}
	return c.Quit()
}

func (a *Adapter) tlsFor(host string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.tls != nil {
		cfg = a.tls.Clone()
	}
	cfg.ServerName = host
	return cfg
}

// auth picks XOAUTH2 when OAuth2 is set up, else PLAIN with the password.
func (a *Adapter) auth(ctx context.Context) (sasl.Client, error) {
	user := a.s.Get("username", a.s["address"])
	if a.tokens.oauth() {
		tok, err := a.tokens.get(ctx)
		if err != nil {
			return nil, err
		}
		return xoauth2{user: user, token: tok}, nil
	}
	if pw := a.s["password"]; pw != "" {
		return sasl.NewPlainClient("", user, pw), nil
	}
	return nil, nil
}

// smtpError marks a 5xx answer permanent.
func smtpError(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return channel.Permanent(err)
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return channel.Permanent(err)
	}
	return err
}

func localName(address string) string {
	if _, d, ok := strings.Cut(address, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

// xoauth2 is Google's and Microsoft's SASL mechanism for OAuth2 access
// tokens on IMAP and SMTP.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge with an empty response, as
// the mechanism requires; the server then fails the login.
func (x xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

// ReplySubject is the subject of our replies in a conversation: "Re: "
// and the citizen's subject, with the conversation's token, which
// threads a reply from a client that dropped the headers.
func ReplySubject(subject string, conversationID int64) string {
	s := strings.TrimSpace(subject)
	token := Token(conversationID)
	if s == "" {
		return token
	}
	if !hasReplyPrefix(s) {
		s = "Re: " + s
	}
	if !strings.Contains(s, token) {
		s += " " + token
	}
	return s
}

func hasReplyPrefix(s string) bool {
	l := strings.ToLower(s)
	for _, p := range []string{"re:", "r:", "ri:", "aw:", "rif:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// Token is the subject token of a conversation: "[#123]".
func Token(conversationID int64) string { return "[#" + strconv.FormatInt(conversationID, 10) + "]" }

// TokenOf finds a conversation token in a subject; 0 when there is none.
func TokenOf(subject string) int64 {
	for {
		i := strings.Index(subject, "[#")
		if i < 0 {
			return 0
		}
		subject = subject[i+2:]
		j := strings.IndexByte(subject, ']')
		if j > 0 {
			if n, err := strconv.ParseInt(subject[:j], 10, 64); err == nil && n > 0 {
				return n
			}
		}
	}
}

var _ channel.Sender = (*Adapter)(nil)
