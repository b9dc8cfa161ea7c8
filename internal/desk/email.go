package desk

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello/internal/channel"
	"github.com/sportello/sportello/internal/channel/email"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
	"github.com/sportello/sportello/internal/store"
)

// E-mail channels: what arrives in a mailbox (read by RunMailboxes, or
// imported from files) goes through ReceiveEmail; replies go out by SMTP
// through the job queue like every channel's, threaded under the
// citizen's messages.

// emailAdapter is the e-mail entry of adapters().
var emailAdapter = adapter{spec: email.Spec, check: email.Check, sealed: true, open: func(s channel.Settings, hc *http.Client) (channel.Sender, error) {
	return email.New(s, hc), nil
}}

// autoReplyLimit bounds the automatic replies one sender can draw from a
// mailbox in an hour: two desks' auto-responders that ignore
// Auto-Submitted stop after a few rounds.
const autoReplyLimit = 5

// mailLimits counts the messages each sender sent a mailbox in the
// current hour (in memory: a restart forgets, which only lets a few more
// automatic replies out).
type mailLimits struct {
	mu    sync.Mutex
	hour  int64
	count map[string]int
}

func (l *mailLimits) over(channelID int64, sender string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := now.Unix() / 3600; h != l.hour || l.count == nil {
		l.hour, l.count = h, map[string]int{}
	}
	k := fmt.Sprint(channelID, " ", sender)
	l.count[k]++
	return l.count[k] > autoReplyLimit
}

// EmailResult says what receiving one e-mail did.
type EmailResult struct {
	store.InboundResult
	Kind string `json:"kind"` // "message", "receipt", "bounce", "ignored"
}

// ReceiveEmail takes one raw message that arrived in e-mail channel c's
// mailbox: a citizen's e-mail joins its conversation (by In-Reply-To,
// References or the subject token) or opens one, with its attachments
// stored; on a certified mailbox, an envelope is unwrapped and a
// provider's receipt updates the delivery status of our message; a
// delivery report marks our message failed. A message received before
// (same Message-ID) stores nothing new. It returns once everything is
// stored.
func (d *Service) ReceiveEmail(ctx context.Context, c *model.Channel, raw []byte) (EmailResult, error) {
	return d.receiveEmail(ctx, c, raw, int64(len(raw)))
}

// receiveEmail is ReceiveEmail of a message of size bytes of which raw is
// what was fetched: a message over the reader's limit is kept as far as
// it was read, with a note.
func (d *Service) receiveEmail(ctx context.Context, c *model.Channel, raw []byte, size int64) (EmailResult, error) {
	if c.Kind != model.ChannelEmail {
		return EmailResult{}, model.Invalid("channel", "email.invalid_channel", "not an e-mail channel", nil)
	}
	s, err := channel.ParseSettings(c.Settings)
	if err != nil {
		return EmailResult{}, err
	}
	limit := int64(25 << 20)
	if d.files != nil {
		limit = d.files.MaxSize()
	}
	m := email.Parse(raw, email.Options{MaxFile: limit, PEC: s["pec"] == "true"})
	if size > int64(len(raw)) {
		// Cut short on purpose: say so, rather than that its end is broken.
		m.Problems = []email.Problem{{Kind: "too_large", Name: clipRunes(m.Subject, 100) + ".eml", Size: size}}
	}
	switch {
	case m.Receipt != nil:
		return EmailResult{Kind: "receipt"}, d.pecReceipt(ctx, c, m.Receipt)
	case m.Bounce != nil:
		if m.Bounce.MessageID != "" {
			ev := channel.Event{Type: channel.EventStatus, ProviderID: m.Bounce.MessageID, Status: model.DeliveryFailed, Error: m.Bounce.Reason}
			return EmailResult{Kind: "bounce"}, d.deliveryReport(ctx, c, ev)
		}
	}
	if m.From == "" {
		d.log.Warn("e-mail without a sender", "channel", c.ID, "message_id", m.MessageID)
		return EmailResult{Kind: "ignored"}, nil
	}
	own := strings.EqualFold(m.From, s["address"])
	if own && m.Bounce == nil {
		return EmailResult{Kind: "ignored"}, nil // our own reply, copied back into the mailbox
	}
	if prev, err := d.st.MessageByProviderID(ctx, c.OrgID, c.ID, m.MessageID); err == nil {
		return EmailResult{Kind: "message", InboundResult: store.InboundResult{Duplicate: true, MessageID: prev.ID, ConversationID: prev.ConversationID, Seq: prev.Seq}}, nil
	}
	in := store.Inbound{OrgID: c.OrgID, ChannelID: c.ID, Channel: c.Kind, From: model.Identity{Kind: model.IdentityEmail, Value: m.From},
		DisplayName: clipRunes(m.Name, 200), ProviderMessageID: m.MessageID, Body: clipRunes(m.Text, store.MaxBody), At: m.Date,
		Subject: m.Subject, NewThread: true, Automated: m.Automated || m.Bounce != nil, Quoted: m.Folded}
	if in.Body == "" {
		in.Body = clipRunes(m.Subject, store.MaxBody)
	}
	if !in.Automated && d.mail.over(c.ID, m.From, d.now()) {
		in.Automated = true
	}
	if conv, err := d.st.ConversationOfMessages(ctx, c.OrgID, c.ID, append(append([]string{}, m.InReplyTo...), m.References...)); err == nil {
		in.ConversationID = conv
	} else if id := email.TokenOf(m.Subject); id != 0 {
		in.ConversationID = id
	}
	if cert := m.Certified; cert != nil {
		mc := &model.Certificate{Transport: cert.Transport, Provider: cert.Provider, Identifier: cert.ID}
		if !cert.At.IsZero() {
			at := cert.At.UTC()
			mc.At = &at
		}
		in.Certificate = mc
	}
	files := m.Files
	if m.Certified != nil {
		files = append(files, email.File{Name: "envelope.eml", ContentType: "message/rfc822", Data: m.Certified.Envelope})
	}
	var refused []string
	for _, f := range files {
		at, err := d.storeEmailFile(ctx, c.OrgID, f)
		if err != nil {
			refused = append(refused, d.refusedText(ctx, c.OrgID, f.Name, int64(len(f.Data)), limit, err))
			continue
		}
		in.Attachments = append(in.Attachments, at)
	}
	if in.Body == "" && len(in.Attachments) == 0 {
		in.Body = "-"
	}
	res, err := d.Receive(ctx, in)
	if err != nil || res.Duplicate {
		d.dropFiles(ctx, in.Attachments)
		return EmailResult{Kind: "message", InboundResult: res}, err
	}
	d.noteInbound(c.ID)
	var malformed []string
	for _, p := range m.Problems {
		switch p.Kind {
		case "too_large":
			refused = append(refused, d.refusedText(ctx, c.OrgID, p.Name, p.Size, limit, nil))
		default:
			malformed = append(malformed, p.Detail)
		}
	}
	if len(malformed) > 0 {
		refused = append(refused, d.tr(ctx, c.OrgID, "email.note_malformed", map[string]any{"Reason": strings.Join(malformed, "; ")}))
	}
	for _, text := range refused {
		note := &model.Message{Direction: model.DirectionNote, Body: clipRunes(text, store.MaxBody)}
		if err := d.st.AddMessage(ctx, c.OrgID, res.ConversationID, note); err != nil {
			return EmailResult{Kind: "message", InboundResult: res}, err
		}
		d.publishMessage(note, false)
	}
	return EmailResult{Kind: "message", InboundResult: res}, nil
}

// storeEmailFile keeps one attachment of an e-mail, unlinked until the
// message is recorded.
func (d *Service) storeEmailFile(ctx context.Context, orgID int64, f email.File) (model.Attachment, error) {
	if d.files == nil {
		return model.Attachment{}, errors.New("no attachment storage")
	}
	at, err := d.files.Put(ctx, orgID, clipRunes(f.Name, 200), f.ContentType, bytes.NewReader(f.Data))
	if err != nil {
		return model.Attachment{}, err
	}
	if err := d.st.CreateAttachment(ctx, &at); err != nil {
		_ = d.files.Remove(at.StorageKey)
		return model.Attachment{}, err
	}
	return at, nil
}

// dropFiles forgets attachments stored for a message that was not
// recorded; an unlinked row left behind is harmless.
func (d *Service) dropFiles(ctx context.Context, ats []model.Attachment) {
	for _, at := range ats {
		if d.files != nil {
			_ = d.files.Remove(at.StorageKey)
		}
	}
}

// refusedText says, in the organisation's language, why a file was not
// kept.
func (d *Service) refusedText(ctx context.Context, orgID int64, name string, size, limit int64, why error) string {
	if why == nil || model.ErrorIs(why, model.CodeTooLarge) {
		return d.tr(ctx, orgID, "channel.media_too_large", map[string]any{"Name": name, "Size": size, "Limit": limit >> 20})
	}
	p, err := d.orgPrinter(ctx, orgID)
	if err != nil {
		return name + ": " + why.Error()
	}
	return p.T("channel.media_refused", map[string]any{"Name": name, "Reason": p.Error(why)})
}

// tr translates key in the organisation's language.
func (d *Service) tr(ctx context.Context, orgID int64, key string, args map[string]any) string {
	p, err := d.orgPrinter(ctx, orgID)
	if err != nil {
		return key
	}
	return p.T(key, args)
}

func (d *Service) orgPrinter(ctx context.Context, orgID int64) (*locale.Printer, error) {
	lang := ""
	if o, err := d.st.Organization(ctx, orgID); err == nil {
		lang = o.Language
	}
	return d.printer(lang)
}

// pecReceipt records a certified mail provider's receipt about one of
// our messages: its legal delivery status, and the receipt itself kept
// with it as evidence. A receipt never joins a conversation as a
// message.
func (d *Service) pecReceipt(ctx context.Context, c *model.Channel, r *email.Receipt) error {
	var st model.DeliveryStatus
	var errText string
	switch r.Kind {
	case email.ReceiptAccepted, email.ReceiptTakenInCharge:
		st = model.DeliverySent
	case email.ReceiptDelivered:
		st = model.DeliveryDelivered
	case email.ReceiptDeliveryError, email.ReceiptNotAccepted, email.ReceiptVirus:
		st, errText = model.DeliveryFailed, strings.TrimSpace("PEC "+r.Kind+": "+r.Error)
	}
	rc := model.Receipt{Kind: r.Kind, Recipient: r.Recipient, Error: r.Error, Provider: r.Provider, At: r.At.UTC()}
	id, err := d.st.AddReceipt(ctx, c.OrgID, c.ID, r.MessageID, rc, st, clipRunes(errText, 1000))
	if model.ErrorIs(err, model.CodeNotFound) {
		d.log.Info("PEC receipt about a message we do not know", "channel", c.ID, "message_id", r.MessageID, "kind", r.Kind)
		return nil
	}
	if err != nil {
		return err
	}
	if d.files != nil && len(r.Raw) > 0 {
		at, err := d.files.Put(ctx, c.OrgID, "pec-"+r.Kind+".eml", "message/rfc822", bytes.NewReader(r.Raw))
		if err == nil {
			at.MessageID = id
			if err := d.st.CreateAttachment(ctx, &at); err != nil {
				_ = d.files.Remove(at.StorageKey)
				return err
			}
		} else {
			d.log.Warn("PEC receipt not kept", "channel", c.ID, "err", err)
		}
	}
	if st == model.DeliveryFailed {
		if err := d.st.NoteChannelError(ctx, c.ID, errText); err != nil {
			d.log.Warn("channel health", "channel", c.ID, "err", err)
		}
	}
	d.publishDelivery(ctx, c.OrgID, id)
	return nil
}

// emailThread fills what an e-mail reply needs to join the citizen's
// thread: the subject with the conversation's token, In-Reply-To and
// References. A reply no operator wrote is marked automatic.
func (d *Service) emailThread(ctx context.Context, c *model.Channel, conv *model.Conversation, m *model.Message, out *channel.Outbound) error {
	if c.Kind != model.ChannelEmail {
		return nil
	}
	th, err := d.st.ThreadOf(ctx, conv.OrgID, conv.ID)
	if err != nil {
		return err
	}
	out.Subject = email.ReplySubject(th.Subject, conv.ID)
	out.InReplyTo, out.References = th.InReplyTo, th.References
	out.Auto = m.AuthorUserID == 0
	return nil
}

// MailOptions tune the mailbox readers.
type MailOptions struct {
	Owner  string        // this instance's name in leases; empty: a random one
	Lease  time.Duration // how long a claim on a mailbox lasts; 0: two minutes
	Rescan time.Duration // how often the list of e-mail channels is read again; 0: 30 seconds
	Poll   time.Duration // how often a server without IDLE is asked; 0: a minute
	// MaxMessage bounds what is read of one message: beyond, the rest is
	// left on the server and a note says so. 0: 50 MiB.
	MaxMessage int64
}

// RunMailboxes reads every active e-mail channel's mailbox until ctx
// ends: one goroutine per mailbox, claimed with a lease so that several
// instances sharing a database never read one mailbox twice. A channel
// added, changed or turned off is noticed within Rescan.
func (d *Service) RunMailboxes(ctx context.Context, o MailOptions) {
	if o.Owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		o.Owner = hex.EncodeToString(b[:])
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Rescan <= 0 {
		o.Rescan = 30 * time.Second
	}
	type reader struct {
		key    [32]byte
		cancel context.CancelFunc
	}
	running := map[int64]reader{}
	var wg sync.WaitGroup
	defer func() {
		for _, r := range running {
			r.cancel()
		}
		wg.Wait()
	}()
	t := time.NewTicker(o.Rescan)
	defer t.Stop()
	for {
		cs, err := d.st.ActiveChannelsOfKind(ctx, model.ChannelEmail)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("mailboxes", "err", err)
		}
		if err == nil {
			seen := map[int64]bool{}
			for _, c := range cs {
				if st, err := channel.ParseSettings(c.Settings); err == nil && st["imap_url"] == "" {
					continue // no mailbox to read (the demo's, or one only for sending)
				}
				seen[c.ID] = true
				key := sha256.Sum256([]byte(c.Settings + c.Name))
				if r, ok := running[c.ID]; ok && r.key == key {
					continue
				} else if ok {
					r.cancel()
				}
				rctx, cancel := context.WithCancel(ctx)
				running[c.ID] = reader{key: key, cancel: cancel}
				wg.Go(func() { d.readMailbox(rctx, c, o) })
			}
			for id, r := range running {
				if !seen[id] {
					r.cancel()
					delete(running, id)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readMailbox reads one mailbox while this instance holds its lease,
// reconnecting with a growing delay after a failure (a wrong password, a
// server down, the folder gone), which the channel's health shows.
func (d *Service) readMailbox(ctx context.Context, c *model.Channel, o MailOptions) {
	s, err := d.openSettings(ctx, c)
	if err != nil {
		d.log.Warn("mailbox settings", "channel", c.ID, "err", err)
		if nerr := d.st.NoteChannelError(ctx, c.ID, err.Error()); nerr != nil {
			d.log.Warn("channel health", "channel", c.ID, "err", nerr)
		}
		return
	}
	backoff := 5 * time.Second
	for ctx.Err() == nil {
		mb, ok, err := d.st.ClaimMailbox(ctx, c.OrgID, c.ID, o.Owner, o.Lease)
		if err != nil || !ok {
			if err != nil && ctx.Err() == nil {
				d.log.Warn("mailbox lease", "channel", c.ID, "err", err)
			}
			sleep(ctx, o.Lease/2)
			continue
		}
		began := time.Now()
		err = d.readOnce(ctx, c, s, mb, o)
		if ctx.Err() != nil {
			break
		}
		if time.Since(began) > 5*time.Minute {
			backoff = 5 * time.Second // it worked for a while: a new problem
		}
		if err != nil {
			d.log.Warn("mailbox", "channel", c.ID, "err", err)
			if nerr := d.st.NoteChannelError(ctx, c.ID, "IMAP: "+err.Error()); nerr != nil {
				d.log.Warn("channel health", "channel", c.ID, "err", nerr)
			}
		}
		sleep(ctx, backoff)
		backoff = min(backoff*2, 5*time.Minute)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = d.st.ReleaseMailbox(rctx, c.ID, o.Owner)
}

// readOnce runs one IMAP session, renewing the lease as it goes.
func (d *Service) readOnce(ctx context.Context, c *model.Channel, s channel.Settings, mb store.Mailbox, o MailOptions) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		t := time.NewTicker(o.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, ok, err := d.st.ClaimMailbox(ctx, c.OrgID, c.ID, o.Owner, o.Lease); err == nil && !ok {
					cancel(store.ErrLeaseLost)
					return
				}
			}
		}
	}()
	r := email.NewReader(s, d.httpClient)
	r.Poll, r.MaxMessage = o.Poll, o.MaxMessage
	err := r.Run(ctx, email.State{UIDValidity: mb.UIDValidity, LastUID: mb.LastUID}, func(ctx context.Context, raw []byte, size int64, next email.State) error {
		if _, err := d.receiveEmail(ctx, c, raw, size); err != nil {
			return err
		}
		return d.st.SaveMailbox(ctx, o.Owner, store.Mailbox{ChannelID: c.ID, UIDValidity: next.UIDValidity, LastUID: next.LastUID})
	})
	if cause := context.Cause(ctx); errors.Is(cause, store.ErrLeaseLost) {
		return cause
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
